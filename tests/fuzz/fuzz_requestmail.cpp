// libFuzzer target for the request-mail library: MailHeaders::parse,
// decodeHeaderText, decideRequest, firstLineForDryRun, the composers and
// encodeHeaderText.
//
// Every input is a whole message as Postfix's pipe(8) hands it to
// alias-sync-pipe. It is decided once for each envelope in envelopes(), and
// every reply that the decision leads to is composed and checked. A violated
// property prints its reason and calls abort(), which libFuzzer reports as a
// crash and saves as a reproducer (crash-<sha1>).

#include <requestmail/compose.h>
#include <requestmail/headers.h>
#include <requestmail/policy.h>
#include <requestmail/request.h>
#include <requestmail/text.h>

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringDecoder>
#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace aliassync;

namespace {

// The envelope being checked, printed with every failed check.
const char *g_envelopeLabel = "none";

#define FUZZ_CHECK(condition, reason)                                                             \
    do {                                                                                          \
        if (!(condition)) {                                                                       \
            std::fprintf(stderr, "fuzz_requestmail: check failed: %s\n  envelope: %s\n  (%s)\n  at %s:%d\n", \
                         reason, g_envelopeLabel, #condition, __FILE__, __LINE__);                \
            std::abort();                                                                         \
        }                                                                                         \
    } while (false)

using Outcome = RequestDecision::Outcome;

const QString kServerName = QStringLiteral("mx1.example.org");

// RFC 5322 section 2.1.1: a line is at most 998 octets without its CRLF.
constexpr qsizetype kMaxLineOctets = 998;
// RFC 2045 section 6.7, rule 5: an encoded line is at most 76 characters.
constexpr qsizetype kMaxQuotedPrintableLine = 76;
// RFC 2047 section 2: an encoded word is at most 75 characters.
constexpr qsizetype kMaxEncodedWord = 75;
// The folding width that compose.h promises for header text.
constexpr qsizetype kFoldWidth = 78;

// The set-up that tests/corpus/CASES.md assumes for the mail corpus.
const RequestPolicy &policy()
{
    static const RequestPolicy p = [] {
        RequestPolicy r;
        r.servedDomains = {QStringLiteral("example.org")};
        r.designatedLocalPart = QStringLiteral("newalias");
        r.administrators = {QStringLiteral("alice@example.org")};
        r.recipientDelimiter = QStringLiteral("+");
        return r;
    }();
    return p;
}

struct FuzzEnvelope
{
    enum class Check {
        Replies,        // the decision and every reply it leads to
        SameAsPrevious, // the decision equals that of the envelope before
        Ignored,        // no decision other than Ignore is allowed
    };
    const char *label;
    Envelope envelope;
    Check check;
    bool resultOk = false; // the ok flag that composeResult() is checked with (Replies)
};

Envelope makeEnvelope(const char *sender, const char *saslUsername)
{
    Envelope e;
    e.sender = QString::fromLatin1(sender);
    e.recipient = QStringLiteral("newalias@example.org");
    e.originalRecipient = e.recipient;
    e.saslUsername = QString::fromLatin1(saslUsername);
    e.queueId = QStringLiteral("FUZZ1");
    return e;
}

// Every input runs with each envelope, so every seed is checked under every
// authority and the input needs no byte to choose one.
const QList<FuzzEnvelope> &envelopes()
{
    using Check = FuzzEnvelope::Check;
    static const QList<FuzzEnvelope> list = {
        {"administrator alice@example.org", makeEnvelope("alice@example.org", "alice@example.org"), Check::Replies,
         true},
        {"ordinary user bob@example.org", makeEnvelope("bob@example.org", "bob@example.org"), Check::Replies, false},
        // Dovecot with system users reports the bare user name. Both logins
        // map to the mailbox bob with the reply address bob@example.org.
        {"ordinary user with the bare login bob", makeEnvelope("bob@example.org", "bob"), Check::SameAsPrevious},
        {"no SASL login", makeEnvelope("alice@example.org", ""), Check::Ignored},
        // pipe(8) passes the null sender as MAILER-DAEMON. The login is set
        // so that only the sender rule can ignore the message.
        {"MAILER-DAEMON sender with a login", makeEnvelope("MAILER-DAEMON", "bob@example.org"), Check::Ignored},
    };
    return list;
}

const Envelope &administratorEnvelope()
{
    return envelopes().first().envelope;
}

bool isWsp(char c)
{
    return c == ' ' || c == '\t';
}

bool hasLineBreakOrNul(const QString &s)
{
    return s.contains(QLatin1Char('\r')) || s.contains(QLatin1Char('\n')) || s.contains(QChar(0));
}

bool hasUpperCaseAscii(QByteArrayView s)
{
    for (char c : s)
        if (c >= 'A' && c <= 'Z')
            return true;
    return false;
}

bool sameDecision(const RequestDecision &a, const RequestDecision &b)
{
    return a.outcome == b.outcome && a.reason == b.reason && a.request.kind == b.request.kind
        && a.request.name == b.request.name && a.request.destinations == b.request.destinations
        && a.request.requester == b.request.requester && a.request.replyAddress == b.request.replyAddress
        && a.request.messageId == b.request.messageId && a.request.subject == b.request.subject;
}

// The offset where the body starts, as headers.h defines the header block
// (a leading mbox "From " line skipped, ended by the first empty line, CRLF
// or LF), or -1 when the message has no empty line.
qsizetype bodyOffset(const QByteArray &message)
{
    qsizetype pos = 0;
    if (message.startsWith("From ")) {
        const qsizetype lf = message.indexOf('\n');
        if (lf < 0)
            return -1;
        pos = lf + 1;
    }
    while (pos < message.size()) {
        const qsizetype lf = message.indexOf('\n', pos);
        if (lf < 0)
            return -1;
        const qsizetype length = lf - pos;
        if (length == 0 || (length == 1 && message[pos] == '\r'))
            return lf + 1;
        pos = lf + 1;
    }
    return -1;
}

// --- MailHeaders::parse and decodeHeaderText on the raw input --------------

void checkParsedHeaders(const MailHeaders &headers, const QByteArray &message)
{
    // A field needs a line of its own, so there are never more fields than lines.
    FUZZ_CHECK(headers.fields().size() <= message.count('\n') + 1, "more header fields than lines");

    for (const MailHeaders::Field &field : headers.fields()) {
        FUZZ_CHECK(!field.name.isEmpty(), "a header field has an empty name");
        for (char c : field.name) {
            const auto u = static_cast<unsigned char>(c);
            FUZZ_CHECK(u >= 33 && u <= 126 && c != ':', "a header field name has a byte outside 33..126 or a colon");
        }
        // Unfolding removes every line break, and the value is trimmed.
        FUZZ_CHECK(!field.value.contains('\n'), "an unfolded header value contains LF");
        FUZZ_CHECK(field.value.isEmpty() || (!isWsp(field.value.front()) && !isWsp(field.value.back())),
                   "a header value starts or ends with SP or HTAB");

        const QByteArray token = MailHeaders::leadingToken(field.value);
        FUZZ_CHECK(!token.contains(' ') && !token.contains('\t'), "leadingToken() contains white space");
        FUZZ_CHECK(!token.contains(';') && !token.contains('('), "leadingToken() contains a parameter or a comment");
        FUZZ_CHECK(!hasUpperCaseAscii(token), "leadingToken() is not lower-cased");
    }

    // The look-up functions agree with each other. Only the first fields are
    // compared, because each comparison scans every field.
    const qsizetype compared = qMin<qsizetype>(headers.fields().size(), 8);
    for (qsizetype i = 0; i < compared; ++i) {
        const QByteArray &name = headers.fields()[i].name;
        const QList<QByteArray> values = headers.rawValues(name);
        FUZZ_CHECK(headers.contains(name), "contains() misses a parsed field");
        FUZZ_CHECK(headers.count(name) == values.size(), "count() and rawValues() disagree");
        FUZZ_CHECK(!values.isEmpty() && headers.rawValue(name) == values.first(),
                   "rawValue() is not the first of rawValues()");
        FUZZ_CHECK(headers.count(name.toLower()) == values.size(), "field names do not compare case-insensitively");
    }
}

void checkDecodeHeaderText(const QByteArray &message)
{
    const QString decoded = decodeHeaderText(message);
    // Decoding shortens B and Q text, and a charset gives at most two UTF-16
    // code units per byte, so a larger result means a runaway decoder.
    FUZZ_CHECK(decoded.size() <= 2 * message.size() + 2, "decodeHeaderText() grows the text more than twofold");
    // headers.h: a raw HTAB becomes a space, and text outside encoded words
    // is read as UTF-8.
    if (!message.contains("=?")) {
        FUZZ_CHECK(!decoded.contains(QLatin1Char('\t')), "decodeHeaderText() kept a raw HTAB");
        QStringDecoder utf8(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
        QString expected = utf8.decode(message);
        expected.replace(QLatin1Char('\t'), QLatin1Char(' '));
        FUZZ_CHECK(decoded == expected, "decodeHeaderText() of text without encoded words is not its UTF-8 reading");
    }
}

// --- encodeHeaderText -------------------------------------------------------

// Removes the line break of every folded line, as RFC 5322 section 2.2.3 unfolds.
QByteArray unfold(QByteArray value)
{
    value.replace("\n ", " ");
    value.replace("\n\t", "\t");
    return value;
}

// Checks encodeHeaderText() for a Subject field ("Subject" has 7 characters)
// against compose.h: printable ASCII stays as it is, folded at spaces to 78
// characters, anything else becomes RFC 2047 B words of UTF-8, one per line,
// never splitting a character. Decoding the result must return the text.
void checkEncodeHeaderText(const QString &text)
{
    const QByteArray encoded = encodeHeaderText(text, 7);
    const QList<QByteArray> lines = QByteArray("Subject: " + encoded).split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        for (char c : line) {
            const auto u = static_cast<unsigned char>(c);
            FUZZ_CHECK(u >= 0x20 && u < 0x7f, "encodeHeaderText() wrote a control or 8-bit byte");
        }
        FUZZ_CHECK(i == 0 || line.startsWith(' '), "a line of encodeHeaderText() is not a folded continuation");
        FUZZ_CHECK(line.size() <= kMaxLineOctets, "a line of encodeHeaderText() exceeds 998 octets");
    }

    bool plain = !text.contains(QLatin1String("=?"));
    for (QChar c : text)
        plain = plain && c.unicode() >= 0x20 && c.unicode() < 0x7f;

    if (plain) {
        for (qsizetype i = 0; i < lines.size(); ++i) {
            // Only a single word that does not fit may make a line longer,
            // and so may the spaces after it, which folding cannot move.
            QByteArray line = lines[i];
            while (line.endsWith(' '))
                line.chop(1);
            if (line.size() <= kFoldWidth)
                continue;
            const QByteArray words = i == 0 ? line.sliced(9) : line.sliced(1);
            FUZZ_CHECK(!words.contains(' '), "encodeHeaderText() did not fold plain text at a space within 78 characters");
        }
    } else {
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QByteArray word = lines[i].sliced(i == 0 ? 9 : 1);
            FUZZ_CHECK(lines[i].size() <= kFoldWidth, "a line of encoded words exceeds 78 characters");
            FUZZ_CHECK(word.size() <= kMaxEncodedWord, "an encoded word exceeds 75 characters");
            FUZZ_CHECK(word.size() >= 12 && word.startsWith("=?UTF-8?B?") && word.endsWith("?="),
                       "a line is not one UTF-8 B encoded word");
            const auto bytes = QByteArray::fromBase64Encoding(word.sliced(10, word.size() - 12),
                                                              QByteArray::AbortOnBase64DecodingErrors);
            FUZZ_CHECK(bool(bytes), "an encoded word has invalid base64");
            QStringDecoder utf8(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
            (void)utf8.decode(*bytes);
            FUZZ_CHECK(!utf8.hasError(), "an encoded word splits a UTF-8 character");
        }
    }

    // Only text without lone surrogates survives UTF-8, and the composers
    // pass printableForQuote() text, which has none.
    FUZZ_CHECK(decodeHeaderText(unfold(encoded)) == text, "decodeHeaderText(encodeHeaderText(text)) is not text");
}

// --- decideRequest and firstLineForDryRun ----------------------------------

// True when an ignore rule that depends on header fields alone applies
// (specs/request-format.md lists the rules).
bool matchesHeaderIgnoreRule(const MailHeaders &headers)
{
    if (headers.contains("X-Alias-Sync") || headers.contains("List-Id"))
        return true;
    if (const auto type = headers.rawValue("Content-Type");
        type && MailHeaders::leadingToken(*type) == "multipart/report")
        return true;
    for (const QByteArray &value : headers.rawValues("Auto-Submitted"))
        if (MailHeaders::leadingToken(value) != "no")
            return true;
    for (const QByteArray &value : headers.rawValues("Precedence")) {
        const QByteArray token = MailHeaders::leadingToken(value);
        if (token == "bulk" || token == "junk" || token == "list")
            return true;
    }
    return false;
}

void checkCreate(const AliasRequest &r, bool administrator)
{
    FUZZ_CHECK(aliasNameProblem(r.name, policy()).isEmpty(), "a create has a name that aliasNameProblem() rejects");
    FUZZ_CHECK(!hasUpperCaseAscii(r.name.toLatin1()), "a create has a name that is not lower-cased");
    FUZZ_CHECK(!r.destinations.isEmpty(), "a create has no destination");
    for (qsizetype i = 0; i < r.destinations.size(); ++i) {
        const QString &destination = r.destinations[i];
        FUZZ_CHECK(!hasLineBreakOrNul(destination), "a create destination contains CR, LF or NUL");
        FUZZ_CHECK(!hasControlCharacters(destination), "a create destination contains a control character");
        FUZZ_CHECK(destinationProblem(destination).isEmpty(),
                   "a create has a destination that destinationProblem() rejects");
        FUZZ_CHECK(normalizedDestination(destination) == destination, "a create destination is not normalized");
        // An alias that points at itself loops in local(8).
        FUZZ_CHECK(mailboxForLogin(destination, policy()).compare(r.name, Qt::CaseInsensitive) != 0,
                   "a create points the alias at itself");
        for (qsizetype j = 0; j < i; ++j)
            FUZZ_CHECK(r.destinations[j].compare(destination, Qt::CaseInsensitive) != 0,
                       "a create lists a destination twice");
        if (!administrator)
            FUZZ_CHECK(isOwnMailbox(destination, r.requester, policy()),
                       "a non-administrator's create points at another mailbox");
    }
}

void checkDecision(const RequestDecision &d, const FuzzEnvelope &fuzzEnvelope, const MailHeaders &headers)
{
    const Envelope &envelope = fuzzEnvelope.envelope;
    const AliasRequest &r = d.request;

    // The SASL login is the only authority: From and Reply-To never count.
    FUZZ_CHECK(r.requester == mailboxForLogin(envelope.saslUsername, policy()),
               "the requester is not the mapped SASL login");
    FUZZ_CHECK(r.replyAddress == replyAddressForLogin(envelope.saslUsername, policy()),
               "the reply address is not derived from the SASL login");

    if (fuzzEnvelope.check == FuzzEnvelope::Check::Ignored)
        FUZZ_CHECK(d.outcome == Outcome::Ignore, "a message without a login or from MAILER-DAEMON is not ignored");
    if (matchesHeaderIgnoreRule(headers))
        FUZZ_CHECK(d.outcome == Outcome::Ignore, "a message that a header ignore rule matches is not ignored");

    if (d.outcome != Outcome::Act)
        FUZZ_CHECK(!d.reason.isEmpty(), "a Reject or Ignore decision has no reason");
    if (!r.messageId.isEmpty()) {
        FUZZ_CHECK(r.messageId.startsWith(QLatin1Char('<')) && r.messageId.endsWith(QLatin1Char('>')),
                   "the request's Message-ID is not \"<...>\"");
        for (QChar c : r.messageId)
            FUZZ_CHECK(c.unicode() >= 33 && c.unicode() <= 126, "the request's Message-ID is not printable ASCII");
    }

    if (d.outcome != Outcome::Act)
        return;
    FUZZ_CHECK(!envelope.saslUsername.trimmed().isEmpty(), "a message without a login is acted on");
    switch (r.kind) {
    case RequestKind::Create:
        checkCreate(r, isAdministrator(r.requester, policy()));
        break;
    case RequestKind::Delete:
        FUZZ_CHECK(aliasNameProblem(r.name, policy()).isEmpty(), "a delete has a name that aliasNameProblem() rejects");
        FUZZ_CHECK(!hasUpperCaseAscii(r.name.toLatin1()), "a delete has a name that is not lower-cased");
        break;
    case RequestKind::List:
        break;
    }
}

void checkDryRunLine(const RequestDecision &d)
{
    const QString line = firstLineForDryRun(d);
    FUZZ_CHECK(!line.isEmpty(), "the dry-run first line is empty");
    FUZZ_CHECK(!hasLineBreakOrNul(line), "the dry-run first line contains CR, LF or NUL");
    FUZZ_CHECK(!hasControlCharacters(line), "the dry-run first line contains a control character");

    const AliasRequest &r = d.request;
    switch (d.outcome) {
    case Outcome::Ignore:
        FUZZ_CHECK(line.startsWith(QLatin1String("ignore: ")), "the dry-run line of an Ignore does not start \"ignore: \"");
        break;
    case Outcome::Reject:
        FUZZ_CHECK(line.startsWith(QLatin1String("reject: ")), "the dry-run line of a Reject does not start \"reject: \"");
        break;
    case Outcome::Act:
        if (r.kind == RequestKind::Create)
            FUZZ_CHECK(line == QStringLiteral("create ") + r.name + QStringLiteral(" -> ")
                               + r.destinations.join(QStringLiteral(", ")),
                       "the dry-run line of a create is not \"create NAME -> DEST[, DEST]\"");
        else if (r.kind == RequestKind::Delete)
            FUZZ_CHECK(line == QStringLiteral("delete ") + r.name, "the dry-run line of a delete is not \"delete NAME\"");
        else
            FUZZ_CHECK(line == QStringLiteral("list"), "the dry-run line of a list is not \"list\"");
        break;
    }
}

// The body is never a request: a different body with a request in it must
// not change the decision.
void checkBodyIgnored(const QByteArray &message, const RequestDecision &d, const Envelope &envelope)
{
    const qsizetype offset = bodyOffset(message);
    if (offset < 0)
        return;
    const QByteArray otherBody = message.left(offset)
        + "Subject: alias: fuzz-body -> mallory@example.net\n\nalias: fuzz-body\n";
    FUZZ_CHECK(sameDecision(decideRequest(otherBody, envelope, policy()), d), "the body changes the decision");
}

void checkSizeLimit(const RequestDecision &d)
{
    // request.h: a decision for a message that fits stays as it is. An
    // oversized message is rejected unless it is ignored.
    FUZZ_CHECK(sameDecision(limitMessageSize(d, 100, 100), d), "limitMessageSize() changes a message that fits");
    const RequestDecision limited = limitMessageSize(d, 101, 100);
    if (d.outcome == Outcome::Ignore) {
        FUZZ_CHECK(sameDecision(limited, d), "limitMessageSize() changes an ignored message");
    } else {
        FUZZ_CHECK(limited.outcome == Outcome::Reject, "limitMessageSize() does not reject an oversized message");
        FUZZ_CHECK(!limited.reason.isEmpty(), "limitMessageSize() gives no reason");
        FUZZ_CHECK(limited.request.replyAddress == d.request.replyAddress,
                   "limitMessageSize() changes the reply address");
    }
}

// --- composed messages ------------------------------------------------------

struct ComposedField
{
    QByteArray name;
    QByteArray value; // unfolded, leading and trailing white space removed
};

struct ComposedMessage
{
    QList<ComposedField> fields;
    QByteArray body;

    QList<QByteArray> values(QByteArrayView name) const
    {
        QList<QByteArray> out;
        for (const ComposedField &f : fields)
            if (f.name.compare(name, Qt::CaseInsensitive) == 0)
                out.append(f.value);
        return out;
    }
};

// Splits a composed message into its fields and body, checking the RFC 5322
// structure on the way: only "Name: value" lines and continuations, ended by
// an empty line.
ComposedMessage splitComposed(const QByteArray &message)
{
    ComposedMessage out;
    const qsizetype blockEnd = message.indexOf("\n\n");
    FUZZ_CHECK(blockEnd >= 0, "a composed message has no empty line after its header block");
    out.body = message.sliced(blockEnd + 2);

    const QList<QByteArray> lines = message.first(blockEnd).split('\n');
    for (const QByteArray &line : lines) {
        FUZZ_CHECK(!line.isEmpty(), "a composed header block contains an empty line");
        if (isWsp(line.front())) {
            FUZZ_CHECK(!out.fields.isEmpty(), "a composed message starts with a continuation line");
            out.fields.last().value += line;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        FUZZ_CHECK(colon > 0, "a composed header line is neither a field nor a continuation");
        for (char c : line.first(colon)) {
            const auto u = static_cast<unsigned char>(c);
            FUZZ_CHECK(u >= 33 && u <= 126, "a composed field name has a byte outside 33..126");
        }
        out.fields.append(ComposedField{line.first(colon), line.sliced(colon + 1)});
    }
    for (ComposedField &f : out.fields)
        f.value = f.value.trimmed();
    return out;
}

// Decodes RFC 2045 quoted-printable, checking the encoding rules on the
// way: "=" is followed by two upper-case hex digits or ends the line (a
// soft line break), and no encoded line ends in white space or exceeds 76
// characters.
QByteArray decodeQuotedPrintable(const QByteArray &text)
{
    static const QByteArray hexDigits("0123456789ABCDEF");
    QByteArray out;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype li = 0; li < lines.size(); ++li) {
        const QByteArray &line = lines[li];
        FUZZ_CHECK(line.size() <= kMaxQuotedPrintableLine, "a quoted-printable line exceeds 76 characters");
        FUZZ_CHECK(line.isEmpty() || !isWsp(line.back()), "a quoted-printable line ends in white space");
        bool softBreak = false;
        for (qsizetype i = 0; i < line.size(); ++i) {
            if (line[i] != '=') {
                out += line[i];
                continue;
            }
            if (i + 1 == line.size()) {
                softBreak = true;
                break;
            }
            FUZZ_CHECK(i + 2 < line.size(), "a quoted-printable \"=\" is cut off");
            const qsizetype high = hexDigits.indexOf(line[i + 1]);
            const qsizetype low = hexDigits.indexOf(line[i + 2]);
            FUZZ_CHECK(high >= 0 && low >= 0, "a quoted-printable \"=\" is not followed by two upper-case hex digits");
            out += char(high * 16 + low);
            i += 2;
        }
        if (!softBreak && li + 1 < lines.size())
            out += '\n';
    }
    return out;
}

void checkComposedBody(const ComposedMessage &m)
{
    const QList<QByteArray> encodings = m.values("Content-Transfer-Encoding");
    FUZZ_CHECK(encodings.size() == 1, "a composed message does not have one Content-Transfer-Encoding");
    const QByteArray encoding = encodings.first().toLower();
    FUZZ_CHECK(encoding == "7bit" || encoding == "quoted-printable",
               "a composed message is neither 7bit nor quoted-printable");
    FUZZ_CHECK(m.values("Content-Type") == QList<QByteArray>{"text/plain; charset=utf-8"},
               "a composed message is not text/plain in UTF-8");

    QByteArray bytes = m.body;
    if (encoding == "quoted-printable") {
        bytes = decodeQuotedPrintable(m.body);
    } else {
        // Such lines must be protected by quoted-printable.
        for (const QByteArray &line : m.body.split('\n'))
            FUZZ_CHECK(line != "." && !line.startsWith("From "), "a 7bit body line is a lone \".\" or starts \"From \"");
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
    const QString text = utf8.decode(bytes);
    FUZZ_CHECK(!utf8.hasError(), "a composed body is not valid UTF-8");
    // compose.h: only TAB and LF of the control characters reach a body.
    FUZZ_CHECK(cleanBodyText(text) == text, "a composed body contains CR, control or format characters");
}

// Each of the three marks of the service's own mail is enough on its own
// to have it ignored, because a forwarder may remove the others.
void checkEachOwnMailMark(const QByteArray &message)
{
    const qsizetype blockEnd = message.indexOf("\n\n");
    const QList<QByteArray> lines = message.first(blockEnd).split('\n');
    const QList<QByteArray> marks = {"X-Alias-Sync:", "Auto-Submitted:", "Message-ID:"};
    for (const QByteArray &kept : marks) {
        QByteArray stripped;
        bool skipping = false;
        for (const QByteArray &line : lines) {
            if (!line.isEmpty() && isWsp(line.front())) {
                if (!skipping)
                    stripped += line + '\n';
                continue;
            }
            skipping = false;
            for (const QByteArray &mark : marks)
                if (mark != kept && line.startsWith(mark))
                    skipping = true;
            if (!skipping)
                stripped += line + '\n';
        }
        stripped += message.sliced(blockEnd + 1);
        FUZZ_CHECK(decideRequest(stripped, administratorEnvelope(), policy()).outcome == Outcome::Ignore,
                   "a composed message with only one of X-Alias-Sync, Auto-Submitted, Message-ID is not ignored");
    }
}

// Checks one composed message against compose.h and RFC 5322: a complete
// 7-bit message with LF line ends and the fields that keep it out of loops.
void checkComposed(const QByteArray &message, const QByteArray &kind, const QString &expectedTo,
                   const QString &requestMessageId)
{
    FUZZ_CHECK(!message.isEmpty(), "a reply to a plain reply address is empty");
    FUZZ_CHECK(message.endsWith('\n'), "a composed message does not end in LF");
    for (char c : message) {
        const auto u = static_cast<unsigned char>(c);
        FUZZ_CHECK(c != '\r', "a composed message contains CR");
        FUZZ_CHECK(c != '\0', "a composed message contains NUL");
        FUZZ_CHECK(u < 0x80, "a composed message contains a byte of 0x80 or more");
        FUZZ_CHECK((u >= 0x20 && u != 0x7f) || c == '\n' || c == '\t', "a composed message contains a control byte");
    }
    for (const QByteArray &line : message.split('\n'))
        FUZZ_CHECK(line.size() <= kMaxLineOctets, "a line of a composed message exceeds 998 octets");

    const ComposedMessage m = splitComposed(message);
    FUZZ_CHECK(m.values("Date").size() == 1, "a composed message does not have one Date");
    FUZZ_CHECK(m.values("Message-ID").size() == 1, "a composed message does not have one Message-ID");
    FUZZ_CHECK(m.values("Auto-Submitted") == QList<QByteArray>{"auto-replied"},
               "a composed message does not have one \"Auto-Submitted: auto-replied\"");
    FUZZ_CHECK(m.values("X-Alias-Sync") == QList<QByteArray>{kind},
               "a composed message does not have one X-Alias-Sync of its kind");
    FUZZ_CHECK(m.values("From").size() == 1 && m.values("Subject").size() == 1,
               "a composed message does not have one From and one Subject");
    FUZZ_CHECK(m.values("To") == QList<QByteArray>{expectedTo.toLatin1()},
               "a composed message is not addressed to the expected address");

    static const QRegularExpression date(QStringLiteral(
        "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
        "\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}$"));
    FUZZ_CHECK(date.match(QString::fromLatin1(m.values("Date").first())).hasMatch(),
               "a composed Date is not an RFC 5322 date");
    static const QRegularExpression messageId(QStringLiteral("^<[!-;=?-~]+@mx1\\.example\\.org>$"));
    FUZZ_CHECK(messageId.match(QString::fromLatin1(m.values("Message-ID").first())).hasMatch(),
               "a composed Message-ID is not \"<...@server>\"");

    // RFC 5322 section 3.6.4: a reply names the request's Message-ID.
    if (!requestMessageId.isEmpty()) {
        FUZZ_CHECK(m.values("In-Reply-To") == QList<QByteArray>{requestMessageId.toLatin1()},
                   "a reply's In-Reply-To is not the request's Message-ID");
        FUZZ_CHECK(m.values("References") == QList<QByteArray>{requestMessageId.toLatin1()},
                   "a reply's References is not the request's Message-ID");
    }

    const QString subject = decodeHeaderText(m.values("Subject").first());
    FUZZ_CHECK(!hasControlCharacters(subject), "a composed Subject decodes to control characters");
    for (const ComposedField &field : m.fields)
        for (const QByteArray &word : field.value.split(' '))
            if (word.startsWith("=?"))
                FUZZ_CHECK(word.size() <= kMaxEncodedWord, "an encoded word exceeds 75 characters");

    checkComposedBody(m);
    FUZZ_CHECK(decideRequest(message, administratorEnvelope(), policy()).outcome == Outcome::Ignore,
               "a composed message is not ignored as the service's own mail");
}

// Composes and checks every reply that decision d leads to, and appends
// them to composed.
void checkReplies(const RequestDecision &d, bool resultOk, QList<QByteArray> *composed)
{
    const AliasRequest &r = d.request;
    const QByteArray rejection = composeRejection(d, policy(), kServerName);
    if (d.outcome != Outcome::Reject) {
        FUZZ_CHECK(rejection.isEmpty(), "composeRejection() composed a reply to an Ignore or Act decision");
    } else {
        checkComposed(rejection, "rejection", r.replyAddress, r.messageId);
        composed->append(rejection);
    }
    if (d.outcome == Outcome::Ignore)
        return;

    if (d.outcome == Outcome::Act && r.kind != RequestKind::List) {
        const QStringList addresses = {r.name + QStringLiteral("@example.org")};
        // A new alias's confirmation goes to the alias, so its arrival
        // proves that the alias delivers.
        const QString to = r.kind == RequestKind::Create ? addresses.first() : r.replyAddress;
        const QByteArray confirmation = composeConfirmation(r, addresses, policy(), kServerName);
        checkComposed(confirmation, "confirmation", to, r.messageId);
        composed->append(confirmation);
    }

    // The daemon's own text may quote anything from the request, so the
    // decoded Subject is used in its place.
    const QByteArray result = composeResult(r, resultOk, r.subject, policy(), kServerName);
    checkComposed(result, "result", r.replyAddress, r.messageId);
    composed->append(result);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray message(reinterpret_cast<const char *>(data), qsizetype(size));

    g_envelopeLabel = "none";
    const MailHeaders headers = MailHeaders::parse(message);
    checkParsedHeaders(headers, message);
    checkDecodeHeaderText(message);
    // The composers encode only printableForQuote() text.
    checkEncodeHeaderText(printableForQuote(headers.decodedValue("Subject").value_or(QString()), 200));
    checkEncodeHeaderText(printableForQuote(decodeHeaderText(message.left(400)), 200));

    QList<QByteArray> composed;
    RequestDecision previous;
    for (const FuzzEnvelope &fuzzEnvelope : envelopes()) {
        g_envelopeLabel = fuzzEnvelope.label;
        const RequestDecision d = decideRequest(message, fuzzEnvelope.envelope, policy());
        checkDecision(d, fuzzEnvelope, headers);
        checkDryRunLine(d);
        checkSizeLimit(d);
        if (fuzzEnvelope.check == FuzzEnvelope::Check::Replies) {
            checkBodyIgnored(message, d, fuzzEnvelope.envelope);
            checkReplies(d, fuzzEnvelope.resultOk, &composed);
        } else if (fuzzEnvelope.check == FuzzEnvelope::Check::SameAsPrevious) {
            FUZZ_CHECK(sameDecision(d, previous), "two logins of the same mailbox get different decisions");
        }
        previous = d;
    }

    // Once per input, because it decides three more messages.
    g_envelopeLabel = "none";
    if (!composed.isEmpty())
        checkEachOwnMailMark(composed.first());
    return 0;
}
