// Small builders for the peer messages of the transaction protocol
// (specs/peer-protocol.md, section 6), shared by both roles.
#pragma once

#include "operationhandler.h"

#include <QJsonObject>
#include <QString>

namespace aliassync {

inline QString messageRoleName(TransactionRole role)
{
    return role == TransactionRole::Coordinator ? QStringLiteral("coordinator") : QStringLiteral("participant");
}

inline QJsonObject peerMessage(const QString &type, const QByteArray &txid)
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("txid"), QString::fromLatin1(txid)}};
}

// The vote code of a participant whose lock on the name is taken.
inline const QString busyCode = QStringLiteral("busy");

} // namespace aliassync
