#include "request.h"

#include "headers.h"
#include "text.h"
#include "trtext_p.h"

#include <QRegularExpression>

#include <limits>

namespace aliassync {

namespace {

using Outcome = RequestDecision::Outcome;

QString quoted(const QString &value, qsizetype maxChars = 80)
{
    return QStringLiteral("\"%1\"").arg(printableForQuote(value, maxChars));
}

QString latin(QByteArrayView v)
{
    return QString::fromLatin1(v);
}

// The first "<...>" of a Message-ID value when it is printable ASCII.
QString usableMessageId(const std::optional<QByteArray> &raw)
{
    if (!raw)
        return QString();
    const qsizetype open = raw->indexOf('<');
    const qsizetype close = open < 0 ? -1 : raw->indexOf('>', open + 1);
    if (open < 0 || close < 0 || close - open < 2 || close - open > 250)
        return QString();
    const QByteArray id = raw->mid(open, close - open + 1);
    for (qsizetype i = 1; i + 1 < id.size(); ++i) {
        const auto u = static_cast<unsigned char>(id[i]);
        if (u < 33 || u > 126 || id[i] == '<')
            return QString();
    }
    return QString::fromLatin1(id);
}

// alias-sync's own Message-IDs start with this (newMessageId in compose.cpp),
// whichever of the two servers wrote them.
bool isOwnMessageId(const QString &messageId)
{
    return messageId.startsWith(QLatin1String("<alias-sync."), Qt::CaseInsensitive);
}

bool isMailerDaemon(const QString &sender)
{
    const QString s = sender.trimmed();
    const qsizetype at = s.lastIndexOf(QLatin1Char('@'));
    const QString local = at < 0 ? s : s.left(at);
    return local.compare(QLatin1String("MAILER-DAEMON"), Qt::CaseInsensitive) == 0;
}

// The designated local part in any served domain, with or without an
// extension after a recipient_delimiter character: configure-postfix routes
// every one of them to the pipe.
bool isDesignatedAddress(const QString &sender, const RequestPolicy &policy)
{
    const QString s = sender.trimmed();
    const qsizetype at = s.lastIndexOf(QLatin1Char('@'));
    if (at < 0 || !policy.isServedDomain(s.mid(at + 1)))
        return false;
    QString local = s.left(at);
    for (const QChar delimiter : policy.recipientDelimiter) {
        const qsizetype cut = local.indexOf(delimiter);
        if (cut >= 0)
            local.truncate(cut);
    }
    return local.compare(policy.designatedLocalPart, Qt::CaseInsensitive) == 0;
}

bool isNullSender(const QString &sender)
{
    const QString s = sender.trimmed();
    return s.isEmpty() || s == QLatin1String("<>");
}

// "Re:", "Fwd:", "AW:", "Re[2]:", "Re(3):", "Re^2:" ... at the start of the
// Subject. The list covers English and German, Nordic (SV, VS, VB, VL),
// Dutch (Antw, Doorst), French (TR, Réf), Spanish (RV), Italian (R, I),
// Portuguese (Res, Enc), Polish (Odp, PD), Turkish (Ynt, İlt) and Chinese
// (回复, 回覆, 答复, 转发, 轉寄). It also covers the Subjects of Outlook's
// automatic replies.
const QRegularExpression &replyPrefix()
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*(re|fwd?|aw|wg|sv|vs|vb|vl|antw|doorst|tr|r\\x{E9}f|ref|rv|r|i|res|enc|odp|pd|ynt|\\x{130}lt|ilt"
                       "|\\x{56DE}\\x{590D}|\\x{56DE}\\x{8986}|\\x{7B54}\\x{590D}|\\x{8F6C}\\x{53D1}|\\x{8F49}\\x{5BC4}"
                       "|automatic reply|auto-?reply|out of office)\\.?"
                       "\\s*(\\[\\d+\\]|\\(\\d+\\)|\\^\\d+)?\\s*[:\\x{FF1A}]"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    return re;
}

const QRegularExpression &listRequest()
{
    static const QRegularExpression re(QStringLiteral("^aliases\\s*\\??$"),
                                       QRegularExpression::CaseInsensitiveOption
                                           | QRegularExpression::UseUnicodePropertiesOption);
    return re;
}

const QRegularExpression &aliasKeyword()
{
    // Group 1: "un" for unalias; group 2: the rest after the colon.
    static const QRegularExpression re(QStringLiteral("^(un)?alias\\s*:\\s*(.*)$"),
                                       QRegularExpression::CaseInsensitiveOption
                                           | QRegularExpression::UseUnicodePropertiesOption
                                           | QRegularExpression::DotMatchesEverythingOption);
    return re;
}

// "->" or the arrow character U+2192 that some clients substitute for it.
qsizetype findArrow(const QString &s, qsizetype from, qsizetype *arrowLength)
{
    const qsizetype ascii = s.indexOf(QLatin1String("->"), from);
    const qsizetype uni = s.indexOf(QChar(0x2192), from);
    if (ascii < 0 && uni < 0)
        return -1;
    if (uni < 0 || (ascii >= 0 && ascii < uni)) {
        *arrowLength = 2;
        return ascii;
    }
    *arrowLength = 1;
    return uni;
}

// Characters that users type for "->" by mistake: "=>", ">", dashes other
// than '-', other arrows, and list separators with no arrow before them.
const QRegularExpression &misspelledArrow()
{
    static const QRegularExpression re(QStringLiteral("[=>,;\\x{2010}-\\x{2015}\\x{2212}\\x{2190}-\\x{21FF}\\x{27F5}-\\x{27FF}]"),
                                       QRegularExpression::UseUnicodePropertiesOption);
    return re;
}

QString formatHint()
{
    return RequestMail::tr("write the request as the whole Subject, for example \"alias: NAME\", "
                           "\"alias: NAME -> ADDRESS\", \"unalias: NAME\" or \"aliases?\"");
}

RequestDecision ignore(RequestDecision d, const QString &reason)
{
    d.outcome = Outcome::Ignore;
    d.reason = reason;
    return d;
}

RequestDecision reject(RequestDecision d, const QString &reason)
{
    d.outcome = Outcome::Reject;
    d.reason = reason;
    return d;
}

// The ignore rules, in order; empty when none applies.
QString ignoreReason(const MailHeaders &h, const Envelope &env, const RequestPolicy &policy, const QString &messageId,
                     const std::optional<QString> &subject)
{
    if (h.contains("X-Alias-Sync"))
        return RequestMail::tr("The message has an X-Alias-Sync header, so it is alias-sync's own mail; it is not "
                               "read as a request.");
    if (isOwnMessageId(messageId))
        return RequestMail::tr("The Message-ID %1 is one that alias-sync writes, so the message is alias-sync's own "
                               "mail. It is not read as a request.")
            .arg(quoted(messageId));
    if (isNullSender(env.sender))
        return RequestMail::tr("The envelope sender is empty (a bounce or notification); such mail is never "
                               "answered.");
    if (isMailerDaemon(env.sender))
        return RequestMail::tr("The envelope sender %1 is a mail system; such mail is never answered.")
            .arg(quoted(env.sender));
    if (isDesignatedAddress(env.sender, policy))
        return RequestMail::tr("The envelope sender %1 is this service's own address; such mail is never answered.")
            .arg(quoted(env.sender));
    if (env.saslUsername.trimmed().isEmpty())
        return RequestMail::tr("The message was not sent with a login (no SASL user name); send the request "
                               "through the authenticated submission service.");
    if (const auto ct = h.rawValue("Content-Type"); ct && MailHeaders::leadingToken(*ct) == "multipart/report")
        return RequestMail::tr("The message is a delivery or read report (Content-Type multipart/report); reports "
                               "are never answered.");
    const QList<QByteArray> autoSubmitted = h.rawValues("Auto-Submitted");
    for (const QByteArray &v : autoSubmitted) {
        const QByteArray token = MailHeaders::leadingToken(v);
        if (token != "no")
            return RequestMail::tr("The message has \"Auto-Submitted: %1\", so it was sent automatically; only "
                                   "requests written by a person are read.")
                .arg(printableForQuote(latin(token), 60));
    }
    const QList<QByteArray> precedence = h.rawValues("Precedence");
    for (const QByteArray &v : precedence) {
        const QByteArray token = MailHeaders::leadingToken(v);
        if (token == "bulk" || token == "junk" || token == "list")
            return RequestMail::tr("The message has \"Precedence: %1\"; bulk, junk and list mail is never answered.")
                .arg(latin(token));
    }
    if (h.contains("List-Id"))
        return RequestMail::tr("The message came through a mailing list (it has a List-Id header); send the request "
                               "directly to the service.");
    if (subject) {
        const QRegularExpressionMatch m = replyPrefix().match(*subject);
        if (m.hasMatch())
            return RequestMail::tr("The Subject %1 starts with the reply or forward prefix %2; replies are not "
                                   "requests, so write a new message with the request as the whole Subject.")
                .arg(quoted(*subject), quoted(m.captured(0).trimmed()));
    }
    return QString();
}

} // namespace

QString requestKindName(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Create:
        return QStringLiteral("create");
    case RequestKind::Delete:
        return QStringLiteral("delete");
    case RequestKind::List:
        return QStringLiteral("list");
    }
    return QString();
}

