#include "requestserver.h"
#include "aliasfile.h"
#include "aliashandler.h"
#include "adminrequests.h"
#include "aliasoperation.h"
#include "framing.h"
#include "logging.h"
#include "requestmessages.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QPointer>

#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {

namespace {

// Gives lupdate and QTranslator the context "RequestServer" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(RequestServer)
};

} // namespace

bool listenLocal(QLocalServer &server, const QString &path, QLocalServer::SocketOptions options, QString *error)
{
    QLocalServer::removeServer(path);
    server.setSocketOptions(options);
    if (server.listen(path))
        return true;
    *error = QStringLiteral("cannot listen on %1: %2").arg(path, server.errorString());
    return false;
}

void replyAndClose(QLocalSocket *socket, const QJsonObject &reply)
{
    if (!socket || socket->state() != QLocalSocket::ConnectedState)
        return;
    socket->write(encodeFrame(reply));
    socket->flush();
    socket->disconnectFromServer();
}

void onFirstMessage(QLocalSocket *socket, const std::function<void(const QJsonObject &)> &handler)
{
    QObject::connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
    auto reader = std::make_shared<FrameReader>();
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(socket, &QLocalSocket::readyRead, socket, [socket, reader, connection, handler]() {
        reader->append(socket->readAll());
        QString error;
        const auto message = reader->next(&error);
        if (!error.isEmpty()) {
            qCWarning(lcDaemon).noquote() << "invalid message on" << socket->serverName() << ":" << error;
            socket->disconnectFromServer();
            return;
        }
        if (!message)
            return;
        QObject::disconnect(*connection);
        handler(*message);
    });
}

RequestServer::RequestServer(const Config &config, TransactionEngine &engine, AliasHandler &handler, Mailer &mailer,
                             const RequestPolicy &policy, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_engine(engine)
    , m_handler(handler)
    , m_mailer(mailer)
    , m_policy(policy)
    , m_rateLimit(config.requestRateLimit, config.requestRateWindow)
{
    connect(&m_server, &QLocalServer::newConnection, this, &RequestServer::acceptConnection);
}

bool RequestServer::listen(QString *error)
{
    // The socket is limited to its owner and group. Its group comes from a
    // setgid directory owned by the pipe's group: the daemon cannot chgrp to
    // a group it is not a member of.
    if (!listenLocal(m_server, m_config.requestSocket, QLocalServer::UserAccessOption | QLocalServer::GroupAccessOption,
                     error))
        return false;

    struct stat socketStat {};
    const QString directory = QFileInfo(m_config.requestSocket).absolutePath();
    if (::stat(QFile::encodeName(m_config.requestSocket).constData(), &socketStat) == 0 && socketStat.st_gid == ::getegid()
        && ::geteuid() != 0)
        qCWarning(lcDaemon).noquote() << "the request socket" << m_config.requestSocket
                                      << "has the daemon's own group, so alias-sync-pipe cannot connect; make" << directory
                                      << "owned by the pipe's group with mode 2750";
    if (QFileInfo(directory).permissions() & QFileDevice::ExeOther)
        qCWarning(lcDaemon).noquote() << "the directory" << directory
                                      << "can be entered by every user; make it mode 2750 with the pipe's group";
    return true;
}

void RequestServer::acceptConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection())
        onFirstMessage(socket, [this, socket](const QJsonObject &message) { handle(socket, message); });
}

void RequestServer::handle(QLocalSocket *socket, const QJsonObject &message)
{
    const RequestDecision decision = decodeDecision(message);
    const QString queueId = message.value(QStringLiteral("queue_id")).toString();
    qCInfo(lcRequest).noquote() << "request" << queueId << "from" << decision.request.requester << ":"
                                << firstLineForDryRun(decision);

    if (decision.outcome == RequestDecision::Outcome::Ignore) {
        replyAndClose(socket, handledReply(QStringLiteral("ignored")));
        return;
    }

    // Rejections count as well: each one is a reply in the user's mailbox.
    if (!admitByRate(socket, decision, queueId))
        return;

    if (decision.outcome == RequestDecision::Outcome::Reject) {
        reject(socket, decision, decision.reason);
        return;
    }

    if (decision.request.kind == RequestKind::List)
        replyWithList(socket, decision);
    else
        coordinate(socket, decision, queueId);
}

QString RequestServer::requestKey(const RequestDecision &decision)
{
    // Postfix delivers a request again after a temporary failure. The same
    // Message-ID from the same login is the same request: it gets the first
    // delivery's outcome instead of "already exists".
    if (decision.request.messageId.isEmpty())
        return {};
    return decision.request.requester.toLower() + QLatin1Char(' ') + decision.request.messageId;
}

