#include "daemonservice.h"
#include "aliasfile.h"
#include "commands.h"
#include "fingerprint.h"
#include "logging.h"
#include "requestpolicy.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QRegularExpression>

namespace aliassync {

DaemonService::DaemonService(const Config &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_tools(config.postfixConfigDirectory, config.postfixCommandDirectory)
    , m_database(m_tools, config.aliasFile)
    , m_mailer(config, m_tools, m_policy)
    , m_handler(config, m_tools, m_database, m_mailer, m_policy)
{
}

bool DaemonService::loadPolicy(QString *error)
{
    const auto policy = requestPolicyFor(m_config, m_tools, error);
    if (!policy)
        return false;
    m_policy = *policy;
    return true;
}

bool DaemonService::start(QString *error)
{
    const auto identity = loadIdentity(m_config.identityDirectory, error);
    if (!identity)
        return false;
    m_identity = *identity;
    qCInfo(lcDaemon).noquote() << "this server is" << m_config.serverName << "with certificate"
                               << certificateFingerprint(m_identity.certificate);

    if (!loadPolicy(error) || !m_database.initialise(error))
        return false;

    // A crash between renaming the alias text and its database leaves the
    // database behind; building it again from the text costs one postalias run.
    if (!m_database.rebuild(error))
        return false;

    // A broken routing is reported, never repaired behind the admin's back.
    refreshIntegrationProblems();
    warnAboutShortRetention();

    if (!m_journal.open(m_config.journalFile, error))
        return false;
    TransactionTimings timings;
    timings.voteTimeout = m_config.transactionTimeout;
    timings.retention = m_config.journalRetention;
    m_engine = std::make_unique<TransactionEngine>(&m_handler, &m_journal, timings);
    m_handler.setPendingCounter([this]() { return m_engine->pendingCount(); });
    if (!m_engine->recover(error))
        return false;
    m_admin = std::make_unique<AdminRequests>(m_config, *m_engine, m_handler, m_peerRequests);

    LinkTimings link;
    link.heartbeatInterval = m_config.heartbeatInterval;
    link.heartbeatTimeout = m_config.heartbeatTimeout;
    link.reconnectMin = m_config.reconnectMin;
    link.reconnectMax = m_config.reconnectMax;
    m_peerServer = std::make_unique<PeerServer>(m_config.serverName, link);
    connect(m_peerServer.get(), &PeerServer::peerConnected, this, &DaemonService::handleInboundPeer);
    m_connector = std::make_unique<PeerConnector>(m_config.serverName, m_config.peerAddress, m_config.peerPort, link);
    connect(m_connector.get(), &PeerConnector::linkUp, this, &DaemonService::handleLinkUp);
    connect(m_connector.get(), &PeerConnector::linkDown, this, [this]() {
        m_engine->setPeerSender({});
        m_peerRequests.setSender({});
        m_stateTimer.stop();
        m_peerState.reset(); // what the peer reported is stale now
    });

    // The peer's fingerprint is asked for at the heartbeat pace, so a
    // divergence shows in the status of both servers without any request.
    m_stateTimer.setInterval(m_config.heartbeatInterval);
    connect(&m_stateTimer, &QTimer::timeout, this, &DaemonService::askPeerState);

    // Watch the directory as well: `peer pin` replaces the file by renaming,
    // which ends a watch on the file itself.
    m_watcher.addPath(QFileInfo(m_config.peerCertificate).absolutePath());
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &DaemonService::reloadPinnedCertificate);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &DaemonService::reloadPinnedCertificate);
    reloadPinnedCertificate();

    const QHostAddress address = m_config.listenAddress == QStringLiteral("*") ? QHostAddress(QHostAddress::Any)
                                                                                : QHostAddress(m_config.listenAddress);
    if (address.isNull()) {
        *error = QStringLiteral("%1: listen_address '%2' is not an IP address or '*'").arg(m_config.fileName, m_config.listenAddress);
        return false;
    }
    if (!m_peerServer->listen(address, m_config.listenPort, error))
        return false;

    m_requestServer = std::make_unique<RequestServer>(m_config, *m_engine, m_handler, m_mailer, m_policy);
    m_controlServer = std::make_unique<ControlServer>(
        m_config.controlSocket,
        [this](const QJsonObject &request, const ControlServer::Reply &reply) { handleControlRequest(request, reply); });
    if (!m_requestServer->listen(error) || !m_controlServer->listen(error))
        return false;

