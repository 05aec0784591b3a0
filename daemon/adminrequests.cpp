#include "adminrequests.h"
#include "aliasfile.h"
#include "aliashandler.h"
#include "logging.h"
#include "peerrequests.h"
#include "transactionengine.h"

#include <QJsonArray>

namespace aliassync {

namespace {

QJsonObject errorReply(const QString &message)
{
    return {{QStringLiteral("error"), message}};
}

} // namespace

AliasOperation operationFromHere(const Config &config, const AliasFile &file, const TransactionEngine &engine,
                                 AliasOperation::Action action)
{
    AliasOperation operation;
    operation.action = action;
    operation.coordinator = config.serverName;

    // The metadata line stores the time to the second.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    operation.requestedAt = QDateTime(now.date(), QTime(now.time().hour(), now.time().minute(), now.time().second()), Qt::UTC);
    operation.coordinatorFingerprint = file.fingerprint();
    operation.coordinatorBusy = engine.pendingCount() > 0;
    return operation;
}

AdminRequests::AdminRequests(const Config &config, TransactionEngine &engine, AliasHandler &handler, PeerRequests &peer)
    : m_config(config)
    , m_engine(engine)
    , m_handler(handler)
    , m_peer(peer)
{
}

bool AdminRequests::handle(const QJsonObject &request, const ControlServer::Reply &reply)
{
    const QString type = request.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("alias-add"))
        addOrRemove(request, AliasOperation::Action::Create, reply);
    else if (type == QStringLiteral("alias-remove"))
        addOrRemove(request, AliasOperation::Action::Delete, reply);
    else if (type == QStringLiteral("alias-list"))
        list(reply);
    else if (type == QStringLiteral("reconcile-diff"))
        showDifference(reply);
    else if (type == QStringLiteral("reconcile-apply"))
        copyEntries(request, reply);
    else
        return false;
    return true;
}

void AdminRequests::addOrRemove(const QJsonObject &request, AliasOperation::Action action, const ControlServer::Reply &reply)
{
    const QString name = request.value(QStringLiteral("name")).toString().trimmed();
    const QString requester = request.value(QStringLiteral("requester")).toString();
    if (name.isEmpty() || requester.isEmpty()) {
        reply(errorReply(QStringLiteral("the request needs a name and a requester")));
        return;
    }

    QString error;
    const auto file = m_handler.loadManagedFile(&error);
    if (!file) {
        qCCritical(lcRequest).noquote() << error;
        reply({{QStringLiteral("outcome"), QStringLiteral("tempfail")}, {QStringLiteral("reason"), error}});
        return;
    }
    AliasOperation operation = operationFromHere(m_config, *file, m_engine, action);
    operation.name = name.toLower();
    operation.requester = QStringLiteral("admin:") + requester;
    operation.byAdministrator = true;
    if (action == AliasOperation::Action::Create) {
        for (const auto &destination : request.value(QStringLiteral("destinations")).toArray())
            operation.destinations.append(destination.toString().trimmed());
    }
    qCInfo(lcRequest).noquote() << "admin" << requester << (action == AliasOperation::Action::Create ? "adds" : "removes")
                                << operation.name;
    run(operation, reply);
}

void AdminRequests::run(const AliasOperation &operation, const ControlServer::Reply &reply)
{
    m_engine.coordinate(operation.encode(), {}, [reply](const TransactionEngine::Result &result) {
        QJsonObject answer{{QStringLiteral("txid"), QString::fromLatin1(result.txid)}};
        switch (result.outcome) {
        case TransactionOutcome::Committed:
            answer.insert(QStringLiteral("outcome"), QStringLiteral("committed"));
            break;
        case TransactionOutcome::Rejected:
            answer.insert(QStringLiteral("outcome"), QStringLiteral("rejected"));
            answer.insert(QStringLiteral("reason"), result.reason);
            break;
        case TransactionOutcome::TemporaryFailure:
            answer.insert(QStringLiteral("outcome"), QStringLiteral("tempfail"));
            answer.insert(QStringLiteral("reason"), result.reason);
            break;
        }
        const QString subject = result.txid.isEmpty() ? QStringLiteral("admin request (no transaction)")
                                                       : QStringLiteral("admin request transaction ") + QString::fromLatin1(result.txid);
        if (result.reason.isEmpty())
            qCInfo(lcRequest).noquote() << subject << answer.value(QStringLiteral("outcome")).toString();
        else
            qCInfo(lcRequest).noquote() << subject << answer.value(QStringLiteral("outcome")).toString() + QLatin1Char(':')
                                        << result.reason;
        reply(answer);
    });
}

QJsonObject AdminRequests::localEntries(QString *error) const
{
    const auto file = m_handler.loadManagedFile(error);
    if (!file)
        return {};
    QJsonArray aliases;
    for (const AliasEntry &entry : file->managedEntries())
        aliases.append(ManagedAlias::fromEntry(entry).toJson());
    return {{QStringLiteral("server"), m_config.serverName},
            {QStringLiteral("fingerprint"), QString::fromLatin1(file->fingerprint())},
            {QStringLiteral("aliases"), aliases}};
}

