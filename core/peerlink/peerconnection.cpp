#include "peerconnection.h"
#include "logging.h"

namespace aliassync {

PeerConnection::PeerConnection(QSslSocket *socket, const QString &peerServerName, const QByteArray &bufferedBytes,
                               QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_peerServerName(peerServerName)
{
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
}

void PeerConnection::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_socket->disconnectFromHost();
    Q_EMIT closed();
    deleteLater();
}

void PeerConnection::readFrames()
{
    if (m_closed)
        return;
    m_reader.append(m_socket->readAll());
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
        Q_EMIT messageReceived(*message);
        if (m_closed)
            return;
    }
}

QJsonObject helloMessage(const QString &serverName)
{
    return {{QStringLiteral("type"), QStringLiteral("hello")},
            {QStringLiteral("protocol"), peerProtocolVersion},
            {QStringLiteral("server"), serverName}};
}

QString helloProblem(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QStringLiteral("hello"))
        return QStringLiteral("expected a hello message first");
    const int version = message.value(QStringLiteral("protocol")).toInt(-1);
    if (version != peerProtocolVersion)
        return QStringLiteral("peer speaks protocol version %1, this server speaks %2; install the same alias-sync version on both servers")
            .arg(version).arg(peerProtocolVersion);
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
