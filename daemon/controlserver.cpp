#include "controlserver.h"
#include "logging.h"
#include "requestserver.h"

#include <QLocalSocket>
#include <QPointer>

namespace aliassync {

ControlServer::ControlServer(const QString &path, const RequestHandler &handler, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_handler(handler)
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
            // The client may give up before a two-phase commit ends.
            QPointer<QLocalSocket> guarded(socket);
            m_handler(message, [guarded](const QJsonObject &reply) { replyAndClose(guarded, reply); });
        });
    }
}

} // namespace aliassync
