// The coordinator's side of the two-phase commit: requests from this
// server's users, votes and acknowledgements from the peer.
#include "logging.h"
#include "messages.h"
#include "transactionengine.h"

#include <QRandomGenerator>
#include <QUuid>

namespace aliassync {

namespace {

const QString busyReason = QStringLiteral("another transaction for the same name is in progress");

// A retry after a lost same-name race waits a random moment, so that two
// servers that collided once do not collide again in step.
constexpr int retryDelayMinimumMs = 20;
constexpr int retryDelayMaximumMs = 150;

} // namespace

void TransactionEngine::coordinate(const QByteArray &operation, const QString &requestKey, const Completion &completion)
{
    QueuedRequest request;
    request.id = m_nextQueuedId++;
    request.operation = operation;
    request.requestKey = requestKey;
    request.completion = completion;
    request.deadline = QDateTime::currentDateTimeUtc().addMSecs(m_timings.voteTimeout.count());
    startAttempt(request);
}

bool TransactionEngine::answerRepeatedRequest(const QueuedRequest &request)
{
    if (request.requestKey.isEmpty())
        return false;
    const auto it = m_transactions.find(m_requests.value(request.requestKey));
    if (it == m_transactions.end())
        return false;
    Transaction &earlier = it->second;

    switch (earlier.state) {
    case State::Begun:
    case State::Committed:
        qCInfo(lcTransaction).noquote() << "request" << request.requestKey << "is already in transaction" << earlier.txid
                                        << "; it gets that transaction's outcome";
        earlier.completions.append(request.completion);
        return true;
    case State::Applied:
    case State::Finished:
    case State::Aborted:
        break;
    case State::Prepared:
        return false;
    }

    if (earlier.committedOutcome) {
        qCInfo(lcTransaction).noquote() << "request" << request.requestKey << "was committed before as transaction"
                                        << earlier.txid;
        request.completion({TransactionOutcome::Committed, {}, earlier.txid, true});
        return true;
    }
    // A temporary failure is not an outcome, so the request runs again.
    if (earlier.temporary)
        return false;
    qCInfo(lcTransaction).noquote() << "request" << request.requestKey << "was rejected before as transaction" << earlier.txid;
    request.completion({TransactionOutcome::Rejected, earlier.reason, earlier.txid, true});
    return true;
}

void TransactionEngine::startAttempt(const QueuedRequest &request)
{
    if (answerRepeatedRequest(request))
        return;

    const QString lockKey = m_handler->lockKey(request.operation);
    if (!lockHolder(lockKey).isEmpty()) {
        queueForLock(request);
        return;
    }

    CheckResult check = m_handler->validate(request.operation, TransactionRole::Coordinator);
    if (check.accepted)
        check = m_handler->prepare(request.operation, TransactionRole::Coordinator);
    if (!check.accepted) {
        request.completion({check.temporary ? TransactionOutcome::TemporaryFailure : TransactionOutcome::Rejected,
                            check.reason, {}, false});
        return;
    }
    if (!m_sender) {
        request.completion({TransactionOutcome::TemporaryFailure, QStringLiteral("the peer server is not connected"), {}, false});
        return;
    }

    Transaction created;
    created.txid = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    created.role = TransactionRole::Coordinator;
    created.operation = request.operation;
    created.lockKey = lockKey;
    created.requestKey = request.requestKey;
    created.completions.append(request.completion);
    Transaction &transaction = m_transactions.emplace(created.txid, created).first->second;
    if (!record(transaction, State::Begun)) {
        m_transactions.erase(created.txid);
        request.completion({TransactionOutcome::TemporaryFailure, QStringLiteral("the journal cannot be written"), {}, false});
        return;
    }
    lock(transaction);
    if (!request.requestKey.isEmpty())
        m_requests.insert(request.requestKey, transaction.txid);
    m_attempts.insert(transaction.txid, request);

    QJsonObject prepare = peerMessage(QStringLiteral("prepare"), transaction.txid);
    prepare.insert(QStringLiteral("operation"), QString::fromLatin1(request.operation.toBase64()));
    m_sender(prepare);

    transaction.voteTimer = new QTimer(this);
    transaction.voteTimer->setSingleShot(true);
    const QByteArray txid = transaction.txid;
    connect(transaction.voteTimer, &QTimer::timeout, this, [this, txid]() {
        Transaction *waiting = find(txid, TransactionRole::Coordinator);
        if (waiting && waiting->state == State::Begun)
            abortCoordinated(*waiting, QStringLiteral("the peer did not vote within %1 ms").arg(m_timings.voteTimeout.count()), true);
    });
    transaction.voteTimer->start(m_timings.voteTimeout);
}

void TransactionEngine::queueForLock(const QueuedRequest &request)
{
    if (QDateTime::currentDateTimeUtc() >= request.deadline) {
        request.completion({TransactionOutcome::TemporaryFailure, busyReason, {}, false});
        return;
    }
    const QString lockKey = m_handler->lockKey(request.operation);
    m_queued[lockKey].append(request);

    // Still queued at its deadline: give up with a temporary failure.
    const quint64 id = request.id;
    const qint64 wait = QDateTime::currentDateTimeUtc().msecsTo(request.deadline);
    QTimer::singleShot(std::max<qint64>(wait, 0), this, [this, lockKey, id]() {
        auto queue = m_queued.find(lockKey);
        if (queue == m_queued.end())
            return;
        for (qsizetype i = 0; i < queue->size(); ++i) {
            if (queue->at(i).id != id)
                continue;
            const QueuedRequest expired = queue->takeAt(i);
            if (queue->isEmpty())
                m_queued.erase(queue);
            expired.completion({TransactionOutcome::TemporaryFailure, busyReason, {}, false});
            return;
        }
    });
}

void TransactionEngine::runQueued(const QString &lockKey)
{
    while (lockHolder(lockKey).isEmpty()) {
        auto queue = m_queued.find(lockKey);
        if (queue == m_queued.end())
            return;
        const QueuedRequest next = queue->takeFirst();
        if (queue->isEmpty())
            m_queued.erase(queue);
        startAttempt(next);
    }
}

void TransactionEngine::retryLater(const QueuedRequest &request, const QString &reason)
{
    const int delay = QRandomGenerator::global()->bounded(retryDelayMinimumMs, retryDelayMaximumMs);
    if (QDateTime::currentDateTimeUtc().addMSecs(delay) >= request.deadline) {
        request.completion({TransactionOutcome::TemporaryFailure, reason, {}, false});
        return;
    }
    qCInfo(lcTransaction).noquote() << "request" << (request.requestKey.isEmpty() ? QStringLiteral("(admin)") : request.requestKey)
                                    << "runs again in" << delay << "ms:" << reason;
    QTimer::singleShot(delay, this, [this, request]() { startAttempt(request); });
}

void TransactionEngine::handleReply(const QJsonObject &reply)
{
    const QString type = reply.value(QStringLiteral("type")).toString();
    const QByteArray txid = reply.value(QStringLiteral("txid")).toString().toLatin1();
    if (type == QStringLiteral("outcome")) {
        handleOutcome(reply);
        return;
    }

    Transaction *transaction = find(txid, TransactionRole::Coordinator);
    if (!transaction) {
        qCWarning(lcTransaction).noquote() << type << "for unknown transaction" << txid << "ignored";
        return;
    }
    if (type == QStringLiteral("vote")) {
        handleVote(*transaction, reply);
        return;
    }
    if (type == QStringLiteral("ack")) {
        const QString error = reply.value(QStringLiteral("error")).toString();
        if (!error.isEmpty()) {
            qCWarning(lcTransaction).noquote() << "transaction" << txid << "peer could not take the outcome yet:" << error;
            return;
        }
        if (transaction->state == State::Applied || transaction->state == State::Aborted)
            record(*transaction, State::Finished);
        confirm(*transaction);
        return;
    }
    qCWarning(lcTransaction).noquote() << "unexpected reply type" << type << "for transaction" << txid;
}

void TransactionEngine::handleVote(Transaction &transaction, const QJsonObject &vote)
{
    // A late vote after an abort (timeout, lost link, a yielded race) changes nothing.
    if (transaction.state != State::Begun)
        return;
    if (transaction.voteTimer) {
        transaction.voteTimer->deleteLater();
        transaction.voteTimer = nullptr;
    }
    if (vote.value(QStringLiteral("vote")).toString() == QStringLiteral("yes")) {
        decideCommit(transaction);
        return;
    }

    const QString reason = vote.value(QStringLiteral("reason")).toString();
    const bool temporary = vote.value(QStringLiteral("temporary")).toBool();
    const bool busy = vote.value(QStringLiteral("code")).toString() == busyCode;
    transaction.temporary = temporary;
    qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << "the participant voted no";
    if (!record(transaction, State::Aborted, reason))
        return;
    unlock(transaction);
    m_handler->abort(transaction.txid, transaction.operation, TransactionRole::Coordinator);

    // A participant that voted no recorded and locked nothing, so no abort
    // needs to reach it.
    record(transaction, State::Finished);
    if (busy && retryRequestOf(transaction, reason))
        return;
    m_attempts.remove(transaction.txid);
    complete(transaction, temporary ? TransactionOutcome::TemporaryFailure : TransactionOutcome::Rejected, reason);
}

void TransactionEngine::decideCommit(Transaction &transaction)
{
    m_attempts.remove(transaction.txid);
    if (!record(transaction, State::Committed)) {
        abortCoordinated(transaction, QStringLiteral("the journal cannot be written"), true);
        return;
    }

    // The commit goes out before the local apply, so both servers apply at once.
    sendOutcome(transaction);
    QString error;
    if (!applyCommitted(transaction, &error)) {
        qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid
                                            << "is committed but applying it here failed:" << error;
        complete(transaction, TransactionOutcome::TemporaryFailure,
                 QStringLiteral("committed, but applying it on this server failed: %1").arg(error));
    }
}

void TransactionEngine::abortCoordinated(Transaction &transaction, const QString &reason, bool temporary, bool retry)
{
    if (transaction.voteTimer) {
        transaction.voteTimer->deleteLater();
        transaction.voteTimer = nullptr;
    }
    transaction.temporary = temporary;
    if (!record(transaction, State::Aborted, reason))
        return;
    unlock(transaction);
    m_handler->abort(transaction.txid, transaction.operation, TransactionRole::Coordinator);
    sendOutcome(transaction);

    if (retry && retryRequestOf(transaction, reason))
        return;
    m_attempts.remove(transaction.txid);
    complete(transaction, temporary ? TransactionOutcome::TemporaryFailure : TransactionOutcome::Rejected, reason);
}

bool TransactionEngine::retryRequestOf(Transaction &transaction, const QString &reason)
{
    QueuedRequest request = m_attempts.take(transaction.txid);
    if (!request.completion)
        return false;

    // Every delivery attached to this attempt waits for the next one.
    const QList<Completion> completions = std::exchange(transaction.completions, {});
    request.completion = [completions](const Result &result) {
        for (const Completion &completion : completions)
            completion(result);
    };
    retryLater(request, reason);
    return true;
}

void TransactionEngine::complete(Transaction &transaction, TransactionOutcome outcome, const QString &reason)
{
    // Deliveries that joined the first one are repeats: the first one's
    // reply (a rejection mail, say) must not go out again for them.
    const QList<Completion> completions = std::exchange(transaction.completions, {});
    for (qsizetype i = 0; i < completions.size(); ++i)
        completions.at(i)({outcome, reason, transaction.txid, i > 0});
}

void TransactionEngine::sendOutcome(const Transaction &transaction)
{
    if (!m_sender)
        return;
    if (transaction.state == State::Committed || transaction.state == State::Applied)
        m_sender(peerMessage(QStringLiteral("commit"), transaction.txid));
    else if (transaction.state == State::Aborted)
        m_sender(peerMessage(QStringLiteral("abort"), transaction.txid));
}

QJsonObject TransactionEngine::answerQuery(const QByteArray &txid) const
{
    QJsonObject reply = peerMessage(QStringLiteral("outcome"), txid);
    const auto it = m_transactions.find(txid);
    QString outcome = QStringLiteral("unknown");
    if (it != m_transactions.end() && it->second.role == TransactionRole::Coordinator) {
        const Transaction &transaction = it->second;
        if (transaction.state == State::Begun)
            outcome = QStringLiteral("pending");
        else if (transaction.state == State::Committed || transaction.committedOutcome)
            outcome = QStringLiteral("committed");
        else
            outcome = QStringLiteral("aborted");
    }
    reply.insert(QStringLiteral("outcome"), outcome);
    return reply;
}

} // namespace aliassync
