// The parts of the engine both roles share: journal records, locks,
// recovery at start, compaction and the resend timer. The coordinator's
// steps are in coordinator.cpp, the participant's in participant.cpp.
#include "transactionengine.h"
#include "logging.h"
#include "messages.h"

namespace aliassync {

TransactionEngine::TransactionEngine(OperationHandler *handler, Journal *journal, const TransactionTimings &timings,
                                     QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_journal(journal)
    , m_timings(timings)
{
    // Outcomes the peer has not acknowledged are sent again, and the
    // participant sends a query for each outcome it waits for, at this pace
    // while the link is up. Both sides reply to repeats from their journal state.
    m_resendTimer.setInterval(timings.voteTimeout);
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

bool TransactionEngine::isTerminal(const Transaction &transaction)
{
    if (transaction.role == TransactionRole::Coordinator)
        return transaction.state == State::Finished;
    return transaction.state == State::Applied || transaction.state == State::Aborted;
}

TransactionEngine::Transaction *TransactionEngine::find(const QByteArray &txid, TransactionRole role)
{
    auto it = m_transactions.find(txid);
    if (it == m_transactions.end() || it->second.role != role)
        return nullptr;
    return &it->second;
}

JournalRecord TransactionEngine::snapshot(const Transaction &transaction, bool withOperation) const
{
    JournalRecord entry;
    entry.txid = transaction.txid;
    entry.role = messageRoleName(transaction.role);
    entry.state = stateName(transaction.state);
    entry.time = transaction.changedAt;
    if (withOperation)
        entry.operation = transaction.operation;
    entry.requestKey = transaction.requestKey;
    entry.reason = transaction.reason;
    entry.temporary = transaction.temporary && !transaction.committedOutcome
        && (transaction.state == State::Aborted || transaction.state == State::Finished);
    if (transaction.state == State::Finished)
        entry.outcome = transaction.committedOutcome ? QStringLiteral("committed") : QStringLiteral("aborted");
    return entry;
}

bool TransactionEngine::record(Transaction &transaction, State state, const QString &reason)
{
    Transaction next = transaction;
    next.state = state;
    next.changedAt = QDateTime::currentDateTimeUtc();
    if (!reason.isEmpty())
        next.reason = reason;
    if (state == State::Applied)
        next.committedOutcome = true;

    // The first record carries what replay needs to act alone: the operation
    // and the request key. Later ones carry only what changed.
    const bool first = state == State::Begun || state == State::Prepared;
    JournalRecord entry = snapshot(next, first);
    if (!first) {
        entry.requestKey.clear();
        if (reason.isEmpty())
            entry.reason.clear();
    }

    QString error;
    if (!m_journal->append(entry, &error)) {
        qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid << ":" << error;
        return false;
    }
    transaction = next;
    if (reason.isEmpty())
        qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << messageRoleName(transaction.role)
                                        << stateName(state);
    else
        qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << messageRoleName(transaction.role)
                                        << stateName(state) << "(" + reason + ")";
    Q_EMIT changed();
    compactIfLarge();
    return true;
}

QByteArray TransactionEngine::lockHolder(const QString &lockKey) const
{
    // The key "*" conflicts with every key, so it is held alone.
    if (lockKey == QStringLiteral("*"))
        return m_locks.isEmpty() ? QByteArray() : m_locks.cbegin().value();
    const QByteArray holder = m_locks.value(lockKey);
    return holder.isEmpty() ? m_locks.value(QStringLiteral("*")) : holder;
}

void TransactionEngine::lock(Transaction &transaction)
{
    m_locks.insert(transaction.lockKey, transaction.txid);
}

void TransactionEngine::unlock(Transaction &transaction)
{
    if (m_locks.value(transaction.lockKey) != transaction.txid)
        return;
    m_locks.remove(transaction.lockKey);

    // Requests that waited for this key run now, in arrival order. Those
    // waiting for "*" wait for every key, and every key waits for "*".
    const QList<QString> waiting = m_queued.keys();
    for (const QString &key : waiting) {
        if (key == transaction.lockKey || key == QStringLiteral("*") || transaction.lockKey == QStringLiteral("*"))
            QTimer::singleShot(0, this, [this, key]() { runQueued(key); });
    }
}

bool TransactionEngine::applyCommitted(Transaction &transaction, QString *error)
{
    if (!m_handler->commit(transaction.txid, transaction.operation, error))
        return false;
    if (!record(transaction, State::Applied)) {
        *error = QStringLiteral("the journal cannot be written");
        return false;
    }
    unlock(transaction);

    // Deliveries of the request that waited, including one that joined
    // after an earlier apply failed, get their reply now.
    complete(transaction, TransactionOutcome::Committed, {});

    // The participant's confirmation goes out after its ack (the reply is
    // sent when this returns). The coordinator's waits for the ack, or for
    // the next resend tick, so that sendmail does not delay reading the ack.
    transaction.confirmationPending = true;
    if (transaction.role == TransactionRole::Participant)
        confirm(transaction);
    return true;
}

void TransactionEngine::confirm(Transaction &transaction)
{
    if (!transaction.confirmationPending)
        return;
    transaction.confirmationPending = false;
    const QByteArray txid = transaction.txid;
    const QByteArray operation = transaction.operation;
    const TransactionRole role = transaction.role;
    QTimer::singleShot(0, this, [this, txid, operation, role]() { m_handler->committed(txid, operation, role); });
}

bool TransactionEngine::recover(QString *error)
{
    // Replay: the first record of a transaction carries its operation and
    // request key, the last its state.
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
        transaction.changedAt = entry.time;
        if (!entry.operation.isEmpty())
            transaction.operation = entry.operation;
        if (!entry.requestKey.isEmpty())
            transaction.requestKey = entry.requestKey;
        if (!entry.reason.isEmpty())
            transaction.reason = entry.reason;
        if (*state == State::Aborted || *state == State::Finished)
            transaction.temporary = entry.temporary;
        if (*state == State::Applied)
            transaction.committedOutcome = true;
        if (*state == State::Finished && !entry.outcome.isEmpty())
            transaction.committedOutcome = entry.outcome == QStringLiteral("committed");
    }

    for (auto &[txid, transaction] : m_transactions) {
        transaction.lockKey = m_handler->lockKey(transaction.operation);
        if (!transaction.requestKey.isEmpty()) {
            // The latest attempt of a request decides its outcome.
            const auto known = m_transactions.find(m_requests.value(transaction.requestKey));
            if (known == m_transactions.end() || known->second.changedAt <= transaction.changedAt)
                m_requests.insert(transaction.requestKey, txid);
        }
    }

    for (auto &[txid, transaction] : m_transactions) {
        switch (transaction.state) {
        case State::Begun:
            // No decision was made, so the participant cannot have committed:
            // abort, and tell the participant once the link is up.
            transaction.temporary = true;
            if (!record(transaction, State::Aborted, QStringLiteral("coordinator restarted before the decision"))) {
                *error = QStringLiteral("journal %1: cannot record the abort of transaction %2")
                             .arg(m_journal->path(), QString::fromLatin1(txid));
                return false;
            }
            break;
        case State::Prepared:
            // Only the coordinator has the outcome. The name stays locked
            // until the coordinator sends it again or replies to a query.
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

    if (!compact(error))
        return false;
    qCInfo(lcTransaction) << "journal replayed:" << m_journal->records().size() << "records kept," << pendingCount()
                          << "transactions pending";
    return true;
}

void TransactionEngine::compactIfLarge()
{
    // Compaction costs a rewrite of every retained record, so it runs only
    // when the journal has doubled since the last one. It runs from the
    // event loop, never inside a caller that is in the middle of a step.
    const int size = int(m_journal->records().size());
    if (m_compactionScheduled || size < m_timings.compactionMinimumRecords || size < 2 * m_compactedSize)
        return;
    m_compactionScheduled = true;
    QTimer::singleShot(0, this, [this]() {
        m_compactionScheduled = false;
        QString error;
        if (!compact(&error))
            qCWarning(lcTransaction).noquote() << "journal compaction failed, the journal keeps growing:" << error;
    });
}

bool TransactionEngine::compact(QString *error)
{
    // One record per transaction keeps its whole state. A finished
    // transaction is dropped after the retention time: until then a
    // redelivered request can still be recognised, and a late commit or
    // abort from the coordinator still gets its ack.
    const QDateTime horizon = QDateTime::currentDateTimeUtc().addMSecs(-m_timings.retention.count());
    QList<JournalRecord> kept;
    QList<QByteArray> dropped;
    for (const auto &[txid, transaction] : m_transactions) {
        const bool terminal = isTerminal(transaction);
        if (terminal && transaction.changedAt.isValid() && transaction.changedAt < horizon) {
            dropped.append(transaction.txid);
            continue;
        }
        kept.append(snapshot(transaction, !terminal));
    }
    std::sort(kept.begin(), kept.end(), [](const JournalRecord &a, const JournalRecord &b) { return a.time < b.time; });

    const int before = int(m_journal->records().size());
    if (!m_journal->rewrite(kept, error))
        return false;
    for (const QByteArray &txid : std::as_const(dropped)) {
        const auto it = m_transactions.find(txid);
        if (m_requests.value(it->second.requestKey) == txid)
            m_requests.remove(it->second.requestKey);
        m_transactions.erase(it);
    }
    m_compactedSize = int(kept.size());
    qCInfo(lcTransaction) << "journal compacted:" << before << "records before," << kept.size() << "after,"
                          << dropped.size() << "finished transactions past the retention time dropped";
    return true;
}

void TransactionEngine::setPeerSender(const Sender &sender)
{
    m_sender = sender;
    if (!m_sender) {
        m_resendTimer.stop();

        // A coordinator waiting for a vote cannot get one on a dead link,
        // and one waiting for an ack confirms without it.
        for (auto &[txid, transaction] : m_transactions) {
            confirm(transaction);
            if (transaction.role == TransactionRole::Coordinator && transaction.state == State::Begun)
                abortCoordinated(transaction, QStringLiteral("the peer link went down before the peer voted"), true);
        }
        return;
    }
    m_resendTimer.start();
    resendUndelivered();
}

void TransactionEngine::resendUndelivered()
{
    for (auto &[txid, transaction] : m_transactions) {
        if (transaction.state == State::Committed) {
            QString error;
            if (!applyCommitted(transaction, &error))
                qCWarning(lcTransaction).noquote() << "transaction" << transaction.txid << "still cannot be applied:" << error;
        }
        if (transaction.role != TransactionRole::Coordinator)
            continue;
        confirm(transaction);
        if (transaction.state == State::Committed || transaction.state == State::Applied
            || transaction.state == State::Aborted) {
            qCInfo(lcTransaction).noquote() << "transaction" << transaction.txid << "sending"
                                            << (transaction.state == State::Aborted ? "abort" : "commit") << "to the peer again";
            sendOutcome(transaction);
        }
    }
    queryOutcomes();
}

int TransactionEngine::pendingCount() const
{
    int count = 0;
    for (const auto &[txid, transaction] : m_transactions) {
        if (!isTerminal(transaction))
            ++count;
    }
    return count;
}

} // namespace aliassync
