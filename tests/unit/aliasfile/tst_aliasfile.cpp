// Unit tests of core/aliasfile.
//
// The differential test builds every corpus file (tests/corpus/aliases) and
// every file in data/ with the real postalias(1) and compares the names and
// values it stores with AliasFile's. postalias is looked up in PATH, /usr/sbin
// and /usr/local/sbin; without it that test fails (package postfix), unless
// ALIAS_SYNC_SKIP_POSTALIAS=1 is set, which turns the failure into a skip.

#include "aliasfile.h"
#include "atomicfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace aliassync;

namespace {

const QString kCorpusDir = QStringLiteral(ALIAS_SYNC_CORPUS_DIR "/aliases");
const QString kDataDir = QStringLiteral(ALIAS_SYNC_TEST_DATA_DIR);
const QString kRecipientCases = QStringLiteral(ALIAS_SYNC_CORPUS_DIR "/recipients/recipient-delimiter.cases");

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
}

QStringList aliasFilesIn(const QString &dir)
{
    QStringList out;
    const QStringList names = QDir(dir).entryList({QStringLiteral("*.aliases")}, QDir::Files, QDir::Name);
    for (const QString &n : names)
        out << dir + QLatin1Char('/') + n;
    return out;
}

QStringList allAliasFiles()
{
    return aliasFilesIn(kCorpusDir) + aliasFilesIn(kDataDir);
}

QString postaliasPath()
{
    QString p = QStandardPaths::findExecutable(QStringLiteral("postalias"));
    if (p.isEmpty())
        p = QStandardPaths::findExecutable(QStringLiteral("postalias"),
                                           {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    return p;
}

// A configuration directory with a minimal main.cf, shared by all runs.
// Postfix waits (up to a few seconds) before it trusts a main.cf modified
// within the last second, so the file gets an old modification time.
QString postfixConfigDir()
{
    static QTemporaryDir dir;
    static bool ready = false;
    if (!ready) {
        const QString mainCf = dir.path() + QStringLiteral("/main.cf");
        writeAll(mainCf, "compatibility_level = 3.6\n");
        QFile f(mainCf);
        if (!f.open(QIODevice::ReadWrite)
            || !f.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-3600), QFileDevice::FileModificationTime))
            qWarning("cannot back-date %s; postalias will be slow", qPrintable(mainCf));
        ready = true;
    }
    return dir.path();
}

struct PostaliasResult {
    QString error;                        // non-empty when postalias could not be run
    QMap<QByteArray, QByteArray> stored;  // key -> value as postalias stores them
    QList<int> warnedLines;               // "line N" of each line warning
    int duplicateWarnings = 0;
    int leadingWhitespaceWarnings = 0;
    QByteArray stderrText;
};

// Builds bytes with the real postalias into a temporary directory (with its
// own minimal main.cf) and dumps what it stored.
PostaliasResult runPostalias(const QByteArray &bytes)
{
    PostaliasResult r;
    const QString exe = postaliasPath();
    if (exe.isEmpty()) {
        r.error = QStringLiteral("postalias not found (install the postfix package)");
        return r;
    }
    QTemporaryDir dir;
    if (!dir.isValid()) {
        r.error = QStringLiteral("cannot create a temporary directory");
        return r;
    }
    const QString conf = postfixConfigDir();
    const QString file = dir.path() + QStringLiteral("/aliases");
    writeAll(file, bytes);

    QProcess build;
    build.start(exe, {QStringLiteral("-c"), conf, QStringLiteral("hash:") + file});
    if (!build.waitForFinished(60000) || build.exitStatus() != QProcess::NormalExit || build.exitCode() != 0) {
        r.error = QStringLiteral("postalias failed: ") + QString::fromLocal8Bit(build.readAllStandardError());
        return r;
    }
    r.stderrText = build.readAllStandardError();
    const QRegularExpression lineRe(QStringLiteral("^postalias: warning: .*, line (\\d+): "));
    for (const QByteArray &l : r.stderrText.split('\n')) {
        const QString s = QString::fromUtf8(l);
        const auto m = lineRe.match(s);
        if (m.hasMatch())
            r.warnedLines << m.captured(1).toInt();
        if (s.contains(QLatin1String(": duplicate entry: ")))
            r.duplicateWarnings++;
        if (s.contains(QLatin1String("logical line must not start with whitespace")))
            r.leadingWhitespaceWarnings++;
    }

    // Into a file: reading a large dump through a pipe is slow with QProcess.
    const QString dumpFile = dir.path() + QStringLiteral("/dump");
    QProcess dump;
    dump.setStandardOutputFile(dumpFile);
    dump.start(exe, {QStringLiteral("-c"), conf, QStringLiteral("-s"), QStringLiteral("hash:") + file});
    if (!dump.waitForFinished(60000) || dump.exitStatus() != QProcess::NormalExit || dump.exitCode() != 0) {
        r.error = QStringLiteral("postalias -s failed: ") + QString::fromLocal8Bit(dump.readAllStandardError());
        return r;
    }
    // Each record is "key:<TAB>value<LF>". Keys never hold a tab (the
    // tokenizer turns white space in quoted names into spaces), so the first
    // ":<TAB>" ends the key. "@", "YP_LAST_MODIFIED" and "YP_MASTER_NAME"
    // are postalias's own records; it adds "@" last, so when the file itself
    // defines "@" postalias warns about its own record and the file's wins.
    const bool fileDefinesAt = r.stderrText.contains(": duplicate entry: \"@\"");
    if (fileDefinesAt)
        r.duplicateWarnings--;
    const QByteArray out = readAll(dumpFile);
    for (const QByteArray &rec : out.split('\n')) {
        if (rec.isEmpty())
            continue;
        const qsizetype sep = rec.indexOf(":\t");
        if (sep < 0) {
            r.error = QStringLiteral("unexpected postalias -s record: ") + QString::fromLatin1(rec.toHex());
            return r;
        }
        const QByteArray key = rec.left(sep);
        if ((key == "@" && !fileDefinesAt) || key == "YP_LAST_MODIFIED" || key == "YP_MASTER_NAME")
            continue;
        r.stored.insert(key, rec.mid(sep + 2));
    }
    return r;
}

QMap<QByteArray, QByteArray> effectiveMap(const AliasFile &file)
{
    QMap<QByteArray, QByteArray> out;
    for (const AliasEntry &e : file.entries()) {
        if (!out.contains(e.foldedName))
            out.insert(e.foldedName, e.value);
    }
    return out;
}

QString describeDifference(const QMap<QByteArray, QByteArray> &ours, const QMap<QByteArray, QByteArray> &theirs)
{
    QString d;
    for (auto it = theirs.cbegin(); it != theirs.cend(); ++it) {
        if (!ours.contains(it.key()))
            d += QStringLiteral("\n  only postalias: %1 -> %2").arg(QString::fromUtf8(it.key().toHex()),
                                                                   QString::fromUtf8(it.value().toHex()));
        else if (ours.value(it.key()) != it.value())
            d += QStringLiteral("\n  value of %1: ours %2, postalias %3")
                     .arg(QString::fromUtf8(it.key()), QString::fromUtf8(ours.value(it.key())),
                          QString::fromUtf8(it.value()));
    }
    for (auto it = ours.cbegin(); it != ours.cend(); ++it) {
        if (!theirs.contains(it.key()))
            d += QStringLiteral("\n  only ours: %1 -> %2").arg(QString::fromUtf8(it.key()),
                                                              QString::fromUtf8(it.value()));
    }
    return d;
}