bool RequestServer::admitByRate(QLocalSocket *socket, const RequestDecision &decision, const QString &queueId)
{
    const RequestRateLimit::Result rate =
        m_rateLimit.admit(decision.request.requester, requestKey(decision), QDateTime::currentMSecsSinceEpoch());
    if (rate.verdict == RequestRateLimit::Verdict::Admitted)
        return true;

    const bool notice = rate.verdict == RequestRateLimit::Verdict::RejectedWithNotice;
    const QString window = m_config.value(QStringLiteral("request_rate_window")).value_or(QString());
    qCWarning(lcRequest).noquote() << "request" << queueId << "from" << decision.request.requester << ":"
                                   << (notice ? "rejected with a notice" : "rejected without a reply")
                                   << "over request_rate_limit" << m_config.requestRateLimit << "per" << window;
    if (!notice) {
        replyAndClose(socket, handledReply(QStringLiteral("rejected without a reply: over the rate limit")));
        return false;
    }

    // Rounded up to the second, so that a request sent at the time shown is
    // already inside the new window.
    const qint64 retryAtMs = (rate.retryAtMs + 999) / 1000 * 1000;
    const QString retryAt = QDateTime::fromMSecsSinceEpoch(retryAtMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t"));
    reject(socket, decision,
           Text::tr("You have sent %1 requests within %2, the most this service takes from one login in that time, so "
                    "this one was not carried out. Further requests before %3 are dropped without a reply. Send "
                    "this one again after that time.")
               .arg(rate.count)
               .arg(window, retryAt));
    return false;
}

void RequestServer::reject(QLocalSocket *socket, const RequestDecision &decision, const QString &reason)
{
    RequestDecision rejection = decision;
    rejection.outcome = RequestDecision::Outcome::Reject;
    rejection.reason = reason;

    QString error;
    const QString key = requestKey(decision);
    if (!m_mailer.sendRejection(rejection, &error)) {
        qCWarning(lcRequest).noquote() << "cannot send the rejection to" << decision.request.replyAddress << ":" << error;
        // The redelivery of a rejected transaction sends the mail, not this one.
        if (!key.isEmpty())
            m_unsentRejections.insert(key);
        replyAndClose(socket, temporaryFailureReply(QStringLiteral("the rejection could not be sent")));
        return;
    }
    m_unsentRejections.remove(key);
    replyAndClose(socket, handledReply(QStringLiteral("rejected: ") + reason));
}

std::optional<AliasFile> RequestServer::loadManagedFileOrDefer(QLocalSocket *socket)
{
    QString error;
    auto file = m_handler.loadManagedFile(&error);
    if (!file) {
        qCCritical(lcRequest).noquote() << error;
        replyAndClose(socket, temporaryFailureReply(QStringLiteral("the managed alias file cannot be read")));
    }
    return file;
}

void RequestServer::replyWithList(QLocalSocket *socket, const RequestDecision &decision)
{
    const auto file = loadManagedFileOrDefer(socket);
    if (!file)
        return;

    QStringList lines;
    for (const AliasEntry &entry : file->managedEntries()) {
        if (QString::fromUtf8(entry.metadata.createdBy).compare(decision.request.requester, Qt::CaseInsensitive) == 0)
            lines.append(QString::fromUtf8(entry.name + ": " + entry.value));
    }
    QString error;
    const QString text = lines.isEmpty() ? Text::tr("You have no aliases managed by alias-sync.")
                                         : Text::tr("Your aliases:\n\n%1").arg(lines.join(QLatin1Char('\n')));
    if (!m_mailer.sendResult(decision.request, true, text, &error)) {
        qCWarning(lcRequest).noquote() << "cannot send the list to" << decision.request.replyAddress << ":" << error;
        replyAndClose(socket, temporaryFailureReply(QStringLiteral("the list could not be sent")));
        return;
    }
    replyAndClose(socket, handledReply(QStringLiteral("listed")));
}

void RequestServer::coordinate(QLocalSocket *socket, const RequestDecision &decision, const QString &queueId)
{
    const auto file = loadManagedFileOrDefer(socket);
    if (!file)
        return;

    const auto action = decision.request.kind == RequestKind::Create ? AliasOperation::Action::Create
                                                                     : AliasOperation::Action::Delete;
    AliasOperation operation = operationFromHere(m_config, *file, m_engine, action);
    operation.name = decision.request.name;
    operation.destinations = decision.request.destinations;
    operation.requester = decision.request.requester;
    operation.replyAddress = decision.request.replyAddress;
    operation.messageId = decision.request.messageId;

    QPointer<QLocalSocket> guarded(socket);
    m_engine.coordinate(operation.encode(), requestKey(decision), [this, guarded, decision, queueId](const TransactionEngine::Result &result) {
        const QString txid = QString::fromLatin1(result.txid);
        // A check that failed before any transaction began leaves no id.
        const QString subject = QStringLiteral("request %1 %2").arg(queueId, txid.isEmpty() ? QStringLiteral("(no transaction)")
                                                                                           : QStringLiteral("transaction ") + txid);
        const QString repeated = result.repeated ? QStringLiteral(" (a repeated delivery, answered before)") : QString();
        switch (result.outcome) {
        case TransactionOutcome::Committed:
            qCInfo(lcRequest).noquote() << subject << "committed" + repeated;
            replyAndClose(guarded, handledReply(QStringLiteral("committed ") + txid));
            return;
        case TransactionOutcome::Rejected:
            qCInfo(lcRequest).noquote() << subject << "rejected:" << result.reason + repeated;
            // The first delivery sent the rejection, unless sendmail failed
            // then; a second one would be a duplicate.
            if (result.repeated && !m_unsentRejections.contains(requestKey(decision)))
                replyAndClose(guarded, handledReply(QStringLiteral("rejected: ") + result.reason));
            else
                reject(guarded, decision, result.reason);
            return;
        case TransactionOutcome::TemporaryFailure:
            qCInfo(lcRequest).noquote() << subject << "failed temporarily:" << result.reason;
            replyAndClose(guarded, temporaryFailureReply(result.reason));
            return;
        }
    });
}

} // namespace aliassync
