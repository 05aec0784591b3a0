#include "aliasfile.h"

#include "casefold_p.h"
#include "tok822_p.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QTime>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

namespace aliassync {

using detail::Token;

namespace {

// Postfix's ISSPACE(): ASCII white space, CR included.
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr QByteArrayView kMetadataTag = "alias-sync:";

// A value shown in a message: quoted, with control characters, quotes,
// backslashes and bytes that are not UTF-8 escaped, so that a message never
// carries raw control characters.
QString shown(QByteArrayView value)
{
    const bool utf8 = detail::isValidUtf8(value);
    QString out = QStringLiteral("\"");
    if (utf8) {
        const QString s = QString::fromUtf8(value.data(), value.size());
        for (const QChar ch : s) {
            const char16_t u = ch.unicode();
            if (u == '"' || u == '\\') {
                out += QLatin1Char('\\');
                out += ch;
            } else if (u == '\n') {
                out += QStringLiteral("\\n");
            } else if (u == '\r') {
                out += QStringLiteral("\\r");
            } else if (u == '\t') {
                out += QStringLiteral("\\t");
            } else if (u < 0x20 || (u >= 0x7F && u < 0xA0) || u == 0x2028 || u == 0x2029) {
                out += QStringLiteral("\\u%1").arg(uint(u), 4, 16, QLatin1Char('0'));
            } else {
                out += ch;
            }
        }
    } else {
        for (char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += QLatin1Char('\\');
                out += QLatin1Char(c);
            } else if (u < 0x20 || u >= 0x7F) {
                out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
            } else {
                out += QLatin1Char(c);
            }
        }
    }
    out += QLatin1Char('"');
    return out;
}

// Code points that must never reach the file inside a name or destination:
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
bool hasControlCharacter(QByteArrayView value)
{
    for (qsizetype i = 0; i < value.size(); ++i) {
        const auto u = static_cast<unsigned char>(value[i]);
        if (u < 0x20 || u == 0x7F)
            return true;
        // UTF-8 of U+0080..U+009F is C2 80..C2 9F; U+2028/2029 is E2 80 A8/A9.
        if (u == 0xC2 && i + 1 < value.size()) {
            const auto v = static_cast<unsigned char>(value[i + 1]);
            if (v >= 0x80 && v <= 0x9F)
                return true;
        }
        if (u == 0xE2 && i + 2 < value.size() && static_cast<unsigned char>(value[i + 1]) == 0x80) {
            const auto w = static_cast<unsigned char>(value[i + 2]);
            if (w == 0xA8 || w == 0xA9)
                return true;
        }
    }
    return false;
}

bool hasWhitespace(QByteArrayView value)
{
    return std::any_of(value.begin(), value.end(), [](char c) { return isSpace(c); });
}

// Percent-decoding of one metadata value; false on a malformed escape.
int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool percentDecode(QByteArrayView in, QByteArray *out)
{
    // Most values hold no escape at all; they are copied in one piece.
    if (!in.contains('%')) {
        *out = in.toByteArray();
        return true;
    }
    out->clear();
    out->reserve(in.size());
    qsizetype plainStart = 0;
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != '%')
            continue;
        out->append(in.sliced(plainStart, i - plainStart));
        if (i + 2 >= in.size())
            return false;
        const int hi = hexValue(in[i + 1]);
        const int lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out->append(char(hi * 16 + lo));
        i += 2;
        plainStart = i + 1;
    }
    out->append(in.sliced(plainStart));
    return true;
}

bool twoDigits(QByteArrayView s, qsizetype at, int *value)
{
    if (at + 2 > s.size())
        return false;
    const char a = s[at], b = s[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9')
        return false;
    *value = (a - '0') * 10 + (b - '0');
    return true;
}

// Strict "YYYY-MM-DDTHH:MM:SSZ".
std::optional<QDateTime> parseTimestamp(QByteArrayView s)
{
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':'
        || s[16] != ':' || s[19] != 'Z')
        return std::nullopt;
    int c, y, mo, d, h, mi, se;
    if (!twoDigits(s, 0, &c) || !twoDigits(s, 2, &y) || !twoDigits(s, 5, &mo)
        || !twoDigits(s, 8, &d) || !twoDigits(s, 11, &h) || !twoDigits(s, 14, &mi)
        || !twoDigits(s, 17, &se))
        return std::nullopt;
    const QDate date(c * 100 + y, mo, d);
    const QTime time(h, mi, se);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, Qt::UTC);
}

