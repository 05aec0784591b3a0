// Running Postfix's own tools against one Postfix instance.
//
// Contract: every call names the instance's config_directory with -c (or
// -C for sendmail) unless it is the default /etc/postfix, because a
// non-root `sendmail -C DIR` is refused unless main.cf lists DIR in
// alternate_config_directories. Each run has a time limit; a tool that
// exits non-zero or times out yields an error naming the command and its
// standard error output.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace aliassync {

struct ToolResult {
    bool started = false;
    bool timedOut = false;
    int exitCode = -1;
    QByteArray output;
    QByteArray errorOutput;

    bool succeeded() const { return started && !timedOut && exitCode == 0; }
    QString describe(const QString &command) const;
};

class PostfixTools
{
public:
    PostfixTools(const QString &configDirectory, const QString &commandDirectory);

    QString configDirectory() const { return m_configDirectory; }
    bool isDefaultInstance() const;

    // `postconf -xh NAME`: the expanded value (postconf -h alone leaves $names unexpanded).
    std::optional<QString> parameter(const QString &name, QString *error) const;

    // parameter(), remembered while main.cf keeps its inode, size and
    // modification time, and for at most a minute: the daemon looks up
    // alias_maps and mydestination on every request, and one postconf run
    // costs more than the rest of a local check.
    std::optional<QString> cachedParameter(const QString &name, QString *error) const;

    // Runs a Postfix program from the command directory, with -c for a non-default instance.
    ToolResult run(const QString &program, const QStringList &arguments, int timeoutMs = 30000) const;

    // `postalias -q NAME TABLE`: true when found, false when not, nothing on error.
    std::optional<bool> aliasTableContains(const QString &table, const QString &name, QString *error) const;

    // Runs `postmap -q - TABLE` with the keys on stdin and returns the keys
    // that the table has (any table type, regexp and pcre included), or
    // nothing on error.
    std::optional<QStringList> tableKeysFound(const QString &table, const QStringList &keys, QString *error) const;

    // `PROGRAM -q KEY TABLE` (postmap or postalias): the value, an empty
    // optional inside when not found, nothing on error.
    std::optional<std::optional<QString>> lookup(const QString &program, const QString &table, const QString &key,
                                                 QString *error) const;

    // Splits a Postfix table list ("hash:/a, hash:/b") into its tables.
    static QStringList splitTableList(const QString &value);

private:
    QStringList instanceArguments(const char *option) const;

    QString m_configDirectory;
    QString m_commandDirectory;
    mutable QHash<QString, QString> m_parameterCache;
    mutable QByteArray m_cachedMainCfSignature;
    mutable QDateTime m_cacheFilledAt;
};

ToolResult runProcess(const QString &program, const QStringList &arguments, const QByteArray &input, int timeoutMs);

} // namespace aliassync