    m_started = true;
    if (m_config.peerAddress.isEmpty())
        qCWarning(lcDaemon).noquote() << m_config.fileName << ": peer_address is not set; this server will only accept connections";
    else if (!m_pinned.isNull())
        m_connector->start();
    qCInfo(lcDaemon).noquote() << QStringLiteral("started: peer listener on %1 port %2, requests on %3")
                                      .arg(address.toString())
                                      .arg(m_config.listenPort)
                                      .arg(m_config.requestSocket);
    return true;
}

void DaemonService::warnAboutShortRetention()
{
    // Postfix time values take the units s, m, h, d and w, and default to
    // days for maximal_queue_lifetime (postconf(5), Postfix 3.7).
    QString error;
    const auto lifetime = m_tools.cachedParameter(QStringLiteral("maximal_queue_lifetime"), &error);
    static const QRegularExpression syntax(QStringLiteral("^([0-9]+)([smhdw]?)$"));
    const QRegularExpressionMatch match = syntax.match(lifetime.value_or(QString()));
    if (!match.hasMatch())
        return;
    static const QHash<QString, qint64> unitSeconds{{QStringLiteral("s"), 1}, {QStringLiteral("m"), 60},
                                                    {QStringLiteral("h"), 3600}, {QStringLiteral(""), 86400},
                                                    {QStringLiteral("d"), 86400}, {QStringLiteral("w"), 604800}};
    const qint64 lifetimeMs = match.captured(1).toLongLong() * unitSeconds.value(match.captured(2)) * 1000;
    if (m_config.journalRetention.count() < lifetimeMs)
        qCWarning(lcDaemon).noquote() << m_config.fileName << ": journal_retention is shorter than Postfix's maximal_queue_lifetime ("
                                          + *lifetime + "); a request Postfix delivers again after that may get \"already exists\" instead of its first answer";
}

void DaemonService::reloadPinnedCertificate()
{
    if (QFileInfo::exists(m_config.peerCertificate) && !m_watcher.files().contains(m_config.peerCertificate))
        m_watcher.addPath(m_config.peerCertificate);

    QString error;
    const auto pinned = loadCertificate(m_config.peerCertificate, &error);
    if (!pinned) {
        if (!m_pinned.isNull() || !m_watcher.property("missingReported").toBool())
            qCWarning(lcDaemon).noquote() << "no usable pinned peer certificate:" << error
                                          << "- every peer is rejected until 'alias-sync peer pin FILE' pins one";
        m_watcher.setProperty("missingReported", true);

        // Removing the pin withdraws the trust it gave, also from open links.
        m_pinned = QSslCertificate();
        m_peerServer->setCredentials(m_identity, m_pinned);
        m_connector->stop();
        return;
    }
    if (certificateDigest(*pinned) == certificateDigest(m_pinned))
        return;

    if (m_pinned.isNull())
        qCInfo(lcDaemon).noquote() << "pinned peer certificate is now" << certificateFingerprint(*pinned);
    else
        qCInfo(lcDaemon).noquote() << "pinned peer certificate is now" << certificateFingerprint(*pinned)
                                   << QStringLiteral("(was %1)").arg(certificateFingerprint(m_pinned));
    m_pinned = *pinned;
    m_watcher.setProperty("missingReported", false);
    m_peerServer->setCredentials(m_identity, m_pinned);
    m_connector->setCredentials(m_identity, m_pinned);
    if (m_started && !m_config.peerAddress.isEmpty())
        m_connector->start();
}

void DaemonService::handleInboundPeer(PeerConnection *connection)
{
    // This server participates in transactions the peer coordinates over the
    // peer's own outbound connection; each request gets its reply at once.
    connect(connection, &PeerConnection::messageReceived, this, [this, connection](const QJsonObject &message) {
        const QString type = message.value(QStringLiteral("type")).toString();
        if (type == QStringLiteral("state"))
            connection->send(stateReply(message));
        else if (type == QStringLiteral("entries"))
            connection->send(m_admin->entriesReply(message));
        else
            connection->send(m_engine->handleRequest(message));
    });
}

void DaemonService::handleLinkUp(PeerConnection *connection)
{
    connect(connection, &PeerConnection::messageReceived, this, [this](const QJsonObject &message) {
        if (!m_peerRequests.takeReply(message))
            m_engine->handleReply(message);
    });
    QPointer<PeerConnection> guarded(connection);
    const auto sender = [guarded](const QJsonObject &message) {
        if (guarded)
            guarded->send(message);
    };
    m_engine->setPeerSender(sender);
    m_peerRequests.setSender(sender);
    m_stateTimer.start();
    askPeerState();
}

void DaemonService::handleControlRequest(const QJsonObject &request, const ControlServer::Reply &reply)
{
    const QString type = request.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("status")) {
        reply(status());
        return;
    }
    if (m_admin->handle(request, reply))
        return;
    qCWarning(lcDaemon).noquote() << "unknown control request" << type;
    reply({{QStringLiteral("error"), QStringLiteral("unknown request type '%1'").arg(type)}});
}