void appendDigits(QByteArray &out, int value, int width)
{
    char digits[4];
    for (int k = width - 1; k >= 0; --k) {
        digits[k] = char('0' + value % 10);
        value /= 10;
    }
    out.append(digits, width);
}

// "YYYY-MM-DDTHH:MM:SSZ" in UTC. Written by hand because
// QDateTime::toString() costs several thousand instructions per call and
// the fingerprint formats one timestamp per managed entry. Times outside
// the years 0..9999, and invalid ones, keep Qt's formatting.
QByteArray formatTimestamp(const QDateTime &t)
{
    const QDateTime utc = t.timeSpec() == Qt::UTC ? t : t.toUTC();
    const QDate date = utc.date();
    if (!utc.isValid() || date.year() < 0 || date.year() > 9999)
        return utc.toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss'Z'")).toLatin1();
    const QTime time = utc.time();

    // YYYY-MM-DDTHH:MM:SSZ: each field with its width and the character after it.
    const struct {
        int value;
        int width;
        char after;
    } fields[] = {{date.year(), 4, '-'}, {date.month(), 2, '-'}, {date.day(), 2, 'T'},
                  {time.hour(), 2, ':'}, {time.minute(), 2, ':'}, {time.second(), 2, 'Z'}};
    QByteArray out;
    out.reserve(20);
    for (const auto &field : fields) {
        appendDigits(out, field.value, field.width);
        out.append(field.after);
    }
    return out;
}

// The physical line (without its LF) starts with the metadata tag:
// '#', optional blanks, "alias-sync:". Returns the text after the tag.
std::optional<QByteArrayView> metadataPayload(QByteArrayView line)
{
    if (line.isEmpty() || line[0] != '#')
        return std::nullopt;
    qsizetype i = 1;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    if (!line.sliced(i).startsWith(kMetadataTag))
        return std::nullopt;
    return line.sliced(i + kMetadataTag.size());
}