// Compares AliasFile's reading of bytes with postalias's.
void compareWithPostalias(const QByteArray &bytes, const QString &label)
{
    const PostaliasResult pa = runPostalias(bytes);
    if (!pa.error.isEmpty()) {
        if (qEnvironmentVariableIntValue("ALIAS_SYNC_SKIP_POSTALIAS") == 1)
            QSKIP(qPrintable(pa.error));
        QFAIL(qPrintable(pa.error));
    }
    const AliasFile file = AliasFile::parse(bytes, label);
    const QMap<QByteArray, QByteArray> ours = effectiveMap(file);
    QVERIFY2(ours == pa.stored, qPrintable(label + describeDifference(ours, pa.stored)));

    // lookup() folds case and finds the first definition.
    for (auto it = pa.stored.cbegin(); it != pa.stored.cend(); ++it) {
        const AliasEntry *e = file.lookup(it.key());
        QVERIFY2(e, it.key().constData());
        QCOMPARE(e->value, it.value());
        const AliasEntry *upper = file.lookup(e->name.toUpper());
        QVERIFY(upper);
        if (e->name.toUpper().toLower() == e->foldedName) // ASCII-only names
            QCOMPARE(upper, e);
    }

    // Every line postalias warns about is warned about here too.
    QList<int> ourLines;
    int leading = 0;
    for (const AliasFileWarning &w : file.warnings()) {
        QCOMPARE(w.fileName, label);
        ourLines << w.line;
        if (w.message.contains(QLatin1String("must not start with white space")))
            leading++;
    }
    for (int line : pa.warnedLines)
        QVERIFY2(ourLines.contains(line), qPrintable(QStringLiteral("%1: postalias warns about line %2, we do not")
                                                         .arg(label)
                                                         .arg(line)));
    int duplicates = 0;
    {
        QSet<QByteArray> seen;
        for (const AliasEntry &e : file.entries()) {
            if (seen.contains(e.foldedName))
                duplicates++;
            seen.insert(e.foldedName);
        }
    }
    QCOMPARE(duplicates, pa.duplicateWarnings);
    QCOMPARE(leading, pa.leadingWhitespaceWarnings);
}

AliasMetadata md(const char *txid, const char *by = "alice@example.org",
                 const char *at = "2024-03-05T10:12:00Z", const char *server = "mx1.example.org")
{
    AliasMetadata m;
    m.txid = txid;
    m.createdBy = by;
    m.createdAt = QDateTime::fromString(QString::fromLatin1(at), Qt::ISODate).toUTC();
    m.server = server;
    return m;
}

bool hasWarningAt(const AliasFile &f, int line, const char *containing)
{
    for (const AliasFileWarning &w : f.warnings()) {
        if (w.line == line && w.message.contains(QLatin1String(containing)))
            return true;
    }
    return false;
}

// A small file with three managed entries, used by the fingerprint tests.
const QByteArray kManagedExample =
    "# alias-sync: txid=t-0001 created-by=alice@example.org created-at=2024-03-05T10:12:00Z server=mx1.example.org\n"
    "sales-team: alice@example.org, bob@example.org\n"
    "postmaster: root\n"
    "# alias-sync: txid=t-0002 created-by=admin:carol created-at=2024-03-06T08:00:00Z server=mx2.example.org\n"
    "helpdesk: carol@example.org\n";

// Compares every observable part of actual with a fresh parse of its bytes.
void compareWithFullParse(const AliasFile &actual, const QString &label)
{
    const AliasFile expected = AliasFile::parse(actual.toBytes(), actual.fileName());
    QCOMPARE(actual.toBytes(), expected.toBytes());
    QCOMPARE(actual.entries().size(), expected.entries().size());
    for (qsizetype i = 0; i < expected.entries().size(); ++i) {
        const AliasEntry &a = actual.entries()[i];
        const AliasEntry &e = expected.entries()[i];
        const QByteArray where = (label + QStringLiteral(", entry %1").arg(i)).toUtf8();
        QVERIFY2(a.name == e.name, where.constData());
        QVERIFY2(a.foldedName == e.foldedName, where.constData());
        QVERIFY2(a.value == e.value, where.constData());
        QVERIFY2(a.destinations == e.destinations, where.constData());
        QVERIFY2(a.firstLine == e.firstLine, where.constData());
        QVERIFY2(a.lastLine == e.lastLine, where.constData());
        QVERIFY2(a.managed == e.managed, where.constData());
        QVERIFY2(a.metadata == e.metadata, where.constData());
        QVERIFY2(actual.lookup(a.name) == &actual.entries()[expected.lookup(e.name) - &expected.entries()[0]],
                 where.constData());
    }
    QCOMPARE(actual.warnings().size(), expected.warnings().size());
    for (qsizetype i = 0; i < expected.warnings().size(); ++i) {
        QCOMPARE(actual.warnings()[i].fileName, expected.warnings()[i].fileName);
        QCOMPARE(actual.warnings()[i].line, expected.warnings()[i].line);
        QCOMPARE(actual.warnings()[i].message, expected.warnings()[i].message);
    }
    QCOMPARE(actual.managedEntries().size(), expected.managedEntries().size());
    QCOMPARE(actual.canonicalManagedForm(), expected.canonicalManagedForm());
    QCOMPARE(actual.fingerprint(), expected.fingerprint());
    QCOMPARE(actual.fingerprint(),
             QCryptographicHash::hash(expected.canonicalManagedForm(), QCryptographicHash::Sha256).toHex());
}

// Adds two managed entries to bytes and compares the state after each
// addManaged() with a full parse of the result. A name that is already
// present is skipped: addManaged() rejects it before it parses anything.
void addAndCompare(const QByteArray &bytes, const QString &label)
{
    AliasFile file = AliasFile::parse(bytes, label);
    QString error;
    for (const QByteArray &name : {QByteArray("zz-incremental"), QByteArray("ZZ-Second")}) {
        if (file.lookup(name))
            continue;
        QVERIFY2(file.addManaged(name, {"alice@example.org", "bob"}, md("t-inc", "admin:root"), &error),
                 qPrintable(label + QStringLiteral(": ") + error));
        compareWithFullParse(file, label + QStringLiteral(" + ") + QString::fromLatin1(name));
        if (QTest::currentTestFailed())
            return;
    }
}

} // namespace

class TestAliasFile : public QObject
{
    Q_OBJECT

private slots:
    void differential_data();
    void differential();
    void differentialRandom_data();
    void differentialRandom();
    void differentialCaseFolding();
    void differentialLongLines();
    void roundTrip_data();
    void roundTrip();
    void recipientDelimiter_data();
    void recipientDelimiter();
    void corpusDetails();
    void lineEndsAndContinuations();
    void load();
    void metadataParsing();
    void metadataMalformed_data();
    void metadataMalformed();
    void addManaged();
    void addManagedWithoutFinalNewline();
    void addManagedCrlf();
    void addManagedMetadataEncoding();
    void addManagedMatchesFullParse();
    void rejectsInjection_data();
    void rejectsInjection();
    void rejectsPresentName();
    void removeManaged();
    void removeManagedAcrossComments();
    void removeRefusesUnmanaged();
    void fingerprintInvariance();
    void fingerprintSensitivity();
    void canonicalFormSpecExample();
    void atomicWriteNewFile();
    void atomicWriteKeepsModeAndOwner();
    void atomicWriteThroughSymlink();
    void atomicWriteFailure();
};

