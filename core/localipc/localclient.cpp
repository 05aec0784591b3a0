#include "localclient.h"
#include "framing.h"

#include <QDeadlineTimer>
#include <QLocalSocket>

namespace aliassync {

namespace {

// Qt reports a missing socket file as "Invalid name", so the message names the likely cause.
QString describeConnectFailure(const QString &path, QLocalSocket::LocalSocketError error, const QString &qtText)
{
    switch (error) {
    case QLocalSocket::ServerNotFoundError:
        return QStringLiteral("%1 does not exist; is 'alias-sync daemon' running?").arg(path);
    case QLocalSocket::ConnectionRefusedError:
        return QStringLiteral("%1 refused the connection; is 'alias-sync daemon' running?").arg(path);
    case QLocalSocket::SocketAccessError:
        return QStringLiteral("no permission to connect to %1; run as the daemon's user or root, or (for the pipe) as a member of the socket's group")
            .arg(path);
    default:
        return QStringLiteral("cannot connect to %1: %2").arg(path, qtText);
    }
}

} // namespace

std::optional<QJsonObject> callLocalSocket(const QString &socketPath, const QJsonObject &request, int timeoutMs,
                                           LocalCallError *error)
{
    const QDeadlineTimer deadline(timeoutMs);
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(int(deadline.remainingTime()))) {
        error->unreachable = true;
        error->message = describeConnectFailure(socketPath, socket.error(), socket.errorString());
        return std::nullopt;
    }

    socket.write(encodeFrame(request));
    FrameReader reader;
    while (!deadline.hasExpired()) {
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
            if (socket.state() != QLocalSocket::ConnectedState)
                break;
            continue;
        }
        reader.append(socket.readAll());
        QString frameError;
        const auto reply = reader.next(&frameError);
        if (!frameError.isEmpty()) {
            error->message = QStringLiteral("invalid reply on %1: %2").arg(socketPath, frameError);
            return std::nullopt;
        }
        if (reply)
            return reply;
    }

    error->message = deadline.hasExpired()
        ? QStringLiteral("no reply on %1 within %2 ms").arg(socketPath).arg(timeoutMs)
        : QStringLiteral("%1 closed the connection without a reply").arg(socketPath);
    return std::nullopt;
}

} // namespace aliassync
