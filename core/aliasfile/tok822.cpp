// A faithful re-implementation of the parts of Postfix's tok822_parse.c that
// postalias(1) relies on: tok822_scan(), tok822_internalize() and
// tok822_externalize() (Postfix 3.7). Only the flat token list is produced;
// postalias never calls the address parser on alias lines.
#include "tok822_p.h"

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

// tok822_opchar: "|%!" followed by the RFC 822 specials.
constexpr char kOpChars[] = "|%!()<>@,;:\\\".[]";

bool isOpChar(unsigned char c)
{
    return c != 0 && std::strchr(kOpChars, c) != nullptr;
}

// COLLECT(): appends characters while cond holds; a backslash takes the
// next character literally; whitespace characters are stored as spaces.
template <typename Cond>
qsizetype collect(QByteArray &out, QByteArrayView s, qsizetype i, Cond cond)
{
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\') {
            if (++i >= s.size())
                break;
            c = static_cast<unsigned char>(s[i]);
        } else if (!cond(c)) {
            break;
        }
        out.append((c == ' ' || c == '\t' || c == '\r' || c == '\n') ? ' ' : char(c));
        ++i;
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
    for (char c : str) {
        if (c != 0 && std::strchr(quoteSet, c))
            out.append('\\');
        out.append(c);
    }
}

} // namespace

QList<Token> scanTokens(QByteArrayView input)
{
    // The C string ends at the first NUL.
    const qsizetype nul = input.indexOf('\0');
    const QByteArrayView s = nul >= 0 ? input.first(nul) : input;

    QList<Token> tokens;
    qsizetype i = 0;
    while (i < s.size()) {
        const unsigned char ch = static_cast<unsigned char>(s[i++]);
        if (isSpace(ch))
            continue;
        Token tp;
        if (ch == '(') {
            // tok822_comment(): stored in external form, nesting counted.
            tp.type = Token::Comment;
            tp.text.append('(');
            int level = 1;
            while (i < s.size()) {
                const char c = s[i++];
                tp.text.append(c);
                if (c == '(') {
                    level++;
                } else if (c == ')') {
                    if (--level == 0)
                        break;
                } else if (c == '\\') {
                    if (i >= s.size())
                        break;
                    tp.text.append(s[i++]);
                }
            }
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
