#include "aliasdatabase.h"
#include "durablewrite.h"
#include "logging.h"

#include <QFile>
#include <QFileInfo>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {

namespace {

bool renameFile(const QString &from, const QString &to, QString *error)
{
    if (::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0) {
        *error = systemError(QStringLiteral("cannot rename %1 to").arg(from), to);
        return false;
    }
    return true;
}

} // namespace

QStringList databaseSuffixes(const QString &databaseType)
{
    // postalias(1) and DATABASE_README: hash and btree tables are Berkeley DB
    // files "NAME.db", cdb is "NAME.cdb", lmdb is "NAME.lmdb".
    if (databaseType == QStringLiteral("hash") || databaseType == QStringLiteral("btree"))
        return {QStringLiteral(".db")};
    if (databaseType == QStringLiteral("cdb"))
        return {QStringLiteral(".cdb")};
    if (databaseType == QStringLiteral("lmdb"))
        return {QStringLiteral(".lmdb")};
    return {};
}

AliasDatabase::AliasDatabase(const PostfixTools &tools, const QString &aliasFile, TableKind kind)
    : m_tools(tools)
    , m_aliasFile(aliasFile)
    , m_kind(kind)
{
}

QString AliasDatabase::program() const
{
    return m_kind == TableKind::Alias ? QStringLiteral("postalias") : QStringLiteral("postmap");
}

bool AliasDatabase::initialise(QString *error)
{
    const auto type = m_tools.parameter(QStringLiteral("default_database_type"), error);
    if (!type)
        return false;
    if (databaseSuffixes(*type).isEmpty()) {
        *error = QStringLiteral("default_database_type is '%1'; alias-sync can replace hash, btree, cdb and lmdb tables atomically, not this type")
                     .arg(*type);
        return false;
    }
    m_databaseType = *type;
    return true;
}

bool AliasDatabase::replace(const QByteArray &text, const QStringList &expectedNames, const QStringList &absentNames,
                            QString *error)
{
    const QFileInfo info(m_aliasFile);
    const QString directory = info.absolutePath();
    const QString staging = directory + QStringLiteral("/.") + info.fileName() + QStringLiteral(".new");
    const QString stagingTable = m_databaseType + QLatin1Char(':') + staging;
    const QStringList suffixes = databaseSuffixes(m_databaseType);

    // Step 1: the new text under a temporary name, on disk before anything reads it.
    // Postfix's local(8) reads the table as another user, hence 0644 whatever the umask.
    if (!writeFileSynced(staging, text, 0644, CreateMode::Truncate, error))
        return false;

    // Step 2: postalias (or postmap) builds the database beside the staging text.
    const ToolResult built = m_tools.run(program(), {stagingTable});
    if (!built.succeeded()) {
        *error = built.describe(QStringLiteral("%1 %2").arg(program(), stagingTable));
        return false;
    }
    if (!built.errorOutput.isEmpty())
        qCWarning(lcPostfix).noquote() << program() << "warned about" << m_aliasFile << ":" << QString::fromUtf8(built.errorOutput).trimmed();

    // Step 3: lookups of what changed must succeed in the new database before it replaces the old one.
    for (const QString &name : expectedNames) {
        const auto found = m_tools.lookup(program(), stagingTable, name, error);
        if (!found)
            return false;
        if (!found->has_value()) {
            *error = QStringLiteral("the rebuilt alias database %1 does not contain '%2'").arg(staging, name);
            return false;
        }
    }
    for (const QString &name : absentNames) {
        const auto found = m_tools.lookup(program(), stagingTable, name, error);
        if (!found)
            return false;
        if (found->has_value()) {
            *error = QStringLiteral("the rebuilt alias database %1 still contains '%2'").arg(staging, name);
            return false;
        }
    }

    // Step 4: text first, then database. A crash between the two leaves a
    // database older than its text, which rebuild() repairs at start-up.
    if (!renameFile(staging, m_aliasFile, error))
        return false;
    for (const QString &suffix : suffixes) {
        if (!renameFile(staging + suffix, m_aliasFile + suffix, error))
            return false;
    }
    return syncDirectory(directory, error);
}

bool AliasDatabase::rebuild(QString *error)
{
    QFile file(m_aliasFile);
    QByteArray text;
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(m_aliasFile, file.errorString());
            return false;
        }
        text = file.readAll();
    }
    return replace(text, {}, {}, error);
}

} // namespace aliassync
