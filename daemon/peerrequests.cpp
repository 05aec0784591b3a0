#include "peerrequests.h"

#include <QTimer>

namespace aliassync {

void PeerRequests::setSender(const Sender &sender)
{
    m_sender = sender;
    if (m_sender)
        return;
    const QList<quint64> open = m_open.keys();
    for (quint64 id : open)
        finish(id, std::nullopt);
}

void PeerRequests::ask(QJsonObject question, std::chrono::milliseconds timeout, const Callback &callback)
{
    if (!m_sender) {
        callback(std::nullopt);
        return;
    }
    const quint64 id = m_nextId++;
    m_open.insert(id, callback);
    question.insert(QStringLiteral("request_id"), QString::number(id));
    m_sender(question);
    QTimer::singleShot(timeout, this, [this, id]() { finish(id, std::nullopt); });
}

bool PeerRequests::takeReply(const QJsonObject &message)
{
    const QString type = message.value(QStringLiteral("type")).toString();
    if (type != QStringLiteral("state-reply") && type != QStringLiteral("entries-reply"))
        return false;
    finish(message.value(QStringLiteral("request_id")).toString().toULongLong(), message);
    return true;
}

void PeerRequests::finish(quint64 id, const std::optional<QJsonObject> &reply)
{
    const Callback callback = m_open.take(id);
    if (callback)
        callback(reply);
}

} // namespace aliassync
