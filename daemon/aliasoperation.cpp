#include "aliasoperation.h"
#include "aliasfile.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace aliassync {

namespace {

QString actionName(AliasOperation::Action action)
{
    switch (action) {
    case AliasOperation::Action::Create: return QStringLiteral("create");
    case AliasOperation::Action::Delete: return QStringLiteral("delete");
    case AliasOperation::Action::Replace: return QStringLiteral("replace");
    }
    return {};
}

QStringList stringList(const QJsonValue &value)
{
    QStringList strings;
    for (const auto &item : value.toArray())
        strings.append(item.toString());
    return strings;
}

} // namespace

ManagedAlias ManagedAlias::fromEntry(const AliasEntry &entry)
{
    ManagedAlias alias;
    alias.name = QString::fromUtf8(entry.name);
    for (const QByteArray &destination : entry.destinations)
        alias.destinations.append(QString::fromUtf8(destination.trimmed()));
    alias.txid = QString::fromUtf8(entry.metadata.txid);
    alias.createdBy = QString::fromUtf8(entry.metadata.createdBy);
    alias.createdAt = entry.metadata.createdAt;
    alias.server = QString::fromUtf8(entry.metadata.server);
    return alias;
}

QJsonObject ManagedAlias::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("destinations"), QJsonArray::fromStringList(destinations)},
            {QStringLiteral("txid"), txid},
            {QStringLiteral("created_by"), createdBy},
            {QStringLiteral("created_at"), createdAt.toUTC().toString(Qt::ISODate)},
            {QStringLiteral("server"), server}};
}

std::optional<ManagedAlias> ManagedAlias::fromJson(const QJsonObject &object)
{
    ManagedAlias alias;
    alias.name = object.value(QStringLiteral("name")).toString();
    alias.destinations = stringList(object.value(QStringLiteral("destinations")));
    alias.txid = object.value(QStringLiteral("txid")).toString();
    alias.createdBy = object.value(QStringLiteral("created_by")).toString();
    alias.createdAt = QDateTime::fromString(object.value(QStringLiteral("created_at")).toString(), Qt::ISODate);
    alias.server = object.value(QStringLiteral("server")).toString();
    if (alias.name.isEmpty() || alias.destinations.isEmpty() || !alias.createdAt.isValid())
        return std::nullopt;
    return alias;
}

QByteArray AliasOperation::encode() const
{
    QJsonObject object{
        {QStringLiteral("action"), actionName(action)},
        {QStringLiteral("name"), name},
        {QStringLiteral("destinations"), QJsonArray::fromStringList(destinations)},
        {QStringLiteral("requester"), requester},
        {QStringLiteral("reply_address"), replyAddress},
        {QStringLiteral("message_id"), messageId},
        {QStringLiteral("coordinator"), coordinator},
        {QStringLiteral("requested_at"), requestedAt.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("coordinator_fingerprint"), QString::fromLatin1(coordinatorFingerprint)},
    };
    if (byAdministrator)
        object.insert(QStringLiteral("by_administrator"), true);
    if (coordinatorBusy)
        object.insert(QStringLiteral("coordinator_busy"), true);
    if (action == Action::Replace) {
        QJsonArray list;
        for (const ManagedAlias &entry : entries)
            list.append(entry.toJson());
        object.insert(QStringLiteral("entries"), list);
        object.insert(QStringLiteral("participant_fingerprint"), QString::fromLatin1(participantFingerprint));
    }
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<AliasOperation> AliasOperation::decode(const QByteArray &bytes)
{
    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    const QString action = object.value(QStringLiteral("action")).toString();

    AliasOperation operation;
    if (action == actionName(Action::Create))
        operation.action = Action::Create;
    else if (action == actionName(Action::Delete))
        operation.action = Action::Delete;
    else if (action == actionName(Action::Replace))
        operation.action = Action::Replace;
    else
        return std::nullopt;

    operation.name = object.value(QStringLiteral("name")).toString();
    operation.destinations = stringList(object.value(QStringLiteral("destinations")));
    operation.requester = object.value(QStringLiteral("requester")).toString();
    operation.byAdministrator = object.value(QStringLiteral("by_administrator")).toBool();
    operation.replyAddress = object.value(QStringLiteral("reply_address")).toString();
    operation.messageId = object.value(QStringLiteral("message_id")).toString();
    operation.coordinator = object.value(QStringLiteral("coordinator")).toString();
    operation.requestedAt = QDateTime::fromString(object.value(QStringLiteral("requested_at")).toString(), Qt::ISODate);
    operation.coordinatorFingerprint = object.value(QStringLiteral("coordinator_fingerprint")).toString().toLatin1();
    operation.coordinatorBusy = object.value(QStringLiteral("coordinator_busy")).toBool();
    for (const auto &value : object.value(QStringLiteral("entries")).toArray()) {
        const auto entry = ManagedAlias::fromJson(value.toObject());
        if (!entry)
            return std::nullopt;
        operation.entries.append(*entry);
    }
    operation.participantFingerprint = object.value(QStringLiteral("participant_fingerprint")).toString().toLatin1();

    if ((operation.action != Action::Replace && operation.name.isEmpty()) || !operation.requestedAt.isValid())
        return std::nullopt;
    return operation;
}

} // namespace aliassync
