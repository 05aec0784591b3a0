// The transaction journal: an append-only file of state records.
//
// Contract: append() returns only after the record is on disk (fsync), so a
// caller may act on a state once append() succeeded. Each record is one
// line: eight hex digits of the CRC-32 of the JSON text, a space, the JSON
// object, '\n'. On open, a torn or corrupt tail is cut off at the last
// valid record and reported; records before it are kept. rewrite()
// replaces the whole file atomically (compaction).
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace aliassync {

struct JournalRecord {
    QByteArray txid;
    QString role;          // "coordinator" or "participant"
    QString state;         // see TransactionState names in transactionengine.h
    QByteArray operation;  // opaque bytes; present on the first record of a transaction
    QString requestKey;    // identifies a redelivered request; on a coordinator's first record
    QString reason;        // why a transaction aborted or failed, for the log and status
    bool temporary = false; // on "aborted": a later retry of the request may succeed
    QString outcome;       // on "finished": "committed" or "aborted"
    QDateTime time;
};

class Journal
{
public:
    ~Journal();

    // Opens (creating with mode 0600) and reads the journal.
    bool open(const QString &path, QString *error);
    bool append(const JournalRecord &record, QString *error);
    // Replaces the file's contents with records: written to a temporary
    // file, flushed, renamed over the journal, directory flushed. On failure
    // the old journal stays in place and in use.
    bool rewrite(const QList<JournalRecord> &records, QString *error);

    const QList<JournalRecord> &records() const { return m_records; }
    QString path() const { return m_path; }
    // The number of bytes cut off a torn or corrupt tail when the journal was opened.
    qint64 discardedBytes() const { return m_discardedBytes; }

    static QByteArray encode(const JournalRecord &record);
    static bool decode(const QByteArray &line, JournalRecord *record);

private:
    QString m_path;
    int m_fd = -1;
    QList<JournalRecord> m_records;
    qint64 m_discardedBytes = 0;
};

} // namespace aliassync