// ---------------------------------------------------------------------------

void TestAliasFile::differential_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = allAliasFiles();
    QVERIFY(aliasFilesIn(kCorpusDir).size() >= 8);
    for (const QString &p : files)
        QTest::newRow(qPrintable(QFileInfo(p).fileName())) << p;
}

void TestAliasFile::differential()
{
    QFETCH(QString, path);
    // The inputs are read only; postalias works on a copy in a temporary directory.
    compareWithPostalias(readAll(path), path);
}

// Random files built from the pieces that matter to the tokenizer and the
// line reader, compared with postalias. The seeds are fixed so that a
// failure can be reproduced; ALIAS_SYNC_RANDOM_FILES raises the count.
QByteArray randomAliasFile(QRandomGenerator &rng)
{
    static const QList<QByteArray> pieces{
        "a", "b", "Root", "x.y", "u@h", "%", "!", "|", "/", ":", ":include:", "::", ",", ", ", ",,", ";",
        "<", ">", "<>", "[", "]", "[1.2.3.4]", "(", ")", "(c)", "(a(b)c)", "\\", "\\", "\\ ", "\\,",
        "\"", "\"q\"", "\"a b\"", "\"\\\"\"", "\"\"", "#", " # ", " ", "  ", "\t", "\r", "\x01",
        "\xc3\x84", "\xc3\x9f", "\xce\xa3", "\xff", "\xc3", QByteArray("\0", 1), "\x7f", "=", "'"};
    static const QList<QByteArray> starts{"", "", "", "", " ", "\t", "#", "# ", "\r"};
    static const QList<QByteArray> ends{"\n", "\n", "\n", "\r\n", "\r\n", " \n", "\r"};
    QByteArray out;
    const int lines = 1 + rng.bounded(8);
    for (int l = 0; l < lines; ++l) {
        out += starts[rng.bounded(starts.size())];
        const int n = rng.bounded(9);
        for (int k = 0; k < n; ++k) {
            out += pieces[rng.bounded(pieces.size())];
            if (k == 1 && rng.bounded(3) != 0)
                out += ": ";
        }
        if (l + 1 < lines || rng.bounded(4) != 0)
            out += ends[rng.bounded(ends.size())];
    }
    return out;
}

void TestAliasFile::differentialRandom_data()
{
    QTest::addColumn<quint32>("seed");
    const int count = qMax(40, qEnvironmentVariableIntValue("ALIAS_SYNC_RANDOM_FILES"));
    for (int i = 0; i < count; ++i)
        QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(i + 1))) << quint32(i + 1);
}

void TestAliasFile::differentialRandom()
{
    QFETCH(quint32, seed);
    QRandomGenerator rng(seed);
    QByteArray bytes;
    for (int i = 0; i < 5; ++i)
        bytes += randomAliasFile(rng);
    compareWithPostalias(bytes, QStringLiteral("random-%1 (hex %2)").arg(seed).arg(QString::fromLatin1(bytes.toHex())));
    QCOMPARE(AliasFile::parse(bytes, {}).toBytes(), bytes);
}

// Every code point from U+0080 to U+1FFFF (all that have case mappings)
// in a name: the folded keys must be postalias's (ICU full case folding).
void TestAliasFile::differentialCaseFolding()
{
    QByteArray bytes;
    for (char32_t cp = 0x80; cp < 0x20000; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        bytes += "k" + QByteArray::number(uint(cp), 16) + "-" + QString::fromUcs4(&cp, 1).toUtf8() + ": v\n";
    }
    compareWithPostalias(bytes, QStringLiteral("case folding"));
    const AliasFile f = AliasFile::parse(bytes, {});
    QCOMPARE(f.lookup("K1E9E-\xe1\xba\x9e")->foldedName, QByteArray("k1e9e-ss")); // capital sharp s
    QCOMPARE(f.lookup("k1e9e-SS"), f.lookup("K1E9E-\xe1\xba\x9e"));
}

void TestAliasFile::differentialLongLines()
{
    QByteArray bytes = "big: ";
    for (int i = 0; i < 5000; ++i)
        bytes += (i ? ", user" : "user") + QByteArray::number(i) + "@example.org";
    bytes += "\ncomment: (" + QByteArray(3000, 'x') + ") y\n";
    bytes += "continued: a,\n";
    for (int i = 0; i < 2000; ++i)
        bytes += "\t" + QByteArray::number(i) + ",\n# c\n\n";
    compareWithPostalias(bytes, QStringLiteral("long lines"));
    const AliasFile f = AliasFile::parse(bytes, {});
    QCOMPARE(f.lookup("big")->destinations.size(), 5000);
    QCOMPARE(f.lookup("continued")->destinations.size(), 2001);
    QCOMPARE(f.lookup("continued")->lastLine, 3 + 3 * 2000 - 2);
}

void TestAliasFile::roundTrip_data()
{
    differential_data();
}

void TestAliasFile::roundTrip()
{
    QFETCH(QString, path);
    const QByteArray bytes = readAll(path);
    QCOMPARE(AliasFile::parse(bytes, path).toBytes(), bytes);
    QString error;
    const auto loaded = AliasFile::load(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->toBytes(), bytes);
    QCOMPARE(loaded->fileName(), path);
}

void TestAliasFile::corpusDetails()
{
    const QString p2 = kCorpusDir + QStringLiteral("/02-continuation-comments.aliases");
    const AliasFile f2 = AliasFile::parse(readAll(p2), p2);
    QCOMPARE(f2.entries().size(), 4);
    const AliasEntry *staff = f2.lookup("STAFF");
    QVERIFY(staff);
    QCOMPARE(staff->name, QByteArray("staff"));
    QCOMPARE(staff->value, QByteArray("alice, bob, carol"));
    QCOMPARE(staff->destinations, (QList<QByteArray>{"alice", "bob", "carol"}));
    QCOMPARE(staff->firstLine, 3);
    QCOMPARE(staff->lastLine, 5);
    const AliasEntry *oncall = f2.lookup("oncall");
    QVERIFY(oncall);
    QCOMPARE(oncall->value, QByteArray("dave, erin"));
    QCOMPARE(oncall->firstLine, 6);
    QCOMPARE(oncall->lastLine, 8);
    QCOMPARE(f2.lookup("backup")->value, QByteArray("grace"));
    QVERIFY(!f2.lookup("orphan"));
    QVERIFY(hasWarningAt(f2, 2, "white space"));

    const QString p6 = kCorpusDir + QStringLiteral("/06-quoted-names-colon.aliases");
    const AliasFile f6 = AliasFile::parse(readAll(p6), p6);
    QCOMPARE(f6.lookup("info:sales")->value, QByteArray("dave"));
    QCOMPARE(f6.lookup("HELP DESK")->name, QByteArray("help desk"));
    QCOMPARE(f6.lookup("mixed case")->name, QByteArray("Mixed Case"));
    QCOMPARE(f6.lookup("odd\"quote")->value, QByteArray("ivan"));
    QCOMPARE(f6.lookup("plain")->value, QByteArray("\"weird:local\"@example.org"));
    QVERIFY(!f6.lookup("user@example.org"));
    QVERIFY(hasWarningAt(f6, 7, "local"));

    const QString p5 = kCorpusDir + QStringLiteral("/05-special-targets.aliases");
    const AliasFile f5 = AliasFile::parse(readAll(p5), p5);
    QCOMPARE(f5.lookup("helpdesk")->destinations,
             (QList<QByteArray>{"carol", "\"|/usr/local/bin/notify --quiet\"", "/var/log/helpdesk.mbox"}));

    const QString p7 = kCorpusDir + QStringLiteral("/07-duplicates-case.aliases");
    const AliasFile f7 = AliasFile::parse(readAll(p7), p7);
    QCOMPARE(f7.entries().size(), 7);
    QCOMPARE(f7.lookup("ROOT")->value, QByteArray("alice"));
    QCOMPARE(f7.lookup("postmaster")->value, QByteArray("root"));
    QVERIFY(hasWarningAt(f7, 4, "duplicate"));
    QVERIFY(hasWarningAt(f7, 5, "duplicate"));
    QVERIFY(hasWarningAt(f7, 6, "duplicate"));
    QVERIFY(hasWarningAt(f7, 8, "duplicate"));

    const QString p11 = kCorpusDir + QStringLiteral("/11-syntax-errors.aliases");
    const AliasFile f11 = AliasFile::parse(readAll(p11), p11);
    for (int line : {2, 3, 4, 5, 9})
        QVERIFY2(hasWarningAt(f11, line, "name:value"), qPrintable(QString::number(line)));
    QCOMPARE(f11.lookup("bob")->value, QByteArray("erin # trailing text is NOT a comment"));
    QCOMPARE(f11.lookup("paren")->destinations, (QList<QByteArray>{"frank (Frank, night shift)"}));

    // The corpus's example metadata lines are not alias-sync's format.
    const QString p12 = kCorpusDir + QStringLiteral("/12-metadata-comments.aliases");
    const AliasFile f12 = AliasFile::parse(readAll(p12), p12);
    QVERIFY(f12.managedEntries().isEmpty());
    QCOMPARE(f12.lookup("helpdesk")->lastLine, 10);
}

