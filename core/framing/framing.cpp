#include "framing.h"

#include <QJsonDocument>
#include <QtEndian>

namespace aliassync {

QByteArray encodeFrame(const QJsonObject &message)
{
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray frame(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(body.size()), frame.data());
    return frame + body;
}

std::optional<QJsonObject> FrameReader::next(QString *error)
{
    if (m_buffer.size() < 4)
        return std::nullopt;

    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData());
    if (length > quint32(maxFrameSize)) {
        *error = QStringLiteral("frame of %1 bytes exceeds the limit of %2").arg(length).arg(maxFrameSize);
        return std::nullopt;
    }
    if (m_buffer.size() < qsizetype(4 + length))
        return std::nullopt;

    const QByteArray body = m_buffer.mid(4, length);
    m_buffer.remove(0, 4 + length);

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("frame is not a JSON object: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    return document.object();
}

} // namespace aliassync