QJsonObject DaemonService::stateReply(const QJsonObject &question)
{
    QString error;
    const auto file = m_handler.loadManagedFile(&error);
    QJsonObject reply{{QStringLiteral("type"), QStringLiteral("state-reply")},
                      {QStringLiteral("request_id"), question.value(QStringLiteral("request_id"))},
                      {QStringLiteral("pending"), m_engine->pendingCount()}};
    if (file)
        reply.insert(QStringLiteral("fingerprint"), QString::fromLatin1(file->fingerprint()));
    return reply;
}

void DaemonService::askPeerState()
{
    m_peerRequests.ask({{QStringLiteral("type"), QStringLiteral("state")}}, m_config.heartbeatTimeout,
                       [this](const std::optional<QJsonObject> &reply) {
                           if (!reply)
                               return;
                           PeerState state;
                           state.fingerprint = reply->value(QStringLiteral("fingerprint")).toString().toLatin1();
                           state.pending = reply->value(QStringLiteral("pending")).toInt();
                           state.received = QDateTime::currentDateTimeUtc();
                           m_peerState = state;

                           QString error;
                           const auto file = m_handler.loadManagedFile(&error);
                           if (!file || state.pending != 0 || m_engine->pendingCount() != 0)
                               return;
                           if (file->fingerprint() == state.fingerprint) {
                               m_lastQuietMatch = state.received;
                               if (!m_reportedDivergence.isEmpty())
                                   qCInfo(lcDaemon).noquote() << "the managed aliases of both servers agree again:"
                                                              << file->fingerprint();
                               m_reportedDivergence.clear();
                               return;
                           }
                           // Logged once per pair of fingerprints, not at every heartbeat.
                           const QByteArray pair = file->fingerprint() + ' ' + state.fingerprint;
                           if (pair == m_reportedDivergence)
                               return;
                           m_reportedDivergence = pair;
                           qCCritical(lcDaemon).noquote() << "the managed aliases differ: here" << file->fingerprint()
                                                          << "on the peer" << state.fingerprint
                                                          << "- run 'alias-sync reconcile' on either server";
                       });
}

bool DaemonService::diverged(const QByteArray &ownFingerprint) const
{
    // A quiet mismatch reported by the peer, or a prepare this server
    // rejected for it, counts until a later quiet comparison matched.
    if (m_peerState && m_peerState->pending == 0 && m_engine->pendingCount() == 0 && !m_peerState->fingerprint.isEmpty()
        && m_peerState->fingerprint != ownFingerprint && m_peerState->received > m_lastQuietMatch)
        return true;
    const auto rejected = m_handler.lastDivergence();
    return rejected && (!m_lastQuietMatch.isValid() || rejected->seen > m_lastQuietMatch);
}

void DaemonService::refreshIntegrationProblems()
{
    m_integrationProblems = checkIntegration(m_tools, setupSettingsFor(m_config, ConfigurePostfixOptions()));
    for (const QString &problem : std::as_const(m_integrationProblems))
        qCWarning(lcDaemon).noquote() << "Postfix integration:" << problem;
}

QJsonObject DaemonService::status()
{
    refreshIntegrationProblems();
    QJsonObject status{{QStringLiteral("peer_link"), m_connector->isUp() ? QStringLiteral("up") : QStringLiteral("down")},
                       {QStringLiteral("pending"), m_engine->pendingCount()},
                       {QStringLiteral("own_fingerprint"), certificateFingerprint(m_identity.certificate)},
                       {QStringLiteral("peer_fingerprint"), m_pinned.isNull() ? QString() : certificateFingerprint(m_pinned)}};
    if (m_connector->connection())
        status.insert(QStringLiteral("peer_name"), m_connector->connection()->peerServerName());
    status.insert(QStringLiteral("postfix_problems"), QJsonArray::fromStringList(m_integrationProblems));

    QString error;
    const auto file = m_handler.loadManagedFile(&error);
    if (file) {
        status.insert(QStringLiteral("managed_aliases"), file->managedEntries().size());
        status.insert(QStringLiteral("alias_fingerprint"), QString::fromLatin1(file->fingerprint()));
        status.insert(QStringLiteral("diverged"), diverged(file->fingerprint()));
    }
    if (m_peerState) {
        status.insert(QStringLiteral("peer_alias_fingerprint"), QString::fromLatin1(m_peerState->fingerprint));
        status.insert(QStringLiteral("peer_pending"), m_peerState->pending);
    }
    return status;
}

} // namespace aliassync
