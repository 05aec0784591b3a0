// The alias file that alias-sync manages (aliases(5) syntax).
//
// AliasFile parses an alias file the way Postfix 3.7's postalias(1) does,
// keeps the original bytes so that an unchanged file is written back
// byte for byte, and edits only the entries it manages: each managed entry
// carries an "# alias-sync:" metadata comment line directly above it.
// The formats are specified in specs/alias-file.md.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace aliassync {

// The metadata comment line above a managed entry.
struct AliasMetadata {
    QByteArray txid;      // transaction id
    QByteArray createdBy; // SASL login or "admin:<user>"
    QDateTime createdAt;  // UTC, second precision
    QByteArray server;    // server name that coordinated

    friend bool operator==(const AliasMetadata &a, const AliasMetadata &b)
    {
        return a.txid == b.txid && a.createdBy == b.createdBy && a.createdAt == b.createdAt
               && a.server == b.server;
    }
    friend bool operator!=(const AliasMetadata &a, const AliasMetadata &b) { return !(a == b); }
};

struct AliasEntry {
    QByteArray name;       // as written, in postalias's unquoted (internal) form
    QByteArray foldedName; // case-folded: the lookup key postalias stores
    QByteArray value;      // the value as postalias stores it (RFC 822 external form)
    QList<QByteArray> destinations; // value split on commas outside quotes and comments
    int firstLine = 0, lastLine = 0; // 1-based physical lines, continuation included
    bool managed = false;  // a valid alias-sync metadata line sits directly above
    AliasMetadata metadata;
};

// The alias Postfix's local(8) delivers a recipient through, and the
// address extension it took off to find it.
struct RecipientMatch {
    const AliasEntry *entry = nullptr; // null when no alias matches
    QByteArray extension;              // empty when the full local part matched
};

struct AliasFileWarning {
    QString fileName;
    int line;
    QString message;
};

class AliasFile
{
    Q_DECLARE_TR_FUNCTIONS(aliassync::AliasFile)

public:
    AliasFile() = default;

    static AliasFile parse(const QByteArray &bytes, const QString &fileName);
    // A missing file is an empty AliasFile, not an error.
    static std::optional<AliasFile> load(const QString &path, QString *error);

    QString fileName() const { return m_fileName; }

    // Byte-identical to the input when nothing changed.
    QByteArray toBytes() const { return m_bytes; }

    // Every entry postalias would store, in file order (duplicates included).
    const QList<AliasEntry> &entries() const { return m_entries; }
    // Case-folded lookup; the FIRST definition wins, as with postalias.
    const AliasEntry *lookup(QByteArrayView name) const;
    // The lookup local(8) does for a recipient's local part: the full local
    // part first, then the part before the first character of delimiters
    // (recipient_delimiter), with Postfix's exceptions (specs/alias-file.md).
    RecipientMatch lookupRecipient(QByteArrayView localPart, QByteArrayView delimiters) const;
    // Every managed entry in file order (shadowed duplicates included).
    QList<AliasEntry> managedEntries() const;
    QList<AliasFileWarning> warnings() const { return m_warnings; }

    // Appends "<metadata line>\n<name>: <dest>, <dest>\n"; adds a line end
    // first if the file lacks a final one. Uses CRLF when the file's first
    // line ends in CRLF. Returns false with *error when name, a destination
    // or the metadata is not acceptable, or when the name is already present.
    bool addManaged(const QByteArray &name, const QList<QByteArray> &destinations,
                    const AliasMetadata &metadata, QString *error);
    // Removes a managed entry: its metadata line and all its physical lines.
    // Refuses (false + *error) when any definition of name is unmanaged.
    bool removeManaged(const QByteArray &name, QString *error);

    // Lower-case hex SHA-256 of canonicalManagedForm().
    QByteArray fingerprint() const;
    QByteArray canonicalManagedForm() const;

    // The metadata comment line (without line end) for metadata.
    static QByteArray formatMetadataLine(const AliasMetadata &metadata);
    // Percent-encoding used in metadata values.
    static QByteArray percentEncode(QByteArrayView value);

    // Checks used by addManaged(); true when acceptable, else *error says why.
    static bool validateName(QByteArrayView name, QString *error);
    static bool validateDestination(QByteArrayView destination, QString *error);

private:
    // The sizes of the parsed state, to undo an append.
    struct ParsedSize {
        qsizetype bytes, lines, entries, warnings;
    };

    void reparse(const QByteArray &bytes);
    void parseTail(qsizetype from);
    ParsedSize parsedSize() const;
    void truncateTo(const ParsedSize &size);
    QByteArray lineEnding() const;

    QString m_fileName;
    QByteArray m_bytes;
    QList<qsizetype> m_lineStarts; // offset of each physical line
    QList<AliasEntry> m_entries;
    QHash<QByteArray, qsizetype> m_firstByFolded; // foldedName -> index in m_entries
    QList<AliasFileWarning> m_warnings;
};

} // namespace aliassync
