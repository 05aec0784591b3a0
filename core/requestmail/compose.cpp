#include "compose.h"

#include "text.h"
#include "trtext_p.h"

#include <QLocale>
#include <QRandomGenerator>
#include <QTimeZone>

namespace aliassync {

namespace {

constexpr qsizetype MaxQuotedSubject = 100;
constexpr qsizetype MaxBodyLine = 998;

QString q(const QString &value, qsizetype maxChars = 80)
{
    return QStringLiteral("\"%1\"").arg(printableForQuote(value, maxChars));
}

// Greedy word wrap of every line longer than width; a line's leading
// blanks are repeated on its continuation lines.
QString wrapText(const QString &text, qsizetype width = 76)
{
    QStringList out;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.size() <= width) {
            out.append(line);
            continue;
        }
        qsizetype indent = 0;
        while (indent < line.size() && line[indent] == QLatin1Char(' '))
            ++indent;
        const QString lead(indent, QLatin1Char(' '));
        const QStringList words = line.mid(indent).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QString current = lead;
        for (const QString &w : words) {
            if (current.size() > indent && current.size() + 1 + w.size() > width) {
                out.append(current);
                current = lead;
            }
            if (current.size() > indent)
                current += QLatin1Char(' ');
            current += w;
        }
        out.append(current);
    }
    return out.join(QLatin1Char('\n'));
}

QByteArray newMessageId(const QString &serverName)
{
    // 80 random bits keep the line within RFC 5322's recommended 78
    // characters for a short server name.
    quint32 words[3];
    QRandomGenerator::system()->fillRange(words);
    QByteArray random(reinterpret_cast<const char *>(words), 10);
    return "<alias-sync." + QByteArray::number(QDateTime::currentMSecsSinceEpoch(), 36) + '.' + random.toHex() + '@'
        + messageIdDomain(serverName).toLatin1() + '>';
}

bool isSafeAddress(const QString &address)
{
    return !address.isEmpty() && destinationProblem(address).isEmpty();
}

QString signature(const QString &serverName)
{
    const QString host = printableForQuote(serverName, 100);
    if (host.isEmpty())
        return QStringLiteral("-- \nalias-sync\n");
    return QStringLiteral("-- \n") + RequestMail::tr("alias-sync on %1").arg(host) + QLatin1Char('\n');
}

struct Draft
{
    QByteArray kind;   // X-Alias-Sync value
    QString to;        // plain address
    QString subject;   // already made printable
    QString inReplyTo; // "<...>" or empty
    QString body;      // plain text, LF line ends
};

QByteArray buildMessage(const Draft &draft, const RequestPolicy &policy, const QString &serverName)
{
    if (!isSafeAddress(draft.to))
        return QByteArray();
    QByteArray out;
    auto header = [&out](const char *name, const QByteArray &value) {
        out += name;
        out += ": ";
        out += value;
        out += '\n';
    };
    header("Date", rfc5322Date(QDateTime::currentDateTime()));
    QString from = policy.designatedAddress();
    if (!isSafeAddress(from))
        from = QStringLiteral("alias-sync");
    header("From", "alias-sync <" + from.toLatin1() + '>');
    header("To", draft.to.toLatin1());
    header("Subject", encodeHeaderText(printableForQuote(draft.subject, 200), 7));
    header("Message-ID", newMessageId(serverName));
    if (!draft.inReplyTo.isEmpty()) {
        header("In-Reply-To", draft.inReplyTo.toLatin1());
        header("References", draft.inReplyTo.toLatin1());
    }
    header("Auto-Submitted", "auto-replied");
    header("X-Auto-Response-Suppress", "All");
    header("X-Alias-Sync", draft.kind);
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=utf-8");

    QByteArray body = cleanBodyText(draft.body).toUtf8();
    if (!body.endsWith('\n'))
        body += '\n';
    bool nonAscii = false;
    bool needsQp = false;
    const QList<QByteArray> lines = body.split('\n');
    for (const QByteArray &line : lines) {
        if (line.size() > MaxBodyLine || line == "." || line.startsWith("From "))
            needsQp = true;
        for (char c : line)
            if (static_cast<unsigned char>(c) >= 0x80)
                nonAscii = true;
    }
    // Non-ASCII text goes out quoted-printable, so the reply stays 7-bit on
    // any path and never depends on a relay's 8BITMIME (RFC 6152).
    if (needsQp || nonAscii) {
        header("Content-Transfer-Encoding", "quoted-printable");
        body = quotedPrintable(body);
    } else {
        header("Content-Transfer-Encoding", "7bit");
    }
    out += '\n';
    out += body;
    return out;
}

