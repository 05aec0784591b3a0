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

    if (!m_journal.open(m_config.journalFile, error))
        return false;
    m_engine = std::make_unique<TransactionEngine>(&m_handler, &m_journal, m_config.transactionTimeoutSeconds);
    if (!m_engine->recover(error))
        return false;

    m_peerServer = std::make_unique<PeerServer>(m_config.serverName);
    connect(m_peerServer.get(), &PeerServer::peerConnected, this, &DaemonService::handleInboundPeer);
    m_connector = std::make_unique<PeerConnector>(m_config.serverName, m_config.peerAddress, m_config.peerPort,
                                                  m_config.reconnectMaxSeconds);
    connect(m_connector.get(), &PeerConnector::linkUp, this, &DaemonService::handleLinkUp);
    connect(m_connector.get(), &PeerConnector::linkDown, this, [this]() { m_engine->setPeerSender({}); });

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
    m_controlServer = std::make_unique<ControlServer>(m_config.controlSocket, [this]() { return status(); });
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
        connection->send(m_engine->handleRequestFromCoordinator(message));
    });
}

void DaemonService::handleLinkUp(PeerConnection *connection)
{
    connect(connection, &PeerConnection::messageReceived, m_engine.get(), &TransactionEngine::handleReplyFromParticipant);
    QPointer<PeerConnection> guarded(connection);
    m_engine->setPeerSender([guarded](const QJsonObject &message) {
        if (guarded)
            guarded->send(message);
    });
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
    }
    return status;
}

} // namespace aliassync
