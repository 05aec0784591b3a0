// Unit tests of the request-mail library.
//
// The corpus rows come from tests/corpus/CASES.md itself, so a new row there
// is a new test row here. The messages under data/ cover each rule of
// specs/request-format.md.
#include <requestmail/requestmail.h>

#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTest>
#include <QTimeZone>

using namespace aliassync;

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

QByteArray corpusMail(const QString &name)
{
    return readFile(QStringLiteral(ALIAS_SYNC_CORPUS_DIR "/mail/") + name + QStringLiteral(".eml"));
}

QByteArray dataMail(const QString &name)
{
    return readFile(QStringLiteral(ALIAS_SYNC_TEST_DATA_DIR "/") + name + QStringLiteral(".eml"));
}

// The CASES.md set-up.
RequestPolicy corpusPolicy()
{
    RequestPolicy p;
    p.servedDomains = {QStringLiteral("example.org")};
    p.designatedLocalPart = QStringLiteral("newalias");
    p.administrators = {QStringLiteral("alice@example.org")};
    return p;
}

// The set-up of the data/ messages.
RequestPolicy dataPolicy()
{
    RequestPolicy p = corpusPolicy();
    p.servedDomains.append(QStringLiteral("example.com"));
    p.recipientDelimiter = QStringLiteral("+");
    p.extraReservedNames = {QStringLiteral("noc"), QStringLiteral("list-*")};
    return p;
}

Envelope envelopeFor(const QString &sasl, const QString &sender)
{
    Envelope e;
    e.sender = sender;
    e.recipient = QStringLiteral("newalias@example.org");
    e.originalRecipient = e.recipient;
    e.saslUsername = sasl;
    e.queueId = QStringLiteral("4T1aA1");
    return e;
}

QString returnPath(const QByteArray &message)
{
    QString rp = QString::fromLatin1(MailHeaders::parse(message).rawValue("Return-Path").value_or(QByteArray()));
    rp.remove(QLatin1Char('<')).remove(QLatin1Char('>'));
    return rp.trimmed();
}

// expected: an exact first line, or "reject: TEXT" / "ignore: TEXT" where
// TEXT must occur in the reason (empty TEXT: any reason).
void checkFirstLine(const QString &line, const QString &expected)
{
    for (const QString &prefix : {QStringLiteral("reject:"), QStringLiteral("ignore:")}) {
        if (expected.startsWith(prefix)) {
            QVERIFY2(line.startsWith(prefix + QLatin1Char(' ')), qPrintable(line));
            const QString needle = expected.mid(prefix.size()).trimmed();
            QVERIFY2(line.size() > prefix.size() + 1, "a reason is required");
            QVERIFY2(line.contains(needle, Qt::CaseInsensitive), qPrintable(line + QStringLiteral(" <- ") + needle));
            return;
        }
    }
    QCOMPARE(line, expected);
}

QByteArray bodyOf(const QByteArray &m)
{
    return m.mid(m.indexOf("\n\n") + 2);
}

QByteArray decodeQuotedPrintable(const QByteArray &qp)
{
    QByteArray out;
    for (qsizetype i = 0; i < qp.size(); ++i) {
        if (qp[i] == '=' && i + 1 < qp.size() && qp[i + 1] == '\n') {
            ++i;
        } else if (qp[i] == '=' && i + 2 < qp.size()) {
            out += char(QByteArray::fromHex(qp.mid(i + 1, 2)).at(0));
            i += 2;
        } else {
            out += qp[i];
        }
    }
    return out;
}

// The body after its transfer encoding is undone.
QByteArray decodedBodyOf(const QByteArray &m)
{
    const bool qp = MailHeaders::parse(m).rawValue("Content-Transfer-Encoding").value_or(QByteArray()) == "quoted-printable";
    return qp ? decodeQuotedPrintable(bodyOf(m)) : bodyOf(m);
}

// Checks that every byte is 7-bit: printable ASCII in the headers, and in the
// body no control character but LF and TAB, so non-ASCII text must be
// quoted-printable. Lines end in LF, header lines stay within 998 octets, and
// the decoded body is valid UTF-8.
void checkComposedBytes(const QByteArray &m)
{
    QVERIFY(!m.isEmpty());
    const qsizetype split = m.indexOf("\n\n");
    QVERIFY(split > 0);
    const QByteArray head = m.left(split);
    const QByteArray body = m.mid(split + 2);
    for (char c : head) {
        const auto u = static_cast<unsigned char>(c);
        QVERIFY2(c == '\n' || (u >= 0x20 && u < 0x7f), qPrintable(QStringLiteral("header byte %1").arg(u)));
    }
    for (const QByteArray &line : head.split('\n'))
        QVERIFY(line.size() <= 998);
    for (char c : body) {
        const auto u = static_cast<unsigned char>(c);
        QVERIFY2(c == '\n' || c == '\t' || (u >= 0x20 && u < 0x7f), qPrintable(QStringLiteral("body byte %1").arg(u)));
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
    (void)utf8.decode(decodedBodyOf(m));
    QVERIFY(!utf8.hasError());
}

// What a composed message must hold in any case.
void checkComposedHeaders(const QByteArray &m, const QByteArray &kind, const QString &to)
{
    checkComposedBytes(m);
    const MailHeaders h = MailHeaders::parse(m);
    for (const char *name : {"Date", "From", "To", "Subject", "Message-ID", "Auto-Submitted", "X-Alias-Sync",
                             "MIME-Version", "Content-Type", "Content-Transfer-Encoding"})
        QVERIFY2(h.count(name) == 1, name);
    static const QRegularExpression date(QStringLiteral(
        "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
        "\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}$"));
    QVERIFY2(date.match(QString::fromLatin1(*h.rawValue("Date"))).hasMatch(), h.rawValue("Date")->constData());
    static const QRegularExpression msgid(QStringLiteral("^<alias-sync\\.[0-9a-z]+\\.[0-9a-f]{20}@[A-Za-z0-9.-]+>$"));
    QVERIFY2(msgid.match(QString::fromLatin1(*h.rawValue("Message-ID"))).hasMatch(),
             h.rawValue("Message-ID")->constData());
    QCOMPARE(*h.rawValue("Auto-Submitted"), QByteArray("auto-replied"));
    QCOMPARE(*h.rawValue("X-Alias-Sync"), kind);
    QCOMPARE(*h.rawValue("MIME-Version"), QByteArray("1.0"));
    QCOMPARE(*h.rawValue("Content-Type"), QByteArray("text/plain; charset=utf-8"));
    const QByteArray cte = *h.rawValue("Content-Transfer-Encoding");
    QVERIFY(cte == "7bit" || cte == "quoted-printable");
    QCOMPARE(*h.decodedValue("To"), to);
}

// The decision for the data/ request "alias: team" from dave with another
// Subject.
RequestDecision decideSubject(const QString &subject)
{
    QByteArray message = dataMail(QStringLiteral("request-own"));
    message.replace("Subject: alias: team", "Subject: " + subject.toUtf8());
    return decideRequest(message, envelopeFor(QStringLiteral("dave"), QStringLiteral("dave@example.org")), dataPolicy());
}

// A composed message is the service's own mail: never a request.
void checkComposedIsIgnored(const QByteArray &m)
{
    const RequestDecision d = decideRequest(m, envelopeFor(QStringLiteral("dave@example.org"),
                                                           QStringLiteral("dave@example.org")),
                                            dataPolicy());
    QCOMPARE(d.outcome, RequestDecision::Outcome::Ignore);
    QVERIFY(d.reason.contains(QLatin1String("X-Alias-Sync")));

    // A forwarder that drops X-Alias-Sync and Auto-Submitted leaves the
    // Message-ID, which still marks it.
    QByteArray stripped;
    for (const QByteArray &line : m.split('\n')) {
        if (!line.startsWith("X-Alias-Sync:") && !line.startsWith("Auto-Submitted:"))
            stripped += line + '\n';
    }
    const RequestDecision s = decideRequest(stripped, envelopeFor(QStringLiteral("dave@example.org"),
                                                                  QStringLiteral("dave@example.org")),
                                            dataPolicy());
    QCOMPARE(s.outcome, RequestDecision::Outcome::Ignore);
    QVERIFY2(s.reason.contains(QLatin1String("Message-ID")), qPrintable(s.reason));
}

AliasRequest sampleRequest(RequestKind kind)
{
    AliasRequest r;
    r.kind = kind;
    r.name = QStringLiteral("team");
    r.destinations = {QStringLiteral("dave"), QStringLiteral("erin@example.org")};
    r.requester = QStringLiteral("alice");
    r.replyAddress = QStringLiteral("alice@example.org");
    r.messageId = QStringLiteral("<req-1@client.example.org>");
    r.subject = QStringLiteral("alias: team -> dave, erin@example.org");
    return r;
}

} // namespace

class TestRequestMail : public QObject
{
    Q_OBJECT

private slots:
    // --- CASES.md ---------------------------------------------------------
    void corpus_data();
    void corpus();

    // --- own messages -----------------------------------------------------
    void data_data();
    void data();
    void envelopeIgnores_data();
    void envelopeIgnores();
    void replyPrefixes_data();
    void replyPrefixes();
    void subjectReasons_data();
    void subjectReasons();
    void requestFields();
    void firstLineIsOneLine();

    // --- rules as functions -----------------------------------------------
    void aliasNames_data();
    void aliasNames();
    void destinations_data();
    void destinations();
    void loginMapping_data();
    void loginMapping();
    void administrators();

    // --- headers ----------------------------------------------------------
    void headersParse();
    void headersLineEnds();
    void headersOddLines();
    void decodeText_data();
    void decodeText();
    void leadingToken_data();
    void leadingToken();

