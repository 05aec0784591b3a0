// The alias-specific operation that the generic transaction protocol
// carries as opaque bytes (compact JSON). Both servers must read the same
// bytes the same way, so every field the participant needs travels with it.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace aliassync {

struct AliasEntry;

// One managed entry with its metadata, as a replace operation and the
// control socket's listings carry it.
struct ManagedAlias {
    QString name;
    QStringList destinations;
    QString txid;
    QString createdBy;
    QDateTime createdAt;
    QString server;

    static ManagedAlias fromEntry(const AliasEntry &entry);
    QJsonObject toJson() const;
    static std::optional<ManagedAlias> fromJson(const QJsonObject &object);
};

struct AliasOperation {
    enum class Action { Create, Delete, Replace };

    Action action = Action::Create;
    QString name;                     // Create, Delete
    QStringList destinations;         // Create only
    QString requester;                // the mapped SASL login, or "admin:<user>"
    bool byAdministrator = false;     // from the control socket: the requester may do what an administrator may
    QString replyAddress;             // empty for the admin's commands, which get no reply mail
    QString messageId;                // of the request message, for replies
    QString coordinator;              // server_name of the coordinating server
    QDateTime requestedAt;            // UTC, second precision: written into the metadata
    QByteArray coordinatorFingerprint; // of its managed alias file before this change
    bool coordinatorBusy = false;     // the coordinator had other unfinished transactions
    QList<ManagedAlias> entries;      // Replace: the managed entries both servers end with
    QByteArray participantFingerprint; // Replace: the participant's fingerprint the admin saw

    QByteArray encode() const;
    static std::optional<AliasOperation> decode(const QByteArray &bytes);
};

} // namespace aliassync
