#include "transactionengine.h"
#include "logging.h"

#include <QUuid>

namespace aliassync {

namespace {

QString roleName(TransactionRole role)
{
    return role == TransactionRole::Coordinator ? QStringLiteral("coordinator") : QStringLiteral("participant");
}

QJsonObject message(const QString &type, const QByteArray &txid)
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("txid"), QString::fromLatin1(txid)}};
}

} // namespace

TransactionEngine::TransactionEngine(OperationHandler *handler, Journal *journal, int timeoutSeconds, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_journal(journal)
    , m_timeoutSeconds(timeoutSeconds)
{
    // Outcomes the peer has not acknowledged are sent again at this pace
    // while the link is up. The participant replies to repeats from its journal state.
    m_resendTimer.setInterval(timeoutSeconds * 1000);
    connect(&m_resendTimer, &QTimer::timeout, this, &TransactionEngine::resendUndelivered);
}

QString TransactionEngine::stateName(State state)
{
    switch (state) {
    case State::Begun: return QStringLiteral("begun");
    case State::Prepared: return QStringLiteral("prepared");
    case State::Committed: return QStringLiteral("committed");
    case State::Applied: return QStringLiteral("applied");
    case State::Aborted: return QStringLiteral("aborted");
    case State::Finished: return QStringLiteral("finished");
    }
    return {};
}

std::optional<TransactionEngine::State> TransactionEngine::stateFromName(const QString &name)
{
    for (State state : {State::Begun, State::Prepared, State::Committed, State::Applied, State::Aborted, State::Finished}) {
        if (stateName(state) == name)
            return state;
    }
    return std::nullopt;
}

bool TransactionEngine::record(Transaction &transaction, State state, const QString &reason)
{
    JournalRecord entry;
    entry.txid = transaction.txid;
    entry.role = roleName(transaction.role);
    entry.state = stateName(state);
    entry.reason = reason;
    entry.time = QDateTime::currentDateTimeUtc();
    if (state == State::Begun || state == State::Prepared)
        entry.operation = transaction.operation;

    QString error;
    if (!m_journal->append(entry, &error)) {
        qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid << ":" << error;
        return false;
    }
    transaction.state = state;
    if (!reason.isEmpty())
        transaction.reason = reason;
    if (reason.isEmpty())
        qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << roleName(transaction.role) << stateName(state);
    else
        qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << roleName(transaction.role) << stateName(state)
                                        << "(" + reason + ")";
    return true;
}

void TransactionEngine::lock(Transaction &transaction)
{
    m_locks.insert(transaction.lockKey, transaction.txid);
}

void TransactionEngine::unlock(Transaction &transaction)
{
    if (m_locks.value(transaction.lockKey) == transaction.txid)
        m_locks.remove(transaction.lockKey);
}

bool TransactionEngine::recover(QString *error)
{
    // Replay: the first record of a transaction carries its operation, the last its state.
    for (const JournalRecord &entry : m_journal->records()) {
        const auto state = stateFromName(entry.state);
        if (!state) {
            *error = QStringLiteral("journal %1: transaction %2 has the unknown state '%3'")
                         .arg(m_journal->path(), QString::fromLatin1(entry.txid), entry.state);
            return false;
        }
        Transaction &transaction = m_transactions[entry.txid];
        transaction.txid = entry.txid;
        transaction.role = entry.role == QStringLiteral("participant") ? TransactionRole::Participant
                                                                       : TransactionRole::Coordinator;
        transaction.state = *state;
        if (!entry.operation.isEmpty())
            transaction.operation = entry.operation;
        if (!entry.reason.isEmpty())
            transaction.reason = entry.reason;
    }

    for (Transaction &transaction : m_transactions) {
        transaction.lockKey = m_handler->lockKey(transaction.operation);
        switch (transaction.state) {
        case State::Begun:
            // No decision was made, so no server can have committed. Abort, and
            // tell the participant once the link is up.
            if (!record(transaction, State::Aborted, QStringLiteral("coordinator restarted before the decision")))
                return false;
            break;
        case State::Prepared:
            // Only the coordinator has the outcome, and it sends it again on reconnect.
            lock(transaction);
            break;
        case State::Committed: {
            lock(transaction);
            QString applyError;
            if (!applyCommitted(transaction, &applyError))
                qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid
                                                    << "is committed but cannot be applied yet:" << applyError;
            break;
        }
        default:
            break;
        }
    }
    qCInfo(lcTransaction) << "journal replayed:" << m_journal->records().size() << "records," << pendingCount()
                          << "transactions pending";
    return true;
}

void TransactionEngine::setPeerSender(const Sender &sender)
{
    m_sender = sender;
    if (!m_sender) {
        m_resendTimer.stop();

        // A coordinator waiting for a vote cannot get one on a dead link.
        const QList<QByteArray> waiting = m_transactions.keys();
        for (const QByteArray &txid : waiting) {
            Transaction &transaction = m_transactions[txid];
            if (transaction.role == TransactionRole::Coordinator && transaction.state == State::Begun)
                abortCoordinated(transaction, QStringLiteral("the peer link went down before the peer voted"), true);
        }
        return;
    }
    m_resendTimer.start();
    resendUndelivered();
}

int TransactionEngine::pendingCount() const
{
    int count = 0;
    for (const Transaction &transaction : m_transactions) {
        if (transaction.role == TransactionRole::Coordinator ? transaction.state != State::Finished
                                                              : (transaction.state == State::Prepared
                                                                 || transaction.state == State::Committed))
            ++count;
    }
    return count;
}

void TransactionEngine::coordinate(const QByteArray &operation, const Completion &completion)
{
    Transaction transaction;
    transaction.txid = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    transaction.role = TransactionRole::Coordinator;
    transaction.operation = operation;
    transaction.lockKey = m_handler->lockKey(operation);
    transaction.completion = completion;

    if (m_locks.contains(transaction.lockKey)) {
        completion(TransactionOutcome::TemporaryFailure,
                   QStringLiteral("another transaction for the same name is in progress"), transaction.txid);
        return;
    }
    const CheckResult local = m_handler->check(operation, TransactionRole::Coordinator);
    if (!local.accepted) {
        completion(local.temporary ? TransactionOutcome::TemporaryFailure : TransactionOutcome::Rejected, local.reason,
                   transaction.txid);
        return;
    }
    if (!m_sender) {
        completion(TransactionOutcome::TemporaryFailure, QStringLiteral("the peer server is not connected"), transaction.txid);
        return;
    }

    Transaction &stored = m_transactions[transaction.txid] = transaction;
    if (!record(stored, State::Begun)) {
        m_transactions.remove(transaction.txid);
        completion(TransactionOutcome::TemporaryFailure, QStringLiteral("the journal cannot be written"), transaction.txid);
        return;
    }
    lock(stored);

    QJsonObject prepare = message(QStringLiteral("prepare"), stored.txid);
    prepare.insert(QStringLiteral("operation"), QString::fromLatin1(operation.toBase64()));
    m_sender(prepare);

    stored.timer = new QTimer(this);
    stored.timer->setSingleShot(true);
    const QByteArray txid = stored.txid;
    connect(stored.timer, &QTimer::timeout, this, [this, txid]() {
        auto it = m_transactions.find(txid);
        if (it != m_transactions.end() && it->state == State::Begun)
            abortCoordinated(*it, QStringLiteral("the peer did not vote within %1 s").arg(m_timeoutSeconds), true);
    });
    stored.timer->start(m_timeoutSeconds * 1000);
}

void TransactionEngine::abortCoordinated(Transaction &transaction, const QString &reason, bool temporary)
{
    if (transaction.timer) {
        transaction.timer->deleteLater();
        transaction.timer = nullptr;
    }
    if (!record(transaction, State::Aborted, reason))
        return;
    unlock(transaction);
    complete(transaction, temporary ? TransactionOutcome::TemporaryFailure : TransactionOutcome::Rejected, reason);
    sendOutcome(transaction);
}

void TransactionEngine::complete(Transaction &transaction, TransactionOutcome outcome, const QString &reason)
{
    if (!transaction.completion)
        return;
    const Completion completion = std::exchange(transaction.completion, Completion());
    completion(outcome, reason, transaction.txid);
}

bool TransactionEngine::applyCommitted(Transaction &transaction, QString *error)
{
    if (!m_handler->apply(transaction.txid, transaction.operation, error))
        return false;
    if (!record(transaction, State::Applied)) {
        *error = QStringLiteral("the journal cannot be written");
        return false;
    }
    unlock(transaction);
    m_handler->applied(transaction.txid, transaction.operation, transaction.role);
    return true;
}

void TransactionEngine::sendOutcome(const Transaction &transaction)
{
    if (!m_sender)
        return;
    if (transaction.state == State::Applied || transaction.state == State::Committed)
        m_sender(message(QStringLiteral("commit"), transaction.txid));
    else if (transaction.state == State::Aborted)
        m_sender(message(QStringLiteral("abort"), transaction.txid));
}

void TransactionEngine::resendUndelivered()
{
    for (Transaction &transaction : m_transactions) {
        if (transaction.role != TransactionRole::Coordinator)
            continue;
        if (transaction.state == State::Committed) {
            QString error;
            if (!applyCommitted(transaction, &error))
                qCWarning(lcTransaction).noquote() << "transaction" << transaction.txid << "still cannot be applied:" << error;
        }
        if (transaction.state == State::Applied || transaction.state == State::Aborted) {
            qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << "sending the outcome"
                                            << stateName(transaction.state) << "to the peer again";
            sendOutcome(transaction);
        }
    }
}

void TransactionEngine::handleReplyFromParticipant(const QJsonObject &reply)
{
    const QByteArray txid = reply.value(QStringLiteral("txid")).toString().toLatin1();
    auto it = m_transactions.find(txid);
    if (it == m_transactions.end() || it->role != TransactionRole::Coordinator) {
        qCWarning(lcTransaction).noquote() << "reply for unknown transaction" << txid << "ignored";
        return;
    }
    Transaction &transaction = *it;
    const QString type = reply.value(QStringLiteral("type")).toString();

    if (type == QStringLiteral("vote")) {
        if (transaction.state != State::Begun)
            return; // a late vote after a timeout abort: the abort remains in force
        if (transaction.timer) {
            transaction.timer->deleteLater();
            transaction.timer = nullptr;
        }
        if (reply.value(QStringLiteral("vote")).toString() != QStringLiteral("yes")) {
            const QString reason = reply.value(QStringLiteral("reason")).toString();
            const bool temporary = reply.value(QStringLiteral("temporary")).toBool();
            if (record(transaction, State::Aborted, QStringLiteral("peer voted no: %1").arg(reason))) {
                unlock(transaction);
                // A participant that voted no locked nothing, so no abort needs to reach it.
                record(transaction, State::Finished);
                complete(transaction, temporary ? TransactionOutcome::TemporaryFailure : TransactionOutcome::Rejected, reason);
            }
            return;
        }

        if (!record(transaction, State::Committed)) {
            abortCoordinated(transaction, QStringLiteral("the journal cannot be written"), true);
            return;
        }
        QString error;
        if (!applyCommitted(transaction, &error)) {
            qCCritical(lcTransaction).noquote() << "transaction" << txid << "is committed but applying it here failed:" << error;
            sendOutcome(transaction);
            complete(transaction, TransactionOutcome::TemporaryFailure,
                     QStringLiteral("committed, but applying it on this server failed: %1").arg(error));
            return;
        }
        sendOutcome(transaction);
        complete(transaction, TransactionOutcome::Committed, {});
        return;
    }

    if (type == QStringLiteral("ack")) {
        const QString error = reply.value(QStringLiteral("error")).toString();
        if (!error.isEmpty()) {
            qCWarning(lcTransaction).noquote() << "transaction" << txid << "peer could not take the outcome yet:" << error;
            return;
        }
        if (transaction.state == State::Applied || transaction.state == State::Aborted)
            record(transaction, State::Finished);
        return;
    }
    qCWarning(lcTransaction).noquote() << "unexpected reply type" << type << "for transaction" << txid;
}

QJsonObject TransactionEngine::vote(const QByteArray &txid, bool yes, bool temporary, const QString &reason) const
{
    QJsonObject reply = message(QStringLiteral("vote"), txid);
    reply.insert(QStringLiteral("vote"), yes ? QStringLiteral("yes") : QStringLiteral("no"));
    if (!yes) {
        reply.insert(QStringLiteral("temporary"), temporary);
        reply.insert(QStringLiteral("reason"), reason);
    }
    return reply;
}

QJsonObject TransactionEngine::handleRequestFromCoordinator(const QJsonObject &request)
{
    const QString type = request.value(QStringLiteral("type")).toString();
    const QByteArray txid = request.value(QStringLiteral("txid")).toString().toLatin1();
    if (txid.isEmpty())
        return {{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("reason"), QStringLiteral("missing txid")}};
    auto it = m_transactions.find(txid);

    if (type == QStringLiteral("prepare")) {
        // A repeated prepare gets the same vote as the first one.
        if (it != m_transactions.end())
            return vote(txid, it->state != State::Aborted, false, it->reason);

        Transaction transaction;
        transaction.txid = txid;
        transaction.role = TransactionRole::Participant;
        transaction.operation = QByteArray::fromBase64(request.value(QStringLiteral("operation")).toString().toLatin1());
        transaction.lockKey = m_handler->lockKey(transaction.operation);
        if (m_locks.contains(transaction.lockKey)) {
            qCInfo(lcTransaction).noquote() << "transaction" << txid << "participant votes no: name busy";
            return vote(txid, false, true, QStringLiteral("another transaction for the same name is in progress"));
        }
        const CheckResult check = m_handler->check(transaction.operation, TransactionRole::Participant);
        if (!check.accepted) {
            qCInfo(lcTransaction).noquote() << "transaction" << txid << "participant votes no:" << check.reason;
            return vote(txid, false, check.temporary, check.reason);
        }
        Transaction &stored = m_transactions[txid] = transaction;
        if (!record(stored, State::Prepared)) {
            m_transactions.remove(txid);
            return vote(txid, false, true, QStringLiteral("the peer's journal cannot be written"));
        }
        lock(stored);
        return vote(txid, true, false, {});
    }

    QJsonObject ack = message(QStringLiteral("ack"), txid);
    if (it == m_transactions.end()) {
        // A transaction this server never prepared holds nothing here, so an
        // abort of it is already carried out: the prepare was lost, or the
        // vote came after the coordinator's timeout and locked nothing.
        if (type == QStringLiteral("abort")) {
            ack.insert(QStringLiteral("outcome"), QStringLiteral("aborted"));
            return ack;
        }
        ack.insert(QStringLiteral("error"), QStringLiteral("unknown transaction"));
        return ack;
    }
    Transaction &transaction = *it;

    if (type == QStringLiteral("commit")) {
        if (transaction.state == State::Aborted) {
            ack.insert(QStringLiteral("error"), QStringLiteral("the transaction was aborted here"));
            qCCritical(lcTransaction).noquote() << "transaction" << txid << "commit received after a local abort";
            return ack;
        }
        if (transaction.state == State::Prepared && !record(transaction, State::Committed)) {
            ack.insert(QStringLiteral("error"), QStringLiteral("the journal cannot be written"));
            return ack;
        }
        if (transaction.state == State::Committed) {
            QString error;
            if (!applyCommitted(transaction, &error)) {
                ack.insert(QStringLiteral("error"), error);
                return ack;
            }
        }
        ack.insert(QStringLiteral("outcome"), QStringLiteral("committed"));
        return ack;
    }

    if (type == QStringLiteral("abort")) {
        if (transaction.state == State::Prepared) {
            if (!record(transaction, State::Aborted, QStringLiteral("coordinator aborted"))) {
                ack.insert(QStringLiteral("error"), QStringLiteral("the journal cannot be written"));
                return ack;
            }
            unlock(transaction);
        }
        if (transaction.state != State::Aborted) {
            ack.insert(QStringLiteral("error"), QStringLiteral("the transaction is already committed here"));
            qCCritical(lcTransaction).noquote() << "transaction" << txid << "abort received after a local commit";
            return ack;
        }
        ack.insert(QStringLiteral("outcome"), QStringLiteral("aborted"));
        return ack;
    }

    ack.insert(QStringLiteral("error"), QStringLiteral("unknown request type '%1'").arg(type));
    return ack;
}

} // namespace aliassync
