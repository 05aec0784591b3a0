// Gives the generic transaction protocol its alias meaning. It checks that
// a name is free (or, for a removal, owned by the requester) on this server,
// applies the change to the managed alias file and its database, and sends
// this server's confirmation once the change is live.
#pragma once

#include "aliasdatabase.h"
#include "aliasoperation.h"
#include "config.h"
#include "mailer.h"
#include "operationhandler.h"

#include <requestmail/policy.h>

namespace aliassync {

class AliasFile;

class AliasHandler : public OperationHandler
{
public:
    AliasHandler(const Config &config, const PostfixTools &tools, AliasDatabase &database, Mailer &mailer,
                 const RequestPolicy &policy);

    QString lockKey(const QByteArray &operation) const override;
    CheckResult check(const QByteArray &operation, TransactionRole role) override;
    bool apply(const QByteArray &txid, const QByteArray &operation, QString *error) override;
    void applied(const QByteArray &txid, const QByteArray &operation, TransactionRole role) override;

    // The managed file as it is now, for fingerprints and listings.
    std::optional<AliasFile> loadManagedFile(QString *error) const;

private:
    CheckResult checkCreate(const AliasOperation &operation, const AliasFile &file);
    CheckResult checkDelete(const AliasOperation &operation, const AliasFile &file);
    CheckResult checkOtherAliasTables(const QString &name);
    QStringList addressesFor(const QString &name) const;

    const Config &m_config;
    const PostfixTools &m_tools;
    AliasDatabase &m_database;
    Mailer &m_mailer;
    const RequestPolicy &m_policy;
};

} // namespace aliassync
