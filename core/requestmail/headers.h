// RFC 5322 header block of a mail message, as read by alias-sync.
//
// Only the header block is ever parsed; the body is never looked at.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace aliassync {

// Decodes an unstructured header value (RFC 2047 encoded words, B and Q, any
// charset QStringDecoder knows; adjacent encoded words of one charset are
// joined before charset conversion, so a character split across two words
// survives; white space between encoded words is dropped, also between two
// that stay literal text). Text outside
// encoded words is read as UTF-8, invalid bytes becoming U+FFFD. A raw HTAB
// (header white space) becomes a space; every other control character,
// raw or encoded, is kept so that callers can see and reject it. An encoded
// word in an unknown charset or with broken encoding is kept as literal text.
QString decodeHeaderText(QByteArrayView raw);

class MailHeaders
{
public:
    struct Field
    {
        QByteArray name;  // as written, trailing white space removed
        QByteArray value; // unfolded (line breaks before WSP removed), leading/trailing SP/HTAB removed, not decoded
    };

    // Parses the header block of a complete message (or of a header block
    // alone). Lines may end in CRLF or LF. A leading mbox "From " line is
    // skipped. The block ends at the first empty line. A line that is neither
    // a field nor a continuation (no colon, or a name with bytes outside
    // 33..126) is dropped together with its continuation lines. 8-bit and
    // NUL bytes are kept as they are. Duplicate fields are kept in order.
    static MailHeaders parse(const QByteArray &message);

    const QList<Field> &fields() const { return m_fields; }
    bool isEmpty() const { return m_fields.isEmpty(); }

    // Field names compare case-insensitively (ASCII).
    bool contains(QByteArrayView name) const;
    qsizetype count(QByteArrayView name) const;
    // Every occurrence, in order, unfolded but not decoded.
    QList<QByteArray> rawValues(QByteArrayView name) const;
    // First occurrence, unfolded but not decoded.
    std::optional<QByteArray> rawValue(QByteArrayView name) const;
    // First occurrence, decoded with decodeHeaderText().
    std::optional<QString> decodedValue(QByteArrayView name) const;
    // Every occurrence, decoded.
    QStringList decodedValues(QByteArrayView name) const;

    // The first token of a structured value such as Content-Type,
    // Auto-Submitted or Precedence: comments "( ... )" removed, cut at the
    // first ';', trimmed, lower-cased (ASCII). Empty when absent.
    static QByteArray leadingToken(QByteArrayView rawValue);

private:
    QList<Field> m_fields;
};

} // namespace aliassync