    // --- composition ------------------------------------------------------
    void composeRejection();
    void composeRejectionNonAscii();
    void composeRejectionHostile_data();
    void composeRejectionHostile();
    void composeNothingToSend();
    void composeConfirmation();
    void composeResultList();
    void composeResultRejected();
    void composeResultEncodings();
    void encodeHeaderTextRoundTrip_data();
    void encodeHeaderTextRoundTrip();
    void dateFormat();
    void messageIdDomain();
    void sizeLimit();
    void rateLimitCountsPerLogin();
    void rateLimitRedeliveryAndWindow();
    void rateLimitOff();
};

// ---------------------------------------------------------------------------
// CASES.md

void TestRequestMail::corpus_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sasl");
    QTest::addColumn<QString>("sender");
    QTest::addColumn<QString>("expected");

    // A more precise reason wording for the reject/ignore rows (by file and login cell).
    const QHash<QString, QString> reasonText = {
        {QStringLiteral("01-plain-7bit|bob@example.org"), QStringLiteral("only an administrator may point an alias elsewhere")},
        {QStringLiteral("01-plain-7bit|(empty)"), QStringLiteral("not sent with a login")},
        {QStringLiteral("03-base64-no-subject|pat@example.org"), QStringLiteral("no request in the Subject")},
        {QStringLiteral("10-reply-quoted|kim@example.org"), QStringLiteral("\"AW:\"")},
        {QStringLiteral("12-nul-8bit|olga@example.org"), QStringLiteral("The alias name")},
        {QStringLiteral("14-bounce-dsn|(empty), sender `MAILER-DAEMON`"), QStringLiteral("mail system")},
        {QStringLiteral("15-auto-replied|bob@example.org"), QStringLiteral("Auto-Submitted: auto-replied")},
        {QStringLiteral("17-encoded-newline-injection|alice@example.org"), QStringLiteral("control or invisible character U+000A after")},
        {QStringLiteral("24-client-non-ascii-name|dave@example.org"), QStringLiteral("The alias name")},
        {QStringLiteral("27-forged-from-admin|dave@example.org"), QStringLiteral("not your own mailbox (dave@example.org)")},
        {QStringLiteral("29-two-subjects|dave@example.org"), QStringLiteral("2 Subject fields")},
        {QStringLiteral("40-precedence-bulk|dave@example.org"), QStringLiteral("Precedence: bulk")},
        {QStringLiteral("41-precedence-junk|dave@example.org"), QStringLiteral("Precedence: junk")},
        {QStringLiteral("42-precedence-list|dave@example.org"), QStringLiteral("Precedence: list")},
        {QStringLiteral("43-list-id|dave@example.org"), QStringLiteral("List-Id")},
        {QStringLiteral("44-auto-submitted-generated|dave@example.org"), QStringLiteral("Auto-Submitted: auto-generated")},
        {QStringLiteral("45-read-receipt-mdn|dave@example.org"), QStringLiteral("multipart/report")},
        {QStringLiteral("46-own-header|dave@example.org"), QStringLiteral("X-Alias-Sync header")},
        {QStringLiteral("47-own-message-id|dave@example.org"), QStringLiteral("Message-ID")},
    };

    const QString cases = QString::fromUtf8(readFile(QStringLiteral(ALIAS_SYNC_CORPUS_DIR "/CASES.md")));
    const qsizetype section = cases.indexOf(QLatin1String("## Request messages"));
    QVERIFY(section >= 0);
    static const QRegularExpression row(QStringLiteral("^\\|\\s*(\\d\\d-[^|\\s]+)\\s*\\|([^|]*)\\|[^|]*\\|(.*)\\|\\s*$"),
                                        QRegularExpression::MultilineOption);
    static const QRegularExpression firstCode(QStringLiteral("`([^`]*)`"));
    int rows = 0;
    auto it = row.globalMatch(cases.mid(section));
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        const QString file = m.captured(1);
        const QString loginCell = m.captured(2).trimmed();
        const QString expectedCell = m.captured(3).trimmed();
        const QString code = firstCode.match(expectedCell).captured(1);
        QVERIFY2(!code.isEmpty(), qPrintable(expectedCell));

        QString sasl = loginCell;
        QString sender = returnPath(corpusMail(file));
        if (loginCell.startsWith(QLatin1String("(empty)"))) {
            sasl.clear();
            static const QRegularExpression senderCell(QStringLiteral("sender `([^`]*)`"));
            const QRegularExpressionMatch s = senderCell.match(loginCell);
            if (s.hasMatch())
                sender = s.captured(1);
        }
        const QString key = file + QLatin1Char('|') + loginCell;
        QString expected = code;
        if (code == QLatin1String("reject:") || code == QLatin1String("ignore:")) {
            QVERIFY2(reasonText.contains(key), qPrintable(QStringLiteral("no reason text for ") + key));
            expected = code + QLatin1Char(' ') + reasonText.value(key);
        }
        QTest::addRow("%s %s", qPrintable(file), qPrintable(sasl.isEmpty() ? QStringLiteral("(empty)") : sasl))
            << file << sasl << sender << expected;
        ++rows;
    }
    QVERIFY2(rows >= 31, "CASES.md request tables not found");
}

void TestRequestMail::corpus()
{
    QFETCH(QString, file);
    QFETCH(QString, sasl);
    QFETCH(QString, sender);
    QFETCH(QString, expected);
    const QByteArray message = corpusMail(file);
    const RequestDecision d = decideRequest(message, envelopeFor(sasl, sender), corpusPolicy());
    checkFirstLine(firstLineForDryRun(d), expected);
    if (d.outcome == RequestDecision::Outcome::Reject) {
        QVERIFY(!d.request.replyAddress.isEmpty());
        const QByteArray reply = aliassync::composeRejection(d, corpusPolicy(), QStringLiteral("mail.example.org"));
        checkComposedHeaders(reply, "rejection", d.request.replyAddress);
        checkComposedIsIgnored(reply);
        // Nothing from the request can start a line of its own (17: the alias line).
        for (const QByteArray &line : reply.split('\n'))
            QVERIFY2(!line.startsWith("postmaster:"), line.constData());
    }
}

// ---------------------------------------------------------------------------
// own messages

void TestRequestMail::data_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sasl");
    QTest::addColumn<QString>("expected");
    const QString dave = QStringLiteral("dave@example.org");
    const QString alice = QStringLiteral("alice@example.org");
    auto row = [](const char *file, const QString &sasl, const char *expected) {
        QTest::addRow("%s %s", file, qPrintable(sasl)) << QString::fromLatin1(file) << sasl << QString::fromUtf8(expected);
    };
    // ignore rules
    row("ignore-x-alias-sync", dave, "ignore: X-Alias-Sync");
    row("ignore-auto-generated", dave, "ignore: Auto-Submitted: auto-generated");
    row("auto-submitted-no", dave, "create team -> dave");
    row("ignore-precedence-bulk", dave, "ignore: Precedence: bulk");
    row("ignore-precedence-junk", dave, "ignore: Precedence: junk");
    row("ignore-precedence-list", dave, "ignore: Precedence: list");
    row("precedence-first-class", dave, "create team -> dave");
    row("ignore-list-id", dave, "ignore: List-Id");
    row("ignore-report-mdn", dave, "ignore: multipart/report");
    row("ignore-reply-re", dave, "ignore: \"Re:\"");
    row("ignore-reply-fwd", dave, "ignore: \"Fwd:\"");
    row("ignore-reply-counted", dave, "ignore: \"RE[2]:\"");
    row("ignore-reply-sv-encoded", dave, "ignore: \"SV:\"");
    // encodings
    row("subject-qp", dave, "create team -> dave@example.org");
    row("subject-qp-words", dave, "create team -> dave");
    row("subject-b64-latin1", dave, "create team -> dave");
    row("subject-b64-utf8-arrow", dave, "create team -> dave");
    row("subject-unknown-charset", dave, "reject: no request in the Subject");
    row("subject-encoded-tab", dave, "reject: character U+0009");
    row("subject-folded-tab", dave, "create team -> dave@example.org");
    row("subject-raw-nul", dave, "reject: character U+0000");
    row("subject-raw-esc", dave, "reject: character U+001B");
    row("subject-bom", dave, "create team -> dave");
    row("subject-rtl-override", dave, "reject: character U+202E");
    row("subject-whitespace", dave, "create team -> dave");
    row("subject-duplicate", dave, "reject: 2 Subject fields");
    row("subject-empty", dave, "reject: no request in the Subject (the Subject is empty)");
    row("no-request", dave, "reject: no request in the Subject \"Please make me an alias\"");
    row("body-request", dave, "reject: no request in the Subject (the message has no Subject)");
    row("header-in-body", dave, "reject: no request in the Subject \"hello\"");
    // name rules
    row("name-uppercase", dave, "create sales.team -> dave");
    row("name-bad-char", dave, "reject: \"sales!\" is invalid: it contains \"!\"");
    row("name-space", dave, "reject: \"sales team\" is invalid: it contains a space");
    row("name-delimiter", dave, "reject: \"sales+eu\" is invalid: it contains \"+\", the recipient delimiter");
    row("name-64", dave, "create aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa -> dave");
    row("name-too-long", dave, "reject: it is 65 characters long; use at most 64");
    row("name-leading-dash", dave, "reject: \"-team\" is invalid: it starts with \"-\"");
    row("name-leading-dot", dave, "reject: \".team\" is invalid: it starts with \".\"");
    row("name-trailing-dot", dave, "reject: \"team.\" is invalid: it ends with '.'");
    row("name-double-dot", dave, "reject: \"te..am\" is invalid: it contains \"..\"");
    row("name-underscore", dave, "create _team_1-2.x -> dave");
    row("name-reserved-postmaster", dave, "reject: \"postmaster\" is reserved for the mail system");
    row("name-reserved-mailer-daemon", dave, "reject: \"mailer-daemon\" is reserved for the mail system");
    row("name-reserved-owner", dave, "reject: \"owner-team\" is reserved: names of the form owner-*");
    row("name-reserved-request", dave, "reject: \"team-request\" is reserved: names of the form");
    row("name-reserved-designated", dave, "reject: \"newalias\" is reserved: it is the address of this service");
    row("name-reserved-extra", dave, "reject: \"noc\" is reserved on this server");
    row("name-non-ascii", dave, "reject: \"café\" is invalid: it contains \"é\"");
    row("name-kelvin", dave, "reject: is invalid: it contains \"\u212A\"");
    row("name-at", dave, "reject: it contains '@'; write only the part before the '@'");
    row("name-empty", dave, "reject: no alias name after \"alias:\"");
    row("name-arrow-only", dave, "reject: no alias name after \"alias:\"");
    // kinds
    row("unalias", dave, "delete team");
    row("unalias-arrow", dave, "reject: \"unalias:\" takes only a name");
    row("unalias-reserved", alice, "reject: \"postmaster\" is reserved");
    row("aliases-list", dave, "list");
    row("aliases-list-spaced", dave, "list");
    // login mapping
    row("request-own", dave, "create team -> dave");
    row("request-own", QStringLiteral("dave"), "create team -> dave");
    row("request-own", QStringLiteral("Dave@EXAMPLE.COM"), "create team -> Dave");
    row("request-own", QStringLiteral("dave@elsewhere.net"), "create team -> dave@elsewhere.net");
    row("request-own", QStringLiteral("  dave@example.org  "), "create team -> dave");
    // destinations and ownership
    row("own-with-domain", dave, "create team -> Dave@example.org");
    row("own-with-domain", QStringLiteral("dave"), "create team -> Dave@example.org");
    row("own-with-domain", QStringLiteral("dave@elsewhere.net"), "reject: Dave@example.org is not your own mailbox (dave@elsewhere.net)");
    row("dest-other-user", dave, "reject: erin is not your own mailbox (dave@example.org)");
    row("dest-other-user", alice, "create team -> erin");
    row("dest-other-user", QStringLiteral("alice"), "create team -> erin");
    row("dest-mixed", dave, "reject: erin@example.org is not your own mailbox (dave@example.org)");
    row("dest-mixed", alice, "create team -> dave, erin@example.org");
    row("dest-pipe", alice, "reject: \"|/usr/bin/evil\" is not allowed");
    row("dest-quoted-pipe", alice, "reject: is not a plain address");
    row("dest-file", alice, "reject: \"/tmp/mailbox\" is not allowed");
    row("dest-include", alice, "reject: \":include:/etc/evil\" is not allowed");
    row("dest-display-name", alice, "reject: \"Bob <bob@example.org>\" is not a plain address");
    row("dest-bad-domain", alice, "reject: has an invalid domain \"-example.org\"");
    row("dest-two-at", alice, "reject: more than one '@'");
    row("dest-self", alice, "reject: \"team\" cannot point to itself");
    row("dest-empty", alice, "reject: no destination after \"->\"");
    row("dest-two-arrows", alice, "reject: more than one arrow");
    row("dest-semicolon-dup", alice, "create team -> bob@example.org, erin");
}

