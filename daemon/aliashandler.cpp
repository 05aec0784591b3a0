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
    const auto decoded = AliasOperation::decode(operation);
    return decoded ? decoded->name.toLower() : QString::fromLatin1(operation);
}

CheckResult AliasHandler::check(const QByteArray &bytes, TransactionRole role)
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

    // Both servers must hold the same managed entries before either changes
    // them; otherwise a commit would carry a difference forward.
    if (role == TransactionRole::Participant && file->fingerprint() != operation->coordinatorFingerprint) {
        qCCritical(lcRequest).noquote() << "managed alias file fingerprint differs from the coordinator's: here"
                                        << file->fingerprint() << "coordinator" << operation->coordinatorFingerprint;
        return CheckResult::retryLater(Text::tr("the two servers' managed alias files differ; the administrator must reconcile them"));
    }

    return operation->action == AliasOperation::Action::Create ? checkCreate(*operation, *file)
                                                                : checkDelete(*operation, *file);
}

CheckResult AliasHandler::checkCreate(const AliasOperation &operation, const AliasFile &file)
{
    // The pipe already checked all of this; a parser bug there must still not reach the alias file.
    const QString nameProblem = aliasNameProblem(operation.name, m_policy);
    if (!nameProblem.isEmpty())
        return CheckResult::rejected(nameProblem);
    if (operation.destinations.isEmpty())
        return CheckResult::rejected(Text::tr("no destination given"));
    for (const QString &destination : operation.destinations) {
        const QString problem = destinationProblem(destination);
        if (!problem.isEmpty())
            return CheckResult::rejected(problem);
        if (!isAdministrator(operation.requester, m_policy) && !isOwnMailbox(destination, operation.requester, m_policy))
            return CheckResult::rejected(Text::tr("only an administrator may point an alias at '%1'").arg(destination));
    }

    if (file.lookup(operation.name.toUtf8()))
        return CheckResult::rejected(Text::tr("the alias '%1' already exists").arg(operation.name));
    const QByteArray localName = operation.name.toUtf8();
    if (::getpwnam(localName.constData()))
        return CheckResult::rejected(Text::tr("'%1' is a local user on %2").arg(operation.name, m_config.serverName));
    return checkOtherAliasTables(operation.name);
}

CheckResult AliasHandler::checkOtherAliasTables(const QString &name)
{
    QString error;
    const auto aliasMaps = m_tools.parameter(QStringLiteral("alias_maps"), &error);
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
            return CheckResult::rejected(Text::tr("'%1' already exists as an alias on %2").arg(name, m_config.serverName));
    }
    return CheckResult::ok();
}

CheckResult AliasHandler::checkDelete(const AliasOperation &operation, const AliasFile &file)
{
    const AliasEntry *entry = file.lookup(operation.name.toUtf8());
    if (!entry || !entry->managed)
        return CheckResult::rejected(Text::tr("'%1' is not an alias that alias-sync manages").arg(operation.name));
    if (!isAdministrator(operation.requester, m_policy)
        && QString::fromUtf8(entry->metadata.createdBy).compare(operation.requester, Qt::CaseInsensitive) != 0)
        return CheckResult::rejected(Text::tr("'%1' was created by someone else; only they or an administrator may remove it")
                                         .arg(operation.name));
    return CheckResult::ok();
}

bool AliasHandler::apply(const QByteArray &txid, const QByteArray &bytes, QString *error)
{
    const auto operation = AliasOperation::decode(bytes);
    if (!operation) {
        *error = QStringLiteral("transaction %1 carries an operation that cannot be decoded").arg(QString::fromLatin1(txid));
        return false;
    }
    auto file = loadManagedFile(error);
    if (!file)
        return false;

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

QStringList AliasHandler::addressesFor(const QString &name) const
{
    // local(8) applies alias_maps to every domain in mydestination, so each
    // of those domains now has the alias; table lookups in the list are skipped.
    QString error;
    const auto destinations = m_tools.parameter(QStringLiteral("mydestination"), &error);
    QStringList addresses;
    for (const QString &domain : PostfixTools::splitTableList(destinations.value_or(QString()))) {
        if (domain.contains(QLatin1Char(':')) || domain.contains(QLatin1Char('/')))
            continue;
        addresses.append(name + QLatin1Char('@') + domain.toLower());
    }
    return addresses;
}

void AliasHandler::applied(const QByteArray &txid, const QByteArray &bytes, TransactionRole role)
{
    Q_UNUSED(role);
    const auto operation = AliasOperation::decode(bytes);
    if (!operation)
        return;

    const AliasRequest request = requestFor(*operation);
    QString error;
    if (!m_mailer.sendConfirmation(request, addressesFor(operation->name), &error))
        qCWarning(lcRequest).noquote() << "transaction" << txid << "applied, but the confirmation could not be sent:" << error;
}

} // namespace aliassync
