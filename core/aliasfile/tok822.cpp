// A faithful re-implementation of the parts of Postfix's tok822_parse.c that
// postalias(1) relies on: tok822_scan(), tok822_internalize() and
// tok822_externalize() (Postfix 3.7). Only the flat token list is produced;
// postalias never calls the address parser on alias lines.
#include "tok822_p.h"

#include <algorithm>
#include <cstring>

namespace aliassync::detail {
namespace {

// Postfix's ISSPACE()/ISCNTRL(): ASCII only.
bool isSpace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool isCntrl(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

// tok822_opchar: "|%!" followed by the RFC 822 specials. A table instead of
// strchr() because the tokenizer checks every input byte.
struct OpCharTable {
    bool member[256] = {};
    constexpr OpCharTable()
    {
        for (const char *p = "|%!()<>@,;:\\\".[]"; *p; ++p)
            member[static_cast<unsigned char>(*p)] = true;
    }
};
constexpr OpCharTable kOpChars;

bool isOpChar(unsigned char c)
{
    return kOpChars.member[c];
}

// COLLECT(): appends characters while cond holds; a backslash takes the
// next character literally; whitespace characters are stored as spaces.
// Runs without a backslash are appended as one slice, and the white space
// mapping is applied to the appended bytes afterwards, which gives the same
// bytes as Postfix's character-by-character loop.
template <typename Cond>
qsizetype collect(QByteArray &out, QByteArrayView s, qsizetype i, Cond cond)
{
    const qsizetype outStart = out.size();
    const qsizetype n = s.size();
    while (i < n) {
        qsizetype runEnd = i;
        while (runEnd < n && s[runEnd] != '\\' && cond(static_cast<unsigned char>(s[runEnd])))
            ++runEnd;
        out.append(s.data() + i, runEnd - i);
        i = runEnd;
        if (i >= n || s[i] != '\\')
            break;
        if (++i >= n)
            break;
        out.append(s[i]);
        ++i;
    }
    for (qsizetype k = outStart; k < out.size(); ++k) {
        const char c = out.at(k);
        if (c == '\t' || c == '\r' || c == '\n')
            out[k] = ' ';
    }
    return i;
}

bool isNonOperator(const Token &t)
{
    return t.type != Token::Operator;
}

// tok822_append_space() for a flat list (no token has an owner).
bool appendSpace(const QList<Token> &tokens, qsizetype i, qsizetype to)
{
    if (i + 1 >= to)
        return false;
    const Token &tp = tokens[i];
    const Token &next = tokens[i + 1];
    if (next.type == Token::Operator && next.op == '<')
        return true;
    return isNonOperator(tp) && isNonOperator(next);
}

void copyQuoted(QByteArray &out, const QByteArray &str, const char *quoteSet)
{
    // Most strings need no backslash; copy those in one piece.
    const bool plain = std::none_of(str.begin(), str.end(),
                                    [&](char c) { return c != 0 && std::strchr(quoteSet, c); });
    if (plain) {
        out.append(str);
        return;
    }
    for (char c : str) {
        if (c != 0 && std::strchr(quoteSet, c))
            out.append('\\');
        out.append(c);
    }
}

// Room for the tokens' text and a separator after each, so that the
// usual output needs a single allocation.
qsizetype estimatedSize(const QList<Token> &tokens, qsizetype from, qsizetype to)
{
    qsizetype size = 0;
    for (qsizetype i = from; i < to; ++i)
        size += tokens[i].text.size() + 3;
    return size;
}

} // namespace

QList<Token> scanTokens(QByteArrayView input)
{
    // The C string ends at the first NUL.
    const qsizetype nul = input.indexOf('\0');
    const QByteArrayView s = nul >= 0 ? input.first(nul) : input;

    QList<Token> tokens;
    tokens.reserve(16);
    qsizetype i = 0;
    while (i < s.size()) {
        const unsigned char ch = static_cast<unsigned char>(s[i++]);
        if (isSpace(ch))
            continue;
        Token tp;
        if (ch == '(') {
            // tok822_comment(): stored in external form, nesting counted.
            // The text is the raw input from '(' up to where the scan stops.
            tp.type = Token::Comment;
            const qsizetype start = i - 1;
            int level = 1;
            while (i < s.size()) {
                const char c = s[i++];
                if (c == '(') {
                    level++;
                } else if (c == ')') {
                    if (--level == 0)
                        break;
                } else if (c == '\\') {
                    if (i >= s.size())
                        break;
                    ++i;
                }
            }
            tp.text = s.sliced(start, i - start).toByteArray();
        } else if (ch == '[') {
            tp.type = Token::DomainLiteral;
            i = collect(tp.text, s, i, [](unsigned char c) { return c != ']'; });
            if (i < s.size())
                ++i;
        } else if (ch == '"') {
            tp.type = Token::QuotedString;
            i = collect(tp.text, s, i, [](unsigned char c) { return c != '"'; });
            if (i < s.size())
                ++i;
        } else if (ch != '\\' && isOpChar(ch)) {
            tp.type = Token::Operator;
            tp.op = char(ch);
        } else {
            tp.type = Token::Atom;
            i = collect(tp.text, s, i - 1,
                        [](unsigned char c) { return !isSpace(c) && !isOpChar(c); });
            // tok822_quote_atom(): an atom that needs quoting becomes a
            // quoted string.
            for (char c : std::as_const(tp.text)) {
                const auto u = static_cast<unsigned char>(c);
                if (u == ' ' || isCntrl(u) || isOpChar(u)) {
                    tp.type = Token::QuotedString;
                    break;
                }
            }
        }
        tokens.append(std::move(tp));
    }
    return tokens;
}

QByteArray internalize(const QList<Token> &tokens, qsizetype from, qsizetype to)
{
    QByteArray out;
    out.reserve(estimatedSize(tokens, from, to));
    for (qsizetype i = from; i < to; ++i) {
        const Token &tp = tokens[i];
        switch (tp.type) {
        case Token::Atom:
        case Token::QuotedString:
        case Token::Comment:
            out.append(tp.text);
            break;
        case Token::DomainLiteral:
            out.append('[');
            out.append(tp.text);
            out.append(']');
            break;
        case Token::Operator:
            out.append(tp.op);
            if (tp.op == ',') {
                out.append(' ');
                continue;
            }
            break;
        }
        if (appendSpace(tokens, i, to))
            out.append(' ');
    }
    return out;
}

QByteArray externalize(const QList<Token> &tokens, qsizetype from, qsizetype to)
{
    QByteArray out;
    out.reserve(estimatedSize(tokens, from, to));
    for (qsizetype i = from; i < to; ++i) {
        const Token &tp = tokens[i];
        switch (tp.type) {
        case Token::Atom:
        case Token::Comment:
            out.append(tp.text);
            break;
        case Token::QuotedString:
            out.append('"');
            copyQuoted(out, tp.text, "\"\\\r\n");
            out.append('"');
            break;
        case Token::DomainLiteral:
            out.append('[');
            copyQuoted(out, tp.text, "\\\r\n");
            out.append(']');
            break;
        case Token::Operator:
            out.append(tp.op);
            // A comma is always followed by a space, even at the end.
            if (tp.op == ',') {
                out.append(' ');
                continue;
            }
            break;
        }
        if (appendSpace(tokens, i, to))
            out.append(' ');
    }
    return out;
}

} // namespace aliassync::detail