// Parses the payload of a metadata line; on failure *why says what is wrong.
bool parseMetadata(QByteArrayView payload, AliasMetadata *md, QString *why)
{
    bool haveTxid = false, haveBy = false, haveAt = false, haveServer = false;
    qsizetype i = 0;
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (true) {
        while (i < payload.size() && blank(payload[i]))
            ++i;
        if (i >= payload.size())
            break;
        qsizetype j = i;
        while (j < payload.size() && !blank(payload[j]))
            ++j;
        const QByteArrayView field = payload.sliced(i, j - i);
        i = j;
        const qsizetype eq = field.indexOf('=');
        if (eq <= 0) {
            *why = AliasFile::tr("field %1 is not key=value").arg(shown(field));
            return false;
        }
        const QByteArrayView key = field.first(eq);
        QByteArray value;
        bool *seen = nullptr;
        if (key == "txid")
            seen = &haveTxid;
        else if (key == "created-by")
            seen = &haveBy;
        else if (key == "created-at")
            seen = &haveAt;
        else if (key == "server")
            seen = &haveServer;
        else
            continue; // unknown keys are ignored (forward compatibility)
        if (*seen) {
            *why = AliasFile::tr("key %1 appears twice").arg(shown(key));
            return false;
        }
        *seen = true;
        if (!percentDecode(field.sliced(eq + 1), &value)) {
            *why = AliasFile::tr("malformed percent-encoding in %1").arg(shown(field));
            return false;
        }
        if (value.isEmpty()) {
            *why = AliasFile::tr("key %1 has an empty value").arg(shown(key));
            return false;
        }
        if (key == "txid") {
            md->txid = value;
        } else if (key == "created-by") {
            md->createdBy = value;
        } else if (key == "server") {
            md->server = value;
        } else {
            const auto t = parseTimestamp(value);
            if (!t) {
                *why = AliasFile::tr("created-at %1 is not a time of the form YYYY-MM-DDTHH:MM:SSZ")
                           .arg(shown(value));
                return false;
            }
            md->createdAt = *t;
        }
    }
    QStringList missing;
    if (!haveTxid)
        missing << QStringLiteral("txid");
    if (!haveBy)
        missing << QStringLiteral("created-by");
    if (!haveAt)
        missing << QStringLiteral("created-at");
    if (!haveServer)
        missing << QStringLiteral("server");
    if (!missing.isEmpty()) {
        *why = AliasFile::tr("missing %1").arg(missing.join(QStringLiteral(", ")));
        return false;
    }
    return true;
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

// ---------------------------------------------------------------------------
// Parsing

AliasFile AliasFile::parse(const QByteArray &bytes, const QString &fileName)
{
    AliasFile file;
    file.m_fileName = fileName;
    file.reparse(bytes);
    return file;
}

void AliasFile::reparse(const QByteArray &bytes)
{
    m_bytes = bytes;
    m_lineStarts.clear();
    m_entries.clear();
    m_firstByFolded.clear();
    m_warnings.clear();
    parseTail(0);
}

namespace {

// The first ':' operator token, or -1.
qsizetype colonToken(const QList<Token> &tokens)
{
    for (qsizetype k = 0; k < tokens.size(); ++k) {
        if (tokens[k].type == Token::Operator && tokens[k].op == ':')
            return k;
    }
    return -1;
}

bool hasOperatorBefore(const QList<Token> &tokens, qsizetype end, char op)
{
    for (qsizetype k = 0; k < end; ++k) {
        if (tokens[k].type == Token::Operator && tokens[k].op == op)
            return true;
    }
    return false;
}

// Builds the entry (name, folded name, value, destinations) from one logical
// line's tokens. tokens[colon] is the ':' between name and value.
AliasEntry entryFromTokens(const QList<Token> &tokens, qsizetype colon)
{
    AliasEntry entry;
    entry.name = detail::internalize(tokens, 0, colon);
    entry.foldedName = detail::foldCase(entry.name);
    entry.value = detail::externalize(tokens, colon + 1, tokens.size());
    qsizetype groupStart = colon + 1;
    for (qsizetype k = colon + 1; k <= tokens.size(); ++k) {
        if (k == tokens.size() || (tokens[k].type == Token::Operator && tokens[k].op == ',')) {
            const QByteArray d = detail::externalize(tokens, groupStart, k);
            if (!d.isEmpty())
                entry.destinations.append(d);
            groupStart = k + 1;
        }
    }
    return entry;
}

} // namespace

// Parses the lines from byte offset `from` (0, or just after an LF) to the
// end of m_bytes and appends their line starts, entries and warnings to
// what the lines before `from` gave.
//
// For a tail appended to a parsed file, the result equals a parse of the
// whole file under three conditions, which addManaged() meets:
// - the line at `from` is not a content line, so no metadata line above
//   `from` sits directly above a tail entry;
// - the first content line of the tail does not start with white space, so
//   it continues no earlier logical line (comment and blank lines of the
//   tail add nothing to an earlier logical line);
// - appending the tail did not change the text of any earlier line.
void AliasFile::parseTail(qsizetype from)
{
    const QByteArray &bytes = m_bytes;
    const int firstLine = int(m_lineStarts.size());
    const qsizetype firstWarning = m_warnings.size();

    m_lineStarts.reserve(m_lineStarts.size() + std::count(bytes.cbegin() + from, bytes.cend(), '\n') + 1);
    for (qsizetype pos = from; pos < bytes.size();) {
        m_lineStarts.append(pos);
        const qsizetype nl = bytes.indexOf('\n', pos);
        pos = nl < 0 ? bytes.size() : nl + 1;
    }
    const int lineCount = int(m_lineStarts.size());
    // A file has at most one entry per line; reserving that avoids
    // rehashing the index of a large file several times.
    if (firstLine == 0) {
        m_entries.reserve(lineCount);
        m_firstByFolded.reserve(lineCount);
    }

    // Physical line i (0-based) without its LF.
    const auto lineText = [&](int i) {
        const qsizetype start = m_lineStarts[i];
        qsizetype end = i + 1 < lineCount ? m_lineStarts[i + 1] : bytes.size();
        if (end > start && bytes[end - 1] == '\n')
            --end;
        return QByteArrayView(bytes).sliced(start, end - start);
    };
    // readllines(): a comment line's first non-blank is '#'; a blank line
    // has only white space (CR included).
    enum Kind { Blank, Comment, Content };
    const auto kindOf = [&](int i) {
        const QByteArrayView t = lineText(i);
        for (char c : t) {
            if (isSpace(c))
                continue;
            return c == '#' ? Comment : Content;
        }
        return Blank;
    };
    const auto warn = [&](int line, const QString &message) {
        m_warnings.append({m_fileName, line, message});
    };

    // Indexed by line - firstLine.
    QList<bool> metadataUsed(lineCount - firstLine, false);

    QByteArray joined; // a logical line of several physical lines
    int i = firstLine;
    while (i < lineCount) {
        if (kindOf(i) != Content) {
            ++i;
            continue;
        }
        // One logical line: this content line and every following line that
        // starts with white space or '#', comment and blank lines dropped,
        // the rest concatenated without their line ends. A logical line of
        // one physical line, the usual case, is not copied.
        const int first = i + 1;
        int last = first;
        QByteArrayView logical = lineText(i);
        bool isJoined = false;
        int j = i + 1;
        for (; j < lineCount; ++j) {
            const char c = bytes[m_lineStarts[j]];
            if (c != '#' && !isSpace(c))
                break;
            if (kindOf(j) == Content) {
                if (!isJoined) {
                    joined = logical.toByteArray();
                    isJoined = true;
                }
                joined.append(lineText(j));
                logical = joined;
                last = j + 1;
            }
        }
        i = j;

        if (isSpace(logical[0])) {
            warn(first, AliasFile::tr("logical line must not start with white space; ignored (it continues nothing)"));
            continue;
        }
        const qsizetype nul = logical.indexOf('\0');
        const QByteArrayView beforeNul = nul >= 0 ? logical.first(nul) : logical;
        const bool ascii = std::all_of(beforeNul.begin(), beforeNul.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x80;
        });
        if (!ascii && !detail::isValidUtf8(logical)) {
            warn(first, AliasFile::tr("non-UTF-8 input; line ignored"));
            continue;
        }
        if (nul >= 0)
            warn(first, AliasFile::tr("text after a NUL byte is ignored"));

        const QList<Token> tokens = detail::scanTokens(logical);
        if (tokens.isEmpty())
            continue;
        const qsizetype colon = colonToken(tokens);
        if (colon <= 0 || colon == tokens.size() - 1 || hasOperatorBefore(tokens, colon, ',')) {
            warn(first, AliasFile::tr("need name:value pair; line ignored"));
            continue;
        }
        if (hasOperatorBefore(tokens, colon, '@') || hasOperatorBefore(tokens, colon, '%')) {
            warn(first, AliasFile::tr("name must be local; line ignored"));
            continue;
        }

        AliasEntry entry = entryFromTokens(tokens, colon);
        entry.firstLine = first;
        entry.lastLine = last;

        if (first - 2 >= firstLine) {
            if (const auto payload = metadataPayload(lineText(first - 2))) {
                metadataUsed[first - 2 - firstLine] = true;
                QString why;
                AliasMetadata md;
                if (parseMetadata(*payload, &md, &why)) {
                    entry.managed = true;
                    entry.metadata = md;
                } else {
                    warn(first - 1, AliasFile::tr("malformed alias-sync metadata line (%1); entry %2 "
                                       "is treated as unmanaged")
                                        .arg(why, shown(entry.name)));
                }
            }
        }

        const auto dup = m_firstByFolded.constFind(entry.foldedName);
        if (dup != m_firstByFolded.cend()) {
            warn(first, AliasFile::tr("duplicate entry %1 ignored; the definition at line %2 wins")
                            .arg(shown(entry.foldedName))
                            .arg(m_entries[*dup].firstLine));
        } else {
            m_firstByFolded.insert(entry.foldedName, m_entries.size());
        }
        m_entries.append(std::move(entry));
    }

    for (int k = firstLine; k < lineCount; ++k) {
        if (!metadataUsed[k - firstLine] && metadataPayload(lineText(k))) {
            warn(k + 1, AliasFile::tr("alias-sync metadata line is not directly above an alias entry; ignored"));
        }
    }
    // The earlier warnings are about earlier lines, so sorting the new
    // ones keeps the whole list in line order.
    std::stable_sort(m_warnings.begin() + firstWarning, m_warnings.end(),
                     [](const AliasFileWarning &a, const AliasFileWarning &b) { return a.line < b.line; });
}

