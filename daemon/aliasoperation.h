// The alias-specific operation that the generic transaction protocol
// carries as opaque bytes (compact JSON). Both servers must read the same
// bytes the same way, so every field the participant needs travels with it.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace aliassync {

struct AliasOperation {
    enum class Action { Create, Delete };

    Action action = Action::Create;
    QString name;
    QStringList destinations;         // Create only
    QString requester;                // the mapped SASL login, or "admin:<user>"
    QString replyAddress;
    QString messageId;                // of the request message, for replies
    QString coordinator;              // server_name of the coordinating server
    QDateTime requestedAt;            // UTC, second precision: written into the metadata
    QByteArray coordinatorFingerprint; // of its managed alias file before this change

    QByteArray encode() const;
    static std::optional<AliasOperation> decode(const QByteArray &bytes);
};

} // namespace aliassync
