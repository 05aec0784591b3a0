// Composing the service's own messages: rejections, confirmations, results.
//
// Every function returns a complete RFC 5322 message with LF line ends (as
// sendmail takes local text), or an empty QByteArray when there is nothing
// to send (an Ignore or Act decision given to composeRejection, or a reply
// address that is not a plain address). Every message carries
// "Auto-Submitted: auto-replied" and "X-Alias-Sync: <kind>", so the service
// ignores its own mail. Values taken from the request (name, destinations,
// Subject) are quoted only after printableForQuote(); raw request bytes are
// never copied. Send with a null envelope sender (sendmail -f '<>') and -i.
#pragma once

#include "policy.h"
#include "request.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace aliassync {

// The reply to a Reject decision: the reason, the quoted Subject and the
// request format. X-Alias-Sync: rejection.
QByteArray composeRejection(const RequestDecision &d, const RequestPolicy &policy, const QString &serverName);

// After the daemon carried out r. For Create, addressesThatNowWork are the
// full addresses that now deliver to r.destinations (e.g. name@each served
// domain); for Delete, the addresses that no longer accept mail. Either may
// be empty. X-Alias-Sync: confirmation.
QByteArray composeConfirmation(const AliasRequest &r, const QStringList &addressesThatNowWork,
                               const RequestPolicy &policy, const QString &serverName);

// A daemon-side outcome given as text: a rejection found against the live
// system (ok == false, e.g. "the name exists") or a list reply (ok == true).
// text is plain text; CR, control and format characters are removed.
// X-Alias-Sync: result.
QByteArray composeResult(const AliasRequest &r, bool ok, const QString &text, const RequestPolicy &policy,
                         const QString &serverName);

// --- building blocks, public for the tests and the daemon -------------------

// An unstructured header value for a field whose name (without ": ") has
// nameLength characters: printable ASCII folded at spaces to lines of at most
// 78 characters (a longer word stays whole on its own line, within RFC 5322's
// 998), anything else (or text containing "=?") as RFC 2047 B
// encoded UTF-8 words, never splitting a character, one word per line.
QByteArray encodeHeaderText(const QString &text, qsizetype nameLength);

// "Tue, 05 Mar 2024 10:12:00 +0100" (English names whatever the locale).
QByteArray rfc5322Date(const QDateTime &when);

// Quoted-printable (RFC 2045) of text with LF line ends; also protects a
// leading "." and "From " on a line.
QByteArray quotedPrintable(const QByteArray &text);

// serverName when it is a plain host name, else "alias-sync.invalid".
QString messageIdDomain(const QString &serverName);

// The request format, as shown in rejections (plain text, several lines).
QString requestFormatHelp(const RequestPolicy &policy);

} // namespace aliassync