std::optional<AliasFile> AliasFile::load(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (!QFileInfo(path).exists() && f.error() == QFileDevice::OpenError) {
            AliasFile empty;
            empty.m_fileName = path;
            return empty;
        }
        setError(error, AliasFile::tr("%1: cannot open: %2").arg(path, f.errorString()));
        return std::nullopt;
    }
    const QByteArray bytes = f.readAll();
    if (f.error() != QFileDevice::NoError) {
        setError(error, AliasFile::tr("%1: cannot read: %2").arg(path, f.errorString()));
        return std::nullopt;
    }
    return parse(bytes, path);
}

// ---------------------------------------------------------------------------
// Queries

const AliasEntry *AliasFile::lookup(QByteArrayView name) const
{
    const auto it = m_firstByFolded.constFind(detail::foldCase(name));
    return it == m_firstByFolded.cend() ? nullptr : &m_entries[*it];
}

namespace {

// Returns the index at which Postfix's split_addr() cuts a local part at
// the recipient delimiter, or -1 where it does not (src/global/split_addr.c).
// owner_request_special and double_bounce_sender are taken at their
// defaults (yes, double-bounce). An extension with a '/' draws a warning
// from local(8) 3.7, yet the alias of the part before it is still used, as
// tests/postfix-setup/alias-lookups.sh shows with real delivery.
qsizetype extensionStart(const QByteArray &local, QByteArrayView delimiters)
{
    static const QList<QByteArray> neverSplit = {"postmaster", "mailer-daemon", "double-bounce"};
    if (delimiters.isEmpty() || neverSplit.contains(local))
        return -1;
    if (delimiters.contains('-') && (local.startsWith("owner-") || (local.size() > 8 && local.endsWith("-request"))))
        return -1;

    qsizetype cut = -1;
    for (qsizetype i = 0; i < local.size() && cut < 0; ++i) {
        if (delimiters.contains(local.at(i)))
            cut = i;
    }

    // A cut that would leave an empty user is not made.
    if (cut <= 0)
        return -1;
    return cut;
}

} // namespace

