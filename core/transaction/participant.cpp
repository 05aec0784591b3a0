// The participant's side of the two-phase commit: the peer's requests on
// this server's inbound link, and the outcomes it queries after a restart
// or a lost link.
#include "logging.h"
#include "messages.h"
#include "transactionengine.h"

namespace aliassync {

QJsonObject TransactionEngine::vote(const QByteArray &txid, const CheckResult &result) const
{
    QJsonObject reply = peerMessage(QStringLiteral("vote"), txid);
    reply.insert(QStringLiteral("vote"), result.accepted ? QStringLiteral("yes") : QStringLiteral("no"));
    if (!result.accepted) {
        reply.insert(QStringLiteral("temporary"), result.temporary);
        reply.insert(QStringLiteral("reason"), result.reason);
        if (!result.code.isEmpty())
            reply.insert(QStringLiteral("code"), result.code);
    }
    return reply;
}

QJsonObject TransactionEngine::handleRequest(const QJsonObject &request)
{
    const QString type = request.value(QStringLiteral("type")).toString();
    const QByteArray txid = request.value(QStringLiteral("txid")).toString().toLatin1();
    if (txid.isEmpty())
        return {{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("reason"), QStringLiteral("missing txid")}};

    if (type == QStringLiteral("prepare"))
        return handlePrepare(txid, request);
    if (type == QStringLiteral("query"))
        return answerQuery(txid);

    QJsonObject ack = peerMessage(QStringLiteral("ack"), txid);
    Transaction *transaction = find(txid, TransactionRole::Participant);
    if (!transaction) {
        // A transaction this server never prepared locks nothing here, so an
        // abort of it is already carried out: the prepare was lost, or the
        // vote was no, or it came after the coordinator's timeout.
        if (type == QStringLiteral("abort")) {
            ack.insert(QStringLiteral("outcome"), QStringLiteral("aborted"));
            return ack;
        }
        if (type == QStringLiteral("commit")) {
            qCCritical(lcTransaction).noquote() << "transaction" << txid
                                                << "commit received for a transaction this server never prepared";
            ack.insert(QStringLiteral("error"), QStringLiteral("unknown transaction"));
            return ack;
        }
    } else if (type == QStringLiteral("commit")) {
        return handleCommit(*transaction);
    } else if (type == QStringLiteral("abort")) {
        return handleAbort(*transaction);
    }
    ack.insert(QStringLiteral("error"), QStringLiteral("unknown request type '%1'").arg(type));
    return ack;
}

QJsonObject TransactionEngine::handlePrepare(const QByteArray &txid, const QJsonObject &request)
{
    // A repeated prepare gets the same vote as the first one.
    if (Transaction *known = find(txid, TransactionRole::Participant)) {
        if (known->state == State::Aborted)
            return vote(txid, CheckResult::rejected(known->reason));
        return vote(txid, CheckResult::ok());
    }

    const QByteArray operation = QByteArray::fromBase64(request.value(QStringLiteral("operation")).toString().toLatin1());
    const QString lockKey = m_handler->lockKey(operation);

    // Both servers may coordinate the same name at the same moment. Each
    // then has the name locked for its own transaction, still undecided, when the
    // other's prepare arrives. Both apply the same rule, so exactly one wins:
    // the lower transaction id. The loser aborts and its request runs again.
    const auto holder = m_transactions.find(lockHolder(lockKey));
    if (holder != m_transactions.end()) {
        Transaction &own = holder->second;
        if (own.role == TransactionRole::Coordinator && own.state == State::Begun && txid < own.txid) {
            qCInfo(lcTransaction).noquote() << "transaction" << txid << "from the peer and" << own.txid
                                            << "from this server are for the same name; the peer's wins";
            abortCoordinated(own, QStringLiteral("the peer's transaction %1 for the same name won").arg(QString::fromLatin1(txid)),
                             true, true);
        } else {
            qCInfo(lcTransaction).noquote() << "transaction" << txid << "participant votes no: the name is held by"
                                            << own.txid;
            return vote(txid, CheckResult::retryLater(
                                  QStringLiteral("another transaction for the same name is in progress"), busyCode));
        }
    }

    CheckResult check = m_handler->validate(operation, TransactionRole::Participant);
    if (check.accepted)
        check = m_handler->prepare(operation, TransactionRole::Participant);
    if (!check.accepted) {
        qCInfo(lcTransaction).noquote() << "transaction" << txid << "participant votes no:" << check.reason;
        return vote(txid, check);
    }

    Transaction created;
    created.txid = txid;
    created.role = TransactionRole::Participant;
    created.operation = operation;
    created.lockKey = lockKey;
    Transaction &transaction = m_transactions.emplace(txid, created).first->second;
    if (!record(transaction, State::Prepared)) {
        m_transactions.erase(txid);
        return vote(txid, CheckResult::retryLater(QStringLiteral("the peer's journal cannot be written")));
    }
    lock(transaction);
    return vote(txid, CheckResult::ok());
}

QJsonObject TransactionEngine::handleCommit(Transaction &transaction)
{
    QJsonObject ack = peerMessage(QStringLiteral("ack"), transaction.txid);
    if (transaction.state == State::Aborted) {
        qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid << "commit received after a local abort";
        ack.insert(QStringLiteral("error"), QStringLiteral("the transaction was aborted here"));
        return ack;
    }
    if (transaction.state == State::Prepared && !record(transaction, State::Committed)) {
        ack.insert(QStringLiteral("error"), QStringLiteral("the journal cannot be written"));
        return ack;
    }
    if (transaction.state == State::Committed) {
        QString error;
        if (!applyCommitted(transaction, &error)) {
            qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid
                                                << "is committed but applying it here failed:" << error;
            ack.insert(QStringLiteral("error"), error);
            return ack;
        }
    }
    ack.insert(QStringLiteral("outcome"), QStringLiteral("committed"));
    return ack;
}

QJsonObject TransactionEngine::handleAbort(Transaction &transaction)
{
    QJsonObject ack = peerMessage(QStringLiteral("ack"), transaction.txid);
    if (transaction.state == State::Prepared) {
        if (!record(transaction, State::Aborted, QStringLiteral("coordinator aborted"))) {
            ack.insert(QStringLiteral("error"), QStringLiteral("the journal cannot be written"));
            return ack;
        }
        unlock(transaction);
        m_handler->abort(transaction.txid, transaction.operation, TransactionRole::Participant);
    }
    if (transaction.state != State::Aborted) {
        qCCritical(lcTransaction).noquote() << "transaction" << transaction.txid << "abort received after a local commit";
        ack.insert(QStringLiteral("error"), QStringLiteral("the transaction is already committed here"));
        return ack;
    }
    ack.insert(QStringLiteral("outcome"), QStringLiteral("aborted"));
    return ack;
}

void TransactionEngine::queryOutcomes()
{
    if (!m_sender)
        return;
    for (const auto &[txid, transaction] : m_transactions) {
        if (transaction.role == TransactionRole::Participant && transaction.state == State::Prepared)
            m_sender(peerMessage(QStringLiteral("query"), txid));
    }
}

void TransactionEngine::handleOutcome(const QJsonObject &reply)
{
    const QByteArray txid = reply.value(QStringLiteral("txid")).toString().toLatin1();
    const QString outcome = reply.value(QStringLiteral("outcome")).toString();
    Transaction *transaction = find(txid, TransactionRole::Participant);
    if (!transaction || transaction->state != State::Prepared)
        return;

    if (outcome == QStringLiteral("committed")) {
        qCInfo(lcTransaction).noquote() << "transaction" << txid << "the coordinator reports it committed";
        handleCommit(*transaction);
    } else if (outcome == QStringLiteral("aborted")) {
        qCInfo(lcTransaction).noquote() << "transaction" << txid << "the coordinator reports it aborted";
        handleAbort(*transaction);
    } else if (outcome == QStringLiteral("unknown")) {
        // The coordinator journals "begun" before it sends a prepare, so it
        // has forgotten this transaction only if its journal was lost.
        qCCritical(lcTransaction).noquote() << "transaction" << txid
                                            << "is prepared here but the coordinator has no record of it; the name stays locked";
    }
}

} // namespace aliassync
