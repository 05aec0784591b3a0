// Internal: case folding and UTF-8 validation as Postfix does them.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace aliassync::detail {

// True when bytes are well-formed UTF-8 by the rules of Postfix's
// valid_utf8_string() (no over-long forms, surrogates or code points
// above U+10FFFF).
bool isValidUtf8(QByteArrayView bytes);

// The lookup key Postfix stores for key: full Unicode case folding when
// key is valid UTF-8, ASCII lower-casing otherwise.
QByteArray foldCase(QByteArrayView key);

} // namespace aliassync::detail
