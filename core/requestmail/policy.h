// What the request mail service accepts: served domains, the designated
// address, administrators, alias name rules and destination rules.
#pragma once

#include <QString>
#include <QStringList>

namespace aliassync {

struct RequestPolicy
{
    QStringList servedDomains;                           // e.g. {"example.org"}; the first is the primary domain
    QString designatedLocalPart = QStringLiteral("makealias");
    QStringList administrators;                          // logins or addresses, compared case-insensitively after login mapping
    QString recipientDelimiter;                          // postconf recipient_delimiter: every character is a delimiter; may be empty
    QStringList extraReservedNames;                      // added to the built-in reserved names; "owner-*"/"*-request" patterns allowed

    QString primaryDomain() const { return servedDomains.isEmpty() ? QString() : servedDomains.first(); }
    // designatedLocalPart@primaryDomain (the local part alone without a served domain).
    QString designatedAddress() const;
    bool isServedDomain(const QString &domain) const; // case-insensitive, a trailing dot ignored
};

// Longest alias name, in octets (RFC 5321 local-part limit).
constexpr int MaxAliasNameLength = 64;

// The built-in reserved names; "owner-*" and "*-request" are patterns.
QStringList builtInReservedNames();

// Name rules; returns an empty string when the name is valid, else one plain
// sentence naming the value, the rule and what to do. Upper-case ASCII is
// folded to lower case before the check (nothing else is folded). Rules:
// lower-case ASCII letters, digits, '.', '-', '_'; none of the recipient
// delimiter characters; at most 64 octets; no leading '-' or '.', no trailing
// '.', no '..'; not reserved (built-in names, the designated local part,
// policy.extraReservedNames). System accounts and existing aliases are the
// daemon's business.
QString aliasNameProblem(const QString &name, const RequestPolicy &policy);

// "alice" -> "alice"; "alice@example.org" with example.org served -> "alice";
// a login in another domain stays the full address (domain lower-cased).
// Leading/trailing white space is removed.
QString mailboxForLogin(const QString &saslLogin, const RequestPolicy &policy);

// Where replies to this login go: the login itself when it has a domain,
// else login@primaryDomain (the bare login without a served domain).
QString replyAddressForLogin(const QString &saslLogin, const RequestPolicy &policy);

// True when the mapped login is one of policy.administrators (each entry
// mapped with mailboxForLogin, compared case-insensitively).
bool isAdministrator(const QString &mappedLogin, const RequestPolicy &policy);

// True when destination is the requester's own mailbox: equal to the mapped
// login, or to login@any-served-domain (case-insensitive).
bool isOwnMailbox(const QString &destination, const QString &mappedLogin, const RequestPolicy &policy);

// Destination syntax: a local user ("bob") or an address ("bob@example.net").
// Local part: letters, digits and . _ - + = (dot-atom: no leading, trailing
// or doubled dot; no leading '-'), at most 64 octets. Domain: LDH labels of
// 1..63 octets separated by single dots, at most 253 octets. No quotes,
// display names, angle brackets, white space, "|command", "/file" or
// ":include:". Returns an empty string when valid, else one sentence.
QString destinationProblem(const QString &destination);

// The destination as it will be written: the domain lower-cased, the local
// part kept as given. Call only for a destination without a problem.
QString normalizedDestination(const QString &destination);

} // namespace aliassync