void TestAliasFile::lineEndsAndContinuations()
{
    const QString p3 = kCorpusDir + QStringLiteral("/03-crlf-trailing-ws.aliases");
    const AliasFile f3 = AliasFile::parse(readAll(p3), p3);
    QCOMPARE(f3.lookup("postmaster")->value, QByteArray("root"));
    QCOMPARE(f3.lookup("webmaster")->value, QByteArray("www-admin"));
    QCOMPARE(f3.lookup("lists")->destinations, (QList<QByteArray>{"alice@example.org", "bob@example.org"}));
    QCOMPARE(f3.lookup("lists")->lastLine, 6);
    QVERIFY(f3.warnings().isEmpty());

    // Bare CR does not end a line (postalias splits on LF only).
    const AliasFile cr = AliasFile::parse("a: b\rc: d\r\n", QStringLiteral("cr"));
    QCOMPARE(cr.entries().size(), 1);
    QCOMPARE(cr.lookup("a")->value, QByteArray("b c:d"));

    const AliasFile nofinal = AliasFile::parse("a: b\nc: d", QStringLiteral("nofinal"));
    QCOMPARE(nofinal.entries().size(), 2);
    QCOMPARE(nofinal.lookup("c")->lastLine, 2);

    const AliasFile d = AliasFile::parse("x: a,, b,\n", QStringLiteral("d"));
    QCOMPARE(d.lookup("x")->value, QByteArray("a, , b, "));
    QCOMPARE(d.lookup("x")->destinations, (QList<QByteArray>{"a", "b"}));
}

void TestAliasFile::load()
{
    QTemporaryDir dir;
    QString error;
    const auto missing = AliasFile::load(dir.path() + QStringLiteral("/none"), &error);
    QVERIFY(missing);
    QVERIFY(missing->entries().isEmpty());
    QVERIFY(missing->toBytes().isEmpty());

    const auto directory = AliasFile::load(dir.path(), &error);
    QVERIFY(!directory);
    QVERIFY2(error.contains(dir.path()), qPrintable(error));
}

void TestAliasFile::metadataParsing()
{
    const QString p = kDataDir + QStringLiteral("/managed-entries.aliases");
    const AliasFile f = AliasFile::parse(readAll(p), p);

    const AliasEntry *sales = f.lookup("sales-team");
    QVERIFY(sales && sales->managed);
    QCOMPARE(sales->metadata, md("t-0001"));

    // Keys in any order, extra spaces, an unknown key, no space after '#'.
    const AliasEntry *helpdesk = f.lookup("helpdesk");
    QVERIFY(helpdesk && helpdesk->managed);
    QCOMPARE(helpdesk->metadata, md("t-0002", "admin:carol", "2024-03-06T08:00:00Z", "mx2.example.org"));
    QCOMPARE(helpdesk->firstLine, 6);
    QCOMPARE(helpdesk->lastLine, 8);
    QCOMPARE(helpdesk->value, QByteArray("carol@example.org, dave@example.org"));

    const AliasEntry *erin = f.lookup("erin");
    QVERIFY(erin && erin->managed);
    QCOMPARE(erin->metadata.createdBy, QByteArray("erin smith@example.org"));
    QCOMPARE(erin->metadata.createdAt.timeSpec(), Qt::UTC);

    QVERIFY(!f.lookup("postmaster")->managed);
    QVERIFY(!f.lookup("bad-time")->managed);
    QVERIFY(hasWarningAt(f, 11, "created-at"));
    QVERIFY(!f.lookup("no-created-at")->managed);
    QVERIFY(hasWarningAt(f, 13, "created-at"));
    QVERIFY(!f.lookup("separated")->managed);
    QVERIFY(hasWarningAt(f, 15, "not directly above"));
    QVERIFY(!f.lookup("unmanaged")->managed);
    QVERIFY(hasWarningAt(f, 21, "not directly above"));
    for (const AliasFileWarning &w : f.warnings())
        QCOMPARE(w.fileName, p);

    // The shadowed duplicate is managed too; lookup() still gives the first.
    const QList<AliasEntry> managed = f.managedEntries();
    QCOMPARE(managed.size(), 4);
    QCOMPARE(managed.last().name, QByteArray("sales-TEAM"));
    QCOMPARE(f.lookup("SALES-team")->metadata.txid, QByteArray("t-0001"));
}

void TestAliasFile::metadataMalformed_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("why");
    QTest::newRow("no txid") << QByteArray("# alias-sync: created-by=a created-at=2024-03-05T10:12:00Z server=s")
                             << "txid";
    QTest::newRow("no server") << QByteArray("# alias-sync: txid=1 created-by=a created-at=2024-03-05T10:12:00Z")
                               << "server";
    QTest::newRow("no created-by") << QByteArray("# alias-sync: txid=1 created-at=2024-03-05T10:12:00Z server=s")
                                   << "created-by";
    QTest::newRow("local time") << QByteArray("# alias-sync: txid=1 created-by=a created-at=2024-03-05T10:12:00 server=s")
                                << "created-at";
    QTest::newRow("offset") << QByteArray("# alias-sync: txid=1 created-by=a created-at=2024-03-05T10:12:00+01:00 server=s")
                            << "created-at";
    QTest::newRow("feb 30") << QByteArray("# alias-sync: txid=1 created-by=a created-at=2024-02-30T10:12:00Z server=s")
                            << "created-at";
    QTest::newRow("hour 24") << QByteArray("# alias-sync: txid=1 created-by=a created-at=2024-02-03T24:00:00Z server=s")
                             << "created-at";
    QTest::newRow("bad percent") << QByteArray("# alias-sync: txid=1%2 created-by=a created-at=2024-03-05T10:12:00Z server=s")
                                 << "percent";
    QTest::newRow("bad hex") << QByteArray("# alias-sync: txid=1%G0 created-by=a created-at=2024-03-05T10:12:00Z server=s")
                             << "percent";
    QTest::newRow("twice") << QByteArray("# alias-sync: txid=1 txid=2 created-by=a created-at=2024-03-05T10:12:00Z server=s")
                           << "twice";
    QTest::newRow("empty") << QByteArray("# alias-sync: txid= created-by=a created-at=2024-03-05T10:12:00Z server=s")
                           << "empty";
    QTest::newRow("not key=value") << QByteArray("# alias-sync: txid=1 created-by=a created-at=2024-03-05T10:12:00Z server=s junk")
                                   << "key=value";
    QTest::newRow("nothing") << QByteArray("# alias-sync:") << "missing";
}

