// Framing of the peer and local protocols: each message is a 4-byte big-endian length
// followed by that many bytes of one compact JSON object (UTF-8).
//
// Contract: a frame larger than maxFrameSize, or one that is not a JSON
// object, is a protocol error and the connection is closed by the caller.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <utility>

namespace aliassync {

inline constexpr qsizetype maxFrameSize = 1024 * 1024;

QByteArray encodeFrame(const QJsonObject &message);

class FrameReader
{
public:
    void append(const QByteArray &bytes) { m_buffer.append(bytes); }

    // Returns the next complete message, nothing when more bytes are needed;
    // sets *error (and returns nothing) on a protocol error.
    std::optional<QJsonObject> next(QString *error);

    // Hands over bytes not yet consumed, e.g. those that followed a hello.
    QByteArray takeBuffered() { return std::exchange(m_buffer, QByteArray()); }

private:
    QByteArray m_buffer;
};

} // namespace aliassync