RequestDecision decideRequest(const QByteArray &message, const Envelope &envelope, const RequestPolicy &policy)
{
    const MailHeaders h = MailHeaders::parse(message);
    RequestDecision d;
    AliasRequest &r = d.request;
    r.requester = mailboxForLogin(envelope.saslUsername, policy);
    r.replyAddress = replyAddressForLogin(envelope.saslUsername, policy);
    r.messageId = usableMessageId(h.rawValue("Message-ID"));
    const std::optional<QString> subjectValue = h.decodedValue("Subject");
    if (subjectValue)
        r.subject = *subjectValue;

    if (const QString why = ignoreReason(h, envelope, policy, r.messageId, subjectValue); !why.isEmpty())
        return ignore(d, why);

    if (!subjectValue)
        return reject(d, RequestMail::tr("There is no request in the Subject (the message has no Subject); %1.")
                             .arg(formatHint()));
    // RFC 5322 section 3.6 allows one Subject. Clients show different ones
    // of several, so acting on either could do what the sender did not see.
    if (const qsizetype subjects = h.count("Subject"); subjects > 1)
        return reject(d, RequestMail::tr("The message has %1 Subject fields, so it is unclear which one is the "
                                         "request; send it again with one Subject.")
                             .arg(subjects));

    QString subject = *subjectValue;
    if (subject.startsWith(QChar(0xFEFF))) // a byte order mark some clients put before encoded text
        subject.remove(0, 1);
    char32_t control = 0;
    if (const qsizetype at = firstControlCharacter(subject, &control); at >= 0) {
        // Name the character: a zero-width space or soft hyphen pasted from
        // a web page is invisible in the quoted Subject of the reply.
        const QString code = QStringLiteral("U+%1").arg(uint(control), 4, 16, QLatin1Char('0')).toUpper();
        const QString before = printableForQuote(subject.left(at).right(40), 40);
        return reject(d, before.trimmed().isEmpty()
                             ? RequestMail::tr("The request contains the control or invisible character %1 at its "
                                               "start (a line break, or a character that came with pasted text); "
                                               "type the request again on one line in plain text.")
                                   .arg(code)
                             : RequestMail::tr("The request contains the control or invisible character %1 after "
                                               "%2 (a line break, or a character that came with pasted text); type "
                                               "the request again on one line in plain text.")
                                   .arg(code, quoted(before)));
    }
    subject = subject.trimmed();
    if (subject.isEmpty())
        return reject(d, RequestMail::tr("There is no request in the Subject (the Subject is empty); %1.")
                             .arg(formatHint()));

    if (listRequest().match(subject).hasMatch()) {
        r.kind = RequestKind::List;
        d.outcome = Outcome::Act;
        return d;
    }

    const QRegularExpressionMatch m = aliasKeyword().match(subject);
    if (!m.hasMatch())
        return reject(d, RequestMail::tr("There is no request in the Subject %1; %2.")
                             .arg(quoted(subject), formatHint()));

    const bool isDelete = !m.captured(1).isEmpty();
    const QString keyword = isDelete ? QStringLiteral("unalias:") : QStringLiteral("alias:");
    const QString rest = m.captured(2).trimmed();
    qsizetype arrowLength = 0;
    const qsizetype arrow = findArrow(rest, 0, &arrowLength);
    const QString rawName = (arrow < 0 ? rest : rest.left(arrow)).trimmed();

    if (rawName.isEmpty())
        return reject(d, RequestMail::tr("There is no alias name after \"%1\"; write for example \"%1 team\".")
                             .arg(keyword));
    r.kind = isDelete ? RequestKind::Delete : RequestKind::Create;
    if (!isDelete && arrow < 0) {
        // "=>", "- >", "—>", "," after the name: the user meant an arrow,
        // and the name rules would only complain about the symptom.
        const QRegularExpressionMatch wrong = misspelledArrow().match(rawName);
        if (wrong.hasMatch() && wrong.capturedStart() > 0) {
            const QString intended = asciiLower(rawName.left(wrong.capturedStart()).trimmed().section(QLatin1Char(' '), 0, 0));
            return reject(d, RequestMail::tr("The Subject %1 has %2 after the name where the arrow belongs; write the "
                                             "arrow as a hyphen and a greater-than sign, for example \"alias: %3 -> "
                                             "ADDRESS, ADDRESS\".")
                                 .arg(quoted(subject), quoted(wrong.captured(0)), printableForQuote(intended, 64)));
        }
    }
    const QString name = asciiLower(rawName);
    if (const QString p = aliasNameProblem(name, policy); !p.isEmpty())
        return reject(d, p);
    r.name = name;

    if (isDelete) {
        if (arrow >= 0)
            return reject(d, RequestMail::tr("\"unalias:\" takes only a name, but the Subject %1 has an arrow; write "
                                             "\"unalias: %2\".")
                                 .arg(quoted(subject), name));
        d.outcome = Outcome::Act;
        return d;
    }

    QStringList written;
    if (arrow < 0) {
        if (r.requester.isEmpty())
            return reject(d, RequestMail::tr("Your login is unknown, so \"alias: %1\" has no mailbox to point to; "
                                             "name a destination after \"->\".")
                                 .arg(name));
        written.append(r.requester);
    } else {
        const QString destText = rest.mid(arrow + arrowLength);
        qsizetype secondLength = 0;
        if (findArrow(destText, 0, &secondLength) >= 0)
            return reject(d, RequestMail::tr("The Subject %1 has more than one arrow; write \"alias: NAME -> ADDRESS, "
                                             "ADDRESS\".")
                                 .arg(quoted(subject)));
        const QStringList parts = destText.split(QRegularExpression(QStringLiteral("[,;]")));
        for (const QString &p : parts) {
            const QString t = p.trimmed();
            if (!t.isEmpty())
                written.append(t);
        }
        if (written.isEmpty())
            return reject(d, RequestMail::tr("There is no destination after \"->\" in %1; write \"alias: %2 -> "
                                             "ADDRESS\", or \"alias: %2\" for your own mailbox.")
                                 .arg(quoted(subject), name));
    }

    QStringList destinations;
    for (const QString &w : std::as_const(written)) {
        if (const QString p = destinationProblem(w); !p.isEmpty())
            return reject(d, p);
        const QString dest = normalizedDestination(w);
        if (mailboxForLogin(dest, policy).compare(name, Qt::CaseInsensitive) == 0) {
            if (arrow < 0)
                return reject(d, RequestMail::tr("The alias %1 has the name of your own mailbox, so it would point to "
                                                 "itself; choose another name.")
                                     .arg(quoted(name)));
            return reject(d, RequestMail::tr("The alias %1 cannot point to itself; name another destination.")
                                 .arg(quoted(name)));
        }
        if (!destinations.contains(dest, Qt::CaseInsensitive))
            destinations.append(dest);
    }

    if (!isAdministrator(r.requester, policy)) {
        QStringList foreign;
        for (const QString &dest : std::as_const(destinations))
            if (!isOwnMailbox(dest, r.requester, policy))
                foreign.append(dest);
        if (!foreign.isEmpty())
            return reject(d, RequestMail::tr("%1 is not your own mailbox (%2), and only an administrator may point "
                                             "an alias elsewhere; ask an administrator, or write \"alias: %3\" to "
                                             "point the alias at your own mailbox.")
                                 .arg(printableForQuote(foreign.join(QStringLiteral(", ")), 200),
                                      printableForQuote(r.replyAddress, 200), name));
    }

    r.destinations = destinations;
    d.outcome = Outcome::Act;
    return d;
}

