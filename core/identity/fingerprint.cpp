#include "fingerprint.h"

#include <QCryptographicHash>

namespace aliassync {

QByteArray certificateDigest(const QSslCertificate &certificate)
{
    return certificate.digest(QCryptographicHash::Sha256);
}

QString formatFingerprint(const QByteArray &digest)
{
    return QString::fromLatin1(digest.toHex(':').toUpper());
}

QString certificateFingerprint(const QSslCertificate &certificate)
{
    return formatFingerprint(certificateDigest(certificate));
}

QByteArray parseFingerprint(const QString &text)
{
    QByteArray hex;
    for (const QChar c : text) {
        if (c == QLatin1Char(':') || c == QLatin1Char('-') || c.isSpace())
            continue;
        if (!isxdigit(c.toLatin1()))
            return {};
        hex.append(c.toLatin1());
    }
    if (hex.size() != 64)
        return {};
    return QByteArray::fromHex(hex);
}

} // namespace aliassync