RecipientMatch AliasFile::lookupRecipient(QByteArrayView localPart, QByteArrayView delimiters) const
{
    // local(8) lower-cases the address in ASCII before anything else; the
    // table lookup then folds the rest.
    const QByteArray local = localPart.toByteArray().toLower();
    if (const AliasEntry *entry = lookup(local))
        return {entry, {}};

    const qsizetype cut = extensionStart(local, delimiters);
    if (cut < 0)
        return {};
    if (const AliasEntry *entry = lookup(QByteArrayView(local).first(cut)))
        return {entry, local.mid(cut + 1)};
    return {};
}

QList<AliasEntry> AliasFile::managedEntries() const
{
    QList<AliasEntry> out;
    for (const AliasEntry &e : m_entries) {
        if (e.managed)
            out.append(e);
    }
    return out;
}

namespace {

// The lines of the canonical form (specs/alias-file.md), written into one
// buffer and ordered by (folded name, whole line).
struct CanonicalLines {
    struct Line {
        qsizetype start, keySize, size;
    };
    QByteArray text;
    std::vector<Line> order;

    QByteArrayView line(const Line &l) const { return QByteArrayView(text).sliced(l.start, l.size); }
};

// std::string_view compares bytes as unsigned values and then by length,
// the order QByteArray's operator< gives.
std::string_view asStringView(QByteArrayView v)
{
    return std::string_view(v.data(), size_t(v.size()));
}

CanonicalLines canonicalLines(const QList<AliasEntry> &entries)
{
    CanonicalLines out;
    for (const AliasEntry &e : entries) {
        if (!e.managed)
            continue;
        const qsizetype start = out.text.size();
        out.text += e.foldedName;
        out.text += '\t';
        out.text += e.value;
        out.text += '\t';
        out.text += AliasFile::percentEncode(e.metadata.txid);
        out.text += '\t';
        out.text += AliasFile::percentEncode(e.metadata.createdBy);
        out.text += '\t';
        out.text += formatTimestamp(e.metadata.createdAt);
        out.text += '\t';
        out.text += AliasFile::percentEncode(e.metadata.server);
        out.text += '\n';
        out.order.push_back({start, e.foldedName.size(), out.text.size() - start});
    }
    const QByteArrayView text(out.text);
    std::sort(out.order.begin(), out.order.end(), [&](const CanonicalLines::Line &a, const CanonicalLines::Line &b) {
        const std::string_view keyA = asStringView(text.sliced(a.start, a.keySize));
        const std::string_view keyB = asStringView(text.sliced(b.start, b.keySize));
        if (keyA != keyB)
            return keyA < keyB;
        return asStringView(text.sliced(a.start, a.size)) < asStringView(text.sliced(b.start, b.size));
    });
    return out;
}

} // namespace

