// Internal: the subset of Postfix's RFC 822 tokenizer (global/tok822_parse.c)
// that postalias uses to split an alias line into name and value.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace aliassync::detail {

struct Token {
    enum Type { Atom, QuotedString, Comment, DomainLiteral, Operator };
    Type type = Atom;
    char op = 0;     // the operator character when type == Operator
    QByteArray text; // internal form: quotes removed and backslashes resolved;
                     // comments keep their external form, parentheses included
};

// tok822_scan(): the tokens of str, which ends at its first NUL byte.
QList<Token> scanTokens(QByteArrayView str);

// tok822_internalize(): the unquoted form postalias uses for alias names.
QByteArray internalize(const QList<Token> &tokens, qsizetype from, qsizetype to);

// tok822_externalize(): the quoted form postalias stores as alias value.
QByteArray externalize(const QList<Token> &tokens, qsizetype from, qsizetype to);

} // namespace aliassync::detail