// The request's Message-ID only when it is plain "<...>" (decideRequest
// already checks; a caller may have built the request itself).
QString safeMessageId(const QString &id)
{
    if (id.size() < 3 || id.size() > 250 || !id.startsWith(QLatin1Char('<')) || !id.endsWith(QLatin1Char('>')))
        return QString();
    for (qsizetype i = 1; i + 1 < id.size(); ++i) {
        const char16_t c = id[i].unicode();
        if (c < 33 || c > 126 || c == '<' || c == '>')
            return QString();
    }
    return id;
}

QString subjectSummary(const AliasRequest &r)
{
    const QString s = printableForQuote(r.subject.trimmed(), MaxQuotedSubject);
    if (!s.isEmpty())
        return s;
    switch (r.kind) {
    case RequestKind::Create:
        return QStringLiteral("alias: ") + printableForQuote(r.name, 64);
    case RequestKind::Delete:
        return QStringLiteral("unalias: ") + printableForQuote(r.name, 64);
    case RequestKind::List:
        return QStringLiteral("aliases?");
    }
    return QString();
}

QString indentedList(const QStringList &items)
{
    QString out;
    for (const QString &i : items)
        out += QStringLiteral("  ") + printableForQuote(i, 300) + QLatin1Char('\n');
    return out;
}

QStringList printable(const QStringList &items)
{
    QStringList out;
    for (const QString &i : items)
        out.append(printableForQuote(i, 300));
    return out;
}

} // namespace

QString messageIdDomain(const QString &serverName)
{
    const QString s = serverName.trimmed();
    bool ok = !s.isEmpty() && s.size() <= 253 && !s.startsWith(QLatin1Char('.')) && !s.endsWith(QLatin1Char('.'))
        && !s.contains(QLatin1String(".."));
    for (QChar c : s)
        ok = ok && c.unicode() < 128 && (c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('.'));
    return ok ? s : QStringLiteral("alias-sync.invalid");
}

QByteArray encodeHeaderText(const QString &text, qsizetype nameLength)
{
    bool plain = !text.contains(QLatin1String("=?"));
    for (QChar c : text)
        plain = plain && c.unicode() >= 0x20 && c.unicode() < 0x7f;
    const qsizetype limit = 78;
    if (plain) {
        const QByteArray latin = text.toLatin1();
        QByteArray out;
        qsizetype lineLength = nameLength + 2;
        const QList<QByteArray> words = latin.split(' ');
        for (qsizetype i = 0; i < words.size(); ++i) {
            const QByteArray &w = words[i];
            if (i == 0) {
                out += w;
                lineLength += w.size();
            } else if (lineLength + 1 + w.size() > limit && lineLength > 1 && !w.isEmpty()) {
                out += "\n " + w; // fold: the space starts the continuation line
                lineLength = 1 + w.size();
            } else {
                out += ' ' + w;
                lineLength += 1 + w.size();
            }
        }
        return out;
    }
    // RFC 2047 B words of at most 42 octets of UTF-8 each (68 characters).
    QByteArray out;
    QByteArray chunk;
    auto flush = [&]() {
        if (chunk.isEmpty())
            return;
        if (!out.isEmpty())
            out += "\n ";
        out += "=?UTF-8?B?" + chunk.toBase64() + "?=";
        chunk.clear();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        qsizetype len = 1;
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            len = 2;
        const QByteArray bytes = QStringView(text).sliced(i, len).toUtf8();
        if (chunk.size() + bytes.size() > 42)
            flush();
        chunk += bytes;
        i += len - 1;
    }
    flush();
    return out;
}

