// The connecting end of the peer link, kept up with reconnection backoff.
//
// Contract: linkUp() is emitted only after the server's hello arrived. The
// server sends it only after accepting our certificate, because the TLS
// handshake alone proves nothing to a TLS 1.3 client. After a failure the
// next attempt waits reconnect_min, doubling up to reconnect_max.
#pragma once

#include "identitystore.h"
#include "peerconnection.h"

#include <QPointer>
#include <QTimer>

namespace aliassync {

class PeerConnector : public QObject
{
    Q_OBJECT
public:
    PeerConnector(const QString &serverName, const QString &host, quint16 port, const LinkTimings &timings,
                  QObject *parent = nullptr);

    // Replaces identity and pin, drops the current link and reconnects.
    void setCredentials(const Identity &identity, const QSslCertificate &pinnedPeer);
    void start();
    // Closes the link and makes no further attempts until start().
    void stop();

    PeerConnection *connection() const { return m_connection; }
    bool isUp() const { return m_connection != nullptr; }

Q_SIGNALS:
    void linkUp(aliassync::PeerConnection *connection);
    void linkDown();

private:
    void connectNow();
    void scheduleRetry(const QString &reason);
    void handleServerHello(QSslSocket *socket, FrameReader *reader);

    QString m_serverName;
    QString m_host;
    quint16 m_port;
    LinkTimings m_timings;
    std::chrono::milliseconds m_backoff;
    Identity m_identity;
    QSslCertificate m_pinned;
    QPointer<QSslSocket> m_pendingSocket;
    QPointer<PeerConnection> m_connection;
    QTimer m_retryTimer;
    bool m_started = false;
    QString m_lastFailure; // repeats of the same failure are logged at debug level
};

} // namespace aliassync