void TestAliasFile::metadataMalformed()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, why);
    const QByteArray bytes = "first: x\n" + line + "\nname: dest\n";
    const AliasFile f = AliasFile::parse(bytes, QStringLiteral("/etc/test-aliases"));
    QVERIFY(f.lookup("name"));
    QVERIFY(!f.lookup("name")->managed);
    QVERIFY(f.managedEntries().isEmpty());
    QCOMPARE(f.warnings().size(), 1);
    const AliasFileWarning w = f.warnings().first();
    QCOMPARE(w.fileName, QStringLiteral("/etc/test-aliases"));
    QCOMPARE(w.line, 2);
    QVERIFY2(w.message.contains(why), qPrintable(w.message));
}

void TestAliasFile::addManaged()
{
    AliasFile f = AliasFile::parse({}, QStringLiteral("new"));
    QString error;
    QVERIFY2(f.addManaged("sales-team", {"alice@example.org", "bob@example.org"}, md("t-1"), &error),
             qPrintable(error));
    QCOMPARE(f.toBytes(),
             QByteArray("# alias-sync: txid=t-1 created-by=alice@example.org created-at=2024-03-05T10:12:00Z "
                        "server=mx1.example.org\nsales-team: alice@example.org, bob@example.org\n"));
    const AliasEntry *e = f.lookup("Sales-Team");
    QVERIFY(e && e->managed);
    QCOMPARE(e->metadata, md("t-1"));
    QCOMPARE(e->firstLine, 2);
    QVERIFY(f.warnings().isEmpty());

    QVERIFY2(f.addManaged("Kitchen", {"ivan@example.org"}, md("t-2", "admin:alice"), &error), qPrintable(error));
    QCOMPARE(f.managedEntries().size(), 2);
    QCOMPARE(f.lookup("kitchen")->name, QByteArray("Kitchen"));
    compareWithPostalias(f.toBytes(), QStringLiteral("added"));

    // Appending to every corpus file keeps the rest byte for byte and
    // postalias agrees with the result.
    for (const QString &p : allAliasFiles()) {
        const QByteArray before = readAll(p);
        AliasFile g = AliasFile::parse(before, p);
        QVERIFY2(g.addManaged("zz-new", {"alice@example.org"}, md("t-3"), &error), qPrintable(p + error));
        QVERIFY(g.toBytes().startsWith(before));
        QVERIFY(g.lookup("zz-new")->managed);
        compareWithPostalias(g.toBytes(), p + QStringLiteral(" + zz-new"));
        QVERIFY2(g.removeManaged("zz-new", &error), qPrintable(p + error));
        if (before.isEmpty() || before.endsWith('\n'))
            QCOMPARE(g.toBytes(), before);
    }
}

void TestAliasFile::addManagedWithoutFinalNewline()
{
    const QByteArray before = readAll(kDataDir + QStringLiteral("/no-final-newline.aliases"));
    QVERIFY(!before.endsWith('\n'));
    AliasFile f = AliasFile::parse(before, QStringLiteral("x"));
    QString error;
    QVERIFY2(f.addManaged("new", {"dave@example.org"}, md("t-9"), &error), qPrintable(error));
    QCOMPARE(f.toBytes(), before + "\n" + AliasFile::formatMetadataLine(md("t-9")) + "\nnew: dave@example.org\n");
    QCOMPARE(f.lookup("last")->value, QByteArray("bob, carol"));
    QCOMPARE(f.lookup("new")->value, QByteArray("dave@example.org"));
    compareWithPostalias(f.toBytes(), QStringLiteral("no-final-newline + new"));

    QVERIFY2(f.removeManaged("new", &error), qPrintable(error));
    QCOMPARE(f.toBytes(), before + "\n");
}

void TestAliasFile::addManagedCrlf()
{
    const QString p3 = kCorpusDir + QStringLiteral("/03-crlf-trailing-ws.aliases");
    const QByteArray before = readAll(p3);
    AliasFile f = AliasFile::parse(before, p3);
    QString error;
    QVERIFY2(f.addManaged("sales", {"alice@example.org", "bob@example.org"}, md("t-4"), &error), qPrintable(error));
    QCOMPARE(f.toBytes(), before + AliasFile::formatMetadataLine(md("t-4"))
                              + "\r\nsales: alice@example.org, bob@example.org\r\n");
    QVERIFY(f.lookup("sales")->managed);
    compareWithPostalias(f.toBytes(), QStringLiteral("crlf + sales"));

    // A CRLF file without a final line end gets CRLF first.
    AliasFile g = AliasFile::parse("a: b\r\nc: d", QStringLiteral("g"));
    QVERIFY2(g.addManaged("e", {"f"}, md("t-5"), &error), qPrintable(error));
    QCOMPARE(g.toBytes(), "a: b\r\nc: d\r\n" + AliasFile::formatMetadataLine(md("t-5")) + "\r\ne: f\r\n");
    // ... and only the LF when it ends in a bare CR.
    AliasFile h = AliasFile::parse("a: b\r\nc: d\r", QStringLiteral("h"));
    QVERIFY2(h.addManaged("e", {"f"}, md("t-5"), &error), qPrintable(error));
    QCOMPARE(h.toBytes(), "a: b\r\nc: d\r\n" + AliasFile::formatMetadataLine(md("t-5")) + "\r\ne: f\r\n");
    // A file whose first line ends in LF stays LF.
    AliasFile k = AliasFile::parse("a: b\nc: d\r\n", QStringLiteral("k"));
    QVERIFY2(k.addManaged("e", {"f"}, md("t-5"), &error), qPrintable(error));
    QVERIFY(k.toBytes().endsWith("\ne: f\n") && !k.toBytes().endsWith("\r\ne: f\n"));
}

void TestAliasFile::addManagedMetadataEncoding()
{
    AliasMetadata m = md("tx 1/α", "admin:bob", "2024-03-05T10:12:00Z", "mx=1 %");
    m.createdAt = m.createdAt.addMSecs(789); // second precision in the file
    AliasFile f;
    QString error;
    QVERIFY2(f.addManaged("a", {"b@example.org"}, m, &error), qPrintable(error));
    QCOMPARE(f.toBytes(), QByteArray("# alias-sync: txid=tx%201%2F%CE%B1 created-by=admin:bob "
                                     "created-at=2024-03-05T10:12:00Z server=mx%3D1%20%25\na: b@example.org\n"));
    const AliasEntry *e = f.lookup("a");
    QVERIFY(e->managed);
    QCOMPARE(e->metadata.txid, m.txid);
    QCOMPARE(e->metadata.server, m.server);
    QCOMPARE(e->metadata.createdAt, md("x").createdAt);

    // A time given in another zone is written in UTC.
    AliasMetadata local = md("t");
    local.createdAt = QDateTime(QDate(2024, 3, 5), QTime(11, 12, 0), Qt::OffsetFromUTC, 3600);
    AliasFile g;
    QVERIFY2(g.addManaged("a", {"b"}, local, &error), qPrintable(error));
    QVERIFY(g.toBytes().contains("created-at=2024-03-05T10:12:00Z"));

    AliasMetadata incomplete = md("t");
    incomplete.server.clear();
    QVERIFY(!g.addManaged("c", {"d"}, incomplete, &error));
    QVERIFY(error.contains(QLatin1String("server")));
    incomplete = md("t");
    incomplete.createdAt = QDateTime();
    QVERIFY(!g.addManaged("c", {"d"}, incomplete, &error));
    QVERIFY(!g.addManaged("c", {}, md("t"), &error));
}

