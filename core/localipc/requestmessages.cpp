#include "requestmessages.h"

#include <QJsonArray>

namespace aliassync {

namespace {

QString kindName(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Create: return QStringLiteral("create");
    case RequestKind::Delete: return QStringLiteral("delete");
    case RequestKind::List: return QStringLiteral("list");
    }
    return {};
}

QString outcomeName(RequestDecision::Outcome outcome)
{
    switch (outcome) {
    case RequestDecision::Outcome::Act: return QStringLiteral("act");
    case RequestDecision::Outcome::Reject: return QStringLiteral("reject");
    case RequestDecision::Outcome::Ignore: return QStringLiteral("ignore");
    }
    return {};
}

} // namespace

constexpr qsizetype maxSubjectCharacters = 998;

QJsonObject encodeDecision(const RequestDecision &decision, const QString &queueId)
{
    const AliasRequest &request = decision.request;
    return {{QStringLiteral("type"), QStringLiteral("request")},
            {QStringLiteral("outcome"), outcomeName(decision.outcome)},
            {QStringLiteral("reason"), decision.reason},
            {QStringLiteral("kind"), kindName(request.kind)},
            {QStringLiteral("name"), request.name},
            {QStringLiteral("destinations"), QJsonArray::fromStringList(request.destinations)},
            {QStringLiteral("requester"), request.requester},
            {QStringLiteral("reply_address"), request.replyAddress},
            {QStringLiteral("message_id"), request.messageId},
            // Replies quote at most 100 characters of it (compose.cpp), so
            // a huge Subject need not cross the socket.
            {QStringLiteral("subject"), request.subject.left(maxSubjectCharacters)},
            {QStringLiteral("queue_id"), queueId}};
}

RequestDecision decodeDecision(const QJsonObject &message)
{
    RequestDecision decision;
    const QString outcome = message.value(QStringLiteral("outcome")).toString();
    decision.outcome = outcome == QStringLiteral("act")      ? RequestDecision::Outcome::Act
                       : outcome == QStringLiteral("reject") ? RequestDecision::Outcome::Reject
                                                              : RequestDecision::Outcome::Ignore;
    decision.reason = message.value(QStringLiteral("reason")).toString();

    const QString kind = message.value(QStringLiteral("kind")).toString();
    AliasRequest &request = decision.request;
    request.kind = kind == QStringLiteral("delete") ? RequestKind::Delete
                   : kind == QStringLiteral("list") ? RequestKind::List
                                                    : RequestKind::Create;
    request.name = message.value(QStringLiteral("name")).toString();
    for (const auto &value : message.value(QStringLiteral("destinations")).toArray())
        request.destinations.append(value.toString());
    request.requester = message.value(QStringLiteral("requester")).toString();
    request.replyAddress = message.value(QStringLiteral("reply_address")).toString();
    request.messageId = message.value(QStringLiteral("message_id")).toString();
    request.subject = message.value(QStringLiteral("subject")).toString().left(maxSubjectCharacters);
    return decision;
}

QJsonObject handledReply(const QString &detail)
{
    return {{QStringLiteral("status"), QStringLiteral("handled")}, {QStringLiteral("detail"), detail}};
}

QJsonObject temporaryFailureReply(const QString &detail)
{
    return {{QStringLiteral("status"), QStringLiteral("tempfail")}, {QStringLiteral("detail"), detail}};
}

} // namespace aliassync
