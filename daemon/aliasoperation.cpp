#include "aliasoperation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace aliassync {

QByteArray AliasOperation::encode() const
{
    const QJsonObject object{
        {QStringLiteral("action"), action == Action::Create ? QStringLiteral("create") : QStringLiteral("delete")},
        {QStringLiteral("name"), name},
        {QStringLiteral("destinations"), QJsonArray::fromStringList(destinations)},
        {QStringLiteral("requester"), requester},
        {QStringLiteral("reply_address"), replyAddress},
        {QStringLiteral("message_id"), messageId},
        {QStringLiteral("coordinator"), coordinator},
        {QStringLiteral("requested_at"), requestedAt.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("coordinator_fingerprint"), QString::fromLatin1(coordinatorFingerprint)},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<AliasOperation> AliasOperation::decode(const QByteArray &bytes)
{
    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    const QString action = object.value(QStringLiteral("action")).toString();
    if (action != QStringLiteral("create") && action != QStringLiteral("delete"))
        return std::nullopt;

    AliasOperation operation;
    operation.action = action == QStringLiteral("create") ? Action::Create : Action::Delete;
    operation.name = object.value(QStringLiteral("name")).toString();
    for (const auto &value : object.value(QStringLiteral("destinations")).toArray())
        operation.destinations.append(value.toString());
    operation.requester = object.value(QStringLiteral("requester")).toString();
    operation.replyAddress = object.value(QStringLiteral("reply_address")).toString();
    operation.messageId = object.value(QStringLiteral("message_id")).toString();
    operation.coordinator = object.value(QStringLiteral("coordinator")).toString();
    operation.requestedAt = QDateTime::fromString(object.value(QStringLiteral("requested_at")).toString(), Qt::ISODate);
    operation.coordinatorFingerprint = object.value(QStringLiteral("coordinator_fingerprint")).toString().toLatin1();
    if (operation.name.isEmpty() || !operation.requestedAt.isValid())
        return std::nullopt;
    return operation;
}

} // namespace aliassync
