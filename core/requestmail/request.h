// Deciding what a message to the designated address asks for.
//
// The grammar, the ignore and reject rules are in specs/request-format.md.
#pragma once

#include "policy.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace aliassync {

// What Postfix pipe(8) hands over: ${sender}, ${recipient},
// ${original_recipient}, ${sasl_username} (empty when unauthenticated),
// ${queue_id}. pipe(8) passes the null sender as "MAILER-DAEMON".
struct Envelope
{
    QString sender, recipient, originalRecipient, saslUsername, queueId;
};

enum class RequestKind { Create, Delete, List };

struct AliasRequest
{
    RequestKind kind = RequestKind::Create;
    QString name;             // validated, lower-case (Create, Delete)
    QStringList destinations; // validated, domains lower-cased, no duplicates (Create)
    QString requester;        // mapped login (mailboxForLogin)
    QString replyAddress;     // where replies go (replyAddressForLogin); never the From header
    QString messageId;        // "<...>" of the request, empty when absent or unusable
    QString subject;          // decoded Subject as received (may hold anything: quote with printableForQuote)
};

struct RequestDecision
{
    enum class Outcome { Act, Reject, Ignore };
    Outcome outcome = Outcome::Reject;
    AliasRequest request; // filled for Act; for Reject and Ignore as far as known
    QString reason;       // Reject and Ignore: one plain sentence naming the value and what to do
};

// Reads the header block of message only (the body is never a request).
RequestDecision decideRequest(const QByteArray &message, const Envelope &envelope, const RequestPolicy &policy);

// The decision for a message of messageSize bytes when only its first
// sizeLimit bytes were read: decision itself when the message fits or is
// ignored, else a rejection that names both sizes.
RequestDecision limitMessageSize(const RequestDecision &decision, qint64 messageSize, qint64 sizeLimit);

// "create NAME -> DEST[, DEST]" | "delete NAME" | "list" | "reject: REASON" | "ignore: REASON"
// Always a single line.
QString firstLineForDryRun(const RequestDecision &decision);

// "create" | "delete" | "list"
QString requestKindName(RequestKind kind);

} // namespace aliassync
