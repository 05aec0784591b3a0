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
    out->clear();
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out->append(in[i]);
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        const int hi = hexValue(in[i + 1]);
        const int lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out->append(char(hi * 16 + lo));
        i += 2;
    }
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

QByteArray formatTimestamp(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss'Z'")).toLatin1();
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

    for (qsizetype pos = 0; pos < bytes.size();) {
        m_lineStarts.append(pos);
        const qsizetype nl = bytes.indexOf('\n', pos);
        pos = nl < 0 ? bytes.size() : nl + 1;
    }
    const int lineCount = int(m_lineStarts.size());

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

    QList<bool> metadataUsed(lineCount, false);

    int i = 0;
    while (i < lineCount) {
        if (kindOf(i) != Content) {
            ++i;
            continue;
        }
        // One logical line: this content line and every following line that
        // starts with white space or '#', comment and blank lines dropped,
        // the rest concatenated without their line ends.
        const int first = i + 1;
        int last = first;
        QByteArray logical = lineText(i).toByteArray();
        int j = i + 1;
        for (; j < lineCount; ++j) {
            const char c = bytes[m_lineStarts[j]];
            if (c != '#' && !isSpace(c))
                break;
            if (kindOf(j) == Content) {
                logical.append(lineText(j));
                last = j + 1;
            }
        }
        i = j;

        if (isSpace(logical[0])) {
            warn(first, AliasFile::tr("logical line must not start with white space; ignored (it continues nothing)"));
            continue;
        }
        const qsizetype nul = logical.indexOf('\0');
        const QByteArrayView beforeNul = nul >= 0 ? QByteArrayView(logical).first(nul)
                                                  : QByteArrayView(logical);
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
        qsizetype colon = -1;
        for (qsizetype k = 0; k < tokens.size(); ++k) {
            if (tokens[k].type == Token::Operator && tokens[k].op == ':') {
                colon = k;
                break;
            }
        }
        const auto beforeColon = [&](char op) {
            for (qsizetype k = 0; k < colon; ++k) {
                if (tokens[k].type == Token::Operator && tokens[k].op == op)
                    return true;
            }
            return false;
        };
        if (colon <= 0 || colon == tokens.size() - 1 || beforeColon(',')) {
            warn(first, AliasFile::tr("need name:value pair; line ignored"));
            continue;
        }
        if (beforeColon('@') || beforeColon('%')) {
            warn(first, AliasFile::tr("name must be local; line ignored"));
            continue;
        }

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
        entry.firstLine = first;
        entry.lastLine = last;

        if (first >= 2) {
            if (const auto payload = metadataPayload(lineText(first - 2))) {
                metadataUsed[first - 2] = true;
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

    for (int k = 0; k < lineCount; ++k) {
        if (!metadataUsed[k] && metadataPayload(lineText(k))) {
            warn(k + 1, AliasFile::tr("alias-sync metadata line is not directly above an alias entry; ignored"));
        }
    }
    std::stable_sort(m_warnings.begin(), m_warnings.end(),
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

// Where Postfix's split_addr() cuts a local part at the recipient
// delimiter, or -1 where it does not (src/global/split_addr.c).
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

QByteArray AliasFile::canonicalManagedForm() const
{
    QList<QPair<QByteArray, QByteArray>> lines; // (foldedName, whole line)
    for (const AliasEntry &e : m_entries) {
        if (!e.managed)
            continue;
        QByteArray line = e.foldedName;
        line += '\t';
        line += e.value;
        line += '\t';
        line += percentEncode(e.metadata.txid);
        line += '\t';
        line += percentEncode(e.metadata.createdBy);
        line += '\t';
        line += formatTimestamp(e.metadata.createdAt);
        line += '\t';
        line += percentEncode(e.metadata.server);
        line += '\n';
        lines.append({e.foldedName, line});
    }
    std::sort(lines.begin(), lines.end());
    QByteArray out;
    for (const auto &l : std::as_const(lines))
        out += l.second;
    return out;
}

QByteArray AliasFile::fingerprint() const
{
    return QCryptographicHash::hash(canonicalManagedForm(), QCryptographicHash::Sha256).toHex();
}

// ---------------------------------------------------------------------------
// Formatting and validation

QByteArray AliasFile::percentEncode(QByteArrayView value)
{
    static const char hex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(value.size());
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        const bool plain = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')
                           || u == '.' || u == '_' || u == '-' || u == '@' || u == '+' || u == ':';
        if (plain) {
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
    const QByteArray folded = detail::foldCase(name);
    for (const AliasEntry &e : std::as_const(m_entries)) {
        if (e.foldedName == folded) {
            setError(error, AliasFile::tr("the alias %1 is already present at %2 line %3")
                                .arg(shown(name), m_fileName)
                                .arg(e.firstLine));
            return false;
        }
    }

    const QByteArray eol = lineEnding();
    QByteArray bytes = m_bytes;
    if (!bytes.isEmpty() && !bytes.endsWith('\n'))
        bytes += (eol == "\r\n" && bytes.endsWith('\r')) ? QByteArrayLiteral("\n") : eol;
    bytes += formatMetadataLine(metadata);
    bytes += eol;
    bytes += name;
    bytes += ": ";
    bytes += destinations.join(", ");
    bytes += eol;

    const QByteArray before = m_bytes;
    reparse(bytes);

    // Belt and braces: the new entry must read back exactly as intended.
    const AliasEntry *added = lookup(name);
    if (!added || !added->managed || added->name != name || added->destinations != destinations
        || added->value != destinations.join(", ")) {
        reparse(before);
        setError(error, AliasFile::tr("the alias %1 would not read back as written; not added").arg(shown(name)));
        return false;
    }
    return true;
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
