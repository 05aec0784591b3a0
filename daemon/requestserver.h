// The daemon's request socket: one decision from alias-sync-pipe per
// connection, with the reply "handled" or "tempfail".
//
// Access is limited twice: the socket's directory (mode 2750, group of the
// pipe's user) can only be entered by the daemon's user and the pipe's
// group, and the socket inherits that group with mode 0770.
#pragma once

#include "config.h"
#include "mailer.h"
#include "transactionengine.h"

#include <requestmail/ratelimit.h>

#include <QLocalServer>
#include <QSet>

#include <functional>
#include <optional>

namespace aliassync {

class AliasHandler;
class AliasFile;

class RequestServer : public QObject
{
    Q_OBJECT
public:
    RequestServer(const Config &config, TransactionEngine &engine, AliasHandler &handler, Mailer &mailer,
                  const RequestPolicy &policy, QObject *parent = nullptr);
    bool listen(QString *error);

private:
    void acceptConnection();
    void handle(QLocalSocket *socket, const QJsonObject &message);
    void coordinate(QLocalSocket *socket, const RequestDecision &decision, const QString &queueId);
    void replyWithList(QLocalSocket *socket, const RequestDecision &decision);
    void reject(QLocalSocket *socket, const RequestDecision &decision, const QString &reason);
    bool admitByRate(QLocalSocket *socket, const RequestDecision &decision, const QString &queueId);
    std::optional<AliasFile> loadManagedFileOrDefer(QLocalSocket *socket);
    static QString requestKey(const RequestDecision &decision);

    const Config &m_config;
    TransactionEngine &m_engine;
    AliasHandler &m_handler;
    Mailer &m_mailer;
    const RequestPolicy &m_policy;
    QLocalServer m_server;
    // Request keys whose rejection mail sendmail refused; kept in memory
    // only, so a restart in between loses that one mail.
    QSet<QString> m_unsentRejections;
    // The count is in memory only. A restart clears it, which lets a user
    // send at most one more window's worth.
    RequestRateLimit m_rateLimit;
};

// Removes a stale socket file and listens with the given access.
bool listenLocal(QLocalServer &server, const QString &path, QLocalServer::SocketOptions options, QString *error);

// Sends one framed reply and closes the connection once it is written.
void replyAndClose(QLocalSocket *socket, const QJsonObject &reply);

// Calls handler with the first message a local client sends, once; a
// protocol error closes the connection with a log line.
void onFirstMessage(QLocalSocket *socket, const std::function<void(const QJsonObject &)> &handler);

} // namespace aliassync