// addManaged() parses only the lines it appends. The result must equal a
// parse of the whole new file, with or without a final line end and with
// LF or CRLF line ends.
void TestAliasFile::addManagedMatchesFullParse()
{
    QList<QPair<QString, QByteArray>> inputs;
    for (const QString &p : allAliasFiles())
        inputs.append({p, readAll(p)});
    QRandomGenerator rng(4711);
    for (int i = 0; i < 300; ++i) {
        QByteArray bytes;
        const int parts = 1 + rng.bounded(4);
        for (int k = 0; k < parts; ++k)
            bytes += randomAliasFile(rng);
        inputs.append({QStringLiteral("random %1 (hex %2)").arg(i).arg(QString::fromLatin1(bytes.toHex())), bytes});
    }
    // Lines that end the file just before the appended metadata line.
    const QList<QByteArray> endings{"# alias-sync: txid=x created-by=y created-at=2024-01-01T00:00:00Z server=z",
                                    "# alias-sync: broken", "a: \"quoted", "a: (comment", "\tcontinued", "b: c,",
                                    "#", " ", "\r", "d: e\r"};
    for (const QByteArray &ending : endings) {
        inputs.append({QStringLiteral("ends in %1").arg(QString::fromLatin1(ending.toHex())), "x: y\n" + ending});
        inputs.append({QStringLiteral("CRLF, ends in %1").arg(QString::fromLatin1(ending.toHex())), "x: y\r\n" + ending});
    }

    for (const auto &[label, bytes] : std::as_const(inputs)) {
        QByteArray crlf = bytes;
        crlf.replace("\r\n", "\n").replace("\n", "\r\n");
        QByteArray unterminated = bytes;
        while (unterminated.endsWith('\n'))
            unterminated.chop(1);
        addAndCompare(bytes, label);
        addAndCompare(crlf, label + QStringLiteral(" (CRLF)"));
        addAndCompare(unterminated, label + QStringLiteral(" (no final line end)"));
        addAndCompare(crlf.chopped(crlf.endsWith("\r\n") ? 2 : 0), label + QStringLiteral(" (CRLF, no final line end)"));
        if (QTest::currentTestFailed())
            return;
    }
}

void TestAliasFile::rejectsInjection_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QList<QByteArray>>("destinations");
    QTest::addColumn<QString>("why");
    const QList<QByteArray> ok{"alice@example.org"};
    QTest::newRow("LF in name") << QByteArray("x\nroot: |/bin/sh") << ok << "control";
    QTest::newRow("CR in name") << QByteArray("x\rroot") << ok << "control";
    QTest::newRow("NUL in name") << QByteArray("x\0y", 3) << ok << "control";
    QTest::newRow("DEL in name") << QByteArray("x\x7fy") << ok << "control";
    QTest::newRow("C1 in name") << QByteArray("x\xc2\x85y") << ok << "control";
    QTest::newRow("U+2028 in name") << QByteArray("x\xe2\x80\xa8y") << ok << "control";
    QTest::newRow("space in name") << QByteArray("a b") << ok << "white space";
    QTest::newRow("tab in name") << QByteArray("a\tb") << ok << "control";
    QTest::newRow("colon in name") << QByteArray("a:b") << ok << "':'";
    QTest::newRow("hash in name") << QByteArray("#a") << ok << "'#'";
    QTest::newRow("pipe name") << QByteArray("|a") << ok << "'|'";
    QTest::newRow("slash name") << QByteArray("/a") << ok << "'/'";
    QTest::newRow("include name") << QByteArray(":include:/x") << ok << "':'";
    QTest::newRow("at in name") << QByteArray("a@example.org") << ok << "'@'";
    QTest::newRow("quote in name") << QByteArray("\"a\"") << ok << "'\"'";
    QTest::newRow("comma in name") << QByteArray("a,b") << ok << "','";
    QTest::newRow("empty name") << QByteArray() << ok << "empty";
    QTest::newRow("not UTF-8 name") << QByteArray("a\xff") << ok << "UTF-8";

    QTest::newRow("LF in dest") << QByteArray("x") << QList<QByteArray>{"a\nroot: |/bin/sh"} << "control";
    QTest::newRow("CRLF in dest") << QByteArray("x") << QList<QByteArray>{"a\r\n\troot"} << "control";
    QTest::newRow("NUL in dest") << QByteArray("x") << QList<QByteArray>{QByteArray("a\0b", 3)} << "control";
    QTest::newRow("pipe dest") << QByteArray("x") << QList<QByteArray>{"|/bin/sh"} << "command";
    QTest::newRow("file dest") << QByteArray("x") << QList<QByteArray>{"/etc/passwd"} << "file";
    QTest::newRow("include dest") << QByteArray("x") << QList<QByteArray>{":include:/etc/x"} << "include";
    QTest::newRow("INCLUDE dest") << QByteArray("x") << QList<QByteArray>{":INCLUDE:/etc/x"} << "include";
    QTest::newRow("quoted pipe dest") << QByteArray("x") << QList<QByteArray>{"\"|/bin/sh\""} << "'\"'";
    QTest::newRow("group dest") << QByteArray("x") << QList<QByteArray>{"x:/etc/passwd"} << "':'";
    QTest::newRow("route dest") << QByteArray("x") << QList<QByteArray>{"a</etc/passwd>"} << "'<'";
    QTest::newRow("comment dest") << QByteArray("x") << QList<QByteArray>{"(c)|/bin/sh"} << "'('";
    QTest::newRow("comma dest") << QByteArray("x") << QList<QByteArray>{"a,b"} << "','";
    QTest::newRow("space dest") << QByteArray("x") << QList<QByteArray>{"a b"} << "white space";
    QTest::newRow("hash dest") << QByteArray("x") << QList<QByteArray>{"a#b"} << "'#'";
    QTest::newRow("backslash dest") << QByteArray("x") << QList<QByteArray>{"a\\|b"} << "'\\'";
    QTest::newRow("empty dest") << QByteArray("x") << QList<QByteArray>{"a", ""} << "empty";
    QTest::newRow("not UTF-8 dest") << QByteArray("x") << QList<QByteArray>{"a\xfe@example.org"} << "UTF-8";
    QTest::newRow("second dest bad") << QByteArray("x") << QList<QByteArray>{"a@example.org", "b\n"} << "control";
}