void TestRequestMail::data()
{
    QFETCH(QString, file);
    QFETCH(QString, sasl);
    QFETCH(QString, expected);
    const QByteArray message = dataMail(file);
    const RequestDecision d = decideRequest(message, envelopeFor(sasl, returnPath(message)), dataPolicy());
    checkFirstLine(firstLineForDryRun(d), expected);
    if (d.outcome == RequestDecision::Outcome::Reject) {
        const QByteArray reply = aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org"));
        checkComposedHeaders(reply, "rejection", d.request.replyAddress);
        checkComposedIsIgnored(reply);
    }
}

void TestRequestMail::envelopeIgnores_data()
{
    QTest::addColumn<QString>("sasl");
    QTest::addColumn<QString>("sender");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty login") << QString() << QStringLiteral("dave@example.org")
                                 << QStringLiteral("ignore: not sent with a login");
    QTest::newRow("blank login") << QStringLiteral("  ") << QStringLiteral("dave@example.org")
                                 << QStringLiteral("ignore: not sent with a login");
    QTest::newRow("null sender") << QStringLiteral("dave@example.org") << QString()
                                 << QStringLiteral("ignore: envelope sender is empty");
    QTest::newRow("<> sender") << QStringLiteral("dave@example.org") << QStringLiteral("<>")
                               << QStringLiteral("ignore: envelope sender is empty");
    QTest::newRow("MAILER-DAEMON") << QStringLiteral("dave@example.org") << QStringLiteral("MAILER-DAEMON")
                                   << QStringLiteral("ignore: \"MAILER-DAEMON\" is a mail system");
    QTest::newRow("mailer-daemon@host") << QStringLiteral("dave@example.org")
                                        << QStringLiteral("mailer-daemon@mx.example.net")
                                        << QStringLiteral("ignore: is a mail system");
    QTest::newRow("own address") << QStringLiteral("dave@example.org") << QStringLiteral("NewAlias@example.org")
                                 << QStringLiteral("ignore: this service's own address");
    QTest::newRow("own address, other domain") << QStringLiteral("dave@example.org") << QStringLiteral("newalias@example.com")
                                               << QStringLiteral("ignore: this service's own address");
    QTest::newRow("own address, extension") << QStringLiteral("dave@example.org") << QStringLiteral("newalias+bounce@example.org")
                                            << QStringLiteral("ignore: this service's own address");
    QTest::newRow("own local part, foreign domain") << QStringLiteral("dave@example.org") << QStringLiteral("newalias@example.net")
                                                    << QStringLiteral("create team -> dave");
    QTest::newRow("ordinary") << QStringLiteral("dave@example.org") << QStringLiteral("dave@example.org")
                              << QStringLiteral("create team -> dave");
}

void TestRequestMail::envelopeIgnores()
{
    QFETCH(QString, sasl);
    QFETCH(QString, sender);
    QFETCH(QString, expected);
    const RequestDecision d = decideRequest(dataMail(QStringLiteral("request-own")), envelopeFor(sasl, sender),
                                            dataPolicy());
    checkFirstLine(firstLineForDryRun(d), expected);
    if (d.outcome == RequestDecision::Outcome::Ignore)
        QVERIFY(aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org")).isEmpty());
}

void TestRequestMail::replyPrefixes_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<bool>("ignored");
    for (const char *p : {"Re:", "RE:", "re:", "Fwd:", "FWD:", "Fw:", "AW:", "Aw:", "WG:", "SV:", "VS:", "Antw:",
                          "ANTW:", "Re[2]:", "Re [3] :", "RE(2):", "Re^2:", " Re :", "Re\uFF1A", "TR:", "RV:", "R:",
                          "I:", "Res:", "Enc:", "Odp:", "PD:", "Ynt:", "\u0130lt:", "VB:", "VL:", "Doorst:",
                          "R\u00e9f. :", "\u56de\u590d:", "\u56de\u590d\uFF1A", "\u8f6c\u53d1:", "Automatic reply:",
                          "AutoReply:", "Out of Office:"})
        QTest::addRow("%s", p) << QString::fromUtf8(p) + QStringLiteral(" alias: team") << true;
    QTest::newRow("alias:") << QStringLiteral("alias: team") << false;
    QTest::newRow("aliases?") << QStringLiteral("aliases?") << false;
    QTest::newRow("Rex: is no prefix") << QStringLiteral("Rex: alias: team") << false;
    QTest::newRow("Reply is no prefix") << QStringLiteral("Reply alias: team") << false;
    QTest::newRow("Info: is no prefix") << QStringLiteral("Info: alias: team") << false;
}

void TestRequestMail::subjectReasons_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero-width space") << QStringLiteral("alias: shop\u200B") << QStringLiteral("reject: character U+200B after \"alias: shop\"");
    QTest::newRow("soft hyphen") << QStringLiteral("alias: sh\u00ADop") << QStringLiteral("reject: character U+00AD after \"alias: sh\"");
    QTest::newRow("control at the start") << QStringLiteral("\u200Ealias: shop") << QStringLiteral("reject: character U+200E at its start");
    QTest::newRow("=> for the arrow") << QStringLiteral("alias: shop => erin@example.org") << QStringLiteral("reject: has \"=\" after the name where the arrow belongs");
    QTest::newRow("dash arrow") << QStringLiteral("alias: shop \u2014> erin@example.org") << QStringLiteral("reject: has \"\u2014\" after the name");
    QTest::newRow("spaced arrow") << QStringLiteral("alias: shop - > dave") << QStringLiteral("reject: \"alias: shop -> ADDRESS, ADDRESS\"");
    QTest::newRow("comma, no arrow") << QStringLiteral("alias: shop, dave") << QStringLiteral("reject: has \",\" after the name");
    QTest::newRow("hyphen in a name") << QStringLiteral("alias: shop-floor") << QStringLiteral("create shop-floor -> dave");
    QTest::newRow("own mailbox name") << QStringLiteral("alias: dave") << QStringLiteral("reject: the name of your own mailbox");
    QTest::newRow("pointing at itself") << QStringLiteral("alias: shop -> shop") << QStringLiteral("reject: cannot point to itself");
}

void TestRequestMail::subjectReasons()
{
    QFETCH(QString, subject);
    QFETCH(QString, expected);
    const RequestDecision d = decideSubject(subject);
    checkFirstLine(firstLineForDryRun(d), expected);
}