QByteArray rfc5322Date(const QDateTime &when)
{
    const QLocale c = QLocale::c();
    const int offset = when.offsetFromUtc();
    const int a = qAbs(offset) / 60;
    const QByteArray zone = (offset < 0 ? "-" : "+") + QByteArray::number(a / 60).rightJustified(2, '0')
        + QByteArray::number(a % 60).rightJustified(2, '0');
    return c.toString(when, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss ")).toLatin1() + zone;
}

QByteArray quotedPrintable(const QByteArray &text)
{
    static const char hex[] = "0123456789ABCDEF";
    QByteArray out;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype li = 0; li < lines.size(); ++li) {
        const QByteArray &line = lines[li];
        qsizetype col = 0;
        auto put = [&](const QByteArray &piece) {
            if (col + piece.size() > 75) { // 75 + "=" soft break = 76
                out += "=\n";
                col = 0;
            }
            out += piece;
            col += piece.size();
        };
        for (qsizetype i = 0; i < line.size(); ++i) {
            const auto u = static_cast<unsigned char>(line[i]);
            const bool last = i + 1 == line.size();
            const bool lineStart = col == 0;
            bool encode = u < 33 || u > 126 || u == '=';
            if ((u == ' ' || u == '\t') && !last)
                encode = false;
            if (lineStart && (u == '.' || (u == 'F' && line.mid(i, 5) == "From ")))
                encode = true;
            if (encode) {
                QByteArray piece("=");
                piece += hex[u >> 4];
                piece += hex[u & 15];
                put(piece);
            } else {
                put(QByteArray(1, char(u)));
            }
        }
        if (li + 1 < lines.size())
            out += '\n';
    }
    return out;
}

QString requestFormatHelp(const RequestPolicy &policy)
{
    const QString address = printableForQuote(policy.designatedAddress(), 200);
    const QString domain = printableForQuote(policy.primaryDomain(), 200);
    QString help = RequestMail::tr("How to ask: send a new message to %1 with the request as the whole Subject; "
                                   "the body is not read.")
                       .arg(address);
    help += QStringLiteral("\n\n");
    const QString own = domain.isEmpty() ? RequestMail::tr("creates NAME for your own mailbox")
                                         : RequestMail::tr("creates NAME@%1 for your own mailbox").arg(domain);
    help += QStringLiteral("  alias: NAME                ") + own + QLatin1Char('\n');
    help += QStringLiteral("  alias: NAME -> DEST, DEST  ")
        + RequestMail::tr("the same for other addresses (administrators)") + QLatin1Char('\n');
    help += QStringLiteral("  unalias: NAME              ") + RequestMail::tr("deletes the alias NAME")
        + QLatin1Char('\n');
    help += QStringLiteral("  aliases?                   ") + RequestMail::tr("lists the aliases") + QLatin1Char('\n');
    help += QLatin1Char('\n');
    help += RequestMail::tr("NAME: lower-case letters a-z, digits, '.', '-' and '_', at most %1 characters; it "
                            "may not start with '-' or '.', end with '.', or contain \"..\".")
                .arg(MaxAliasNameLength);
    const QString delimiter = printableForQuote(policy.recipientDelimiter, 20);
    if (!delimiter.isEmpty())
        help += QLatin1Char(' ')
            + RequestMail::tr("It may not contain any of \"%1\" (the recipient delimiter).").arg(delimiter);
    help += QLatin1Char('\n');
    help += RequestMail::tr("DEST: a local user name or an address such as user@example.org.") + QLatin1Char('\n');
    return wrapText(help);
}

QByteArray composeRejection(const RequestDecision &d, const RequestPolicy &policy, const QString &serverName)
{
    if (d.outcome != RequestDecision::Outcome::Reject)
        return QByteArray();
    const AliasRequest &r = d.request;
    const QString subject = printableForQuote(r.subject.trimmed(), MaxQuotedSubject);
    Draft draft;
    draft.kind = "rejection";
    draft.to = r.replyAddress;
    draft.inReplyTo = safeMessageId(r.messageId);
    draft.subject = subject.isEmpty() ? RequestMail::tr("Alias request rejected")
                                      : RequestMail::tr("Alias request rejected: %1").arg(subject);
    QString body = wrapText(RequestMail::tr("Your message to %1 was not carried out.")
                                .arg(printableForQuote(policy.designatedAddress(), 200)))
        + QStringLiteral("\n\n");
    if (!subject.isEmpty())
        body += RequestMail::tr("Subject: %1").arg(q(r.subject.trimmed(), MaxQuotedSubject)) + QLatin1Char('\n');
    body += wrapText(RequestMail::tr("Reason: %1").arg(printableForQuote(d.reason, 2000))) + QStringLiteral("\n\n");
    body += requestFormatHelp(policy) + QLatin1Char('\n');
    body += signature(serverName);
    draft.body = body;
    return buildMessage(draft, policy, serverName);
}