void TestAliasFile::rejectsInjection()
{
    QFETCH(QByteArray, name);
    QFETCH(QList<QByteArray>, destinations);
    QFETCH(QString, why);
    const QByteArray before = "root: alice\n";
    AliasFile f = AliasFile::parse(before, QStringLiteral("f"));
    QString error;
    QVERIFY(!f.addManaged(name, destinations, md("t"), &error));
    QCOMPARE(f.toBytes(), before);
    QVERIFY2(error.contains(why), qPrintable(error));
    // The message names the value, escaped: never a raw control character.
    for (const QChar c : error)
        QVERIFY2(c.unicode() >= 0x20 && c.unicode() != 0x7f && c.unicode() != 0x2028, qPrintable(error));
    if (!name.isEmpty() && !destinations.contains(QByteArray()))
        QVERIFY2(error.contains(QLatin1Char('"')), qPrintable(error));
    if (name == "x\nroot: |/bin/sh")
        QVERIFY2(error.contains(QLatin1String("\"x\\nroot: |/bin/sh\"")), qPrintable(error));
}

void TestAliasFile::rejectsPresentName()
{
    const QString p7 = kCorpusDir + QStringLiteral("/07-duplicates-case.aliases");
    AliasFile f = AliasFile::parse(readAll(p7), p7);
    QString error;
    QVERIFY(!f.addManaged("ROOT", {"x"}, md("t"), &error));
    QVERIFY2(error.contains(QLatin1String("ROOT")) && error.contains(QLatin1String("line 2")), qPrintable(error));
    QVERIFY(!f.addManaged("Mail-Daemon", {"x"}, md("t"), &error));
    QString err2;
    QVERIFY2(f.addManaged("Root2", {"x"}, md("t"), &err2), qPrintable(err2));
    QVERIFY(!f.addManaged("root2", {"x"}, md("t"), &error));

    // Full case folding: "STRASSE" is the same name as "Straße".
    AliasFile u;
    QVERIFY2(u.addManaged("Stra\xc3\x9f" "e", {"x"}, md("t"), &err2), qPrintable(err2));
    QVERIFY(u.lookup("STRASSE"));
    QVERIFY(!u.addManaged("STRASSE", {"x"}, md("t"), &error));
}

void TestAliasFile::removeManaged()
{
    const QByteArray before = "# header\n"
                              "postmaster: root\n"
                              "# alias-sync: txid=t-1 created-by=a created-at=2024-03-05T10:12:00Z server=s\n"
                              "one: a@example.org\n"
                              "\n"
                              "# alias-sync: txid=t-2 created-by=a created-at=2024-03-05T10:12:00Z server=s\n"
                              "two: b@example.org\n"
                              "# trailer\n";
    AliasFile f = AliasFile::parse(before, QStringLiteral("f"));
    QCOMPARE(f.managedEntries().size(), 2);
    QString error;
    QVERIFY2(f.removeManaged("ONE", &error), qPrintable(error));
    QCOMPARE(f.toBytes(), QByteArray("# header\n"
                                     "postmaster: root\n"
                                     "\n"
                                     "# alias-sync: txid=t-2 created-by=a created-at=2024-03-05T10:12:00Z server=s\n"
                                     "two: b@example.org\n"
                                     "# trailer\n"));
    QVERIFY(!f.lookup("one"));
    QVERIFY(f.lookup("two")->managed);
    QVERIFY(!f.removeManaged("one", &error));
    QVERIFY2(error.contains(QLatin1String("one")), qPrintable(error));

    // Add then remove restores the file exactly.
    const QByteArray after = f.toBytes();
    QVERIFY2(f.addManaged("three", {"c"}, md("t-3"), &error), qPrintable(error));
    QVERIFY2(f.removeManaged("three", &error), qPrintable(error));
    QCOMPARE(f.toBytes(), after);

    // CRLF file, last entry without final line end.
    AliasFile c = AliasFile::parse("a: b\r\n# alias-sync: txid=1 created-by=a created-at=2024-03-05T10:12:00Z server=s\r\n"
                                   "m: x,\r\n  y",
                                   QStringLiteral("c"));
    QVERIFY(c.lookup("m")->managed);
    QVERIFY2(c.removeManaged("m", &error), qPrintable(error));
    QCOMPARE(c.toBytes(), QByteArray("a: b\r\n"));
}

void TestAliasFile::removeManagedAcrossComments()
{
    const QString p = kDataDir + QStringLiteral("/managed-entries.aliases");
    const QByteArray before = readAll(p);
    AliasFile f = AliasFile::parse(before, p);
    QString error;
    QVERIFY2(f.removeManaged("helpdesk", &error), qPrintable(error));
    QList<QByteArray> lines = before.split('\n');
    lines.erase(lines.begin() + 4, lines.begin() + 8); // physical lines 5..8
    QCOMPARE(f.toBytes(), lines.join('\n'));
    QVERIFY(!f.lookup("helpdesk"));
    QVERIFY(!f.toBytes().contains("dave@example.org"));
    QVERIFY(!f.toBytes().contains("between continuation"));
    compareWithPostalias(f.toBytes(), QStringLiteral("managed-entries - helpdesk"));

    // A name defined twice, both managed: both go.
    QVERIFY2(f.removeManaged("SALES-TEAM", &error), qPrintable(error));
    QVERIFY(!f.lookup("sales-team"));
    QVERIFY(!f.toBytes().contains("sales-TEAM"));
    QVERIFY(!f.toBytes().contains("t-0008"));
    QVERIFY(!f.toBytes().contains("t-0001"));
    QVERIFY(f.toBytes().contains("t-0007")); // the orphan metadata line stays
}

void TestAliasFile::removeRefusesUnmanaged()
{
    const QString p = kDataDir + QStringLiteral("/managed-entries.aliases");
    const QByteArray before = readAll(p);
    AliasFile f = AliasFile::parse(before, p);
    QString error;
    for (const char *name : {"postmaster", "bad-time", "separated", "unmanaged", "nosuch"}) {
        QVERIFY(!f.removeManaged(name, &error));
        QVERIFY2(error.contains(QLatin1String(name)), qPrintable(error));
        QCOMPARE(f.toBytes(), before);
    }
    // Managed first definition, unmanaged duplicate: removing would uncover it.
    AliasFile g = AliasFile::parse("# alias-sync: txid=1 created-by=a created-at=2024-03-05T10:12:00Z server=s\n"
                                   "m: x\nM: y\n",
                                   QStringLiteral("g"));
    QVERIFY(!g.removeManaged("m", &error));
    QVERIFY2(error.contains(QLatin1String("line 3")), qPrintable(error));
}

void TestAliasFile::fingerprintInvariance()
{
    const AliasFile base = AliasFile::parse(kManagedExample, QStringLiteral("a"));
    QCOMPARE(base.managedEntries().size(), 2);
    const QByteArray fp = base.fingerprint();
    QCOMPARE(fp.size(), 64);
    QCOMPARE(fp, fp.toLower());
    QCOMPARE(fp, QCryptographicHash::hash(base.canonicalManagedForm(), QCryptographicHash::Sha256).toHex());

    const QList<QByteArray> variants{
        // reordered, unmanaged entry and comments changed
        "# a comment\n"
        "# alias-sync: txid=t-0002 created-by=admin:carol created-at=2024-03-06T08:00:00Z server=mx2.example.org\n"
        "helpdesk: carol@example.org\n"
        "other: x\n\n"
        "# alias-sync: txid=t-0001 created-by=alice@example.org created-at=2024-03-05T10:12:00Z server=mx1.example.org\n"
        "sales-team: alice@example.org, bob@example.org\n",
        // white space, continuation, key order and percent-encoding of the metadata, name case
        "#alias-sync:  server=mx1.example.org txid=t-0001  created-at=2024-03-05T10:12:00Z created-by=alice%40example.org\n"
        "Sales-Team :\talice@example.org ,\n"
        "   # note\n"
        "\t bob@example.org   \n"
        "# alias-sync: txid=t-0002 created-by=admin%3acarol created-at=2024-03-06T08:00:00Z server=mx2.example.org x=y\n"
        "helpdesk:carol@example.org\n",
        // CRLF
        QByteArray(kManagedExample).replace("\n", "\r\n"),
        // without final newline
        kManagedExample.chopped(1),
    };
    for (const QByteArray &v : variants) {
        const AliasFile f = AliasFile::parse(v, QStringLiteral("v"));
        QCOMPARE(f.canonicalManagedForm(), base.canonicalManagedForm());
        QCOMPARE(f.fingerprint(), fp);
    }
    QCOMPARE(AliasFile().fingerprint(), QCryptographicHash::hash({}, QCryptographicHash::Sha256).toHex());
}

