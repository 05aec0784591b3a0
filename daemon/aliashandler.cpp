#include "aliashandler.h"
#include "aliasfile.h"
#include "logging.h"

#include <requestmail/policy.h>
#include <requestmail/request.h>

#include <QCoreApplication>

#include <pwd.h>

namespace aliassync {

namespace {

// Gives lupdate and QTranslator the context "AliasHandler" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(AliasHandler)
};

AliasRequest requestFor(const AliasOperation &operation)
{
    AliasRequest request;
    request.kind = operation.action == AliasOperation::Action::Create ? RequestKind::Create : RequestKind::Delete;
    request.name = operation.name;
    request.destinations = operation.destinations;
    request.requester = operation.requester;
    request.replyAddress = operation.replyAddress;
    request.messageId = operation.messageId;
    return request;
}

} // namespace

AliasHandler::AliasHandler(const Config &config, const PostfixTools &tools, AliasDatabase &database, Mailer &mailer,
                           const RequestPolicy &policy)
    : m_config(config)
    , m_tools(tools)
    , m_database(database)
    , m_mailer(mailer)
    , m_policy(policy)
{
}

std::optional<AliasFile> AliasHandler::loadManagedFile(QString *error) const
{
    return AliasFile::load(m_config.aliasFile, error);
}

QString AliasHandler::lockKey(const QByteArray &operation) const
{
    // A replacement touches every name, so it runs alone.
    const auto decoded = AliasOperation::decode(operation);
    if (!decoded)
        return QString::fromLatin1(operation);
    if (decoded->action == AliasOperation::Action::Replace)
        return QStringLiteral("*");
    return decoded->name.toLower();
}

CheckResult AliasHandler::validate(const QByteArray &bytes, TransactionRole role)
{
    Q_UNUSED(role);
    const auto operation = AliasOperation::decode(bytes);
    if (!operation)
        return CheckResult::rejected(Text::tr("the request could not be decoded"));

    switch (operation->action) {
    case AliasOperation::Action::Create:
        return validateCreate(*operation);
    case AliasOperation::Action::Replace:
        return validateReplace(*operation);
    case AliasOperation::Action::Delete:
        break;
    }
    return CheckResult::ok();
}

CheckResult AliasHandler::validateCreate(const AliasOperation &operation)
{
    // The pipe already checked all of this; a parser bug there must still not reach the alias file.
    const QString nameProblem = aliasNameProblem(operation.name, m_policy);
    if (!nameProblem.isEmpty())
        return CheckResult::rejected(nameProblem);
    if (operation.destinations.isEmpty())
        return CheckResult::rejected(Text::tr("no destination given"));
    const bool administrator = operation.byAdministrator || isAdministrator(operation.requester, m_policy);
    for (const QString &destination : operation.destinations) {
        const QString problem = destinationProblem(destination);
        if (!problem.isEmpty())
            return CheckResult::rejected(problem);
        if (!administrator && !isOwnMailbox(destination, operation.requester, m_policy))
            return CheckResult::rejected(Text::tr("only an administrator may point an alias at '%1'").arg(destination));
    }
    return CheckResult::ok();
}

CheckResult AliasHandler::validateReplace(const AliasOperation &operation)
{
    if (!operation.byAdministrator)
        return CheckResult::rejected(Text::tr("only an administrator may replace the managed aliases"));
    for (const ManagedAlias &entry : operation.entries) {
        QString problem;
        if (!AliasFile::validateName(entry.name.toUtf8(), &problem))
            return CheckResult::rejected(Text::tr("the alias '%1' cannot be copied: %2").arg(entry.name, problem));
        for (const QString &destination : entry.destinations) {
            if (!AliasFile::validateDestination(destination.toUtf8(), &problem))
                return CheckResult::rejected(Text::tr("the alias '%1' cannot be copied: %2").arg(entry.name, problem));
        }
    }
    return CheckResult::ok();
}

CheckResult AliasHandler::prepare(const QByteArray &bytes, TransactionRole role)
{
    const auto operation = AliasOperation::decode(bytes);
    if (!operation)
        return CheckResult::rejected(Text::tr("the request could not be decoded"));

    QString error;
    const auto file = loadManagedFile(&error);
    if (!file) {
        qCCritical(lcRequest).noquote() << error;
        return CheckResult::retryLater(Text::tr("the managed alias file cannot be read"));
    }

    const CheckResult fingerprint = checkFingerprint(*operation, role, *file);
    if (!fingerprint.accepted)
        return fingerprint;

    switch (operation->action) {
    case AliasOperation::Action::Create:
        return checkCreate(*operation, *file);
    case AliasOperation::Action::Delete:
        return checkDelete(*operation, *file);
    case AliasOperation::Action::Replace:
        break;
    }
    return CheckResult::ok();
}

