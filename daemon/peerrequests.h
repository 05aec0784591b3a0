// Requests this daemon sends the peer daemon outside any transaction: its
// managed entries (for reconcile) and its state (fingerprint and pending
// count, for divergence reports). Sent on the outbound link; each reply
// names the request_id of its question.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <optional>

namespace aliassync {

class PeerRequests : public QObject
{
    Q_OBJECT
public:
    using Sender = std::function<void(const QJsonObject &)>;
    using Callback = std::function<void(const std::optional<QJsonObject> &reply)>;

    // Set on link up, cleared on link down; questions still open get no reply.
    void setSender(const Sender &sender);

    // Sends question (type "state" or "entries"); callback gets the reply,
    // or nothing when the link is down or the timeout passed.
    void ask(QJsonObject question, std::chrono::milliseconds timeout, const Callback &callback);

    // Takes a reply to one of our questions; false for anything else.
    bool takeReply(const QJsonObject &message);

private:
    void finish(quint64 id, const std::optional<QJsonObject> &reply);

    Sender m_sender;
    QHash<quint64, Callback> m_open;
    quint64 m_nextId = 1;
};

} // namespace aliassync