void TestAliasFile::fingerprintSensitivity()
{
    const QByteArray fp = AliasFile::parse(kManagedExample, QStringLiteral("a")).fingerprint();
    const QList<QPair<QByteArray, QByteArray>> changes{
        {"bob@example.org\n", "bob@example.com\n"},
        {"alice@example.org, bob@example.org", "bob@example.org, alice@example.org"},
        {"txid=t-0001", "txid=t-0003"},
        {"created-by=admin:carol", "created-by=admin:dave"},
        {"created-at=2024-03-06T08:00:00Z", "created-at=2024-03-06T08:00:01Z"},
        {"server=mx2.example.org", "server=mx3.example.org"},
        {"helpdesk:", "help-desk:"},
        {"# alias-sync: txid=t-0002", "# no longer managed: txid=t-0002"},
    };
    for (const auto &c : changes) {
        QByteArray changed = kManagedExample;
        QVERIFY(changed.contains(c.first));
        changed.replace(c.first, c.second);
        QVERIFY2(AliasFile::parse(changed, QStringLiteral("c")).fingerprint() != fp, c.second.constData());
    }
}

void TestAliasFile::canonicalFormSpecExample()
{
    // The worked example of specs/alias-file.md.
    const AliasFile f = AliasFile::parse(kManagedExample, QStringLiteral("spec"));
    QCOMPARE(f.canonicalManagedForm(),
             QByteArray("helpdesk\tcarol@example.org\tt-0002\tadmin:carol\t2024-03-06T08:00:00Z\tmx2.example.org\n"
                        "sales-team\talice@example.org, bob@example.org\tt-0001\talice@example.org\t"
                        "2024-03-05T10:12:00Z\tmx1.example.org\n"));
    QCOMPARE(f.fingerprint(), QByteArray("52a5f839f7fb7c65e461482b4de7c2da5ba4c6a5a8ab69dfb08c662d5de4bcde"));
}

// ---------------------------------------------------------------------------
// writeFileAtomically

void TestAliasFile::atomicWriteNewFile()
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/aliases");
    const mode_t oldMask = ::umask(077);
    QString error;
    const bool ok = writeFileAtomically(path, "a: b\n", &error);
    ::umask(oldMask);
    QVERIFY2(ok, qPrintable(error));
    QCOMPARE(readAll(path), QByteArray("a: b\n"));
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0644));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("aliases")});

    QVERIFY2(writeFileAtomically(path, {}, &error), qPrintable(error));
    QCOMPARE(readAll(path), QByteArray());
}

void TestAliasFile::atomicWriteKeepsModeAndOwner()
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/aliases");
    const QByteArray native = QFile::encodeName(path);
    writeAll(path, "old\n");
    QCOMPARE(::chmod(native.constData(), 0640), 0);
    const bool root = ::geteuid() == 0;
    if (root)
        QCOMPARE(::chown(native.constData(), 4321, 8765), 0);
    struct stat before;
    QCOMPARE(::stat(native.constData(), &before), 0);

    QString error;
    QVERIFY2(writeFileAtomically(path, "new: content\n", &error), qPrintable(error));
    QCOMPARE(readAll(path), QByteArray("new: content\n"));
    struct stat after;
    QCOMPARE(::stat(native.constData(), &after), 0);
    QVERIFY(after.st_ino != before.st_ino); // replaced, not rewritten in place
    QCOMPARE(after.st_mode & 07777, mode_t(0640));
    QCOMPARE(after.st_uid, before.st_uid);
    QCOMPARE(after.st_gid, before.st_gid);
    if (root) {
        QCOMPARE(after.st_uid, uid_t(4321));
        QCOMPARE(after.st_gid, gid_t(8765));
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 1);
    if (!root)
        QSKIP("owner preservation for another owner needs root; mode was checked");
}

void TestAliasFile::atomicWriteThroughSymlink()
{
    QTemporaryDir dir;
    const QString target = dir.path() + QStringLiteral("/real");
    const QString link = dir.path() + QStringLiteral("/aliases");
    writeAll(target, "old\n");
    QVERIFY(QFile::link(target, link));
    QString error;
    QVERIFY2(writeFileAtomically(link, "new\n", &error), qPrintable(error));
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(readAll(target), QByteArray("new\n"));
}

void TestAliasFile::atomicWriteFailure()
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/missing-dir/aliases");
    QString error;
    QVERIFY(!writeFileAtomically(path, "x", &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("temporary")), qPrintable(error));

    QVERIFY(!writeFileAtomically(dir.path(), "x", &error));
    QVERIFY2(error.contains(QLatin1String("regular")), qPrintable(error));
}

// The cases are shared with tests/postfix-setup/alias-lookups.sh, where
// real Postfix delivers mail for the same local parts.
void TestAliasFile::recipientDelimiter_data()
{
    QTest::addColumn<QByteArray>("delimiters");
    QTest::addColumn<QByteArray>("localPart");
    QTest::addColumn<QByteArray>("expectedName");
    QTest::addColumn<QByteArray>("expectedExtension");

    QFile cases(kRecipientCases);
    QVERIFY2(cases.open(QIODevice::ReadOnly), qPrintable(kRecipientCases));
    int rows = 0;
    while (!cases.atEnd()) {
        const QByteArray line = cases.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QList<QByteArray> fields = line.split('|');
        QCOMPARE(fields.size(), 4);
        QTest::addRow("%s with '%s'", fields[1].constData(), fields[0].constData())
            << fields[0] << fields[1] << fields[2] << fields[3];
        ++rows;
    }
    QVERIFY(rows > 10);
}

void TestAliasFile::recipientDelimiter()
{
    QFETCH(QByteArray, delimiters);
    QFETCH(QByteArray, localPart);
    QFETCH(QByteArray, expectedName);
    QFETCH(QByteArray, expectedExtension);

    QByteArray text;
    for (const char *name : {"team", "team+x", "owner-team", "team-request", "ab", "ab-cd", "postmaster"})
        text += QByteArray(name) + ": box-" + name + "\n";
    const AliasFile file = AliasFile::parse(text, QStringLiteral("recipients"));

    const RecipientMatch match = file.lookupRecipient(localPart, delimiters);
    if (expectedName == "-") {
        QVERIFY2(!match.entry, match.entry ? match.entry->name.constData() : "");
        return;
    }
    QVERIFY(match.entry);
    QCOMPARE(match.entry->name, expectedName);
    QCOMPARE(match.extension, expectedExtension);
}

QTEST_GUILESS_MAIN(TestAliasFile)
#include "tst_aliasfile.moc"
