// The two-phase commit between a coordinator and one participant.
//
// Contract: every state is journaled (fsynced) before the server acts on it
// or sends it to the peer. The coordinator's "committed" record is the
// point of no return; before it, any failure aborts. Messages (JSON
// objects) and their states are specified in specs/peer-protocol.md.
//
// Coordinator:  begun -> committed -> applied -> finished (peer acked)
//               begun -> aborted -> finished (peer acked or never prepared)
// Participant:  prepared -> committed -> applied
//               prepared -> aborted
#pragma once

#include "journal.h"
#include "operationhandler.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>

namespace aliassync {

enum class TransactionOutcome { Committed, Rejected, TemporaryFailure };

class TransactionEngine : public QObject
{
    Q_OBJECT
public:
    using Completion = std::function<void(TransactionOutcome, const QString &reason, const QByteArray &txid)>;
    using Sender = std::function<void(const QJsonObject &)>;

    TransactionEngine(OperationHandler *handler, Journal *journal, int timeoutSeconds, QObject *parent = nullptr);

    // Finishes what the journal left open; call once before any traffic.
    bool recover(QString *error);

    // The coordinator's outbound link: set on link up, cleared on link down.
    void setPeerSender(const Sender &sender);

    void coordinate(const QByteArray &operation, const Completion &completion);

    // Replies (votes, acks) that reach this server as coordinator.
    void handleReplyFromParticipant(const QJsonObject &message);
    // Requests (prepare, commit, abort) that reach this server as participant; returns the reply.
    QJsonObject handleRequestFromCoordinator(const QJsonObject &message);

    int pendingCount() const;

private:
    enum class State { Begun, Prepared, Committed, Applied, Aborted, Finished };
    struct Transaction {
        QByteArray txid;
        TransactionRole role = TransactionRole::Coordinator;
        State state = State::Begun;
        QByteArray operation;
        QString lockKey;
        QString reason;
        Completion completion;
        QTimer *timer = nullptr;
    };

    static QString stateName(State state);
    static std::optional<State> stateFromName(const QString &name);
    bool record(Transaction &transaction, State state, const QString &reason = {});
    void lock(Transaction &transaction);
    void unlock(Transaction &transaction);
    bool applyCommitted(Transaction &transaction, QString *error);
    void abortCoordinated(Transaction &transaction, const QString &reason, bool temporary);
    void complete(Transaction &transaction, TransactionOutcome outcome, const QString &reason);
    void sendOutcome(const Transaction &transaction);
    void resendUndelivered();
    QJsonObject vote(const QByteArray &txid, bool yes, bool temporary, const QString &reason) const;

    OperationHandler *m_handler;
    Journal *m_journal;
    int m_timeoutSeconds;
    Sender m_sender;
    QHash<QByteArray, Transaction> m_transactions;
    QHash<QString, QByteArray> m_locks;
    QTimer m_resendTimer;
};

} // namespace aliassync
