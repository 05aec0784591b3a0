// The daemon's control socket, for `alias-sync status` and the admin's
// commands (alias add/remove/list, reconcile). Only the daemon's user and
// root may connect (QLocalServer's UserAccessOption), so whoever connects
// acts as an administrator.
#pragma once

#include <QJsonObject>
#include <QLocalServer>

#include <functional>

namespace aliassync {

class ControlServer : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &)>;
    // Handles one request. The handler must call reply exactly once, possibly later.
    using RequestHandler = std::function<void(const QJsonObject &request, const Reply &reply)>;

    ControlServer(const QString &path, const RequestHandler &handler, QObject *parent = nullptr);
    bool listen(QString *error);

private:
    void acceptConnection();

    QString m_path;
    RequestHandler m_handler;
    QLocalServer m_server;
};

} // namespace aliassync
