#include "peerconnector.h"
#include "fingerprint.h"
#include "logging.h"
#include "peerserver.h"
#include "tlsconfig.h"

namespace aliassync {

namespace {
constexpr int helloTimeoutMs = 10000;
}

PeerConnector::PeerConnector(const QString &serverName, const QString &host, quint16 port, const LinkTimings &timings,
                             QObject *parent)
    : QObject(parent)
    , m_serverName(serverName)
    , m_host(host)
    , m_port(port)
    , m_timings(timings)
    , m_backoff(timings.reconnectMin)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &PeerConnector::connectNow);
}

void PeerConnector::setCredentials(const Identity &identity, const QSslCertificate &pinnedPeer)
{
    m_identity = identity;
    m_pinned = pinnedPeer;
    if (m_connection)
        m_connection->close();
    if (m_pendingSocket)
        m_pendingSocket->abort();
    if (m_started) {
        m_backoff = m_timings.reconnectMin;
        m_retryTimer.start(0);
    }
}

void PeerConnector::start()
{
    m_started = true;
    connectNow();
}

void PeerConnector::stop()
{
    m_started = false;
    m_retryTimer.stop();
    if (m_connection)
        m_connection->close();
    if (m_pendingSocket)
        m_pendingSocket->abort();
}

void PeerConnector::scheduleRetry(const QString &reason)
{
    if (!m_started)
        return;
    if (reason != m_lastFailure)
        qCInfo(lcPeer).noquote() << "peer link to" << m_host << "port" << m_port << "not established:" << reason
                                 << "- retrying in" << m_backoff.count() << "ms, backing off up to"
                                 << m_timings.reconnectMax.count() << "ms; repeats are not logged";
    else
        qCDebug(lcPeer).noquote() << "peer link to" << m_host << "still failing; next try in" << m_backoff.count() << "ms";
    m_lastFailure = reason;
    m_retryTimer.start(m_backoff);
    m_backoff = qMin(m_backoff * 2, m_timings.reconnectMax);
}

void PeerConnector::connectNow()
{
    if (m_connection || m_pendingSocket)
        return;

    auto *socket = new QSslSocket(this);
    m_pendingSocket = socket;
    socket->setSslConfiguration(peerTlsConfiguration(m_identity, m_pinned));
    auto *reader = new FrameReader;
    auto *helloTimer = new QTimer(socket);
    helloTimer->setSingleShot(true);

    connect(socket, &QSslSocket::sslErrors, this, [this, socket](const QList<QSslError> &errors) {
        QStringList reasons;
        for (const QSslError &error : errors)
            reasons.append(error.errorString());
        const QString failure = QStringLiteral("the peer presented %1, not the pinned certificate")
                                    .arg(describePresentedCertificate(socket, errors));
        socket->setProperty("aliasSyncFailure", failure);
        if (failure == m_lastFailure)
            return;
        qCWarning(lcPeer).noquote() << "rejected peer" << m_host << "presenting"
                                    << describePresentedCertificate(socket, errors)
                                    << "; the pinned peer certificate is" << certificateFingerprint(m_pinned)
                                    << "(" << reasons.join(QStringLiteral("; ")) << ")";
    });
    connect(socket, &QSslSocket::encrypted, helloTimer, [socket, helloTimer]() {
        socket->setProperty("aliasSyncEncrypted", true);
        helloTimer->start(helloTimeoutMs);
    });
    connect(helloTimer, &QTimer::timeout, socket, [socket]() {
        socket->setProperty("aliasSyncFailure", QStringLiteral("no hello from the peer in time"));
        socket->abort();
    });
    connect(socket, &QSslSocket::readyRead, helloTimer, [this, socket, reader]() { handleServerHello(socket, reader); });

    // Every way the attempt can end without a link leads here. A refused
    // connection reports both an error and a disconnect, so the property
    // makes sure it is retried once.
    auto endAttempt = [this, socket, reader]() {
        if (socket->property("aliasSyncEnded").toBool())
            return;
        socket->setProperty("aliasSyncEnded", true);
        delete reader;
        socket->deleteLater();
        if (m_pendingSocket == socket)
            m_pendingSocket = nullptr;

        QString reason = socket->property("aliasSyncFailure").toString();
        if (reason.isEmpty() && socket->property("aliasSyncEncrypted").toBool())
            reason = QStringLiteral("the peer closed the connection before its hello; it probably does not accept this server's certificate %1")
                         .arg(certificateFingerprint(m_identity.certificate));
        if (reason.isEmpty())
            reason = socket->errorString();
        scheduleRetry(reason);
    };
    connect(socket, &QSslSocket::disconnected, this, endAttempt);
    connect(socket, &QSslSocket::errorOccurred, this, [socket, endAttempt](QAbstractSocket::SocketError) {
        if (socket->state() == QAbstractSocket::UnconnectedState)
            endAttempt();
    });

    socket->connectToHostEncrypted(m_host, m_port, pinnedPeerName(m_pinned));
}

void PeerConnector::handleServerHello(QSslSocket *socket, FrameReader *reader)
{
    const HelloResult hello = readHello(socket, reader);
    if (hello.status == HelloResult::Status::Incomplete)
        return;
    if (hello.status == HelloResult::Status::Rejected) {
        // Every retry meets the same problem; it is logged once per reason.
        if (hello.problem != m_lastFailure)
            qCWarning(lcPeer).noquote() << "rejected peer" << m_host << ":" << hello.problem;
        socket->setProperty("aliasSyncFailure", hello.problem);

        // Our own hello lets the server log the mismatch too; it then closes.
        socket->write(encodeFrame(helloMessage(m_serverName)));
        socket->flush();
        socket->disconnectFromHost();
        return;
    }

    // The digest check repeats what OpenSSL enforced with the pin as the only trust anchor.
    if (certificateDigest(socket->peerCertificate()) != certificateDigest(m_pinned)) {
        const QString mismatch = QStringLiteral("peer presented certificate %1 but the pinned one is %2")
                                     .arg(certificateFingerprint(socket->peerCertificate()), certificateFingerprint(m_pinned));
        qCWarning(lcPeer).noquote() << "rejected peer" << m_host << ":" << mismatch;
        socket->setProperty("aliasSyncFailure", mismatch);
        socket->abort();
        return;
    }

    // From here the connection owns the socket and reports its own end.
    const QByteArray following = reader->takeBuffered();
    QObject::disconnect(socket, nullptr, this, nullptr);
    delete reader;
    const auto timers = socket->findChildren<QTimer *>();
    for (QTimer *timer : timers) {
        QObject::disconnect(socket, nullptr, timer, nullptr);
        timer->stop();
    }

    socket->write(encodeFrame(helloMessage(m_serverName)));
    m_pendingSocket = nullptr;
    m_backoff = m_timings.reconnectMin;
    m_lastFailure.clear();
    auto *connection = new PeerConnection(socket, hello.hello.value(QStringLiteral("server")).toString(), following, m_timings, this);
    m_connection = connection;
    const QString peerName = connection->peerServerName();
    connect(connection, &PeerConnection::closed, this, [this, peerName]() {
        m_connection = nullptr;
        qCInfo(lcPeer).noquote() << "peer link to" << peerName << "at" << m_host << "port" << m_port << "is down";
        Q_EMIT linkDown();
        scheduleRetry(QStringLiteral("the link closed"));
    });
    qCInfo(lcPeer).noquote() << "peer link to" << connection->peerServerName() << "at" << m_host << "port" << m_port << "is up";
    Q_EMIT linkUp(connection);
}

} // namespace aliassync
