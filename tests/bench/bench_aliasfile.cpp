// Benchmark of an alias file update against postalias(1).
//
// For generated alias files of several sizes, this program times the
// library's own steps of an update: parse, fingerprint, addManaged, atomic
// write, and the whole update from reading the file to the new fingerprint.
// Beside them it times postalias building the database of the same file as
// a child process, and AliasDatabase::replace(), the database build the
// daemon runs. Every time is wall clock. Each step is repeated, and the
// tables give the median, the minimum and the maximum.
//
// Nothing here asserts a time. The program is not a ctest test, and it
// exits non-zero only when an option is invalid or a step fails (a file
// that does not generate as intended, postalias missing or failing, a
// write error).
//
// Usage: bench_aliasfile [--sizes 1000,10000,100000] [--repetitions 5]
//        [--seed 5] [--work-dir DIR] [--postfix-command-dir /usr/sbin] [--keep]
// tests/bench/run-aliasfile-bench.sh runs it and prints the machine details.

#include "aliasdatabase.h"
#include "aliasfile.h"
#include "atomicfile.h"
#include "postfixtools.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdlib>
#include <random>

#include <sys/resource.h>

using namespace aliassync;

namespace {

QTextStream out(stdout);
QTextStream err(stderr);

[[noreturn]] void failAndExit(const QString &message)
{
    out.flush();
    err << "bench_aliasfile: " << message << Qt::endl;
    std::exit(1);
}

// ---------------------------------------------------------------------------
// Input generation

// The random source of the generator. std::mt19937 is fully specified by
// the C++ standard, but the standard distributions are not, so numbers are
// drawn with plain modulo arithmetic. The same seed then gives the same file
// with any standard library.
class Random
{
public:
    explicit Random(quint32 seed)
        : m_engine(seed)
    {
    }
    // A number in [0, bound). The modulo bias does not matter here.
    quint32 below(quint32 bound) { return m_engine() % bound; }
    // True in percent out of 100 calls on average.
    bool chance(quint32 percent) { return below(100) < percent; }
    template <typename T, std::size_t N> const T &pick(const T (&items)[N]) { return items[below(N)]; }

private:
    std::mt19937 m_engine;
};

const char *const kGivenNames[] = {"anna", "bert", "carla", "dieter", "emma", "felix", "greta", "hans",
                                   "ines", "jonas", "karin", "lukas", "maria", "nils", "olga", "paul",
                                   "rosa", "sven", "tina", "uwe", "vera", "walter", "xenia", "yusuf", "zoe"};
const char *const kFamilyNames[] = {"berg", "koch", "lang", "meyer", "neumann", "otto", "peters", "richter",
                                    "schulz", "vogel", "wagner", "weber", "wolf", "zimmer", "fischer", "hartmann"};
const char *const kGroups[] = {"sales", "support", "billing", "hr", "it", "legal", "press", "research",
                               "events", "board", "facilities", "training", "finance", "design"};
const char *const kDomains[] = {"example.org", "example.com", "example.net", "mail.example.org"};

// Debian's default /etc/aliases and the usual RFC 2142 role accounts: the
// lines an administrator finds at the top of a real file.
const char kSystemHeader[] =
    "# /etc/aliases\n"
    "#\n"
    "# Hand-maintained aliases above, entries added by alias-sync below.\n"
    "# Run newaliases (or postalias) after editing this file by hand.\n"
    "\n"
    "mailer-daemon: postmaster\n"
    "postmaster: root\n"
    "nobody: root\n"
    "hostmaster: root\n"
    "usenet: root\n"
    "news: root\n"
    "webmaster: root\n"
    "www: root\n"
    "ftp: root\n"
    "abuse: root\n"
    "noc: root\n"
    "security: root\n"
    "root: admin\n"
    "\n";
constexpr int kSystemHeaderEntries = 13;

QByteArray number(int i)
{
    return QByteArray::number(i);
}

// A unique alias name: the index is its only digits and comes last, so two
// different indexes never give names that fold to the same key.
QByteArray aliasName(Random &random, int index)
{
    QByteArray name;
    switch (random.below(4)) {
    case 0:
        name = QByteArray(random.pick(kGivenNames)) + '.' + random.pick(kFamilyNames);
        break;
    case 1:
        name = QByteArray(random.pick(kGroups)) + '-' + random.pick(kGroups);
        break;
    case 2:
        // Upper-case letters exercise the case folding of the lookup key.
        name = QByteArray(random.pick(kGivenNames)).toUpper() + '_' + random.pick(kFamilyNames);
        break;
    default:
        name = QByteArray(random.pick(kGroups)) + "-team";
        break;
    }
    return name + number(index);
}

QByteArray localUser(Random &random)
{
    return QByteArray(random.pick(kGivenNames)) + random.pick(kFamilyNames);
}

QByteArray mailAddress(Random &random)
{
    return QByteArray(random.pick(kGivenNames)) + '.' + random.pick(kFamilyNames) + '@' + random.pick(kDomains);
}

QByteArray destination(Random &random)
{
    return random.chance(40) ? localUser(random) : mailAddress(random);
}

// One hand-written (unmanaged) entry, with its line end. Most are simple
// "name: user" lines, and the rest are the other forms aliases(5) allows.
QByteArray unmanagedEntry(Random &random, int index)
{
    const quint32 kind = random.below(100);
    const QByteArray name = aliasName(random, index);
    if (kind < 60)
        return name + ": " + destination(random) + '\n';
    if (kind < 73) {
        QByteArray line = name + ": " + destination(random);
        const quint32 more = 1 + random.below(4);
        for (quint32 k = 0; k < more; ++k)
            line += ", " + destination(random);
        return line + '\n';
    }
    if (kind < 83) {
        // A list continued on lines that start with white space.
        QByteArray text = name + ": " + destination(random) + ",\n";
        const quint32 more = 2 + random.below(5);
        for (quint32 k = 0; k < more; ++k) {
            text += random.chance(50) ? "\t" : "    ";
            text += destination(random);
            text += k + 1 < more ? ",\n" : "\n";
        }
        return text;
    }
    if (kind < 86) {
        // A comment line inside a continuation: postalias skips it and the
        // entry goes on.
        return name + ": " + destination(random) + ",\n# " + localUser(random) + " left, see ticket " + number(index)
               + "\n\t" + destination(random) + '\n';
    }
    if (kind < 90) {
        // A quoted name with a space.
        return '"' + QByteArray(random.pick(kGivenNames)) + ' ' + random.pick(kFamilyNames) + ' ' + number(index)
               + "\": " + localUser(random) + '\n';
    }
    if (kind < 92)
        return name + ": :include:/etc/mail/lists/" + name + '\n';
    if (kind < 94)
        return name + ": \"|/usr/local/bin/ticket-handler --queue " + random.pick(kGroups) + "\"\n";
    if (kind < 95)
        return name + ": |/usr/bin/procmail\n";
    if (kind < 96)
        return name + ": /var/spool/mail-archive/" + name + '\n';
    if (kind < 98) {
        // A \user destination beside an address, common in hand-written files.
        const QByteArray user = localUser(random);
        return name + ": \\" + user + ", " + mailAddress(random) + '\n';
    }
    // A trailing comment on its own line after the entry.
    return name + ": " + destination(random) + "\n# " + name + " replaces an older list\n";
}

AliasMetadata managedMetadata(Random &random, int index)
{
    static const QDateTime base(QDate(2024, 1, 8), QTime(9, 0), Qt::UTC);
    const auto hex = [&](int digits) {
        QByteArray text;
        for (int k = 0; k < digits; ++k)
            text += "0123456789abcdef"[random.below(16)];
        return text;
    };
    AliasMetadata metadata;
    metadata.txid = hex(8) + '-' + hex(4) + '-' + hex(4) + '-' + hex(4) + '-' + hex(12);
    metadata.createdBy = random.chance(80) ? QByteArray(random.pick(kGivenNames)) + '.' + random.pick(kFamilyNames)
                                           : QByteArrayLiteral("admin:root");
    metadata.createdAt = base.addSecs(qint64(index) * 97);
    metadata.server = random.chance(50) ? QByteArrayLiteral("mx1.example.org") : QByteArrayLiteral("mx2.example.org");
    return metadata;
}

struct GeneratedFile {
    QByteArray bytes;
    int entries = 0;
    int managed = 0;
};

// Builds a file of entryCount entries: the unmanaged part first, then
// entryCount / 2 managed entries as a file maintained by alias-sync has them.
//
// Each managed entry is written by AliasFile::addManaged() itself, into an
// empty scratch file whose bytes are then appended. addManaged() appends
// "metadata line, LF, name: destinations, LF" to a file that ends in LF, so
// the result is byte for byte what adding every entry to the whole file
// would give. Adding to the whole file would reparse it once per entry,
// quadratic in its size and far too slow for 100,000 entries.
//
// Never inlined, so that callgrind --toggle-collect='*generateAliasFile*'
// can leave the generation out of a profile of the measured steps.
Q_NEVER_INLINE GeneratedFile generateAliasFile(int entryCount, quint32 seed)
{
    Random random(seed);
    GeneratedFile file;
    file.managed = entryCount / 2;
    const int unmanaged = entryCount - file.managed;

    file.bytes = kSystemHeader;
    for (int i = kSystemHeaderEntries; i < unmanaged; ++i) {
        if ((i - kSystemHeaderEntries) % 25 == 0)
            file.bytes += "\n# " + QByteArray(random.pick(kGroups)) + " department, list " + number(i) + "\n";
        file.bytes += unmanagedEntry(random, i);
    }
    file.bytes += '\n';

    for (int i = unmanaged; i < entryCount; ++i) {
        // 70 % have one destination, 20 % two, 10 % three or four.
        QList<QByteArray> destinations{destination(random)};
        const quint32 kind = random.below(100);
        int extra = 0;
        if (kind >= 90)
            extra = 2 + int(random.below(2));
        else if (kind >= 70)
            extra = 1;
        for (int k = 0; k < extra; ++k)
            destinations.append(mailAddress(random));
        AliasFile scratch;
        QString error;
        if (!scratch.addManaged(aliasName(random, i), destinations, managedMetadata(random, i), &error))
            failAndExit(QStringLiteral("cannot generate managed entry %1: %2").arg(i).arg(error));
        file.bytes += scratch.toBytes();
    }

    // The file must read back with exactly the intended entries and no warning.
    const AliasFile check = AliasFile::parse(file.bytes, QStringLiteral("generated"));
    if (!check.warnings().isEmpty()) {
        const AliasFileWarning &w = check.warnings().first();
        failAndExit(QStringLiteral("the generated file of %1 entries has %2 warnings, the first at line %3: %4")
                        .arg(entryCount)
                        .arg(check.warnings().size())
                        .arg(w.line)
                        .arg(w.message));
    }
    if (check.entries().size() != entryCount || check.managedEntries().size() != file.managed)
        failAndExit(QStringLiteral("the generated file has %1 entries (%2 managed), expected %3 (%4 managed)")
                        .arg(check.entries().size())
                        .arg(check.managedEntries().size())
                        .arg(entryCount)
                        .arg(file.managed));
    file.entries = entryCount;
    return file;
}

// ---------------------------------------------------------------------------
// Measurement

struct Samples {
    QList<double> ms;

