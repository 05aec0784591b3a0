#include "tlsconfig.h"

namespace aliassync {

QSslConfiguration peerTlsConfiguration(const Identity &identity, const QSslCertificate &pinnedPeer)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(identity.certificate);
    configuration.setPrivateKey(identity.privateKey);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    configuration.setCaCertificates({pinnedPeer});
    configuration.setProtocol(QSsl::TlsV1_3OrLater);
    configuration.setMissingCertificateIsFatal(true);
    return configuration;
}

QString pinnedPeerName(const QSslCertificate &pinnedPeer)
{
    return pinnedPeer.subjectInfo(QSslCertificate::CommonName).value(0);
}

} // namespace aliassync