CheckResult AliasHandler::checkFingerprint(const AliasOperation &operation, TransactionRole role, const AliasFile &file)
{
    const QByteArray own = file.fingerprint();

    // A replacement carries the fingerprints the admin saw: the difference
    // shown must still be the difference copied.
    if (operation.action == AliasOperation::Action::Replace) {
        const QByteArray expected = role == TransactionRole::Coordinator ? operation.coordinatorFingerprint
                                                                         : operation.participantFingerprint;
        if (own != expected)
            return CheckResult::rejected(
                Text::tr("the managed aliases on %1 changed since the difference was shown; run reconcile again")
                    .arg(m_config.serverName));
        return CheckResult::ok();
    }
    if (role != TransactionRole::Participant)
        return CheckResult::ok();

    // While either server has a transaction in flight, the two files may
    // differ by that transaction for a moment, so only a comparison with
    // nothing in flight on either side proves a divergence.
    const bool quiet = !operation.coordinatorBusy && (!m_pendingCounter || m_pendingCounter() == 0);
    if (!quiet)
        return CheckResult::ok();
    if (own == operation.coordinatorFingerprint) {
        m_divergence.reset();
        return CheckResult::ok();
    }
    qCCritical(lcRequest).noquote() << "managed alias file fingerprint differs from the coordinator's: here" << own
                                    << "coordinator" << operation.coordinatorFingerprint
                                    << "- run 'alias-sync reconcile' on either server";
    m_divergence = Divergence{own, operation.coordinatorFingerprint, QDateTime::currentDateTimeUtc()};
    return CheckResult::retryLater(Text::tr("the two servers' managed alias files differ; an administrator must run 'alias-sync reconcile'"),
                                   QStringLiteral("diverged"));
}

CheckResult AliasHandler::checkCreate(const AliasOperation &operation, const AliasFile &file)
{
    if (file.lookup(operation.name.toUtf8()))
        return CheckResult::rejected(Text::tr("the alias '%1' already exists; choose another name").arg(operation.name));
    const QByteArray localName = operation.name.toUtf8();
    if (::getpwnam(localName.constData()))
        return CheckResult::rejected(Text::tr("'%1' is a local user on %2; choose another name").arg(operation.name, m_config.serverName));
    return checkOtherAliasTables(operation.name);
}

CheckResult AliasHandler::checkOtherAliasTables(const QString &name)
{
    QString error;
    const auto aliasMaps = m_tools.cachedParameter(QStringLiteral("alias_maps"), &error);
    if (!aliasMaps) {
        qCCritical(lcRequest).noquote() << error;
        return CheckResult::retryLater(Text::tr("Postfix's alias_maps cannot be read"));
    }

    for (const QString &table : PostfixTools::splitTableList(*aliasMaps)) {
        // Postfix's built-in default lists nis:mail.aliases, which returns
        // nothing on a server without NIS. Our own table was checked above.
        if (table.startsWith(QStringLiteral("nis:")) || table.endsWith(QLatin1Char(':') + m_config.aliasFile))
            continue;
        const auto found = m_tools.aliasTableContains(table, name, &error);
        if (!found) {
            qCWarning(lcRequest).noquote() << "cannot check" << table << ":" << error;
            return CheckResult::retryLater(Text::tr("the alias table %1 cannot be read").arg(table));
        }
        if (*found)
            return CheckResult::rejected(Text::tr("'%1' already exists as an alias on %2; choose another name").arg(name, m_config.serverName));
    }
    return checkVirtualAliasTables(name);
}

CheckResult AliasHandler::checkVirtualAliasTables(const QString &name)
{
    QString error;
    const auto virtualMaps = m_tools.cachedParameter(QStringLiteral("virtual_alias_maps"), &error);
    if (!virtualMaps) {
        qCCritical(lcRequest).noquote() << error;
        return CheckResult::retryLater(Text::tr("Postfix's virtual_alias_maps cannot be read"));
    }

    // virtual(5) looks up user@domain, then the bare user for a local
    // domain. cleanup(8) rewrites the address before local(8) would reach
    // our alias, so a key in either form takes the name. A catch-all
    // "@domain" key would take every name, so it is not counted.
    QStringList keys{name};
    for (const QString &domain : m_policy.servedDomains)
        keys.append(name + QLatin1Char('@') + domain);

    for (const QString &table : PostfixTools::splitTableList(*virtualMaps)) {
        const auto found = m_tools.tableKeysFound(table, keys, &error);
        if (!found) {
            qCWarning(lcRequest).noquote() << "cannot check" << table << ":" << error;
            return CheckResult::retryLater(Text::tr("the virtual alias table %1 cannot be read").arg(table));
        }
        if (!found->isEmpty())
            return CheckResult::rejected(Text::tr("'%1' already exists in Postfix's virtual_alias_maps on %2 (%3); choose another name")
                                             .arg(name, m_config.serverName, found->first()));
    }
    return CheckResult::ok();
}