QByteArray AliasFile::canonicalManagedForm() const
{
    const CanonicalLines lines = canonicalLines(m_entries);
    QByteArray out;
    out.reserve(lines.text.size());
    for (const CanonicalLines::Line &l : lines.order)
        out += lines.line(l);
    return out;
}

// Hashes the sorted lines one by one, which gives the digest of
// canonicalManagedForm() without building it.
// OpenSSL 3's SHA-256 uses the CPU's SHA instructions where Qt 6.4's
// QCryptographicHash runs portable C: at 100,000 entries the fingerprint
// took 43 ms instead of 70 ms (tests/bench, docs/benchmarks.md).
QByteArray AliasFile::fingerprint() const
{
    const CanonicalLines lines = canonicalLines(m_entries);

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    bool ok = context && EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1;
    for (const CanonicalLines::Line &l : lines.order) {
        const QByteArrayView line = lines.line(l);
        ok = ok && EVP_DigestUpdate(context.get(), line.data(), size_t(line.size())) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(context.get(), digest, &digestLength) == 1;

    // libcrypto fails here only without memory; Qt's hash gives the same value.
    if (!ok) {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (const CanonicalLines::Line &l : lines.order)
            hash.addData(lines.line(l));
        return hash.result().toHex();
    }
    return QByteArray(reinterpret_cast<const char *>(digest), int(digestLength)).toHex();
}

// ---------------------------------------------------------------------------
// Formatting and validation

namespace {

// The bytes percentEncode() leaves as they are.
bool isPlainMetadataByte(unsigned char u)
{
    return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '.' || u == '_'
           || u == '-' || u == '@' || u == '+' || u == ':';
}

} // namespace

QByteArray AliasFile::percentEncode(QByteArrayView value)
{
    static const char hex[] = "0123456789ABCDEF";
    // Metadata values are usually plain; those are copied in one piece.
    if (std::all_of(value.begin(), value.end(), [](char c) { return isPlainMetadataByte(static_cast<unsigned char>(c)); }))
        return value.toByteArray();
    QByteArray out;
    out.reserve(value.size() * 3);
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (isPlainMetadataByte(u)) {
            out.append(c);
        } else {
            out.append('%');
            out.append(hex[u >> 4]);
            out.append(hex[u & 0xF]);
        }
    }
    return out;
}

QByteArray AliasFile::formatMetadataLine(const AliasMetadata &md)
{
    QByteArray line = "# alias-sync: txid=";
    line += percentEncode(md.txid);
    line += " created-by=";
    line += percentEncode(md.createdBy);
    line += " created-at=";
    line += formatTimestamp(md.createdAt);
    line += " server=";
    line += percentEncode(md.server);
    return line;
}

bool AliasFile::validateName(QByteArrayView name, QString *error)
{
    if (name.isEmpty()) {
        setError(error, AliasFile::tr("the alias name is empty"));
        return false;
    }
    if (!detail::isValidUtf8(name)) {
        setError(error, AliasFile::tr("the alias name %1 is not valid UTF-8").arg(shown(name)));
        return false;
    }
    if (hasControlCharacter(name)) {
        setError(error, AliasFile::tr("the alias name %1 contains a control character").arg(shown(name)));
        return false;
    }
    if (hasWhitespace(name)) {
        setError(error, AliasFile::tr("the alias name %1 contains white space").arg(shown(name)));
        return false;
    }
    if (name.contains(':')) {
        setError(error, AliasFile::tr("the alias name %1 contains ':'").arg(shown(name)));
        return false;
    }
    if (name.contains('#')) {
        setError(error, AliasFile::tr("the alias name %1 contains '#'").arg(shown(name)));
        return false;
    }
    if (name.startsWith('|')) {
        setError(error, AliasFile::tr("the alias name %1 starts with '|'").arg(shown(name)));
        return false;
    }
    if (name.startsWith('/')) {
        setError(error, AliasFile::tr("the alias name %1 starts with '/'").arg(shown(name)));
        return false;
    }
    // RFC 822 specials that postalias would not keep as part of a local
    // name written without quotes.
    for (char c : name) {
        if (c != 0 && std::strchr("\"(),;<>@[\\]%", c)) {
            setError(error, AliasFile::tr("the alias name %1 contains '%2', which is not allowed in a local name")
                                .arg(shown(name), QString(QLatin1Char(c))));
            return false;
        }
    }
    return true;
}