void TestRequestMail::replyPrefixes()
{
    QFETCH(QString, subject);
    QFETCH(bool, ignored);
    const RequestDecision d = decideSubject(subject);
    QCOMPARE(d.outcome == RequestDecision::Outcome::Ignore, ignored);
    if (ignored)
        QVERIFY2(d.reason.contains(QLatin1String("reply or forward prefix")), qPrintable(d.reason));
}

void TestRequestMail::requestFields()
{
    const RequestDecision d = decideRequest(dataMail(QStringLiteral("dest-mixed")),
                                            envelopeFor(QStringLiteral("alice@example.org"), QStringLiteral("alice@example.org")),
                                            dataPolicy());
    QCOMPARE(d.outcome, RequestDecision::Outcome::Act);
    QCOMPARE(d.request.kind, RequestKind::Create);
    QCOMPARE(d.request.name, QStringLiteral("team"));
    QCOMPARE(d.request.destinations, QStringList({QStringLiteral("dave"), QStringLiteral("erin@example.org")}));
    QCOMPARE(d.request.requester, QStringLiteral("alice"));
    QCOMPARE(d.request.replyAddress, QStringLiteral("alice@example.org"));
    QCOMPARE(d.request.messageId, QStringLiteral("<dest-mixed@client.example.org>"));
    QCOMPARE(d.request.subject, QStringLiteral("alias: team -> dave, erin@example.org"));
    QVERIFY(d.reason.isEmpty());

    // A login without domain replies to login@primary domain; the reject keeps what is known.
    const RequestDecision r = decideRequest(dataMail(QStringLiteral("dest-other-user")),
                                            envelopeFor(QStringLiteral("dave"), QStringLiteral("dave@example.org")),
                                            dataPolicy());
    QCOMPARE(r.outcome, RequestDecision::Outcome::Reject);
    QCOMPARE(r.request.requester, QStringLiteral("dave"));
    QCOMPARE(r.request.replyAddress, QStringLiteral("dave@example.org"));
    QCOMPARE(r.request.messageId, QStringLiteral("<dest-other-user@client.example.org>"));

    // A Message-ID that is not plain "<...>" is dropped.
    QByteArray odd = dataMail(QStringLiteral("request-own"));
    odd.replace("Message-ID: <request-own@client.example.org>", "Message-ID: <a b@c>");
    QCOMPARE(decideRequest(odd, envelopeFor(QStringLiteral("dave"), QStringLiteral("dave@example.org")), dataPolicy())
                 .request.messageId,
             QString());
}

void TestRequestMail::firstLineIsOneLine()
{
    RequestDecision d;
    d.outcome = RequestDecision::Outcome::Reject;
    d.reason = QStringLiteral("two\r\nlines\x01!");
    QCOMPARE(firstLineForDryRun(d), QStringLiteral("reject: two lines!"));
    d.outcome = RequestDecision::Outcome::Act;
    d.request.kind = RequestKind::Delete;
    d.request.name = QStringLiteral("team");
    QCOMPARE(firstLineForDryRun(d), QStringLiteral("delete team"));
    d.request.kind = RequestKind::List;
    QCOMPARE(firstLineForDryRun(d), QStringLiteral("list"));
}

// ---------------------------------------------------------------------------
// rules as functions

void TestRequestMail::aliasNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("problem"); // empty: valid; else a part of the reason
    const auto ok = QString();
    QTest::newRow("plain") << QString::fromUtf8("team") << ok;
    QTest::newRow("all classes") << QString::fromUtf8("a0._-z9") << ok;
    QTest::newRow("upper folded") << QString::fromUtf8("TEAM") << ok;
    QTest::newRow("leading underscore") << QString::fromUtf8("_x") << ok;
    QTest::newRow("leading digit") << QString::fromUtf8("1x") << ok;
    QTest::newRow("64") << QString(64, QLatin1Char('x')) << ok;
    QTest::newRow("owner alone") << QString::fromUtf8("owner") << ok;
    QTest::newRow("request alone") << QString::fromUtf8("request") << ok;
    QTest::newRow("owner suffix") << QString::fromUtf8("team-owner") << ok;
    QTest::newRow("empty") << QString::fromUtf8("") << QString::fromUtf8("is empty");
    QTest::newRow("65") << QString(65, QLatin1Char('x')) << QString::fromUtf8("65 characters long");
    QTest::newRow("space") << QString::fromUtf8("a b") << QString::fromUtf8("a space");
    QTest::newRow("plus delimiter") << QString::fromUtf8("a+b") << QString::fromUtf8("recipient delimiter");
    QTest::newRow("other delimiter") << QString::fromUtf8("a#b") << QString::fromUtf8("recipient delimiter");
    QTest::newRow("slash") << QString::fromUtf8("a/b") << QString::fromUtf8("contains \"/\"");
    QTest::newRow("colon") << QString::fromUtf8("a:b") << QString::fromUtf8("contains \":\"");
    QTest::newRow("quote") << QString::fromUtf8("a\"b") << QString::fromUtf8("contains \"\"\"");
    QTest::newRow("non-ascii") << QString::fromUtf8("caf\u00e9") << QString::fromUtf8("contains \"\u00e9\"");
    QTest::newRow("kelvin sign") << QString::fromUtf8("\u212Aitchen") << QString::fromUtf8("contains");
    QTest::newRow("dotless i") << QString::fromUtf8("\u0131nfo") << QString::fromUtf8("contains");
    QTest::newRow("fullwidth") << QString::fromUtf8("\uFF54eam") << QString::fromUtf8("contains");
    QTest::newRow("nul") << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << QString::fromUtf8("contains \"\"");
    QTest::newRow("leading dash") << QString::fromUtf8("-x") << QString::fromUtf8("starts with \"-\"");
    QTest::newRow("leading dot") << QString::fromUtf8(".x") << QString::fromUtf8("starts with \".\"");
    QTest::newRow("trailing dot") << QString::fromUtf8("x.") << QString::fromUtf8("ends with '.'");
    QTest::newRow("double dot") << QString::fromUtf8("a..b") << QString::fromUtf8("contains \"..\"");
    QTest::newRow("at") << QString::fromUtf8("a@example.org") << QString::fromUtf8("'@'");
    for (const char *r : {"postmaster", "abuse", "root", "mailer-daemon", "hostmaster", "webmaster", "admin",
                          "administrator", "PostMaster", "ROOT"})
        QTest::addRow("reserved %s", r) << QString::fromLatin1(r) << QString::fromUtf8("reserved for the mail system");
    QTest::newRow("owner-*") << QString::fromUtf8("owner-x") << QString::fromUtf8("owner-* and *-request");
    QTest::newRow("*-request") << QString::fromUtf8("x-request") << QString::fromUtf8("owner-* and *-request");
    QTest::newRow("designated") << QString::fromUtf8("NewAlias") << QString::fromUtf8("address of this service");
    QTest::newRow("extra exact") << QString::fromUtf8("noc") << QString::fromUtf8("reserved on this server");
    QTest::newRow("extra pattern") << QString::fromUtf8("list-foo") << QString::fromUtf8("reserved on this server");
    QTest::newRow("extra pattern base") << QString::fromUtf8("listx") << ok;
}

void TestRequestMail::aliasNames()
{
    QFETCH(QString, name);
    QFETCH(QString, problem);
    RequestPolicy p = dataPolicy();
    p.recipientDelimiter = QStringLiteral("+#");
    const QString got = aliasNameProblem(name, p);
    if (problem.isEmpty()) {
        QVERIFY2(got.isEmpty(), qPrintable(got));
    } else {
        QVERIFY2(got.contains(problem), qPrintable(got + QStringLiteral(" <- ") + problem));
        QVERIFY(!hasControlCharacters(got));
    }
}

void TestRequestMail::destinations_data()
{
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("problem");
    const auto ok = QString();
    QTest::newRow("local") << QString::fromUtf8("bob") << ok;
    QTest::newRow("address") << QString::fromUtf8("bob@example.org") << ok;
    QTest::newRow("plus dot dash") << QString::fromUtf8("bob.smith+tag-x_y=z@mail.example.org") << ok;
    QTest::newRow("upper") << QString::fromUtf8("Bob@Example.ORG") << ok;
    QTest::newRow("single label domain") << QString::fromUtf8("bob@localhost") << ok;
    QTest::newRow("empty") << QString::fromUtf8("") << QString::fromUtf8("empty");
    QTest::newRow("pipe") << QString::fromUtf8("|cmd") << QString::fromUtf8("not allowed");
    QTest::newRow("file") << QString::fromUtf8("/var/mail/x") << QString::fromUtf8("not allowed");
    QTest::newRow("include") << QString::fromUtf8(":INCLUDE:/etc/x") << QString::fromUtf8("not allowed");
    QTest::newRow("quoted") << QString::fromUtf8("\"bob\"@example.org") << QString::fromUtf8("not a plain address");
    QTest::newRow("display") << QString::fromUtf8("Bob <bob@example.org>") << QString::fromUtf8("not a plain address");
    QTest::newRow("angle") << QString::fromUtf8("<bob@example.org>") << QString::fromUtf8("not a plain address");
    QTest::newRow("space") << QString::fromUtf8("bob smith") << QString::fromUtf8("not a plain address");
    QTest::newRow("two @") << QString::fromUtf8("a@b@c") << QString::fromUtf8("more than one '@'");
    QTest::newRow("no local") << QString::fromUtf8("@example.org") << QString::fromUtf8("no user name");
    QTest::newRow("no domain") << QString::fromUtf8("bob@") << QString::fromUtf8("invalid domain");
    QTest::newRow("dot domain") << QString::fromUtf8("bob@example..org") << QString::fromUtf8("invalid domain");
    QTest::newRow("trailing dot domain") << QString::fromUtf8("bob@example.org.") << QString::fromUtf8("invalid domain");
    QTest::newRow("literal") << QString::fromUtf8("bob@[192.0.2.1]") << QString::fromUtf8("invalid domain");
    QTest::newRow("idn") << QString::fromUtf8("bob@b\u00fccher.example") << QString::fromUtf8("invalid domain");
    QTest::newRow("leading dot") << QString::fromUtf8(".bob") << QString::fromUtf8("misplaced dot");
    QTest::newRow("double dot") << QString::fromUtf8("b..ob") << QString::fromUtf8("misplaced dot");
    QTest::newRow("leading dash") << QString::fromUtf8("-bob") << QString::fromUtf8("starts with '-'");
    QTest::newRow("shell") << QString::fromUtf8("bob$x") << QString::fromUtf8("contains \"$\"");
    QTest::newRow("percent") << QString::fromUtf8("bob%x@y") << QString::fromUtf8("contains \"%\"");
    QTest::newRow("bang") << QString::fromUtf8("host!bob") << QString::fromUtf8("contains \"!\"");
    QTest::newRow("hash") << QString::fromUtf8("#bob") << QString::fromUtf8("contains \"#\"");
    QTest::newRow("backslash") << QString::fromUtf8("bo\\b") << QString::fromUtf8("contains \"\\\"");
    QTest::newRow("non-ascii") << QString::fromUtf8("j\u00fcrgen") << QString::fromUtf8("contains \"\u00fc\"");
    QTest::newRow("65 local") << QString(65, QLatin1Char('b')) << QString::fromUtf8("longer than 64");
}