RequestDecision limitMessageSize(const RequestDecision &decision, qint64 messageSize, qint64 sizeLimit)
{
    // An ignored message stays ignored whatever its size, so a large bounce
    // gets no reply.
    if (messageSize <= sizeLimit || decision.outcome == Outcome::Ignore)
        return decision;
    return reject(decision, RequestMail::tr("The message is %1 bytes, more than the %2 bytes that requests may have; "
                                            "send the request again as a short message without attachments.")
                                .arg(messageSize)
                                .arg(sizeLimit));
}

QString firstLineForDryRun(const RequestDecision &decision)
{
    QString line;
    switch (decision.outcome) {
    case Outcome::Ignore:
        line = QStringLiteral("ignore: ") + decision.reason;
        break;
    case Outcome::Reject:
        line = QStringLiteral("reject: ") + decision.reason;
        break;
    case Outcome::Act:
        switch (decision.request.kind) {
        case RequestKind::Create:
            line = QStringLiteral("create ") + decision.request.name + QStringLiteral(" -> ")
                + decision.request.destinations.join(QStringLiteral(", "));
            break;
        case RequestKind::Delete:
            line = QStringLiteral("delete ") + decision.request.name;
            break;
        case RequestKind::List:
            line = QStringLiteral("list");
            break;
        }
        break;
    }
    return printableForQuote(line, std::numeric_limits<qsizetype>::max());
}

} // namespace aliassync
