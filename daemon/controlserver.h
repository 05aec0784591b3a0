// The daemon's control socket, for `alias-sync status` and later admin
// commands. Only the daemon's user and root may connect (QLocalServer's
// UserAccessOption).
#pragma once

#include <QJsonObject>
#include <QLocalServer>

#include <functional>

namespace aliassync {

class ControlServer : public QObject
{
    Q_OBJECT
public:
    using StatusProvider = std::function<QJsonObject()>;

    ControlServer(const QString &path, const StatusProvider &status, QObject *parent = nullptr);
    bool listen(QString *error);

private:
    void acceptConnection();

    QString m_path;
    StatusProvider m_status;
    QLocalServer m_server;
};

} // namespace aliassync
