#include "peerserver.h"
#include "fingerprint.h"
#include "logging.h"
#include "tlsconfig.h"

#include <QTimer>

namespace aliassync {

namespace {
constexpr int handshakeTimeoutMs = 10000;
constexpr int helloTimeoutMs = 10000;
}

QString describePresentedCertificate(QSslSocket *socket, const QList<QSslError> &errors)
{
    QSslCertificate presented = socket->peerCertificate();
    for (const QSslError &error : errors) {
        if (presented.isNull() && !error.certificate().isNull())
            presented = error.certificate();
    }
    if (presented.isNull())
        return QStringLiteral("no certificate");
    return QStringLiteral("certificate %1 (CN %2)")
        .arg(certificateFingerprint(presented), presented.subjectInfo(QSslCertificate::CommonName).value(0));
}

PeerServer::PeerServer(const QString &serverName, const LinkTimings &timings, QObject *parent)
    : QObject(parent)
    , m_serverName(serverName)
    , m_timings(timings)
{
    m_server.setHandshakeTimeout(handshakeTimeoutMs);
    connect(&m_server, &QSslServer::pendingConnectionAvailable, this, &PeerServer::acceptPending);
    connect(&m_server, &QSslServer::sslErrors, this, &PeerServer::logRejection);
    connect(&m_server, &QSslServer::errorOccurred, this, [this](QSslSocket *socket, QAbstractSocket::SocketError error) {
        if (socket->property("aliasSyncRejectionLogged").toBool())
            return;
        // A client without a certificate fails inside OpenSSL, before any sslErrors().
        if (error == QAbstractSocket::SslHandshakeFailedError && m_pinnedDigest.isEmpty()) {
            logRejection(socket, {});
            return;
        }
        if (error == QAbstractSocket::SslHandshakeFailedError) {
            qCWarning(lcPeer).noquote() << "rejected peer connection from" << socket->peerAddress().toString()
                                        << "presenting" << describePresentedCertificate(socket, {})
                                        << "; the pinned peer certificate is" << formatFingerprint(m_pinnedDigest)
                                        << "(" << socket->errorString() << ")";
            return;
        }
        qCInfo(lcPeer).noquote() << "peer connection from" << socket->peerAddress().toString()
                                 << "failed during the handshake:" << socket->errorString();
    });
}

void PeerServer::setCredentials(const Identity &identity, const QSslCertificate &pinnedPeer)
{
    m_server.setSslConfiguration(peerTlsConfiguration(identity, pinnedPeer));
    // A null certificate unpins: no presented certificate can match an empty digest.
    m_pinnedDigest = pinnedPeer.isNull() ? QByteArray() : certificateDigest(pinnedPeer);
    m_unpinnedRejectionLogged = false;
    m_pinnedName = pinnedPeerName(pinnedPeer);

    const auto admitted = std::exchange(m_connections, {});
    for (const QPointer<PeerConnection> &connection : admitted) {
        if (connection)
            connection->close();
    }
}

bool PeerServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_server.listen(address, port))
        return true;
    *error = QStringLiteral("cannot listen on %1 port %2: %3").arg(address.toString()).arg(port).arg(m_server.errorString());
    return false;
}

void PeerServer::logRejection(QSslSocket *socket, const QList<QSslError> &errors)
{
    socket->setProperty("aliasSyncRejectionLogged", true);
    if (m_pinnedDigest.isEmpty()) {
        // Every attempt fails the same way until a pin appears: log it once.
        if (!std::exchange(m_unpinnedRejectionLogged, true))
            qCWarning(lcPeer).noquote() << "rejected peer connection from" << socket->peerAddress().toString()
                                        << "presenting" << describePresentedCertificate(socket, errors)
                                        << ": no peer certificate is pinned; run 'alias-sync peer pin FILE'. Further attempts are not logged.";
        return;
    }
    QStringList reasons;
    for (const QSslError &error : errors)
        reasons.append(error.errorString());
    qCWarning(lcPeer).noquote() << "rejected peer connection from" << socket->peerAddress().toString()
                                << "presenting" << describePresentedCertificate(socket, errors)
                                << "; the pinned peer certificate is" << formatFingerprint(m_pinnedDigest)
                                << "(" << reasons.join(QStringLiteral("; ")) << ")";
}

void PeerServer::acceptPending()
{
    while (m_server.hasPendingConnections()) {
        auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection());
        if (!socket)
            continue;

        // OpenSSL already verified the chain against the pin; the digest
        // comparison guards against a configuration that trusts more.
        const QByteArray presented = certificateDigest(socket->peerCertificate());
        if (m_pinnedDigest.isEmpty() || presented != m_pinnedDigest) {
            qCWarning(lcPeer).noquote() << "rejected peer connection from" << socket->peerAddress().toString()
                                        << "presenting certificate" << formatFingerprint(presented)
                                        << "; the pinned peer certificate is" << formatFingerprint(m_pinnedDigest);
            socket->disconnectFromHost();
            socket->deleteLater();
            continue;
        }

        socket->write(encodeFrame(helloMessage(m_serverName)));
        awaitClientHello(socket);
    }
}

void PeerServer::awaitClientHello(QSslSocket *socket)
{
    auto *reader = new FrameReader;
    auto *timer = new QTimer(socket);
    timer->setSingleShot(true);
    timer->start(helloTimeoutMs);

    auto finish = [socket, reader, timer]() {
        QObject::disconnect(socket, nullptr, timer, nullptr);
        timer->stop();
        delete reader;
    };

    connect(timer, &QTimer::timeout, socket, [socket, finish]() {
        qCInfo(lcPeer).noquote() << "peer" << socket->peerAddress().toString() << "sent no hello in time; closing";
        finish();
        socket->disconnectFromHost();
        socket->deleteLater();
    });
    connect(socket, &QSslSocket::disconnected, timer, [socket, finish]() {
        finish();
        socket->deleteLater();
    });
    connect(socket, &QSslSocket::readyRead, timer, [this, socket, reader, finish]() {
        const HelloResult hello = readHello(socket, reader);
        if (hello.status == HelloResult::Status::Incomplete)
            return;
        const QString peerName = hello.hello.value(QStringLiteral("server")).toString();
        if (hello.status == HelloResult::Status::Rejected) {
            qCWarning(lcPeer).noquote() << "rejected peer" << socket->peerAddress().toString() << ":" << hello.problem;
            finish();
            socket->disconnectFromHost();
            socket->deleteLater();
            return;
        }

        const QByteArray following = reader->takeBuffered();
        finish();
        auto *connection = new PeerConnection(socket, peerName, following, m_timings, this);
        m_connections.removeAll(nullptr);
        m_connections.append(connection);
        qCInfo(lcPeer).noquote() << "peer" << peerName << "connected from" << connection->peerAddress();
        Q_EMIT peerConnected(connection);
    });
}

} // namespace aliassync
