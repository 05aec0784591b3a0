// The two-phase commit between a coordinator and one participant.
//
// Contract: every state is journaled (fsynced) before the server acts on it
// or sends it to the peer. The coordinator's "committed" record is the
// point of no return; before it, any failure aborts. Messages (JSON
// objects), states, timers and transitions are specified in
// specs/peer-protocol.md, the records in specs/journal.md.
//
// Coordinator:  begun -> committed -> applied -> finished (peer acked)
//               begun -> aborted -> finished (peer acked, or voted no)
// Participant:  prepared -> committed -> applied
//               prepared -> aborted
#pragma once

#include "journal.h"
#include "operationhandler.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <map>
#include <optional>

namespace aliassync {

enum class TransactionOutcome { Committed, Rejected, TemporaryFailure };

struct TransactionTimings {
    std::chrono::milliseconds voteTimeout{30000};      // the coordinator's wait for a vote; also the resend interval
    std::chrono::milliseconds retention{7LL * 86400000}; // finished transactions stay this long in the journal
    int compactionMinimumRecords = 1000;                // no compaction while the journal is smaller than this
};

class TransactionEngine : public QObject
{
    Q_OBJECT
public:
    // repeated: the request was recognised by its request key and gets the
    // outcome its first delivery got; its side effects are not done again.
    struct Result {
        TransactionOutcome outcome = TransactionOutcome::TemporaryFailure;
        QString reason;
        QByteArray txid;
        bool repeated = false;
    };
    using Completion = std::function<void(const Result &)>;
    using Sender = std::function<void(const QJsonObject &)>;

    TransactionEngine(OperationHandler *handler, Journal *journal, const TransactionTimings &timings,
                      QObject *parent = nullptr);

    // Finishes what the journal left open and compacts it; call once before any traffic.
    bool recover(QString *error);

    // The outbound link (this server's requests to the peer): set on link up, cleared on link down.
    void setPeerSender(const Sender &sender);

    // Runs operation as a transaction with this server as coordinator.
    // requestKey (may be empty) names the request that asked for it: a
    // request with the key of an earlier one gets that one's outcome.
    void coordinate(const QByteArray &operation, const QString &requestKey, const Completion &completion);

    // Replies (vote, ack, outcome) that reach this server on its outbound link.
    void handleReply(const QJsonObject &message);
    // Requests (prepare, commit, abort, query) that reach this server on its inbound link; returns the reply.
    QJsonObject handleRequest(const QJsonObject &message);

    // Transactions not yet finished on this server: coordinator ones until
    // the peer acknowledged the outcome, participant ones until decided and applied.
    int pendingCount() const;

Q_SIGNALS:
    // Emitted after every journaled state change, for status displays.
    void changed();

private:
    enum class State { Begun, Prepared, Committed, Applied, Aborted, Finished };
    struct Transaction {
        QByteArray txid;
        TransactionRole role = TransactionRole::Coordinator;
        State state = State::Begun;
        QByteArray operation;
        QString lockKey;
        QString requestKey;
        QString reason;
        bool temporary = false;     // of an abort: the request may succeed later
        bool committedOutcome = false; // of a finished coordinator transaction
        QDateTime changedAt;
        bool confirmationPending = false; // applied here, committed() not called yet; not journaled
        QList<Completion> completions;
        QTimer *voteTimer = nullptr;
    };
    // A request waiting for its name's lock, or for another attempt after
    // losing a same-name race, until its deadline.
    struct QueuedRequest {
        quint64 id = 0;
        QByteArray operation;
        QString requestKey;
        Completion completion;
        QDateTime deadline;
    };

    static QString stateName(State state);
    static std::optional<State> stateFromName(const QString &name);
    static bool isTerminal(const Transaction &transaction);

    // transactionengine.cpp: journal, locks, recovery, compaction
    bool record(Transaction &transaction, State state, const QString &reason = {});
    JournalRecord snapshot(const Transaction &transaction, bool withOperation) const;
    QByteArray lockHolder(const QString &lockKey) const; // empty when the key is free
    void lock(Transaction &transaction);
    void unlock(Transaction &transaction);
    bool applyCommitted(Transaction &transaction, QString *error);
    void confirm(Transaction &transaction); // calls committed() once, from the event loop
    void compactIfLarge();
    bool compact(QString *error);
    void resendUndelivered();
    Transaction *find(const QByteArray &txid, TransactionRole role);

    // coordinator.cpp
    void startAttempt(const QueuedRequest &request);
    void queueForLock(const QueuedRequest &request);
    void retryLater(const QueuedRequest &request, const QString &reason);
    bool retryRequestOf(Transaction &transaction, const QString &reason);
    void runQueued(const QString &lockKey);
    bool answerRepeatedRequest(const QueuedRequest &request);
    void handleVote(Transaction &transaction, const QJsonObject &vote);
    void decideCommit(Transaction &transaction);
    // retry: a request whose deadline has not passed runs again shortly
    // (a lost same-name race) instead of getting the temporary failure.
    void abortCoordinated(Transaction &transaction, const QString &reason, bool temporary, bool retry = false);
    void complete(Transaction &transaction, TransactionOutcome outcome, const QString &reason);
    void sendOutcome(const Transaction &transaction);
    QJsonObject answerQuery(const QByteArray &txid) const;

    // participant.cpp
    QJsonObject handlePrepare(const QByteArray &txid, const QJsonObject &request);
    QJsonObject handleCommit(Transaction &transaction);
    QJsonObject handleAbort(Transaction &transaction);
    void handleOutcome(const QJsonObject &reply);
    void queryOutcomes();
    QJsonObject vote(const QByteArray &txid, const CheckResult &result) const;

    OperationHandler *m_handler;
    Journal *m_journal;
    TransactionTimings m_timings;
    Sender m_sender;
    // A node-based map, because handlers hold references to one transaction
    // while others are added or removed.
    std::map<QByteArray, Transaction> m_transactions;
    QHash<QString, QByteArray> m_locks;          // lock key -> txid holding it
    QHash<QString, QByteArray> m_requests;       // request key -> latest coordinator txid
    QHash<QString, QList<QueuedRequest>> m_queued; // lock key -> requests waiting for it
    QHash<QByteArray, QueuedRequest> m_attempts; // coordinator txid in begun -> its request, for a retry
    QTimer m_resendTimer;
    int m_compactedSize = 0; // records in the journal right after the last compaction
    bool m_compactionScheduled = false;
    quint64 m_nextQueuedId = 1;
};

} // namespace aliassync
