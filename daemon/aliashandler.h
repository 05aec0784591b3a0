// Gives the generic transaction protocol its alias meaning. It checks that
// a name is free (or, for a removal, owned by the requester) on this server,
// applies the change to the managed alias file and its database, and sends
// this server's confirmation once the change is live.
//
// It also notices when this server's managed entries differ from the
// coordinator's while neither has a transaction in flight, which only an
// administrator can repair (alias-sync reconcile).
#pragma once

#include "aliasdatabase.h"
#include "aliasoperation.h"
#include "config.h"
#include "mailer.h"
#include "operationhandler.h"

#include <requestmail/policy.h>

#include <QDateTime>

#include <functional>

namespace aliassync {

class AliasFile;

class AliasHandler : public OperationHandler
{
public:
    AliasHandler(const Config &config, const PostfixTools &tools, AliasDatabase &database, Mailer &mailer,
                 const RequestPolicy &policy);

    QString lockKey(const QByteArray &operation) const override;
    CheckResult validate(const QByteArray &operation, TransactionRole role) override;
    CheckResult prepare(const QByteArray &operation, TransactionRole role) override;
    bool commit(const QByteArray &txid, const QByteArray &operation, QString *error) override;
    void abort(const QByteArray &txid, const QByteArray &operation, TransactionRole role) override;
    void committed(const QByteArray &txid, const QByteArray &operation, TransactionRole role) override;

    // The managed file as it is now, for fingerprints and listings.
    std::optional<AliasFile> loadManagedFile(QString *error) const;

    // Counts the unfinished transactions of this server; a fingerprint
    // comparison means something only when both servers have none.
    void setPendingCounter(const std::function<int()> &counter) { m_pendingCounter = counter; }

    struct Divergence {
        QByteArray own, peer;
        QDateTime seen;
    };
    // The last prepare rejected because the fingerprints differed; cleared
    // by a later prepare that found them equal.
    std::optional<Divergence> lastDivergence() const { return m_divergence; }

private:
    CheckResult validateCreate(const AliasOperation &operation);
    CheckResult validateReplace(const AliasOperation &operation);
    CheckResult checkFingerprint(const AliasOperation &operation, TransactionRole role, const AliasFile &file);
    CheckResult checkCreate(const AliasOperation &operation, const AliasFile &file);
    CheckResult checkDelete(const AliasOperation &operation, const AliasFile &file);
    CheckResult checkOtherAliasTables(const QString &name);
    CheckResult checkVirtualAliasTables(const QString &name);
    bool replaceManagedEntries(AliasFile &file, const QList<ManagedAlias> &entries, QString *error);
    QStringList addressesFor(const QString &name) const;

    const Config &m_config;
    const PostfixTools &m_tools;
    AliasDatabase &m_database;
    Mailer &m_mailer;
    const RequestPolicy &m_policy;
    std::function<int()> m_pendingCounter;
    std::optional<Divergence> m_divergence;
};

} // namespace aliassync
