#include "controlserver.h"
#include "logging.h"
#include "requestserver.h"

#include <QLocalSocket>

namespace aliassync {

ControlServer::ControlServer(const QString &path, const StatusProvider &status, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_status(status)
{
    connect(&m_server, &QLocalServer::newConnection, this, &ControlServer::acceptConnection);
}

bool ControlServer::listen(QString *error)
{
    return listenLocal(m_server, m_path, QLocalServer::UserAccessOption, error);
}

void ControlServer::acceptConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        onFirstMessage(socket, [this, socket](const QJsonObject &message) {
            const QString type = message.value(QStringLiteral("type")).toString();
            if (type == QStringLiteral("status")) {
                replyAndClose(socket, m_status());
                return;
            }
            qCWarning(lcDaemon).noquote() << "unknown control request" << type;
            replyAndClose(socket, {{QStringLiteral("error"), QStringLiteral("unknown request type '%1'").arg(type)}});
        });
    }
}

} // namespace aliassync
