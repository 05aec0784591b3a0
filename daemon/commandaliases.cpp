#include "aliasfile.h"
#include "commands.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

namespace aliassync {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(aliases)
};

// Reads FILE as postalias would: a missing or unreadable file is an error,
// unlike AliasFile::load(), which treats a missing managed file as empty.
std::optional<AliasFile> readAliasFile(const QString &path)
{
    // A FIFO would block the read and a directory has no lines to read.
    const QFileInfo info(path);
    if (info.exists() && !info.isFile()) {
        QTextStream(stderr) << Text::tr("alias-sync aliases: %1 is not a regular file; name an alias file\n").arg(path);
        return std::nullopt;
    }
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        QTextStream(stderr) << Text::tr("alias-sync aliases: cannot read %1: %2\n").arg(path, file.errorString());
        return std::nullopt;
    }
    const AliasFile aliases = AliasFile::parse(file.readAll(), path);

    // postalias(1) words its warnings "FILE, line N: ...", so the two are
    // easy to compare.
    QTextStream err(stderr);
    for (const AliasFileWarning &warning : aliases.warnings())
        err << "alias-sync: warning: " << warning.fileName << ", line " << warning.line << ": " << warning.message << '\n';
    return aliases;
}

int showAliases(const QString &path)
{
    const auto aliases = readAliasFile(path);
    if (!aliases)
        return 1;

    // One line per name a Postfix lookup finds: the first definition of each
    // folded name, as postalias stores it. An empty name is stored by
    // postalias, but local(8) never looks it up: it bounces an empty local
    // part as "null username".
    QTextStream out(stdout);
    for (const AliasEntry &entry : aliases->entries()) {
        if (entry.foldedName.isEmpty() || aliases->lookup(entry.foldedName) != &entry)
            continue;
        out << QString::fromUtf8(entry.foldedName) << ": " << QString::fromUtf8(entry.value) << '\n';
    }
    return 0;
}

int printFingerprint(const QString &path)
{
    const auto aliases = readAliasFile(path);
    if (!aliases)
        return 1;

    QTextStream(stdout) << aliases->fingerprint() << '\n';
    return 0;
}

} // namespace

int runAliases(const QStringList &arguments)
{
    if (arguments.size() == 2 && arguments.first() == QStringLiteral("show"))
        return showAliases(arguments.at(1));
    if (arguments.size() == 2 && arguments.first() == QStringLiteral("fingerprint"))
        return printFingerprint(arguments.at(1));

    QTextStream err(stderr);
    if (!arguments.isEmpty() && arguments.first() != QStringLiteral("show") && arguments.first() != QStringLiteral("fingerprint"))
        err << Text::tr("alias-sync aliases: unknown command '%1'\n").arg(arguments.first());
    err << Text::tr("usage: alias-sync aliases show FILE | alias-sync aliases fingerprint FILE\n");
    return 2;
}

} // namespace aliassync