    double median() const
    {
        QList<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const qsizetype n = sorted.size();
        return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
    double min() const { return *std::min_element(ms.begin(), ms.end()); }
    double max() const { return *std::max_element(ms.begin(), ms.end()); }
};

double elapsedMs(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        failAndExit(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

void writePlainFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        failAndExit(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
}

QString makeDirectory(const QString &path)
{
    if (!QDir().mkpath(path))
        failAndExit(QStringLiteral("cannot create directory %1").arg(path));
    return path;
}

// A Postfix configuration directory with a main.cf that sets only the
// compatibility level, so postalias needs no installed Postfix
// configuration. Postfix reads main.cf with dict_load_file_xt()
// (util/dict.c), which pauses 0.3 s and reads again while the file's
// modification time is within a second of the read, so main.cf is back-dated.
QString makePostfixConfig(const QString &directory)
{
    makeDirectory(directory);
    const QString mainCf = directory + QStringLiteral("/main.cf");
    writePlainFile(mainCf, "compatibility_level = 3.6\n");
    QFile file(mainCf);
    if (!file.open(QIODevice::ReadWrite)
        || !file.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-3600), QFileDevice::FileModificationTime))
        failAndExit(QStringLiteral("cannot set the modification time of %1").arg(mainCf));
    return directory;
}

long peakRssKiB()
{
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss; // KiB on Linux
}

struct SizeResult {
    int entries = 0;
    qsizetype fileBytes = 0;
    QByteArray fileSha256;
    Samples parse, fingerprint, add, write, update, postalias, replace;
    long peakRssKiB = 0;
};

const QByteArray kNewName = "bench-new-entry";
const QList<QByteArray> kNewDestinations{"new.user@example.org", "second.user@example.org"};

AliasMetadata newEntryMetadata()
{
    AliasMetadata metadata;
    metadata.txid = "00000000-0000-4000-8000-000000000001";
    metadata.createdBy = "admin:root";
    metadata.createdAt = QDateTime(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC);
    metadata.server = "mx1.example.org";
    return metadata;
}

struct Options {
    QList<int> sizes;
    int repetitions = 5;
    quint32 seed = 5;
    QString postfixCommandDirectory;
    QString workParent;
    bool keep = false;
};

SizeResult measureSize(int entryCount, const Options &options, const QString &workDirectory,
                       const QString &postfixConfig)
{
    SizeResult result;
    result.entries = entryCount;

    const GeneratedFile generated = generateAliasFile(entryCount, options.seed);
    result.fileBytes = generated.bytes.size();
    result.fileSha256 = QCryptographicHash::hash(generated.bytes, QCryptographicHash::Sha256).toHex();

    const QString directory = makeDirectory(workDirectory + QStringLiteral("/entries-%1").arg(entryCount));
    const QString source = directory + QStringLiteral("/aliases");
    writePlainFile(source, generated.bytes);
    const QString writeTarget = makeDirectory(directory + QStringLiteral("/write")) + QStringLiteral("/aliases");
    writePlainFile(writeTarget, generated.bytes);
    const QString updateTarget = makeDirectory(directory + QStringLiteral("/update")) + QStringLiteral("/aliases");
    const QString postaliasTarget = makeDirectory(directory + QStringLiteral("/postalias")) + QStringLiteral("/aliases");
    const QString replaceTarget = makeDirectory(directory + QStringLiteral("/replace")) + QStringLiteral("/aliases");
    writePlainFile(replaceTarget, generated.bytes);

    const PostfixTools tools(postfixConfig, options.postfixCommandDirectory);
    AliasDatabase database(tools, replaceTarget);
    QString error;
    if (!database.initialise(&error))
        failAndExit(QStringLiteral("cannot initialise the alias database: %1").arg(error));
    const QString postaliasProgram = options.postfixCommandDirectory + QStringLiteral("/postalias");
    const AliasMetadata metadata = newEntryMetadata();

    QByteArray expectedFingerprint;
    for (int repetition = 0; repetition < options.repetitions; ++repetition) {
        QElapsedTimer timer;

        // Parse the bytes as read from disk. Reading the file is not part of this step.
        const QByteArray bytes = readFile(source);
        timer.start();
        const AliasFile parsed = AliasFile::parse(bytes, source);
        result.parse.ms.append(elapsedMs(timer));

        timer.start();
        const QByteArray fingerprint = parsed.fingerprint();
        result.fingerprint.ms.append(elapsedMs(timer));
        if (expectedFingerprint.isEmpty())
            expectedFingerprint = fingerprint;
        else if (fingerprint != expectedFingerprint)
            failAndExit(QStringLiteral("the fingerprint changed between repetitions"));

        // A model of its own, as AliasFile::load() returns it, so that
        // addManaged() frees the entries it replaces as it does in the
        // daemon. A copy of parsed would share them and skip that cost.
        AliasFile edited = AliasFile::parse(bytes, source);
        timer.start();
        const bool added = edited.addManaged(kNewName, kNewDestinations, metadata, &error);
        result.add.ms.append(elapsedMs(timer));
        if (!added)
            failAndExit(QStringLiteral("addManaged failed: %1").arg(error));

        const QByteArray updated = edited.toBytes();
        timer.start();
        const bool written = writeFileAtomically(writeTarget, updated, &error);
        result.write.ms.append(elapsedMs(timer));
        if (!written)
            failAndExit(error);

        // The library's whole part of an update: read and parse the file,
        // add, replace the file atomically, compute the new fingerprint. The
        // daemon writes through AliasDatabase::replace() instead, timed below.
        writePlainFile(updateTarget, generated.bytes);
        timer.start();
        std::optional<AliasFile> file = AliasFile::load(updateTarget, &error);
        const bool updateOk = file && file->addManaged(kNewName, kNewDestinations, metadata, &error)
                              && writeFileAtomically(updateTarget, file->toBytes(), &error);
        const QByteArray updatedFingerprint = updateOk ? file->fingerprint() : QByteArray();
        result.update.ms.append(elapsedMs(timer));
        if (!updateOk)
            failAndExit(QStringLiteral("the library update failed: %1").arg(error));
        if (updatedFingerprint == expectedFingerprint)
            failAndExit(QStringLiteral("the fingerprint did not change after adding an entry"));

        // postalias building the database of the updated file, timed from
        // the start of the child process to its exit.
        writePlainFile(postaliasTarget, updated);
        QProcess postalias;
        timer.start();
        postalias.start(postaliasProgram,
                        {QStringLiteral("-c"), postfixConfig, QStringLiteral("hash:") + postaliasTarget});
        const bool finished = postalias.waitForFinished(600000);
        result.postalias.ms.append(elapsedMs(timer));
        if (!finished || postalias.exitStatus() != QProcess::NormalExit || postalias.exitCode() != 0)
            failAndExit(QStringLiteral("%1 failed: %2")
                            .arg(postaliasProgram, QString::fromLocal8Bit(postalias.readAllStandardError())));
        const QByteArray warnings = postalias.readAllStandardError();
        if (!warnings.isEmpty())
            failAndExit(QStringLiteral("postalias warned about the generated file: %1").arg(QString::fromLocal8Bit(warnings)));

        // What the daemon runs after the edit: staging text, postalias,
        // postalias -q for the new name, two renames, directory fsync.
        timer.start();
        const bool replaced = database.replace(updated, {QString::fromLatin1(kNewName)}, {}, &error);
        result.replace.ms.append(elapsedMs(timer));
        if (!replaced)
            failAndExit(QStringLiteral("AliasDatabase::replace failed: %1").arg(error));
    }
    result.peakRssKiB = peakRssKiB();
    return result;
}

// ---------------------------------------------------------------------------
// Output

QString fixed(double value, int decimals = 2)
{
    return QString::number(value, 'f', decimals);
}

QString fileSize(qsizetype bytes)
{
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(fixed(double(bytes) / (1024 * 1024), 1));
    return QStringLiteral("%1 KiB").arg(fixed(double(bytes) / 1024, 0));
}

QString range(const Samples &samples)
{
    return QStringLiteral("%1–%2").arg(fixed(samples.min()), fixed(samples.max()));
}

void printRow(const QStringList &cells)
{
    out << "| " << cells.join(QStringLiteral(" | ")) << " |\n";
}

void printHeader(const QStringList &cells)
{
    printRow(cells);
    QStringList rule;
    for (qsizetype i = 0; i < cells.size(); ++i)
        rule << QStringLiteral("---:");
    printRow(rule);
}

void printTables(const QList<SizeResult> &results, const Options &options)
{
    out << "\nMedian of " << options.repetitions << " runs, milliseconds of wall-clock time. "
        << "Library update = read + parse + addManaged + writeFileAtomically + fingerprint.\n\n";
    printHeader({QStringLiteral("entries"), QStringLiteral("file size"), QStringLiteral("parse ms"),
                 QStringLiteral("fingerprint ms"), QStringLiteral("add ms"), QStringLiteral("write ms"),
                 QStringLiteral("library update ms"), QStringLiteral("postalias ms"),
                 QStringLiteral("library/postalias"), QStringLiteral("library µs/entry"),
                 QStringLiteral("postalias µs/entry"), QStringLiteral("replace ms"), QStringLiteral("peak RSS MiB")});
    for (const SizeResult &r : results) {
        const double update = r.update.median();
        const double postalias = r.postalias.median();
        printRow({QString::number(r.entries), fileSize(r.fileBytes), fixed(r.parse.median()),
                  fixed(r.fingerprint.median()), fixed(r.add.median()), fixed(r.write.median()), fixed(update),
                  fixed(postalias), fixed(update / postalias), fixed(update * 1000 / r.entries, 3),
                  fixed(postalias * 1000 / r.entries, 3), fixed(r.replace.median()),
                  fixed(double(r.peakRssKiB) / 1024, 1)});
    }

    out << "\nMicroseconds per entry (median time / entries):\n\n";
    printHeader({QStringLiteral("entries"), QStringLiteral("parse"), QStringLiteral("fingerprint"),
                 QStringLiteral("add"), QStringLiteral("write"), QStringLiteral("library update"),
                 QStringLiteral("postalias"), QStringLiteral("replace")});
    for (const SizeResult &r : results) {
        const auto perEntry = [&](const Samples &s) { return fixed(s.median() * 1000 / r.entries, 3); };
        printRow({QString::number(r.entries), perEntry(r.parse), perEntry(r.fingerprint), perEntry(r.add),
                  perEntry(r.write), perEntry(r.update), perEntry(r.postalias), perEntry(r.replace)});
    }

    out << "\nSpread: minimum–maximum of the " << options.repetitions << " runs, milliseconds:\n\n";
    printHeader({QStringLiteral("entries"), QStringLiteral("parse"), QStringLiteral("fingerprint"),
                 QStringLiteral("add"), QStringLiteral("write"), QStringLiteral("library update"),
                 QStringLiteral("postalias"), QStringLiteral("replace")});
    for (const SizeResult &r : results) {
        printRow({QString::number(r.entries), range(r.parse), range(r.fingerprint), range(r.add), range(r.write),
                  range(r.update), range(r.postalias), range(r.replace)});
    }

    out << "\nInputs (seed " << options.seed << "):\n\n";
    for (const SizeResult &r : results)
        out << "- " << r.entries << " entries, " << r.fileBytes << " bytes, SHA-256 " << r.fileSha256 << '\n';
    out << "\nPeak RSS is getrusage(RUSAGE_SELF).ru_maxrss after the size's runs: the maximum of the "
        << "process so far, including the generation of the input.\n";
}

Options parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times parse, fingerprint, addManaged, atomic write and a whole update of generated alias files, "
        "and postalias building the same file. Prints Markdown tables."));
    parser.addHelpOption();
    const QCommandLineOption sizesOption(QStringLiteral("sizes"),
                                         QStringLiteral("Comma-separated entry counts (default 1000,10000,100000)."),
                                         QStringLiteral("list"), QStringLiteral("1000,10000,100000"));
    const QCommandLineOption repetitionsOption(QStringLiteral("repetitions"),
                                               QStringLiteral("Runs of each step per size (default 5)."),
                                               QStringLiteral("count"), QStringLiteral("5"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Seed of the input generator (default 5)."),
                                        QStringLiteral("number"), QStringLiteral("5"));
    const QCommandLineOption workOption(
        QStringLiteral("work-dir"),
        QStringLiteral("Directory in which a work directory is created (default: $TMPDIR or /tmp). Use a disk "
                       "file system, not tmpfs, so that fsync costs what it costs in production."),
        QStringLiteral("dir"));
    const QCommandLineOption commandDirectoryOption(
        QStringLiteral("postfix-command-dir"), QStringLiteral("Directory of postalias and postconf (default /usr/sbin)."),
        QStringLiteral("dir"), QStringLiteral("/usr/sbin"));
    const QCommandLineOption keepOption(QStringLiteral("keep"),
                                        QStringLiteral("Keep the generated files and print where they are."));
    parser.addOptions({sizesOption, repetitionsOption, seedOption, workOption, commandDirectoryOption, keepOption});
    parser.process(app);

    Options options;
    const QStringList sizes = parser.value(sizesOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &text : sizes) {
        bool ok = false;
        const int size = text.trimmed().toInt(&ok);
        if (!ok || size < 2 * kSystemHeaderEntries)
            failAndExit(QStringLiteral("invalid size '%1': expected a number of at least %2")
                            .arg(text)
                            .arg(2 * kSystemHeaderEntries));
        options.sizes.append(size);
    }
    bool ok = false;
    options.repetitions = parser.value(repetitionsOption).toInt(&ok);
    if (!ok || options.repetitions < 1)
        failAndExit(QStringLiteral("invalid repetition count '%1': expected 1 or more")
                        .arg(parser.value(repetitionsOption)));
    options.seed = parser.value(seedOption).toUInt(&ok);
    if (!ok)
        failAndExit(QStringLiteral("invalid seed '%1': expected an unsigned 32-bit number").arg(parser.value(seedOption)));
    options.postfixCommandDirectory = parser.value(commandDirectoryOption);
    options.workParent = parser.isSet(workOption) ? parser.value(workOption) : QDir::tempPath();
    options.keep = parser.isSet(keepOption);
    return options;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(app);

    QTemporaryDir workDirectory(options.workParent + QStringLiteral("/bench_aliasfile-XXXXXX"));
    if (!workDirectory.isValid())
        failAndExit(QStringLiteral("cannot create a work directory in %1: %2")
                        .arg(options.workParent, workDirectory.errorString()));
    workDirectory.setAutoRemove(!options.keep);

#ifdef __OPTIMIZE__
    const char *optimisation = "on";
#else
    const char *optimisation = "OFF (the times are not representative; use a Release or RelWithDebInfo build)";
#endif
    out << "bench_aliasfile: Qt " << qVersion() << ", compiler optimisation " << optimisation << ", work directory "
        << workDirectory.path() << '\n';
    out.flush();

    const QString postfixConfig = makePostfixConfig(workDirectory.path() + QStringLiteral("/postfix"));
    QList<SizeResult> results;
    for (int size : options.sizes) {
        err << "measuring " << size << " entries..." << Qt::endl;
        results.append(measureSize(size, options, workDirectory.path(), postfixConfig));
    }
    printTables(results, options);
    out.flush();
    return 0;
}
