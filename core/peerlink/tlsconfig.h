// The TLS configuration of both ends of the peer link.
//
// Contract: TLS 1.3 only, mutual authentication, and the pinned peer
// certificate as the one and only trust anchor. A self-signed certificate
// trusted this way verifies only if it is byte-for-byte the pinned one, so
// OpenSSL rejects any other certificate during the handshake. Callers
// still compare the SHA-256 digest afterwards as a second check.
#pragma once

#include "identitystore.h"

#include <QSslConfiguration>

namespace aliassync {

QSslConfiguration peerTlsConfiguration(const Identity &identity, const QSslCertificate &pinnedPeer);

// The host name the client expects: the pinned certificate's common name,
// which the certificate also carries as its subjectAltName.
QString pinnedPeerName(const QSslCertificate &pinnedPeer);

} // namespace aliassync
