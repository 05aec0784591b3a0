// The messages between alias-sync-pipe and the daemon's request socket.
//
// The pipe sends its decision about one message: a request to act on, or a
// rejection the daemon should reply to. The daemon replies with "handled"
// (Postfix may consider the message delivered) or "tempfail" (Postfix must
// keep it and try again). specs/local-protocol.md lists the fields.
#pragma once

#include <requestmail/request.h>

#include <QJsonObject>

namespace aliassync {

QJsonObject encodeDecision(const RequestDecision &decision, const QString &queueId);
RequestDecision decodeDecision(const QJsonObject &message);

QJsonObject handledReply(const QString &detail);
QJsonObject temporaryFailureReply(const QString &detail);

} // namespace aliassync
