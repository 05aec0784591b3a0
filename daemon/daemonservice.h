// The running service: wires the peer link, the transaction engine, the
// alias handler and the local sockets together, and reloads the pinned
// peer certificate when the file changes.
#pragma once

#include "adminrequests.h"
#include "aliasdatabase.h"
#include "aliashandler.h"
#include "config.h"
#include "controlserver.h"
#include "identitystore.h"
#include "journal.h"
#include "mailer.h"
#include "peerconnector.h"
#include "peerrequests.h"
#include "peerserver.h"
#include "postfixtools.h"
#include "requestserver.h"
#include "transactionengine.h"

#include <QFileSystemWatcher>

#include <memory>

namespace aliassync {

class DaemonService : public QObject
{
    Q_OBJECT
public:
    explicit DaemonService(const Config &config, QObject *parent = nullptr);
    bool start(QString *error);

private:
    bool loadPolicy(QString *error);
    void reloadPinnedCertificate();
    void warnAboutShortRetention();
    void handleInboundPeer(PeerConnection *connection);
    void handleLinkUp(PeerConnection *connection);
    void handleControlRequest(const QJsonObject &request, const ControlServer::Reply &reply);
    QJsonObject stateReply(const QJsonObject &question);
    void askPeerState();
    bool diverged(const QByteArray &ownFingerprint) const;
    QJsonObject status();
    void refreshIntegrationProblems();

    // The peer's last report on its managed entries.
    struct PeerState {
        QByteArray fingerprint;
        int pending = 0;
        QDateTime received;
    };

    const Config &m_config;
    Identity m_identity;
    QSslCertificate m_pinned;
    RequestPolicy m_policy;
    PostfixTools m_tools;
    AliasDatabase m_database;
    Mailer m_mailer;
    AliasHandler m_handler;
    Journal m_journal;
    std::unique_ptr<TransactionEngine> m_engine;
    std::unique_ptr<PeerServer> m_peerServer;
    std::unique_ptr<PeerConnector> m_connector;
    std::unique_ptr<RequestServer> m_requestServer;
    std::unique_ptr<ControlServer> m_controlServer;
    std::unique_ptr<AdminRequests> m_admin;
    PeerRequests m_peerRequests;
    QTimer m_stateTimer;
    std::optional<PeerState> m_peerState;
    QDateTime m_lastQuietMatch; // the last time both files were equal with nothing in flight
    QByteArray m_reportedDivergence; // the fingerprint pair last logged as different
    QFileSystemWatcher m_watcher;
    QStringList m_integrationProblems;
    bool m_started = false; // the connector starts with the service, or when a pin first appears
};

} // namespace aliassync