void AdminRequests::list(const ControlServer::Reply &reply)
{
    QString error;
    const QJsonObject entries = localEntries(&error);
    if (entries.isEmpty()) {
        reply(errorReply(error));
        return;
    }
    reply(entries);
}

QJsonObject AdminRequests::entriesReply(const QJsonObject &question) const
{
    QString error;
    QJsonObject reply = localEntries(&error);
    if (reply.isEmpty())
        reply.insert(QStringLiteral("error"), error);
    reply.insert(QStringLiteral("type"), QStringLiteral("entries-reply"));
    reply.insert(QStringLiteral("request_id"), question.value(QStringLiteral("request_id")));
    return reply;
}

void AdminRequests::showDifference(const ControlServer::Reply &reply)
{
    QString error;
    const QJsonObject local = localEntries(&error);
    if (local.isEmpty()) {
        reply(errorReply(error));
        return;
    }
    m_peer.ask({{QStringLiteral("type"), QStringLiteral("entries")}}, m_config.transactionTimeout,
               [reply, local](const std::optional<QJsonObject> &peer) {
                   if (!peer) {
                       QJsonObject unavailable = errorReply(QStringLiteral("the peer server is not connected or did not answer"));
                       unavailable.insert(QStringLiteral("temporary"), true);
                       reply(unavailable);
                       return;
                   }
                   if (peer->contains(QStringLiteral("error"))) {
                       reply(errorReply(QStringLiteral("the peer cannot read its managed aliases: %1")
                                            .arg(peer->value(QStringLiteral("error")).toString())));
                       return;
                   }
                   QJsonObject peerEntries = *peer;
                   peerEntries.remove(QStringLiteral("type"));
                   peerEntries.remove(QStringLiteral("request_id"));
                   reply({{QStringLiteral("local"), local}, {QStringLiteral("peer"), peerEntries}});
               });
}

void AdminRequests::copyEntries(const QJsonObject &request, const ControlServer::Reply &reply)
{
    const QString from = request.value(QStringLiteral("from")).toString();
    const QByteArray localFingerprint = request.value(QStringLiteral("local_fingerprint")).toString().toLatin1();
    const QByteArray peerFingerprint = request.value(QStringLiteral("peer_fingerprint")).toString().toLatin1();
    const QString requester = request.value(QStringLiteral("requester")).toString();
    if ((from != QStringLiteral("local") && from != QStringLiteral("peer")) || localFingerprint.isEmpty()
        || peerFingerprint.isEmpty()) {
        reply(errorReply(QStringLiteral("reconcile-apply needs from (local or peer) and both fingerprints")));
        return;
    }

    QString error;
    const auto file = m_handler.loadManagedFile(&error);
    if (!file) {
        reply({{QStringLiteral("outcome"), QStringLiteral("tempfail")}, {QStringLiteral("reason"), error}});
        return;
    }
    AliasOperation operation = operationFromHere(m_config, *file, m_engine, AliasOperation::Action::Replace);
    operation.requester = QStringLiteral("admin:") + (requester.isEmpty() ? QStringLiteral("unknown") : requester);
    operation.byAdministrator = true;
    // Both sides check these against their own files before they vote.
    operation.coordinatorFingerprint = localFingerprint;
    operation.participantFingerprint = peerFingerprint;
    qCInfo(lcRequest).noquote() << "admin" << requester << "copies the managed aliases of"
                                << (from == QStringLiteral("local") ? m_config.serverName : QStringLiteral("the peer"))
                                << "to the other server";

    if (from == QStringLiteral("local")) {
        for (const AliasEntry &entry : file->managedEntries())
            operation.entries.append(ManagedAlias::fromEntry(entry));
        run(operation, reply);
        return;
    }

    m_peer.ask({{QStringLiteral("type"), QStringLiteral("entries")}}, m_config.transactionTimeout,
               [this, reply, operation](const std::optional<QJsonObject> &peer) mutable {
                   if (!peer || peer->contains(QStringLiteral("error"))) {
                       reply({{QStringLiteral("outcome"), QStringLiteral("tempfail")},
                              {QStringLiteral("reason"), QStringLiteral("the peer's managed aliases cannot be read")}});
                       return;
                   }
                   for (const auto &value : peer->value(QStringLiteral("aliases")).toArray()) {
                       const auto alias = ManagedAlias::fromJson(value.toObject());
                       if (!alias) {
                           reply({{QStringLiteral("outcome"), QStringLiteral("rejected")},
                                  {QStringLiteral("reason"), QStringLiteral("the peer sent a managed alias that cannot be read")}});
                           return;
                       }
                       operation.entries.append(*alias);
                   }
                   run(operation, reply);
               });
}

} // namespace aliassync