CheckResult AliasHandler::checkDelete(const AliasOperation &operation, const AliasFile &file)
{
    const AliasEntry *entry = file.lookup(operation.name.toUtf8());
    if (!entry || !entry->managed)
        return CheckResult::rejected(Text::tr("'%1' is not an alias that alias-sync manages").arg(operation.name));
    const bool administrator = operation.byAdministrator || isAdministrator(operation.requester, m_policy);
    if (!administrator
        && QString::fromUtf8(entry->metadata.createdBy).compare(operation.requester, Qt::CaseInsensitive) != 0)
        return CheckResult::rejected(Text::tr("'%1' was created by someone else; only they or an administrator may remove it")
                                         .arg(operation.name));
    return CheckResult::ok();
}

bool AliasHandler::commit(const QByteArray &txid, const QByteArray &bytes, QString *error)
{
    const auto operation = AliasOperation::decode(bytes);
    if (!operation) {
        *error = QStringLiteral("transaction %1 carries an operation that cannot be decoded").arg(QString::fromLatin1(txid));
        return false;
    }
    auto file = loadManagedFile(error);
    if (!file)
        return false;

    if (operation->action == AliasOperation::Action::Replace) {
        // Replacing with the same entries leaves the same bytes, so applying
        // twice after a crash changes nothing the second time.
        if (!replaceManagedEntries(*file, operation->entries, error))
            return false;
        QStringList names;
        for (const ManagedAlias &entry : operation->entries)
            names.append(entry.name);
        return m_database.replace(file->toBytes(), names, {}, error);
    }

    const QByteArray name = operation->name.toUtf8();
    const AliasEntry *existing = file->lookup(name);
    if (operation->action == AliasOperation::Action::Create) {
        // Applying twice (after a crash) finds its own entry and is done.
        if (existing && existing->managed && existing->metadata.txid == txid)
            return m_database.rebuild(error);

        AliasMetadata metadata;
        metadata.txid = txid;
        metadata.createdBy = operation->requester.toUtf8();
        metadata.createdAt = operation->requestedAt.toUTC();
        metadata.server = operation->coordinator.toUtf8();
        QList<QByteArray> destinations;
        for (const QString &destination : operation->destinations)
            destinations.append(destination.toUtf8());
        if (!file->addManaged(name, destinations, metadata, error))
            return false;
        return m_database.replace(file->toBytes(), {operation->name}, {}, error);
    }

    if (!existing)
        return m_database.rebuild(error);
    if (!file->removeManaged(name, error))
        return false;
    return m_database.replace(file->toBytes(), {}, {operation->name}, error);
}

bool AliasHandler::replaceManagedEntries(AliasFile &file, const QList<ManagedAlias> &entries, QString *error)
{
    QList<QByteArray> names;
    for (const AliasEntry &entry : file.managedEntries()) {
        if (!names.contains(entry.name))
            names.append(entry.name);
    }
    for (const QByteArray &name : std::as_const(names)) {
        if (!file.removeManaged(name, error))
            return false;
    }

    for (const ManagedAlias &entry : entries) {
        AliasMetadata metadata;
        metadata.txid = entry.txid.toUtf8();
        metadata.createdBy = entry.createdBy.toUtf8();
        metadata.createdAt = entry.createdAt.toUTC();
        metadata.server = entry.server.toUtf8();
        QList<QByteArray> destinations;
        for (const QString &destination : entry.destinations)
            destinations.append(destination.toUtf8());
        if (!file.addManaged(entry.name.toUtf8(), destinations, metadata, error))
            return false;
    }
    return true;
}

void AliasHandler::abort(const QByteArray &txid, const QByteArray &operation, TransactionRole role)
{
    // Nothing is reserved outside the engine's lock, so there is nothing to release.
    Q_UNUSED(txid);
    Q_UNUSED(operation);
    Q_UNUSED(role);
}

QStringList AliasHandler::addressesFor(const QString &name) const
{
    // local(8) applies alias_maps to every domain in mydestination, so each
    // of those domains now has the alias; table lookups in the list are skipped.
    QString error;
    const auto destinations = m_tools.cachedParameter(QStringLiteral("mydestination"), &error);
    QStringList addresses;
    for (const QString &domain : PostfixTools::splitTableList(destinations.value_or(QString()))) {
        if (domain.contains(QLatin1Char(':')) || domain.contains(QLatin1Char('/')))
            continue;
        addresses.append(name + QLatin1Char('@') + domain.toLower());
    }
    return addresses;
}

void AliasHandler::committed(const QByteArray &txid, const QByteArray &bytes, TransactionRole role)
{
    Q_UNUSED(role);
    const auto operation = AliasOperation::decode(bytes);
    if (!operation || operation->action == AliasOperation::Action::Replace)
        return;
    // The admin's commands have no mailbox to confirm to. The command's own
    // output reports the result.
    if (operation->replyAddress.isEmpty()) {
        qCInfo(lcRequest).noquote() << "transaction" << txid << "came from the control socket; no confirmation mail";
        return;
    }

    const AliasRequest request = requestFor(*operation);
    QString error;
    if (!m_mailer.sendConfirmation(request, addressesFor(operation->name), &error))
        qCWarning(lcRequest).noquote() << "transaction" << txid << "applied, but the confirmation could not be sent:" << error;
}

} // namespace aliassync
