#include "text.h"


namespace aliassync {

namespace {

constexpr char32_t LoneSurrogate = 0xFFFFFFFF;

// Code point iteration (QStringIterator is private in Qt 6).
struct CodePoints
{
    QStringView s;
    qsizetype i = 0;
    bool hasNext() const { return i < s.size(); }
    char32_t next()
    {
        const QChar c = s[i++];
        if (c.isHighSurrogate() && i < s.size() && s[i].isLowSurrogate())
            return QChar::surrogateToUcs4(c, s[i++]);
        if (c.isSurrogate())
            return LoneSurrogate;
        return c.unicode();
    }
};

bool isControlCategory(QChar::Category c)
{
    return c == QChar::Other_Control || c == QChar::Other_Format || c == QChar::Separator_Line
        || c == QChar::Separator_Paragraph;
}

} // namespace

bool hasControlCharacters(QStringView s)
{
    return firstControlCharacter(s) >= 0;
}

qsizetype firstControlCharacter(QStringView s, char32_t *codePoint)
{
    CodePoints it{s};
    while (it.hasNext()) {
        const qsizetype at = it.i;
        const char32_t cp = it.next();
        if (cp != LoneSurrogate && isControlCategory(QChar::category(cp))) {
            if (codePoint)
                *codePoint = cp;
            return at;
        }
    }
    return -1;
}

QString printableForQuote(QStringView s, qsizetype maxChars)
{
    QString out;
    qsizetype count = 0;
    bool lastWasBreak = false;
    CodePoints it{s};
    while (it.hasNext()) {
        char32_t cp = it.next();
        if (cp == LoneSurrogate)
            continue; // lone surrogate
        // Line breaks and tabs separate words: one space for a run of them.
        const bool isBreak = cp == '\n' || cp == '\r' || cp == '\t' || cp == '\v' || cp == '\f' || cp == 0x85
            || cp == 0x2028 || cp == 0x2029;
        if (isBreak) {
            if (lastWasBreak)
                continue;
            cp = ' ';
        }
        lastWasBreak = isBreak;
        const QChar::Category c = QChar::category(cp);
        if (isControlCategory(c) || c == QChar::Other_PrivateUse || c == QChar::Other_NotAssigned
            || c == QChar::Other_Surrogate)
            continue;
        if (count == maxChars) {
            out += QStringLiteral("...");
            break;
        }
        out += QString::fromUcs4(&cp, 1);
        ++count;
    }
    return out;
}

QString asciiLower(QStringView s)
{
    QString out = s.toString();
    for (QChar &c : out)
        if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            c = QChar(c.unicode() + ('a' - 'A'));
    return out;
}

QString cleanBodyText(QStringView s)
{
    QString in = s.toString();
    in.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    QString out;
    out.reserve(in.size());
    CodePoints it{in};
    while (it.hasNext()) {
        const char32_t cp = it.next();
        if (cp == LoneSurrogate)
            continue;
        if (cp == '\n' || cp == '\t') {
            out += QChar(char16_t(cp));
            continue;
        }
        if (cp == '\r' || cp == 0x2028 || cp == 0x2029) {
            out += QLatin1Char('\n');
            continue;
        }
        const QChar::Category c = QChar::category(cp);
        if (c == QChar::Other_Control || c == QChar::Other_Surrogate)
            continue;
        if (c == QChar::Other_Format && cp != 0x200C && cp != 0x200D)
            continue;
        out += QString::fromUcs4(&cp, 1);
    }
    return out;
}

} // namespace aliassync
