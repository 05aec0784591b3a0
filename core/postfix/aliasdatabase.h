// Replacing a managed alias file and its Postfix database safely.
//
// postalias(1) rewrites a database in place, so a failure half-way would
// leave Postfix without a usable table. This module builds the new text and
// database under temporary names in the same directory, checks the
// database with `postalias -q`, and only then renames both into place.
#pragma once

#include "postfixtools.h"

#include <QByteArray>
#include <QString>

namespace aliassync {

// The files postalias creates for a table of the given type, by suffix.
// Returns an empty list for a type this module cannot rename atomically.
QStringList databaseSuffixes(const QString &databaseType);

// Builds an alias table with postalias, or (with TableKind::Map) any other
// table such as a transport map with postmap.
enum class TableKind { Alias, Map };

class AliasDatabase
{
public:
    AliasDatabase(const PostfixTools &tools, const QString &aliasFile, TableKind kind = TableKind::Alias);

    // Reads default_database_type from Postfix; call once before replace().
    bool initialise(QString *error);
    QString table() const { return m_databaseType + QLatin1Char(':') + m_aliasFile; }

    // Installs text as the alias file with a freshly built database.
    // expectedNames must be found in the new database, and absentNames must not.
    bool replace(const QByteArray &text, const QStringList &expectedNames, const QStringList &absentNames, QString *error);

    // Builds the database from the current text, e.g. after a crash between the two renames.
    bool rebuild(QString *error);

private:
    QString program() const;

    const PostfixTools &m_tools;
    QString m_aliasFile;
    TableKind m_kind;
    QString m_databaseType;
};

} // namespace aliassync
