#include "journal.h"
#include "durablewrite.h"
#include "logging.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {

namespace {

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum zlib and gzip use.
quint32 checksum(const QByteArray &bytes)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : bytes) {
        crc ^= quint8(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

} // namespace

Journal::~Journal()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

QByteArray Journal::encode(const JournalRecord &record)
{
    QJsonObject object{{QStringLiteral("txid"), QString::fromLatin1(record.txid)},
                       {QStringLiteral("role"), record.role},
                       {QStringLiteral("state"), record.state},
                       {QStringLiteral("time"), record.time.toUTC().toString(Qt::ISODateWithMs)}};
    if (!record.operation.isEmpty())
        object.insert(QStringLiteral("operation"), QString::fromLatin1(record.operation.toBase64()));
    if (!record.requestKey.isEmpty())
        object.insert(QStringLiteral("request"), record.requestKey);
    if (!record.reason.isEmpty())
        object.insert(QStringLiteral("reason"), record.reason);
    if (record.temporary)
        object.insert(QStringLiteral("temporary"), true);
    if (!record.outcome.isEmpty())
        object.insert(QStringLiteral("outcome"), record.outcome);
    const QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return QByteArray::number(checksum(json), 16).rightJustified(8, '0') + ' ' + json + '\n';
}

bool Journal::decode(const QByteArray &line, JournalRecord *record)
{
    if (line.size() < 11 || line.at(8) != ' ' || !line.endsWith('\n'))
        return false;
    bool ok = false;
    const quint32 expected = line.left(8).toUInt(&ok, 16);
    const QByteArray json = line.mid(9, line.size() - 10);
    if (!ok || checksum(json) != expected)
        return false;

    const QJsonObject object = QJsonDocument::fromJson(json).object();
    record->txid = object.value(QStringLiteral("txid")).toString().toLatin1();
    record->role = object.value(QStringLiteral("role")).toString();
    record->state = object.value(QStringLiteral("state")).toString();
    record->operation = QByteArray::fromBase64(object.value(QStringLiteral("operation")).toString().toLatin1());
    record->requestKey = object.value(QStringLiteral("request")).toString();
    record->reason = object.value(QStringLiteral("reason")).toString();
    record->temporary = object.value(QStringLiteral("temporary")).toBool();
    record->outcome = object.value(QStringLiteral("outcome")).toString();
    record->time = QDateTime::fromString(object.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    return !record->txid.isEmpty() && !record->state.isEmpty();
}

bool Journal::open(const QString &path, QString *error)
{
    m_path = path;
    const QByteArray native = QFile::encodeName(path);
    const bool existed = QFileInfo::exists(path);
    m_fd = ::open(native.constData(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        *error = systemError(QStringLiteral("cannot open the journal"), path);
        return false;
    }
    // A new journal's directory entry must survive a crash with its first record.
    if (!existed && !syncDirectory(QFileInfo(path).absolutePath(), error))
        return false;

    QFile file;
    if (!file.open(m_fd, QIODevice::ReadOnly, QFileDevice::DontCloseHandle)) {
        *error = QStringLiteral("cannot read the journal %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray contents = file.readAll();

    // Keep every record up to the first that fails its checksum: a crash
    // during append can only damage the end of the file.
    qsizetype offset = 0;
    while (offset < contents.size()) {
        const qsizetype newline = contents.indexOf('\n', offset);
        if (newline < 0)
            break;
        JournalRecord record;
        if (!decode(contents.mid(offset, newline + 1 - offset), &record))
            break;
        m_records.append(record);
        offset = newline + 1;
    }

    if (offset < contents.size()) {
        m_discardedBytes = contents.size() - offset;
        qCWarning(lcTransaction).noquote() << "journal" << path << "has a torn or corrupt tail of" << m_discardedBytes
                                           << "bytes after record" << m_records.size() << "; cutting it off";
        if (::ftruncate(m_fd, offset) != 0 || ::fsync(m_fd) != 0) {
            *error = systemError(QStringLiteral("cannot truncate the journal"), path);
            return false;
        }
    }
    return true;
}

bool Journal::append(const JournalRecord &record, QString *error)
{
    if (!writeAll(m_fd, encode(record))) {
        *error = systemError(QStringLiteral("cannot write the journal"), m_path);
        return false;
    }
    if (::fdatasync(m_fd) != 0) {
        *error = systemError(QStringLiteral("cannot flush the journal"), m_path);
        return false;
    }
    m_records.append(record);
    return true;
}

bool Journal::rewrite(const QList<JournalRecord> &records, QString *error)
{
    QByteArray contents;
    for (const JournalRecord &record : records)
        contents += encode(record);

    // The new file gets the journal's name only once it is complete on
    // disk, so a crash leaves either the old journal or the new one.
    const QString temporary = m_path + QStringLiteral(".compact");
    const QByteArray native = QFile::encodeName(temporary);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = systemError(QStringLiteral("cannot create"), temporary);
        return false;
    }
    if (!writeAll(fd, contents) || ::fsync(fd) != 0) {
        *error = systemError(QStringLiteral("cannot write"), temporary);
        ::close(fd);
        ::unlink(native.constData());
        return false;
    }
    ::close(fd);
    if (::rename(native.constData(), QFile::encodeName(m_path).constData()) != 0) {
        *error = systemError(QStringLiteral("cannot rename the compacted journal to"), m_path);
        ::unlink(native.constData());
        return false;
    }
    QString syncError;
    const bool synced = syncDirectory(QFileInfo(m_path).absolutePath(), &syncError);

    // The old descriptor points at the replaced file: appending there would
    // lose records, so without a new descriptor every append fails instead.
    ::close(m_fd);
    m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (m_fd < 0) {
        *error = systemError(QStringLiteral("cannot open the compacted journal"), m_path);
        return false;
    }
    m_records = records;
    if (!synced) {
        *error = syncError;
        return false;
    }
    return true;
}

} // namespace aliassync
