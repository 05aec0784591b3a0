#include "peerconnection.h"
#include "logging.h"

namespace aliassync {

int announcedProtocolVersion()
{
#ifdef ALIAS_SYNC_TEST_HOOKS
    // Lets the tests start a daemon that speaks another version.
    bool ok = false;
    const int overridden = qEnvironmentVariableIntValue("ALIAS_SYNC_TEST_PROTOCOL_VERSION", &ok);
    if (ok)
        return overridden;
#endif
    return peerProtocolVersion;
}

PeerConnection::PeerConnection(QSslSocket *socket, const QString &peerServerName, const QByteArray &bufferedBytes,
                               const LinkTimings &timings, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_peerServerName(peerServerName)
    , m_timings(timings)
{
    // Both ends ping when idle and close when silent, so a peer that vanished
    // without a TCP close (power loss, a dropped route) is noticed within
    // heartbeat_timeout instead of whenever the kernel gives up.
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(m_timings.heartbeatInterval);
    connect(&m_idleTimer, &QTimer::timeout, this, [this]() { send({{QStringLiteral("type"), QStringLiteral("ping")}}); });
    m_silenceTimer.setSingleShot(true);
    m_silenceTimer.setInterval(m_timings.heartbeatTimeout);
    connect(&m_silenceTimer, &QTimer::timeout, this, [this]() {
        qCWarning(lcPeer).noquote() << "peer link to" << m_peerServerName << "at" << peerAddress() << "heard nothing for"
                                    << m_timings.heartbeatTimeout.count() << "ms; closing it";
        close();
    });
    m_idleTimer.start();
    m_silenceTimer.start();

    m_reader.append(bufferedBytes);
    m_socket->setParent(this);
    connect(m_socket, &QSslSocket::readyRead, this, &PeerConnection::readFrames);
    connect(m_socket, &QSslSocket::disconnected, this, &PeerConnection::close);
    connect(m_socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        qCInfo(lcPeer).noquote() << "peer link to" << peerAddress() << "failed:" << m_socket->errorString();
        close();
    });

    // Frames that arrived together with the hello are handled once the
    // owner has connected to messageReceived.
    QMetaObject::invokeMethod(this, &PeerConnection::readFrames, Qt::QueuedConnection);
}

QString PeerConnection::peerAddress() const
{
    return m_socket->peerAddress().toString() + QLatin1Char(':') + QString::number(m_socket->peerPort());
}

void PeerConnection::send(const QJsonObject &message)
{
    if (m_closed)
        return;
    m_socket->write(encodeFrame(message));

    // Hand the frame to the kernel now: the caller may block next (an apply
    // runs postalias), and a buffered frame would wait for the event loop.
    m_socket->flush();
    m_idleTimer.start();
}

bool PeerConnection::handleHeartbeat(const QJsonObject &message)
{
    const QString type = message.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("ping")) {
        send({{QStringLiteral("type"), QStringLiteral("pong")}});
        return true;
    }
    return type == QStringLiteral("pong");
}

void PeerConnection::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_idleTimer.stop();
    m_silenceTimer.stop();
    m_socket->disconnectFromHost();
    Q_EMIT closed();
    deleteLater();
}

void PeerConnection::readFrames()
{
    if (m_closed)
        return;
    const QByteArray received = m_socket->readAll();
    if (!received.isEmpty())
        m_silenceTimer.start();
    m_reader.append(received);
    for (;;) {
        QString error;
        const auto message = m_reader.next(&error);
        if (!error.isEmpty()) {
            qCWarning(lcPeer).noquote() << "protocol error from" << peerAddress() << ":" << error << "- closing the link";
            close();
            return;
        }
        if (!message)
            return;
        if (handleHeartbeat(*message))
            continue;
        Q_EMIT messageReceived(*message);
        if (m_closed)
            return;
    }
}

QJsonObject helloMessage(const QString &serverName)
{
    return {{QStringLiteral("type"), QStringLiteral("hello")},
            {QStringLiteral("protocol"), announcedProtocolVersion()},
            {QStringLiteral("server"), serverName}};
}

QString helloProblem(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QStringLiteral("hello"))
        return QStringLiteral("expected a hello message first");
    const int version = message.value(QStringLiteral("protocol")).toInt(-1);
    if (version != announcedProtocolVersion())
        return QStringLiteral("peer speaks protocol version %1, this server speaks %2; install the same alias-sync version on both servers")
            .arg(version).arg(announcedProtocolVersion());
    return {};
}

} // namespace aliassync

namespace aliassync {

HelloResult readHello(QSslSocket *socket, FrameReader *reader)
{
    reader->append(socket->readAll());
    HelloResult result;
    QString error;
    const auto hello = reader->next(&error);
    if (!hello && error.isEmpty())
        return result;

    result.problem = error.isEmpty() ? helloProblem(*hello) : error;
    if (!result.problem.isEmpty()) {
        result.status = HelloResult::Status::Rejected;
        return result;
    }
    result.status = HelloResult::Status::Accepted;
    result.hello = *hello;
    return result;
}

} // namespace aliassync