void TestRequestMail::destinations()
{
    QFETCH(QString, destination);
    QFETCH(QString, problem);
    const QString got = destinationProblem(destination);
    if (problem.isEmpty())
        QVERIFY2(got.isEmpty(), qPrintable(got));
    else
        QVERIFY2(got.contains(problem), qPrintable(got + QStringLiteral(" <- ") + problem));
}

void TestRequestMail::loginMapping_data()
{
    QTest::addColumn<QString>("login");
    QTest::addColumn<QString>("mailbox");
    QTest::addColumn<QString>("reply");
    QTest::newRow("bare") << QString::fromUtf8("alice") << QString::fromUtf8("alice") << QString::fromUtf8("alice@example.org");
    QTest::newRow("served") << QString::fromUtf8("alice@example.org") << QString::fromUtf8("alice") << QString::fromUtf8("alice@example.org");
    QTest::newRow("second served") << QString::fromUtf8("alice@example.com") << QString::fromUtf8("alice") << QString::fromUtf8("alice@example.com");
    QTest::newRow("served, other case") << QString::fromUtf8("alice@EXAMPLE.org") << QString::fromUtf8("alice") << QString::fromUtf8("alice@example.org");
    QTest::newRow("served, trailing dot") << QString::fromUtf8("alice@example.org.") << QString::fromUtf8("alice") << QString::fromUtf8("alice@example.org");
    QTest::newRow("foreign") << QString::fromUtf8("alice@Elsewhere.NET") << QString::fromUtf8("alice@elsewhere.net") << QString::fromUtf8("alice@elsewhere.net");
    QTest::newRow("subdomain is foreign") << QString::fromUtf8("alice@sub.example.org") << QString::fromUtf8("alice@sub.example.org")
                                          << QString::fromUtf8("alice@sub.example.org");
    QTest::newRow("blanks") << QString::fromUtf8(" alice ") << QString::fromUtf8("alice") << QString::fromUtf8("alice@example.org");
    QTest::newRow("empty") << QString::fromUtf8("") << QString::fromUtf8("") << QString::fromUtf8("");
    QTest::newRow("odd @ at start") << QString::fromUtf8("@example.org") << QString::fromUtf8("@example.org") << QString::fromUtf8("");
}

void TestRequestMail::loginMapping()
{
    QFETCH(QString, login);
    QFETCH(QString, mailbox);
    QFETCH(QString, reply);
    QCOMPARE(mailboxForLogin(login, dataPolicy()), mailbox);
    QCOMPARE(replyAddressForLogin(login, dataPolicy()), reply);
    // Without served domains, logins stay as they are and replies go to the bare login.
    RequestPolicy none;
    QCOMPARE(mailboxForLogin(QStringLiteral("alice"), none), QStringLiteral("alice"));
    QCOMPARE(replyAddressForLogin(QStringLiteral("alice"), none), QStringLiteral("alice"));
    QCOMPARE(none.designatedAddress(), QStringLiteral("makealias"));
}

void TestRequestMail::administrators()
{
    RequestPolicy p = dataPolicy();
    p.administrators = {QStringLiteral("ALICE@example.ORG"), QStringLiteral("root"),
                        QStringLiteral("carol@elsewhere.net")};
    QVERIFY(isAdministrator(QStringLiteral("alice"), p));
    QVERIFY(isAdministrator(QStringLiteral("Alice"), p));
    QVERIFY(isAdministrator(QStringLiteral("root"), p));
    QVERIFY(isAdministrator(QStringLiteral("carol@elsewhere.net"), p));
    QVERIFY(!isAdministrator(QStringLiteral("carol"), p));
    QVERIFY(!isAdministrator(QStringLiteral("dave"), p));
    QVERIFY(!isAdministrator(QString(), p));

    QVERIFY(isOwnMailbox(QStringLiteral("dave"), QStringLiteral("dave"), p));
    QVERIFY(isOwnMailbox(QStringLiteral("DAVE@example.com"), QStringLiteral("dave"), p));
    QVERIFY(!isOwnMailbox(QStringLiteral("dave@elsewhere.net"), QStringLiteral("dave"), p));
    QVERIFY(!isOwnMailbox(QStringLiteral("dave+tag"), QStringLiteral("dave"), p));
    QVERIFY(isOwnMailbox(QStringLiteral("carol@elsewhere.net"), QStringLiteral("carol@elsewhere.net"), p));
    QVERIFY(!isOwnMailbox(QStringLiteral("carol"), QStringLiteral("carol@elsewhere.net"), p));
}

// ---------------------------------------------------------------------------
// headers

void TestRequestMail::headersParse()
{
    static const char raw[] = "Received: a\n"
                         "\tb\n"
                         "Received: c\n"
                         "subject:   Hello\n"
                         "  world  \n"
                         "X-Nul: a\0b\n"
                         "X-8bit: caf\xe9\n"
                         "Subject : second\n"
                         "\n"
                         "Subject: body is never read\n";
    const QByteArray message(raw, sizeof(raw) - 1);
    const MailHeaders h = MailHeaders::parse(message);
    QCOMPARE(h.rawValues("received"), QList<QByteArray>({"a\tb", "c"}));
    QCOMPARE(h.count("SUBJECT"), 2);
    QCOMPARE(*h.rawValue("Subject"), QByteArray("Hello  world"));
    QCOMPARE(*h.decodedValue("Subject"), QStringLiteral("Hello  world"));
    QCOMPARE(h.decodedValues("Subject"), QStringList({QStringLiteral("Hello  world"), QStringLiteral("second")}));
    QCOMPARE(*h.rawValue("X-Nul"), QByteArray("a\0b", 3));
    QCOMPARE(*h.decodedValue("X-8bit"), QStringLiteral("caf\uFFFD"));
    QVERIFY(!h.decodedValue("Content-Type").has_value());
    QVERIFY(!h.contains("Body"));
    QCOMPARE(h.fields().size(), 6);
    QCOMPARE(h.fields().at(3).name, QByteArray("X-Nul"));

    // 08: CRLF, folded To and Date, a display name split inside a UTF-8 character.
    const MailHeaders c = MailHeaders::parse(corpusMail(QStringLiteral("08-rfc2047-folded-crlf")));
    QCOMPARE(*c.decodedValue("From"), QStringLiteral("Iv\u00e1n Example <ivan@example.org>"));
    QCOMPARE(*c.rawValue("To"), QByteArray("Alias Robot <newalias@example.org>"));
    QCOMPARE(*c.rawValue("Date"), QByteArray("Wed, 6 Mar 2024\t10:14:58 +0100"));
    QCOMPARE(*c.decodedValue("Subject"), QStringLiteral("alias: kitchen -> ivan@example.org, judy@example.org"));

    // 14: mbox "From " line, then the header block; the enclosed message is body.
    const MailHeaders b = MailHeaders::parse(corpusMail(QStringLiteral("14-bounce-dsn")));
    QCOMPARE(b.fields().first().name, QByteArray("Return-Path"));
    QCOMPARE(*b.decodedValue("Subject"), QStringLiteral("Undelivered Mail Returned to Sender"));
    QCOMPARE(b.count("Message-ID"), 1);

    // 04: a comment with escaped parentheses.
    const MailHeaders a = MailHeaders::parse(corpusMail(QStringLiteral("04-multipart-alt-applemail")));
    QCOMPARE(MailHeaders::leadingToken(*a.rawValue("Mime-Version")), QByteArray("1.0"));
    QCOMPARE(MailHeaders::leadingToken(*a.rawValue("Content-Type")), QByteArray("multipart/alternative"));
}

