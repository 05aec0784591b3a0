#include "headers.h"

#include <QStringDecoder>

#include <cstring>

namespace aliassync {

namespace {

bool isWsp(char c)
{
    return c == ' ' || c == '\t';
}

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && qstrnicmp(a.data(), a.size(), b.data(), b.size()) == 0;
}

QByteArray trimmedWsp(QByteArrayView v)
{
    qsizetype b = 0;
    qsizetype e = v.size();
    while (b < e && isWsp(v[b]))
        ++b;
    while (e > b && isWsp(v[e - 1]))
        --e;
    return v.sliced(b, e - b).toByteArray();
}

bool isValidFieldName(QByteArrayView name)
{
    if (name.isEmpty())
        return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126 || c == ':')
            return false;
    }
    return true;
}

QString decodeUtf8Lenient(QByteArrayView bytes)
{
    QStringDecoder dec(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
    return dec.decode(bytes);
}

// Text outside encoded words: UTF-8, raw HTAB is header white space.
QString decodeRawText(QByteArrayView bytes)
{
    QString s = decodeUtf8Lenient(bytes);
    s.replace(QLatin1Char('\t'), QLatin1Char(' '));
    return s;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

QByteArray decodeQ(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '_') {
            out += ' ';
        } else if (c == '=' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0
                   && hexValue(text[i + 2]) >= 0) {
            out += char(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<QByteArray> decodeB(QByteArrayView text)
{
    QByteArray padded = text.toByteArray();
    while (padded.size() % 4 != 0)
        padded += '=';
    auto r = QByteArray::fromBase64Encoding(padded, QByteArray::AbortOnBase64DecodingErrors);
    if (!r)
        return std::nullopt;
    return *r;
}

bool isCharsetChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || std::strchr("-_.:+*!#$%&'^`{}~", c) != nullptr;
}

struct EncodedWord
{
    qsizetype length = 0; // bytes of the whole =?...?= token
    QByteArray charset;   // lower-cased, RFC 2231 language removed
    QByteArray bytes;     // decoded bytes, still in charset
};

// Tries to read an encoded word at raw[pos] ("=?").
std::optional<EncodedWord> readEncodedWord(QByteArrayView raw, qsizetype pos)
{
    if (pos + 1 >= raw.size() || raw[pos] != '=' || raw[pos + 1] != '?')
        return std::nullopt;
    qsizetype i = pos + 2;
    const qsizetype charsetStart = i;
    while (i < raw.size() && isCharsetChar(raw[i]))
        ++i;
    if (i == charsetStart || i - charsetStart > 64 || i + 2 >= raw.size() || raw[i] != '?')
        return std::nullopt;
    QByteArray charset = raw.sliced(charsetStart, i - charsetStart).toByteArray().toLower();
    const qsizetype star = charset.indexOf('*');
    if (star >= 0)
        charset.truncate(star);
    if (charset.isEmpty())
        return std::nullopt;
    const char enc = raw[i + 1];
    if (raw[i + 2] != '?')
        return std::nullopt;
    if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q')
        return std::nullopt;
    const qsizetype textStart = i + 3;
    qsizetype j = textStart;
    while (j + 1 < raw.size() && !(raw[j] == '?' && raw[j + 1] == '=')) {
        const auto u = static_cast<unsigned char>(raw[j]);
        if (u <= 32 || u >= 127) // encoded text has no white space, controls or 8-bit
            return std::nullopt;
        ++j;
    }
    if (j + 1 >= raw.size())
        return std::nullopt;
    const QByteArrayView text = raw.sliced(textStart, j - textStart);
    EncodedWord w;
    w.length = j + 2 - pos;
    w.charset = charset;
    if (enc == 'Q' || enc == 'q') {
        w.bytes = decodeQ(text);
    } else {
        auto b = decodeB(text);
        if (!b)
            return std::nullopt;
        w.bytes = *b;
    }
    return w;
}

bool decodeCharset(const QByteArray &charset, QByteArrayView bytes, QString *out)
{
    QStringDecoder dec(charset.constData(), QStringConverter::Flag::Stateless);
    if (!dec.isValid())
        return false;
    *out = dec.decode(bytes);
    return true;
}

struct Segment
{
    bool encoded = false;
    QByteArray raw;     // the original bytes (literal, or the whole encoded word(s))
    QByteArray charset; // encoded only
    QByteArray bytes;   // encoded only
};

} // namespace

QString decodeHeaderText(QByteArrayView raw)
{
    QList<Segment> segments;
    qsizetype literalStart = 0;
    qsizetype i = 0;
    auto flushLiteral = [&](qsizetype end) {
        if (end > literalStart) {
            Segment s;
            s.raw = raw.sliced(literalStart, end - literalStart).toByteArray();
            segments.append(s);
        }
    };
    while (i < raw.size()) {
        if (raw[i] == '=' && i + 1 < raw.size() && raw[i + 1] == '?') {
            if (auto w = readEncodedWord(raw, i)) {
                flushLiteral(i);
                Segment s;
                s.encoded = true;
                s.raw = raw.sliced(i, w->length).toByteArray();
                s.charset = w->charset;
                s.bytes = w->bytes;
                segments.append(s);
                i += w->length;
                literalStart = i;
                continue;
            }
        }
        ++i;
    }
    flushLiteral(raw.size());

    // Drop white space between encoded words, then join neighbours of one charset.
    QList<Segment> joined;
    for (qsizetype k = 0; k < segments.size(); ++k) {
        const Segment &s = segments[k];
        if (!s.encoded && k > 0 && k + 1 < segments.size() && segments[k - 1].encoded
            && segments[k + 1].encoded) {
            bool onlyWsp = true;
            for (char c : s.raw)
                onlyWsp = onlyWsp && (isWsp(c) || c == '\r' || c == '\n');
            if (onlyWsp)
                continue;
        }
        if (s.encoded && !joined.isEmpty() && joined.last().encoded
            && joined.last().charset == s.charset) {
            joined.last().raw += s.raw;
            joined.last().bytes += s.bytes;
            continue;
        }
        joined.append(s);
    }

    QString out;
    for (const Segment &s : std::as_const(joined)) {
        if (!s.encoded) {
            out += decodeRawText(s.raw);
            continue;
        }
        QString text;
        if (decodeCharset(s.charset, s.bytes, &text))
            out += text;
        else
            out += decodeRawText(s.raw);
    }
    return out;
}

MailHeaders MailHeaders::parse(const QByteArray &message)
{
    MailHeaders h;
    qsizetype pos = 0;
    const qsizetype n = message.size();
    if (message.startsWith("From ")) { // mbox separator line
        const qsizetype nl = message.indexOf('\n');
        pos = nl < 0 ? n : nl + 1;
    }
    bool currentValid = false;
    QByteArray currentName;
    QByteArray currentValue;
    auto finish = [&]() {
        if (currentValid)
            h.m_fields.append(Field{currentName, trimmedWsp(currentValue)});
        currentValid = false;
        currentName.clear();
        currentValue.clear();
    };
    while (pos < n) {
        qsizetype nl = message.indexOf('\n', pos);
        const qsizetype next = nl < 0 ? n : nl + 1;
        qsizetype end = nl < 0 ? n : nl;
        if (end > pos && message[end - 1] == '\r')
            --end;
        const QByteArrayView line(message.constData() + pos, end - pos);
        pos = next;
        if (line.isEmpty())
            break; // end of the header block
        if (isWsp(line[0])) {
            if (currentValid)
                currentValue += line; // unfolding keeps the WSP, drops the line break
            continue;
        }
        finish();
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        QByteArray name = line.first(colon).toByteArray();
        while (!name.isEmpty() && isWsp(name.back()))
            name.chop(1);
        if (!isValidFieldName(name))
            continue;
        currentValid = true;
        currentName = name;
        currentValue = line.sliced(colon + 1).toByteArray();
    }
    finish();
    return h;
}

bool MailHeaders::contains(QByteArrayView name) const
{
    for (const Field &f : m_fields)
        if (sameName(f.name, name))
            return true;
    return false;
}

qsizetype MailHeaders::count(QByteArrayView name) const
{
    qsizetype c = 0;
    for (const Field &f : m_fields)
        if (sameName(f.name, name))
            ++c;
    return c;
}

QList<QByteArray> MailHeaders::rawValues(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const Field &f : m_fields)
        if (sameName(f.name, name))
            out.append(f.value);
    return out;
}

std::optional<QByteArray> MailHeaders::rawValue(QByteArrayView name) const
{
    for (const Field &f : m_fields)
        if (sameName(f.name, name))
            return f.value;
    return std::nullopt;
}

std::optional<QString> MailHeaders::decodedValue(QByteArrayView name) const
{
    if (auto v = rawValue(name))
        return decodeHeaderText(*v);
    return std::nullopt;
}

QStringList MailHeaders::decodedValues(QByteArrayView name) const
{
    QStringList out;
    for (const Field &f : m_fields)
        if (sameName(f.name, name))
            out.append(decodeHeaderText(f.value));
    return out;
}

QByteArray MailHeaders::leadingToken(QByteArrayView rawValue)
{
    QByteArray out;
    int depth = 0;
    for (qsizetype i = 0; i < rawValue.size(); ++i) {
        const char c = rawValue[i];
        if (depth > 0) {
            if (c == '\\')
                ++i;
            else if (c == '(')
                ++depth;
            else if (c == ')')
                --depth;
            continue;
        }
        if (c == '(') {
            ++depth;
            continue;
        }
        if (c == ';')
            break;
        out += c;
    }
    out = out.trimmed().toLower();
    // Inner white space (e.g. "multipart / report") is not part of a token.
    out.replace(' ', QByteArray()).replace('\t', QByteArray());
    return out;
}

} // namespace aliassync
