// The interface the transaction protocol requires of what it coordinates.
//
// The protocol moves opaque operations; an OperationHandler gives them
// meaning. check() must not change anything; apply() must be idempotent,
// because after a crash the same committed operation is applied again.
#pragma once

#include <QByteArray>
#include <QString>

namespace aliassync {

enum class TransactionRole { Coordinator, Participant };

struct CheckResult {
    bool accepted = true;
    bool temporary = false;   // a retry later may succeed (busy, peer unreachable)
    QString reason;           // why not, in words fit for the requester

    static CheckResult ok() { return {}; }
    static CheckResult rejected(const QString &why) { return {false, false, why}; }
    static CheckResult retryLater(const QString &why) { return {false, true, why}; }
};

class OperationHandler
{
public:
    virtual ~OperationHandler() = default;

    // Operations with the same key never run at the same time.
    virtual QString lockKey(const QByteArray &operation) const = 0;
    virtual CheckResult check(const QByteArray &operation, TransactionRole role) = 0;
    virtual bool apply(const QByteArray &txid, const QByteArray &operation, QString *error) = 0;

    // Called once after apply() first succeeded for a transaction on this server.
    virtual void applied(const QByteArray &txid, const QByteArray &operation, TransactionRole role) = 0;
};

} // namespace aliassync
