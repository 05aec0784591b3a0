// The listening end of the peer link.
//
// Contract: accepts only TLS 1.3 clients that present exactly the pinned
// certificate. A TLS 1.3 client finishes its handshake before the server
// has judged the client certificate, so the server speaks first. It sends
// its hello only after its own pin check, and a client treats the link as
// authenticated only once that hello arrives.
#pragma once

#include "identitystore.h"
#include "peerconnection.h"

#include <QHostAddress>
#include <QSslServer>

namespace aliassync {

class PeerServer : public QObject
{
    Q_OBJECT
public:
    PeerServer(const QString &serverName, const LinkTimings &timings = {}, QObject *parent = nullptr);

    // Replaces the identity and the pin, and closes the connections that the
    // old pin admitted: a peer the admin no longer trusts must not stay linked.
    // A null pinnedPeer rejects every peer.
    void setCredentials(const Identity &identity, const QSslCertificate &pinnedPeer);
    bool listen(const QHostAddress &address, quint16 port, QString *error);

Q_SIGNALS:
    void peerConnected(aliassync::PeerConnection *connection);

private:
    void acceptPending();
    void awaitClientHello(QSslSocket *socket);
    void logRejection(QSslSocket *socket, const QList<QSslError> &errors);

    QString m_serverName;
    LinkTimings m_timings;
    QSslServer m_server;
    QByteArray m_pinnedDigest;
    QString m_pinnedName;
    QList<QPointer<PeerConnection>> m_connections;
    bool m_unpinnedRejectionLogged = false;
};

// Describes the certificate a peer presented, for log lines.
QString describePresentedCertificate(QSslSocket *socket, const QList<QSslError> &errors);

} // namespace aliassync