void TestRequestMail::headersLineEnds()
{
    const QByteArray lf = "A: 1\nB: two\n three\nSubject: =?utf-8?q?x?=\n\nbody\n";
    QByteArray crlf = lf;
    crlf.replace("\n", "\r\n");
    const MailHeaders l = MailHeaders::parse(lf);
    const MailHeaders c = MailHeaders::parse(crlf);
    QCOMPARE(l.fields().size(), 3);
    QCOMPARE(c.fields().size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(c.fields().at(i).name, l.fields().at(i).name);
        QCOMPARE(c.fields().at(i).value, l.fields().at(i).value);
    }
    QCOMPARE(*c.rawValue("B"), QByteArray("two three"));
    // A bare CR inside a line is kept (and so rejected as a control character in a Subject).
    QCOMPARE(*MailHeaders::parse("Subject: a\rb\n\n").rawValue("Subject"), QByteArray("a\rb"));
    // No empty line: everything is header. An empty message has no fields.
    QCOMPARE(MailHeaders::parse("A: 1\nB: 2").fields().size(), 2);
    QVERIFY(MailHeaders::parse(QByteArray()).isEmpty());
    QVERIFY(MailHeaders::parse("\nSubject: x\n").isEmpty());
}

void TestRequestMail::headersOddLines()
{
    const QByteArray m = " leading continuation\n"
                         "no colon here\n"
                         " its continuation\n"
                         "Bad Name: x\n"
                         " more\n"
                         "Good: yes\n"
                         "\x80" "8bit: no\n"
                         "Empty:\n"
                         "\n";
    const MailHeaders h = MailHeaders::parse(m);
    QCOMPARE(h.fields().size(), 2);
    QCOMPARE(*h.rawValue("Good"), QByteArray("yes"));
    QCOMPARE(*h.rawValue("Empty"), QByteArray());
}

void TestRequestMail::decodeText_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("decoded");
    QTest::newRow("plain") << QByteArray("alias: team") << QStringLiteral("alias: team");
    QTest::newRow("Q underscores") << QByteArray("=?UTF-8?Q?a_b=3Dc?=") << QStringLiteral("a b=c");
    QTest::newRow("q lower") << QByteArray("=?utf-8?q?caf=c3=a9?=") << QStringLiteral("caf\u00e9");
    QTest::newRow("B") << QByteArray("=?UTF-8?B?Y2Fmw6k=?=") << QStringLiteral("caf\u00e9");
    QTest::newRow("b lower, no padding") << QByteArray("=?utf-8?b?Y2Fmw6k?=") << QStringLiteral("caf\u00e9");
    QTest::newRow("latin1") << QByteArray("=?ISO-8859-1?Q?caf=E9?=") << QStringLiteral("caf\u00e9");
    QTest::newRow("windows-1252") << QByteArray("=?windows-1252?Q?=80?=") << QStringLiteral("\u20ac");
    QTest::newRow("koi8-r") << QByteArray("=?KOI8-R?B?8NLJ18XU?=") << QStringLiteral("\u041f\u0440\u0438\u0432\u0435\u0442");
    QTest::newRow("language") << QByteArray("=?utf-8*en?q?hi?=") << QStringLiteral("hi");
    QTest::newRow("adjacent words join") << QByteArray("=?utf-8?q?a?= \r\n =?utf-8?q?b?=") << QStringLiteral("ab");
    QTest::newRow("split character") << QByteArray("=?UTF-8?Q?Iv=C3?= =?UTF-8?Q?=A1n?=") << QStringLiteral("Iv\u00e1n");
    QTest::newRow("split character B") << QByteArray("=?UTF-8?B?ww==?= =?UTF-8?B?qQ==?=") << QStringLiteral("\u00e9");
    QTest::newRow("text between words") << QByteArray("=?utf-8?q?a?= x =?utf-8?q?b?=") << QStringLiteral("a x b");
    QTest::newRow("glued to text") << QByteArray("x=?utf-8?q?a?=y") << QStringLiteral("xay");
    QTest::newRow("two charsets") << QByteArray("=?utf-8?q?=C3=A9?= =?iso-8859-1?q?=E9?=") << QStringLiteral("\u00e9\u00e9");
    QTest::newRow("unknown charset") << QByteArray("=?x-nope?q?a?=") << QStringLiteral("=?x-nope?q?a?=");
    QTest::newRow("bad base64") << QByteArray("=?utf-8?b?!!!?=") << QStringLiteral("=?utf-8?b?!!!?=");
    QTest::newRow("bad encoding letter") << QByteArray("=?utf-8?x?a?=") << QStringLiteral("=?utf-8?x?a?=");
    QTest::newRow("unterminated") << QByteArray("=?utf-8?q?a") << QStringLiteral("=?utf-8?q?a");
    QTest::newRow("space inside word") << QByteArray("=?utf-8?q?a b?=") << QStringLiteral("=?utf-8?q?a b?=");
    QTest::newRow("raw tab is space") << QByteArray("a\tb") << QStringLiteral("a b");
    QTest::newRow("encoded tab kept") << QByteArray("=?utf-8?q?a=09b?=") << QStringLiteral("a\tb");
    QTest::newRow("encoded LF kept") << QByteArray("=?utf-8?q?a=0Ab?=") << QStringLiteral("a\nb");
    QTest::newRow("raw utf-8") << QByteArray("caf\xc3\xa9") << QStringLiteral("caf\u00e9");
    QTest::newRow("raw invalid") << QByteArray("caf\xe9!") << QStringLiteral("caf\uFFFD!");
    QTest::newRow("lone =?") << QByteArray("a =? b") << QStringLiteral("a =? b");
}

void TestRequestMail::decodeText()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, decoded);
    QCOMPARE(decodeHeaderText(raw), decoded);
}

void TestRequestMail::leadingToken_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("token");
    QTest::newRow("simple") << QByteArray("auto-replied") << QByteArray("auto-replied");
    QTest::newRow("comment") << QByteArray("auto-replied (vacation)") << QByteArray("auto-replied");
    QTest::newRow("comment first") << QByteArray("(x) No") << QByteArray("no");
    QTest::newRow("nested comment") << QByteArray("no (a (b) \\) c)") << QByteArray("no");
    QTest::newRow("params") << QByteArray("Multipart/Report; report-type=delivery-status")
                            << QByteArray("multipart/report");
    QTest::newRow("spaced") << QByteArray(" multipart / report ;") << QByteArray("multipart/report");
    QTest::newRow("empty") << QByteArray("") << QByteArray("");
}

void TestRequestMail::leadingToken()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, token);
    QCOMPARE(MailHeaders::leadingToken(raw), token);
}

// ---------------------------------------------------------------------------
// composition

void TestRequestMail::composeRejection()
{
    const QByteArray message = dataMail(QStringLiteral("name-bad-char"));
    const RequestDecision d = decideRequest(message, envelopeFor(QStringLiteral("dave@example.org"),
                                                                 QStringLiteral("dave@example.org")),
                                            dataPolicy());
    QCOMPARE(d.outcome, RequestDecision::Outcome::Reject);
    const QByteArray m = aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(m, "rejection", QStringLiteral("dave@example.org"));
    const MailHeaders h = MailHeaders::parse(m);
    QCOMPARE(*h.rawValue("From"), QByteArray("alias-sync <newalias@example.org>"));
    QCOMPARE(*h.decodedValue("Subject"), QStringLiteral("Alias request rejected: alias: sales!"));
    QCOMPARE(*h.rawValue("In-Reply-To"), QByteArray("<name-bad-char@client.example.org>"));
    QCOMPARE(*h.rawValue("References"), QByteArray("<name-bad-char@client.example.org>"));
    QVERIFY(h.rawValue("Message-ID")->endsWith("@mail.example.org>"));
    QCOMPARE(*h.rawValue("Content-Transfer-Encoding"), QByteArray("7bit"));
    const QByteArray body = bodyOf(m);
    QByteArray unwrapped = body;
    unwrapped.replace('\n', ' ');
    QVERIFY(unwrapped.contains("Reason: " + d.reason.toUtf8()));
    for (const QByteArray &line : body.split('\n'))
        QVERIFY2(line.size() <= 76, line.constData());
    QVERIFY(body.contains("alias: NAME -> DEST, DEST"));
    QVERIFY(body.contains("unalias: NAME"));
    QVERIFY(body.contains("aliases?"));
    QVERIFY(body.contains("recipient delimiter"));
    QVERIFY(body.contains("\n-- \nalias-sync on mail.example.org\n"));
    checkComposedIsIgnored(m);

    // No Message-ID in the request: no In-Reply-To or References.
    QByteArray noId = message;
    noId.replace("Message-ID: <name-bad-char@client.example.org>\n", "");
    const RequestDecision d2 = decideRequest(noId, envelopeFor(QStringLiteral("dave"), QStringLiteral("dave@example.org")),
                                             dataPolicy());
    const MailHeaders h2 = MailHeaders::parse(aliassync::composeRejection(d2, dataPolicy(), QStringLiteral("mail.example.org")));
    QVERIFY(!h2.contains("In-Reply-To"));
    QVERIFY(!h2.contains("References"));
    QCOMPARE(*h2.decodedValue("To"), QStringLiteral("dave@example.org"));

    // No Subject at all: a fixed Subject, no quoted one.
    const RequestDecision d3 = decideRequest(corpusMail(QStringLiteral("03-base64-no-subject")),
                                             envelopeFor(QStringLiteral("pat@example.org"), QStringLiteral("pat@example.org")),
                                             corpusPolicy());
    const QByteArray m3 = aliassync::composeRejection(d3, corpusPolicy(), QStringLiteral("mail.example.org"));
    QCOMPARE(*MailHeaders::parse(m3).decodedValue("Subject"), QStringLiteral("Alias request rejected"));
    QVERIFY(bodyOf(m3).contains("no request in the Subject"));
    QVERIFY(!bodyOf(m3).contains("printers")); // the body is never read nor echoed
}

