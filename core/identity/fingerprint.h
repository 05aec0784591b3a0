// Certificate fingerprints as people read them aloud and as pins compare them.
//
// The pin is the SHA-256 of the DER certificate. Printing is canonical
// (upper-case hex pairs joined by ':', the form OpenSSL and browsers show);
// parsing accepts any case and ignores ':', spaces and '-'.
#pragma once

#include <QByteArray>
#include <QSslCertificate>
#include <QString>

namespace aliassync {

QByteArray certificateDigest(const QSslCertificate &certificate);
QString formatFingerprint(const QByteArray &digest);
QString certificateFingerprint(const QSslCertificate &certificate);

// Returns the 32-byte digest, or an empty array when text is not a SHA-256 fingerprint.
QByteArray parseFingerprint(const QString &text);

} // namespace aliassync