QByteArray composeConfirmation(const AliasRequest &r, const QStringList &addressesThatNowWork,
                               const RequestPolicy &policy, const QString &serverName)
{
    const QString name = printableForQuote(r.name, 64);
    const QString destinations = printable(r.destinations).join(QStringLiteral(", "));
    Draft draft;
    draft.kind = "confirmation";
    draft.to = r.replyAddress;
    draft.inReplyTo = safeMessageId(r.messageId);
    QString body;
    switch (r.kind) {
    case RequestKind::Create:
        // The confirmation of a new alias is addressed to the alias itself:
        // its arrival proves that the alias delivers on the sending server.
        // A requester without a usable address gets nothing, as with every reply.
        if (!isSafeAddress(r.replyAddress))
            return QByteArray();
        if (isSafeAddress(r.name + QLatin1Char('@') + policy.primaryDomain()))
            draft.to = r.name + QLatin1Char('@') + policy.primaryDomain();
        draft.subject = RequestMail::tr("Alias created: %1 (on %2)").arg(name, messageIdDomain(serverName));
        body = wrapText(RequestMail::tr("The alias %1 has been created; it delivers to %2.").arg(q(name), destinations))
            + QStringLiteral("\n\n");
        if (!addressesThatNowWork.isEmpty())
            body += RequestMail::tr("These addresses now work:") + QLatin1Char('\n') + indentedList(addressesThatNowWork)
                + QLatin1Char('\n');
        body += wrapText(RequestMail::tr("To delete it, send a message with the Subject \"unalias: %1\".").arg(name))
            + QStringLiteral("\n\n");
        break;
    case RequestKind::Delete:
        draft.subject = RequestMail::tr("Alias deleted: %1 (on %2)").arg(name, messageIdDomain(serverName));
        body = wrapText(RequestMail::tr("The alias %1 has been deleted.").arg(q(name))) + QStringLiteral("\n\n");
        if (!addressesThatNowWork.isEmpty())
            body += RequestMail::tr("These addresses no longer accept mail:") + QLatin1Char('\n')
                + indentedList(addressesThatNowWork) + QLatin1Char('\n');
        break;
    case RequestKind::List:
        draft.subject = RequestMail::tr("Alias request done");
        body = RequestMail::tr("Your request has been carried out.") + QStringLiteral("\n\n");
        break;
    }
    body += signature(serverName);
    draft.body = body;
    return buildMessage(draft, policy, serverName);
}

QByteArray composeResult(const AliasRequest &r, bool ok, const QString &text, const RequestPolicy &policy,
                         const QString &serverName)
{
    Draft draft;
    draft.kind = "result";
    draft.to = r.replyAddress;
    draft.inReplyTo = safeMessageId(r.messageId);
    const QString summary = subjectSummary(r);
    QString body;
    if (ok) {
        draft.subject = r.kind == RequestKind::List ? RequestMail::tr("Your aliases")
                                                    : RequestMail::tr("Alias request done: %1").arg(summary);
    } else {
        draft.subject = RequestMail::tr("Alias request rejected: %1").arg(summary);
        body += wrapText(RequestMail::tr("Your request %1 was not carried out.").arg(q(summary, MaxQuotedSubject)))
            + QStringLiteral("\n\n");
    }
    QString t = cleanBodyText(text);
    while (t.endsWith(QLatin1Char('\n')))
        t.chop(1);
    body += t + QStringLiteral("\n\n");
    body += signature(serverName);
    draft.body = body;
    return buildMessage(draft, policy, serverName);
}

} // namespace aliassync
