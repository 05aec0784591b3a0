// libFuzzer target for AliasFile::parse and the managed-entry edits.
//
// Every input is an alias file. A violated property prints its reason and
// calls abort(), which libFuzzer reports as a crash and saves as a
// reproducer (crash-<sha1>).

#include "aliasfile.h"

#include <QByteArray>
#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QTime>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using aliassync::AliasEntry;
using aliassync::AliasFile;
using aliassync::AliasFileWarning;
using aliassync::AliasMetadata;

namespace {

#define FUZZ_CHECK(condition, reason)                                                             \
    do {                                                                                          \
        if (!(condition)) {                                                                       \
            std::fprintf(stderr, "fuzz_aliasfile: check failed: %s\n  (%s)\n  at %s:%d\n",       \
                         reason, #condition, __FILE__, __LINE__);                                 \
            std::abort();                                                                         \
        }                                                                                         \
    } while (false)

const QString kFileName = QStringLiteral("fuzz.aliases");

// The entry that every accepting input gets added and removed again. The
// upper-case letters make the duplicate check go through case folding.
const QByteArray kAddedName = QByteArrayLiteral("Fuzz-Added");
const QList<QByteArray> kAddedDestinations = {QByteArrayLiteral("fuzz-target@example.org"),
                                              QByteArrayLiteral("second")};

AliasMetadata addedMetadata()
{
    AliasMetadata metadata;
    metadata.txid = QByteArrayLiteral("fuzz-0001");
    metadata.createdBy = QByteArrayLiteral("admin:fuzz");
    metadata.createdAt = QDateTime(QDate(2024, 2, 29), QTime(23, 59, 58), Qt::UTC);
    metadata.server = QByteArrayLiteral("mx1.example.org");
    return metadata;
}

qsizetype physicalLineCount(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return 0;
    // Every LF ends a line, and text after the last LF is one more line.
    return bytes.count('\n') + (bytes.endsWith('\n') ? 0 : 1);
}

void checkWarnings(const AliasFile &file, qsizetype lineCount)
{
    for (const AliasFileWarning &warning : file.warnings()) {
        // A warning points the administrator to a line of this file.
        FUZZ_CHECK(warning.line >= 1 && warning.line <= lineCount,
                   "a warning names a line outside the file");
        FUZZ_CHECK(warning.fileName == kFileName, "a warning names another file");
        FUZZ_CHECK(!warning.message.isEmpty(), "a warning has no message");
    }
}

void checkEntriesAndLookup(const AliasFile &file, qsizetype lineCount)
{
    const QList<AliasEntry> &entries = file.entries();
    QHash<QByteArray, qsizetype> firstByFolded;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (!firstByFolded.contains(entries[i].foldedName))
            firstByFolded.insert(entries[i].foldedName, i);
    }

    for (const AliasEntry &entry : entries) {
        // Line numbers are used to remove exactly the entry's lines.
        FUZZ_CHECK(entry.firstLine >= 1 && entry.firstLine <= entry.lastLine && entry.lastLine <= lineCount,
                   "an entry's line range lies outside the file");
        // A managed entry's metadata line sits on the line above it.
        FUZZ_CHECK(!entry.managed || entry.firstLine >= 2, "a managed entry has no line above it");

        // postalias stores one value per folded name and the first definition wins.
        const AliasEntry *found = file.lookup(entry.name);
        FUZZ_CHECK(found == &entries[firstByFolded.value(entry.foldedName)],
                   "lookup() of an entry's name does not return the first definition of its folded name");
        // Postfix folds the query too, so a query equal to a stored key
        // finds it only if folding a folded name leaves it unchanged.
        FUZZ_CHECK(file.lookup(entry.foldedName) == found,
                   "lookup() of an entry's folded name returns another entry than lookup() of its name");
    }
}

// Adds kAddedName and removes it again, checking that the edits touch only
// the appended lines.
void checkAddAndRemove(const AliasFile &parsed, const QByteArray &original)
{
    AliasFile file = parsed;
    const AliasMetadata metadata = addedMetadata();
    const bool alreadyPresent = file.lookup(kAddedName) != nullptr;

    QString error;
    if (!file.addManaged(kAddedName, kAddedDestinations, metadata, &error)) {
        FUZZ_CHECK(!error.isEmpty(), "addManaged() failed without an error message");
        // A rejected edit must leave the file as it was.
        FUZZ_CHECK(file.toBytes() == original, "a rejected addManaged() changed the bytes");
        return;
    }
    // A second definition would be shadowed by the first, as postalias keeps the first.
    FUZZ_CHECK(!alreadyPresent, "addManaged() accepted a name that is already defined");

    const QByteArray added = file.toBytes();
    // Lines the program did not write are never changed, so the old bytes stay in front.
    FUZZ_CHECK(added.startsWith(original), "addManaged() changed bytes of the original file");

    // addManaged() uses CRLF when the file's first line ends in CRLF, else LF.
    const qsizetype firstLf = original.indexOf('\n');
    const QByteArray eol = (firstLf > 0 && original[firstLf - 1] == '\r') ? QByteArrayLiteral("\r\n")
                                                                           : QByteArrayLiteral("\n");
    const QByteArray appendedLines = AliasFile::formatMetadataLine(metadata) + eol + kAddedName + ": "
                                     + kAddedDestinations.join(", ") + eol;
    const QByteArray tail = added.sliced(original.size());
    FUZZ_CHECK(tail.endsWith(appendedLines), "addManaged() appended other lines than the metadata and entry lines");
    const QByteArray lineEndAdded = tail.first(tail.size() - appendedLines.size());
    if (original.isEmpty() || original.endsWith('\n')) {
        FUZZ_CHECK(lineEndAdded.isEmpty(), "addManaged() added bytes before its lines to a file with a final LF");
    } else {
        // Without a final LF the new lines would join the last line. After
        // a trailing CR only the LF is missing for a CRLF file.
        const QByteArray expected = (eol == "\r\n" && original.endsWith('\r')) ? QByteArrayLiteral("\n") : eol;
        FUZZ_CHECK(lineEndAdded == expected, "addManaged() did not end the last line with the file's line end");
    }

    // The new entry must read back as the managed entry that was written.
    const AliasEntry *entry = file.lookup(kAddedName);
    FUZZ_CHECK(entry != nullptr, "the added entry is not found");
    FUZZ_CHECK(entry->managed, "the added entry is not managed");
    FUZZ_CHECK(entry->metadata == metadata, "the added entry's metadata reads back differently");
    FUZZ_CHECK(entry->destinations == kAddedDestinations, "the added entry's destinations read back differently");
    // The fingerprint covers every managed entry, so it changes with one more.
    FUZZ_CHECK(file.canonicalManagedForm() != parsed.canonicalManagedForm(),
               "the canonical managed form ignores the added entry");
    checkWarnings(file, physicalLineCount(added));

    // The entry was added as managed and no unmanaged definition exists, so
    // removal must be accepted.
    FUZZ_CHECK(file.removeManaged(kAddedName, &error), "removeManaged() rejected the entry just added");
    // Removal drops exactly the metadata and entry lines that were added.
    // The line end added to a file without a final LF stays, because after
    // the edit it belongs to the original last line.
    FUZZ_CHECK(file.toBytes() == original + lineEndAdded, "add then remove did not restore the original bytes");
    FUZZ_CHECK(file.lookup(kAddedName) == nullptr, "the removed entry is still found");
    FUZZ_CHECK(file.fingerprint() == parsed.fingerprint(), "add then remove changed the fingerprint");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray original(reinterpret_cast<const char *>(data), qsizetype(size));
    const AliasFile file = AliasFile::parse(original, kFileName);

    // Parse-then-write of an unchanged file must return identical bytes.
    FUZZ_CHECK(file.toBytes() == original, "toBytes() differs from the parsed input");
    FUZZ_CHECK(file.fileName() == kFileName, "fileName() differs from the name given to parse()");

    const qsizetype lineCount = physicalLineCount(original);
    checkWarnings(file, lineCount);
    checkEntriesAndLookup(file, lineCount);

    // The two servers compare fingerprints, so the same bytes must always
    // give the same fingerprint, whatever the hash order of a run.
    const AliasFile reparsed = AliasFile::parse(file.toBytes(), kFileName);
    FUZZ_CHECK(reparsed.fingerprint() == file.fingerprint(), "a second parse gives another fingerprint");
    FUZZ_CHECK(reparsed.canonicalManagedForm() == file.canonicalManagedForm(),
               "a second parse gives another canonical managed form");

    checkAddAndRemove(file, original);
    return 0;
}
