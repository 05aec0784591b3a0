// The interface the transaction protocol requires of what it coordinates.
//
// The protocol moves opaque operations; an OperationHandler gives them
// meaning. The engine calls, per server and transaction:
//   validate()  before anything is locked or journaled: is the operation
//               well formed and allowed at all? Must not change anything.
//   prepare()   with the operation's lock key held, just before the first
//               journal record: does the current state allow it? Must not
//               change anything the peer could observe.
//   commit()    after the decision to commit is journaled, and again after
//               a crash: must be idempotent.
//   abort()     after the decision to abort is journaled, for a transaction
//               that prepare() accepted.
//   committed() once, after commit() first succeeded and was journaled;
//               the coordinator calls it once the peer acknowledged (or
//               at the next resend tick). A crash before the call loses it.
#pragma once

#include <QByteArray>
#include <QString>

namespace aliassync {

enum class TransactionRole { Coordinator, Participant };

struct CheckResult {
    bool accepted = true;
    bool temporary = false;   // a retry later may succeed (busy, peer unreachable)
    QString reason;           // why not, in words fit for the requester
    QString code;             // a machine-readable kind for the peer, such as "diverged"; may be empty

    static CheckResult ok() { return {}; }
    static CheckResult rejected(const QString &why) { return {false, false, why, {}}; }
    static CheckResult retryLater(const QString &why, const QString &code = {}) { return {false, true, why, code}; }
};

class OperationHandler
{
public:
    virtual ~OperationHandler() = default;

    // Operations with the same key never run at the same time; an operation
    // with the key "*" runs alone.
    virtual QString lockKey(const QByteArray &operation) const = 0;

    virtual CheckResult validate(const QByteArray &operation, TransactionRole role) = 0;
    virtual CheckResult prepare(const QByteArray &operation, TransactionRole role) = 0;
    virtual bool commit(const QByteArray &txid, const QByteArray &operation, QString *error) = 0;
    virtual void abort(const QByteArray &txid, const QByteArray &operation, TransactionRole role) = 0;
    virtual void committed(const QByteArray &txid, const QByteArray &operation, TransactionRole role) = 0;
};

} // namespace aliassync