void TestRequestMail::composeRejectionNonAscii()
{
    const RequestDecision d = decideRequest(dataMail(QStringLiteral("name-non-ascii")),
                                            envelopeFor(QStringLiteral("dave@example.org"), QStringLiteral("dave@example.org")),
                                            dataPolicy());
    const QByteArray m = aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(m, "rejection", QStringLiteral("dave@example.org"));
    const MailHeaders h = MailHeaders::parse(m);
    QVERIFY(h.rawValue("Subject")->startsWith("=?UTF-8?B?"));
    QCOMPARE(*h.decodedValue("Subject"), QStringLiteral("Alias request rejected: alias: caf\u00e9"));
    QCOMPARE(*h.rawValue("Content-Transfer-Encoding"), QByteArray("quoted-printable"));
    QVERIFY(decodedBodyOf(m).contains(QStringLiteral("\"caf\u00e9\"").toUtf8()));

    // 12: raw 8-bit Subject. The reply quotes U+FFFD, never the raw byte.
    const QByteArray raw = corpusMail(QStringLiteral("12-nul-8bit"));
    const RequestDecision d12 = decideRequest(raw, envelopeFor(QStringLiteral("olga@example.org"),
                                                               QStringLiteral("olga@example.org")),
                                              corpusPolicy());
    const QByteArray m12 = aliassync::composeRejection(d12, corpusPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(m12, "rejection", QStringLiteral("olga@example.org"));
    QVERIFY(!decodedBodyOf(m12).contains("caf\xe9"));
    QVERIFY(decodedBodyOf(m12).contains("caf\xef\xbf\xbd"));
    QCOMPARE(*MailHeaders::parse(m12).decodedValue("Subject"),
             QStringLiteral("Alias request rejected: alias: caf\uFFFD -> olga@example.org"));
}

void TestRequestMail::composeRejectionHostile_data()
{
    QTest::addColumn<QString>("subject");
    QTest::newRow("newline") << QStringLiteral("alias: a\nBcc: victim@example.net");
    QTest::newRow("crlf") << QStringLiteral("alias: a\r\n\r\nbody");
    QTest::newRow("nul") << QStringLiteral("alias: a") + QChar(0) + QStringLiteral("b");
    QTest::newRow("esc") << QStringLiteral("alias: \x1b[31mred");
    QTest::newRow("c1") << QStringLiteral("alias: a\u0085b\u009bc");
    QTest::newRow("bidi") << QStringLiteral("alias: \u202egnp.exe");
    QTest::newRow("line separator") << QStringLiteral("alias: a\u2028b");
    QTest::newRow("encoded-word look-alike") << QStringLiteral("=?utf-8?q?Bcc=3A_x?=");
    QTest::newRow("long") << QStringLiteral("alias: ") + QString(5000, QLatin1Char('x'));
    QTest::newRow("long non-ascii") << QStringLiteral("alias: ") + QString(500, QChar(0x00e9));
    QTest::newRow("astral") << QStringLiteral("alias: \U0001F600 party");
}

void TestRequestMail::composeRejectionHostile()
{
    QFETCH(QString, subject);
    RequestDecision d;
    d.outcome = RequestDecision::Outcome::Reject;
    d.reason = QStringLiteral("Reason with \"") + subject + QStringLiteral("\" in it.");
    d.request.replyAddress = QStringLiteral("dave@example.org");
    d.request.subject = subject;
    d.request.messageId = QStringLiteral("<x\ny@z>");
    const QByteArray m = aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org\nBcc: x"));
    checkComposedHeaders(m, "rejection", QStringLiteral("dave@example.org"));
    const MailHeaders h = MailHeaders::parse(m);
    QVERIFY(!h.contains("Bcc"));
    QVERIFY(!h.contains("In-Reply-To"));
    QVERIFY(h.rawValue("Message-ID")->endsWith("@alias-sync.invalid>"));
    const QString decodedSubject = *h.decodedValue("Subject");
    QVERIFY(!hasControlCharacters(decodedSubject));
    QVERIFY(decodedSubject.startsWith(QStringLiteral("Alias request rejected: ")));
    QVERIFY(decodedSubject.size() < 250);
    for (const QByteArray &line : m.split('\n'))
        QVERIFY2(!line.startsWith("Bcc:"), line.constData());
}

void TestRequestMail::composeNothingToSend()
{
    RequestDecision d;
    d.outcome = RequestDecision::Outcome::Ignore;
    d.request.replyAddress = QStringLiteral("dave@example.org");
    QVERIFY(aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org")).isEmpty());
    d.outcome = RequestDecision::Outcome::Act;
    QVERIFY(aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org")).isEmpty());
    d.outcome = RequestDecision::Outcome::Reject;
    QVERIFY(!aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org")).isEmpty());
    for (const QString &bad : {QString(), QStringLiteral("dave smith@example.org"),
                               QStringLiteral("dave@example.org\nBcc: x@example.net"), QStringLiteral("|cmd"),
                               QStringLiteral("dave@example.org, eve@example.net")}) {
        d.request.replyAddress = bad;
        QVERIFY2(aliassync::composeRejection(d, dataPolicy(), QStringLiteral("mail.example.org")).isEmpty(),
                 qPrintable(bad));
        AliasRequest r = sampleRequest(RequestKind::Create);
        r.replyAddress = bad;
        QVERIFY(aliassync::composeConfirmation(r, {}, dataPolicy(), QString()).isEmpty());
        QVERIFY(aliassync::composeResult(r, true, QStringLiteral("x"), dataPolicy(), QString()).isEmpty());
    }
}

void TestRequestMail::composeConfirmation()
{
    const AliasRequest r = sampleRequest(RequestKind::Create);
    const QByteArray m = aliassync::composeConfirmation(
        r, {QStringLiteral("team@example.org"), QStringLiteral("team@example.com")}, dataPolicy(),
        QStringLiteral("mail.example.org"));
    // A new alias is confirmed through itself.
    checkComposedHeaders(m, "confirmation", QStringLiteral("team@example.org"));
    const MailHeaders h = MailHeaders::parse(m);
    QCOMPARE(*h.decodedValue("Subject"), QStringLiteral("Alias created: team (on mail.example.org)"));
    QCOMPARE(*h.rawValue("In-Reply-To"), QByteArray("<req-1@client.example.org>"));
    QCOMPARE(*h.rawValue("Content-Transfer-Encoding"), QByteArray("7bit"));
    const QByteArray body = bodyOf(m);
    QVERIFY(body.contains("The alias \"team\" has been created; it delivers to dave,\nerin@example.org.")
            || body.contains("The alias \"team\" has been created; it delivers to dave, erin@example.org."));
    QVERIFY(body.contains("\n  team@example.org\n  team@example.com\n"));
    QVERIFY(body.contains("unalias: team"));
    checkComposedIsIgnored(m);

    const QByteArray del = aliassync::composeConfirmation(sampleRequest(RequestKind::Delete),
                                                          {QStringLiteral("team@example.org")}, dataPolicy(),
                                                          QStringLiteral("mail.example.org"));
    checkComposedHeaders(del, "confirmation", QStringLiteral("alice@example.org"));
    QCOMPARE(*MailHeaders::parse(del).decodedValue("Subject"), QStringLiteral("Alias deleted: team (on mail.example.org)"));
    QVERIFY(bodyOf(del).contains("no longer accept mail:\n  team@example.org\n"));
    checkComposedIsIgnored(del);

    // Hostile values in a request built by hand are stripped.
    AliasRequest bad = sampleRequest(RequestKind::Create);
    bad.name = QStringLiteral("te\nam");
    bad.destinations = {QStringLiteral("a\r\nBcc: x")};
    const QByteArray b = aliassync::composeConfirmation(bad, {QStringLiteral("x\ny")}, dataPolicy(), QString());
    checkComposedHeaders(b, "confirmation", QStringLiteral("alice@example.org"));
    QCOMPARE(*MailHeaders::parse(b).decodedValue("Subject"), QStringLiteral("Alias created: te am (on alias-sync.invalid)"));
    for (const QByteArray &line : b.split('\n'))
        QVERIFY(!line.startsWith("Bcc:") && line != "y");
    QVERIFY(bodyOf(b).contains("\n-- \nalias-sync\n"));
}

void TestRequestMail::composeResultList()
{
    AliasRequest r = sampleRequest(RequestKind::List);
    r.subject = QStringLiteral("aliases?");
    const QString text = QStringLiteral("team -> dave, erin@example.org\nsales -> alice\n");
    const QByteArray m = aliassync::composeResult(r, true, text, dataPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(m, "result", QStringLiteral("alice@example.org"));
    QCOMPARE(*MailHeaders::parse(m).decodedValue("Subject"), QStringLiteral("Your aliases"));
    QVERIFY(bodyOf(m).startsWith(text.toUtf8()));
    checkComposedIsIgnored(m);
}

void TestRequestMail::composeResultRejected()
{
    AliasRequest r = sampleRequest(RequestKind::Create);
    const QByteArray m = aliassync::composeResult(r, false, QStringLiteral("The name \"team\" exists already; choose another name."),
                                                  dataPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(m, "result", QStringLiteral("alice@example.org"));
    QCOMPARE(*MailHeaders::parse(m).decodedValue("Subject"),
             QStringLiteral("Alias request rejected: alias: team -> dave, erin@example.org"));
    QVERIFY(bodyOf(m).contains("not carried out"));
    QVERIFY(bodyOf(m).contains("exists already"));
    checkComposedIsIgnored(m);

    // Without a Subject the summary is built from the request.
    r.subject.clear();
    r.kind = RequestKind::Delete;
    const QByteArray m2 = aliassync::composeResult(r, true, QStringLiteral("ok"), dataPolicy(), QStringLiteral("h"));
    QCOMPARE(*MailHeaders::parse(m2).decodedValue("Subject"), QStringLiteral("Alias request done: unalias: team"));
}

void TestRequestMail::composeResultEncodings()
{
    const AliasRequest r = sampleRequest(RequestKind::List);

    // Non-ASCII text, short lines: quoted-printable all the same.
    const QString umlauts = QStringLiteral("J\u00fcrgen's team -> j\u00fcrgen\r\nend\x01\n");
    const QByteArray m8 = aliassync::composeResult(r, true, umlauts, dataPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(m8, "result", QStringLiteral("alice@example.org"));
    QCOMPARE(*MailHeaders::parse(m8).rawValue("Content-Transfer-Encoding"), QByteArray("quoted-printable"));
    QVERIFY(decodedBodyOf(m8).startsWith(QStringLiteral("J\u00fcrgen's team -> j\u00fcrgen\nend\n").toUtf8()));

    // A line longer than 998 octets, a lone "." line, a "From " line: quoted-printable.
    const QString longLine = QString(1200, QLatin1Char('x')) + QStringLiteral(" \u00e9 = end ");
    const QString text = longLine + QStringLiteral("\n.\nFrom here\ntrailing space \n");
    const QByteArray mq = aliassync::composeResult(r, true, text, dataPolicy(), QStringLiteral("mail.example.org"));
    checkComposedHeaders(mq, "result", QStringLiteral("alice@example.org"));
    QCOMPARE(*MailHeaders::parse(mq).rawValue("Content-Transfer-Encoding"), QByteArray("quoted-printable"));
    const QByteArray qpBody = bodyOf(mq);
    for (const QByteArray &line : qpBody.split('\n')) {
        QVERIFY(line.size() <= 76);
        QVERIFY(line != ".");
        QVERIFY(!line.startsWith("From "));
        QVERIFY(!line.endsWith(' '));
    }
    const QString decoded = QString::fromUtf8(decodeQuotedPrintable(qpBody));
    QVERIFY(decoded.startsWith(text));

    // quotedPrintable itself round-trips arbitrary bytes.
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        if (i != '\n')
            all += char(i);
    all += "\n\n x \n";
    QCOMPARE(decodeQuotedPrintable(quotedPrintable(all)), all);
}

void TestRequestMail::encodeHeaderTextRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("ascii") << QStringLiteral("Alias created: team");
    QTest::newRow("ascii long") << QStringLiteral("Alias request rejected: alias: team -> one@example.org, "
                                                  "two@example.org, three@example.org, four@example.org");
    QTest::newRow("ascii unbreakable") << QString(150, QLatin1Char('x'));
    QTest::newRow("non-ascii") << QStringLiteral("Alias request rejected: alias: caf\u00e9");
    QTest::newRow("non-ascii long") << QString(120, QChar(0x00e9));
    QTest::newRow("astral") << QString(30, QChar(0x4e2d)) + QStringLiteral("\U0001F600\U0001F600\U0001F600");
    QTest::newRow("looks encoded") << QStringLiteral("=?utf-8?q?x?=");
    QTest::newRow("empty") << QString();
}

void TestRequestMail::encodeHeaderTextRoundTrip()
{
    QFETCH(QString, text);
    const QByteArray encoded = encodeHeaderText(text, 7);
    const QByteArray message = "Subject: " + encoded + "\n\n";
    checkComposedBytes(message + "x");
    const QList<QByteArray> lines = message.split('\n');
    const bool breakable = text.contains(QLatin1Char(' ')) || !text.startsWith(QLatin1Char('x'));
    for (const QByteArray &line : lines)
        if (breakable)
            QVERIFY2(line.size() <= 78, line.constData());
    QCOMPARE(*MailHeaders::parse(message).decodedValue("Subject"), text);
}

void TestRequestMail::dateFormat()
{
    QCOMPARE(rfc5322Date(QDateTime(QDate(2024, 3, 5), QTime(10, 12, 0), QTimeZone(3600))),
             QByteArray("Tue, 05 Mar 2024 10:12:00 +0100"));
    QCOMPARE(rfc5322Date(QDateTime(QDate(2024, 12, 29), QTime(23, 5, 9), QTimeZone(-(3 * 3600 + 30 * 60)))),
             QByteArray("Sun, 29 Dec 2024 23:05:09 -0330"));
    QCOMPARE(rfc5322Date(QDateTime(QDate(2024, 1, 1), QTime(0, 0, 0), QTimeZone::utc())),
             QByteArray("Mon, 01 Jan 2024 00:00:00 +0000"));
}

void TestRequestMail::messageIdDomain()
{
    QCOMPARE(aliassync::messageIdDomain(QStringLiteral("mail.example.org")), QStringLiteral("mail.example.org"));
    QCOMPARE(aliassync::messageIdDomain(QStringLiteral(" mx1 ")), QStringLiteral("mx1"));
    QCOMPARE(aliassync::messageIdDomain(QString()), QStringLiteral("alias-sync.invalid"));
    QCOMPARE(aliassync::messageIdDomain(QStringLiteral("a b")), QStringLiteral("alias-sync.invalid"));
    QCOMPARE(aliassync::messageIdDomain(QStringLiteral("a>b")), QStringLiteral("alias-sync.invalid"));
    QCOMPARE(aliassync::messageIdDomain(QStringLiteral("b\u00fccher")), QStringLiteral("alias-sync.invalid"));
}

void TestRequestMail::sizeLimit()
{
    const Envelope dave = envelopeFor(QStringLiteral("dave@example.org"), QStringLiteral("dave@example.org"));
    const RequestDecision act = decideRequest(corpusMail(QStringLiteral("20-client-thunderbird-flowed")), dave, corpusPolicy());
    QCOMPARE(act.outcome, RequestDecision::Outcome::Act);

    // At the limit the decision is unchanged. One byte over, it is a rejection
    // that names both sizes, goes to the login and refers to the request.
    QCOMPARE(limitMessageSize(act, 65536, 65536).outcome, RequestDecision::Outcome::Act);
    const RequestDecision big = limitMessageSize(act, 65537, 65536);
    QCOMPARE(big.outcome, RequestDecision::Outcome::Reject);
    QVERIFY2(big.reason.contains(QLatin1String("65537 bytes")) && big.reason.contains(QLatin1String("65536 bytes")),
             qPrintable(big.reason));
    QCOMPARE(big.request.replyAddress, QStringLiteral("dave@example.org"));
    QVERIFY(!big.request.messageId.isEmpty());
    QVERIFY(!aliassync::composeRejection(big, corpusPolicy(), QStringLiteral("mx1.example.org")).isEmpty());

    // A large bounce stays unanswered.
    const RequestDecision bounce = decideRequest(corpusMail(QStringLiteral("14-bounce-dsn")),
                                                 envelopeFor(QString(), QStringLiteral("MAILER-DAEMON")), corpusPolicy());
    QCOMPARE(limitMessageSize(bounce, 10000000, 65536).outcome, RequestDecision::Outcome::Ignore);
}

void TestRequestMail::rateLimitCountsPerLogin()
{
    using Verdict = aliassync::RequestRateLimit::Verdict;
    aliassync::RequestRateLimit limit(3, std::chrono::minutes(60));
    const qint64 t0 = 1700000000000;

    for (int i = 0; i < 3; ++i)
        QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <m%1>").arg(i), t0 + i).verdict, Verdict::Admitted);

    // The fourth gets the one notice, with the time the first leaves the window.
    const auto fourth = limit.admit(QStringLiteral("Dave"), QStringLiteral("dave <m3>"), t0 + 10);
    QCOMPARE(fourth.verdict, Verdict::RejectedWithNotice);
    QCOMPARE(fourth.count, 3);
    QCOMPARE(fourth.retryAtMs, t0 + 3600000);
    // Later ones within the window: no second notice.
    QCOMPARE(limit.admit(QStringLiteral("dave"), QString(), t0 + 20).verdict, Verdict::RejectedSilently);
    QCOMPARE(limit.admit(QStringLiteral("dave"), QString(), t0 + 30).verdict, Verdict::RejectedSilently);

    // Another login has its own count.
    QCOMPARE(limit.admit(QStringLiteral("erin"), QString(), t0 + 40).verdict, Verdict::Admitted);
}

void TestRequestMail::rateLimitRedeliveryAndWindow()
{
    using Verdict = aliassync::RequestRateLimit::Verdict;
    aliassync::RequestRateLimit limit(2, std::chrono::minutes(60));
    const qint64 t0 = 1700000000000;
    const qint64 hour = 3600000;

    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <a>"), t0).verdict, Verdict::Admitted);
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <b>"), t0 + 1000).verdict, Verdict::Admitted);
    // Postfix delivering <a> again after a temporary failure: not a new request.
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <a>"), t0 + 2000).verdict, Verdict::Admitted);
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <c>"), t0 + 3000).verdict, Verdict::RejectedWithNotice);

    // The window slides: once <a> is an hour old, one more fits.
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <c>"), t0 + hour).verdict, Verdict::Admitted);
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <d>"), t0 + hour + 10).verdict, Verdict::RejectedSilently);
    // A notice an hour ago does not silence the next window.
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <d>"), t0 + 2 * hour + 3000).verdict,
             Verdict::Admitted);
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <e>"), t0 + 2 * hour + 3001).verdict,
             Verdict::Admitted);
    QCOMPARE(limit.admit(QStringLiteral("dave"), QStringLiteral("dave <f>"), t0 + 2 * hour + 3002).verdict,
             Verdict::RejectedWithNotice);
}

void TestRequestMail::rateLimitOff()
{
    aliassync::RequestRateLimit limit(0, std::chrono::minutes(60));
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(limit.admit(QStringLiteral("dave"), QString(), i).verdict, aliassync::RequestRateLimit::Verdict::Admitted);
}

QTEST_GUILESS_MAIN(TestRequestMail)
#include "tst_requestmail.moc"
