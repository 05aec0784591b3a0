// Small text helpers shared by the request parser and the composer.
#pragma once

#include <QString>
#include <QStringView>

namespace aliassync {

// True when s holds a control character (Unicode Cc: C0, DEL, C1, which
// includes CR, LF, NUL and TAB), a format character (Cf, e.g. bidi
// overrides, zero-width characters) or a line/paragraph separator.
bool hasControlCharacters(QStringView s);

// The index (in UTF-16 units) of the first character that
// hasControlCharacters() looks for, with its code point; -1 when none.
qsizetype firstControlCharacter(QStringView s, char32_t *codePoint = nullptr);

// s made safe to quote in a log line, a reply or a Subject: a run of line
// breaks and tabs (CR, LF, HT, VT, FF, NEL, U+2028, U+2029) becomes one
// space; other control, format, private-use, unassigned and lone surrogate
// code points are removed; the result is cut to maxChars code points, ending
// in "..." when cut. Never contains a line break or any control character.
QString printableForQuote(QStringView s, qsizetype maxChars = 120);

// Folds A-Z to a-z and nothing else (QString::toLower() would turn the
// Kelvin sign U+212A into an ASCII 'k').
QString asciiLower(QStringView s);

// Body text for a composed message: CRLF and CR become LF, U+2028/U+2029
// become LF, other control and format characters except TAB are removed.
QString cleanBodyText(QStringView s);

} // namespace aliassync