bool AliasFile::validateDestination(QByteArrayView dest, QString *error)
{
    if (dest.isEmpty()) {
        setError(error, AliasFile::tr("a destination is empty"));
        return false;
    }
    if (!detail::isValidUtf8(dest)) {
        setError(error, AliasFile::tr("the destination %1 is not valid UTF-8").arg(shown(dest)));
        return false;
    }
    if (hasControlCharacter(dest)) {
        setError(error, AliasFile::tr("the destination %1 contains a control character").arg(shown(dest)));
        return false;
    }
    if (hasWhitespace(dest)) {
        setError(error, AliasFile::tr("the destination %1 contains white space").arg(shown(dest)));
        return false;
    }
    if (dest.startsWith('|')) {
        setError(error, AliasFile::tr("the destination %1 would deliver to a command").arg(shown(dest)));
        return false;
    }
    if (dest.startsWith('/')) {
        setError(error, AliasFile::tr("the destination %1 would deliver to a file").arg(shown(dest)));
        return false;
    }
    if (QByteArray(dest.data(), qMin<qsizetype>(dest.size(), 9)).toLower() == ":include:") {
        setError(error, AliasFile::tr("the destination %1 would include a file of addresses").arg(shown(dest)));
        return false;
    }
    if (dest.contains('#')) {
        setError(error, AliasFile::tr("the destination %1 contains '#'").arg(shown(dest)));
        return false;
    }
    // ':' (group syntax), quotes, comments, route brackets and domain
    // literals could make the local delivery agent see something else than
    // the plain address, e.g. x:/file or "|command".
    for (char c : dest) {
        if (c != 0 && std::strchr("\"(),:;<>[\\]", c)) {
            setError(error, AliasFile::tr("the destination %1 contains '%2', which is not allowed")
                                .arg(shown(dest), QString(QLatin1Char(c))));
            return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------
// Editing

QByteArray AliasFile::lineEnding() const
{
    const qsizetype nl = m_bytes.indexOf('\n');
    return (nl > 0 && m_bytes[nl - 1] == '\r') ? QByteArrayLiteral("\r\n") : QByteArrayLiteral("\n");
}

bool AliasFile::addManaged(const QByteArray &name, const QList<QByteArray> &destinations,
                           const AliasMetadata &metadata, QString *error)
{
    if (!validateName(name, error))
        return false;
    if (destinations.isEmpty()) {
        setError(error, AliasFile::tr("the alias %1 has no destination").arg(shown(name)));
        return false;
    }
    for (const QByteArray &d : destinations) {
        if (!validateDestination(d, error))
            return false;
    }
    const struct {
        const QByteArray *value;
        const char *key;
    } fields[] = {{&metadata.txid, "txid"}, {&metadata.createdBy, "created-by"}, {&metadata.server, "server"}};
    for (const auto &f : fields) {
        if (f.value->isEmpty()) {
            setError(error, AliasFile::tr("the metadata of alias %1 has an empty %2")
                                .arg(shown(name), QLatin1String(f.key)));
            return false;
        }
    }
    if (!metadata.createdAt.isValid() || metadata.createdAt.toUTC().date().year() < 0
        || metadata.createdAt.toUTC().date().year() > 9999) {
        setError(error, AliasFile::tr("the metadata of alias %1 has no valid creation time").arg(shown(name)));
        return false;
    }
    // m_firstByFolded contains every folded name with its first definition.
    const auto present = m_firstByFolded.constFind(detail::foldCase(name));
    if (present != m_firstByFolded.cend()) {
        setError(error, AliasFile::tr("the alias %1 is already present at %2 line %3")
                            .arg(shown(name), m_fileName)
                            .arg(m_entries[*present].firstLine));
        return false;
    }

    const QByteArray eol = lineEnding();
    const bool endsInLineEnd = m_bytes.isEmpty() || m_bytes.endsWith('\n');
    QByteArray lineEndFirst;
    if (!endsInLineEnd)
        lineEndFirst = (eol == "\r\n" && m_bytes.endsWith('\r')) ? QByteArrayLiteral("\n") : eol;
    QByteArray appended = formatMetadataLine(metadata);
    appended += eol;
    appended += name;
    appended += ": ";
    appended += destinations.join(", ");
    appended += eol;

    // A CR LF added after a last line that does not end in CR puts a CR
    // into that line's text, and the tokenizer keeps a CR inside a quoted
    // string or comment as part of the value. Only then is the whole file
    // parsed again. Otherwise only the appended lines are parsed: they start
    // with the metadata comment line and the entry line starts with its
    // name, so they meet parseTail()'s conditions.
    const bool lastLineChanges = !lineEndFirst.isEmpty() && !lineEndFirst.startsWith('\n');
    const ParsedSize before = parsedSize();
    const QByteArray bytesBefore = m_bytes;
    if (lastLineChanges) {
        reparse(m_bytes + lineEndFirst + appended);
    } else {
        m_bytes += lineEndFirst;
        const qsizetype tailStart = m_bytes.size();
        m_bytes += appended;
        parseTail(tailStart);
    }

    // Belt and braces: the new entry must read back exactly as intended.
    const AliasEntry *added = lookup(name);
    if (!added || !added->managed || added->name != name || added->destinations != destinations
        || added->value != destinations.join(", ")) {
        if (lastLineChanges)
            reparse(bytesBefore);
        else
            truncateTo(before);
        setError(error, AliasFile::tr("the alias %1 would not read back as written; not added").arg(shown(name)));
        return false;
    }
    return true;
}

AliasFile::ParsedSize AliasFile::parsedSize() const
{
    return {m_bytes.size(), m_lineStarts.size(), m_entries.size(), m_warnings.size()};
}

// Drops what parseTail() appended after the state in size.
void AliasFile::truncateTo(const ParsedSize &size)
{
    for (qsizetype k = size.entries; k < m_entries.size(); ++k) {
        const auto it = m_firstByFolded.constFind(m_entries[k].foldedName);
        if (it != m_firstByFolded.cend() && *it == k)
            m_firstByFolded.remove(m_entries[k].foldedName);
    }
    m_entries.resize(size.entries);
    m_warnings.resize(size.warnings);
    m_lineStarts.resize(size.lines);
    m_bytes.truncate(size.bytes);
}

bool AliasFile::removeManaged(const QByteArray &name, QString *error)
{
    const QByteArray folded = detail::foldCase(name);
    QList<const AliasEntry *> found;
    for (const AliasEntry &e : std::as_const(m_entries)) {
        if (e.foldedName == folded)
            found.append(&e);
    }
    if (found.isEmpty()) {
        setError(error, AliasFile::tr("there is no alias %1 in %2").arg(shown(name), m_fileName));
        return false;
    }
    for (const AliasEntry *e : std::as_const(found)) {
        if (!e->managed) {
            setError(error, AliasFile::tr("the alias %1 at %2 line %3 is not managed by alias-sync; not removed")
                                .arg(shown(name), m_fileName)
                                .arg(e->firstLine));
            return false;
        }
    }

    // 1-based physical lines to drop: the metadata line and every line
    // from the entry's first to its last (comments in between included).
    QList<bool> drop(m_lineStarts.size() + 1, false);
    for (const AliasEntry *e : std::as_const(found)) {
        for (int l = e->firstLine - 1; l <= e->lastLine; ++l)
            drop[l] = true;
    }
    QByteArray bytes;
    bytes.reserve(m_bytes.size());
    for (qsizetype l = 0; l < m_lineStarts.size(); ++l) {
        if (drop[l + 1])
            continue;
        const qsizetype start = m_lineStarts[l];
        const qsizetype end = l + 1 < m_lineStarts.size() ? m_lineStarts[l + 1] : m_bytes.size();
        bytes += QByteArrayView(m_bytes).sliced(start, end - start);
    }
    reparse(bytes);
    return true;
}

} // namespace aliassync
