#include "postfixsetup.h"
#include "aliasdatabase.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace aliassync {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PostfixSetup)
};

const QStringList &snapshotParameters()
{
    static const QStringList names = {
        QStringLiteral("config_directory"),  QStringLiteral("mydestination"),     QStringLiteral("myhostname"),
        QStringLiteral("virtual_alias_domains"), QStringLiteral("virtual_mailbox_domains"),
        QStringLiteral("transport_maps"),    QStringLiteral("alias_maps"),        QStringLiteral("alias_database"),
        QStringLiteral("local_recipient_maps"), QStringLiteral("local_transport"), QStringLiteral("default_database_type"),
    };
    return names;
}

QString recipientLimitName(const SetupSettings &settings)
{
    return settings.serviceName + QStringLiteral("_destination_recipient_limit");
}

// Domain names in a domain list; table lookups ("hash:...") and paths are not domains.
QStringList domainsIn(const QString &value)
{
    QStringList domains;
    for (const QString &item : PostfixTools::splitTableList(value)) {
        if (!item.contains(QLatin1Char(':')) && !item.contains(QLatin1Char('/')))
            domains.append(item.toLower());
    }
    return domains;
}

// Appends or prepends table to a list parameter unless it is already there.
std::optional<ParameterChange> addToList(const PostfixSnapshot &snapshot, const QString &name, const QString &table,
                                         bool prepend, const QString &reason)
{
    const QString old = snapshot.raw.value(name);
    QStringList items = PostfixTools::splitTableList(old);
    if (items.contains(table))
        return std::nullopt;
    if (prepend)
        items.prepend(table);
    else
        items.append(table);

    // A value the admin wrote keeps its own text, separators included.
    QString newValue;
    if (old.trimmed().isEmpty())
        newValue = table;
    else
        newValue = prepend ? table + QStringLiteral(", ") + old.trimmed() : old.trimmed() + QStringLiteral(", ") + table;
    return ParameterChange{name, old, snapshot.explicitNames.contains(name), newValue, false, reason};
}

// Removes table from a list parameter. The rest of the text stays as the
// admin wrote it, because only the table and the separator before it go.
std::optional<ParameterChange> removeFromList(const PostfixSnapshot &snapshot, const QString &name, const QString &table,
                                              const QString &reason)
{
    const QString old = snapshot.raw.value(name);
    if (!PostfixTools::splitTableList(old).contains(table))
        return std::nullopt;

    const QRegularExpression token(QStringLiteral("(^|[,\\s]+)") + QRegularExpression::escape(table) + QStringLiteral("(?=$|[,\\s])"));
    QString remaining = old;
    remaining.remove(token);
    remaining = remaining.trimmed();
    while (remaining.startsWith(QLatin1Char(',')))
        remaining = remaining.mid(1).trimmed();
    // What is left may be the built-in default that configure-postfix had to
    // write out; then the parameter leaves main.cf again.
    const bool backToDefault = remaining.isEmpty()
        || PostfixTools::splitTableList(remaining) == PostfixTools::splitTableList(snapshot.defaults.value(name));
    return ParameterChange{name, old, snapshot.explicitNames.contains(name), remaining, backToDefault, reason};
}

bool fileHasContent(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.readAll() == content;
}

// The database is current when every file postmap makes exists and is not older than the source.
bool databaseIsCurrent(const QString &path, const QString &databaseType)
{
    const QStringList suffixes = databaseSuffixes(databaseType);
    if (suffixes.isEmpty())
        return false;
    const QFileInfo source(path);
    for (const QString &suffix : suffixes) {
        const QFileInfo database(path + suffix);
        if (!database.exists() || database.lastModified() < source.lastModified())
            return false;
    }
    return true;
}

} // namespace

QString transportMapPath(const PostfixSnapshot &snapshot)
{
    return snapshot.configDirectory + QStringLiteral("/alias-sync-transport");
}

QString tableName(const PostfixSnapshot &snapshot, const QString &path)
{
    return snapshot.expanded.value(QStringLiteral("default_database_type")) + QLatin1Char(':') + path;
}

QString serviceEntry(const SetupSettings &settings)
{
    // pipe(8): flags=R adds Return-Path and q quotes special characters in
    // addresses. null_sender= keeps a bounce's empty sender empty instead of
    // MAILER-DAEMON. Each macro is one argument with a recipient limit of 1.
    return QStringLiteral("%1 unix - n n - - pipe flags=Rq user=%2 null_sender= argv=%3 --config %4"
                          " --sender=${sender} --recipient=${recipient} --original-recipient=${original_recipient}"
                          " --sasl-username=${sasl_username} --queue-id=${queue_id}")
        .arg(settings.serviceName, settings.pipeUser, settings.pipeCommand, settings.configFile);
}

QByteArray transportMapContent(const SetupSettings &settings)
{
    QByteArray content = "# Written by alias-sync configure-postfix; changes here are overwritten.\n"
                         "# Each designated address goes to the alias-sync pipe service.\n";
    for (const QString &domain : settings.domains)
        content += (settings.designatedLocalPart + QLatin1Char('@') + domain + QLatin1Char(' ') + settings.serviceName
                    + QLatin1Char(':'))
                       .toUtf8()
            + '\n';
    return content;
}

std::optional<PostfixSnapshot> readPostfixSnapshot(const PostfixTools &tools, const SetupSettings &settings, QString *error,
                                                   bool checkRunning)
{
    PostfixSnapshot snapshot;
    for (const QString &name : snapshotParameters()) {
        const ToolResult raw = tools.run(QStringLiteral("postconf"), {QStringLiteral("-h"), name});
        const ToolResult expanded = tools.run(QStringLiteral("postconf"), {QStringLiteral("-xh"), name});
        if (!raw.succeeded() || !expanded.succeeded()) {
            *error = (raw.succeeded() ? expanded : raw).describe(QStringLiteral("postconf -h %1").arg(name));
            return std::nullopt;
        }
        snapshot.raw.insert(name, QString::fromUtf8(raw.output).trimmed());
        snapshot.expanded.insert(name, QString::fromUtf8(expanded.output).trimmed());
        const ToolResult builtIn = tools.run(QStringLiteral("postconf"), {QStringLiteral("-dh"), name});
        snapshot.defaults.insert(name, QString::fromUtf8(builtIn.output).trimmed());
    }

    // postconf(5): mydestination may name domains through "type:table"
    // lookups and "/file/name" lists as well as literally.
    for (const QString &pattern : PostfixTools::splitTableList(snapshot.expanded.value(QStringLiteral("mydestination")))) {
        if (pattern.startsWith(QLatin1Char('/'))) {
            QFile file(pattern);
            if (file.open(QIODevice::ReadOnly)) {
                const QStringList listed = PostfixTools::splitTableList(QString::fromUtf8(file.readAll()).toLower());
                for (const QString &domain : settings.domains) {
                    if (listed.contains(domain))
                        snapshot.domainsByPattern.insert(domain);
                }
            }
        } else if (pattern.contains(QLatin1Char(':'))) {
            for (const QString &domain : settings.domains) {
                QString ignored;
                const auto found = tools.lookup(QStringLiteral("postmap"), pattern, domain, &ignored);
                if (found && found->has_value())
                    snapshot.domainsByPattern.insert(domain);
            }
        }
    }
    snapshot.configDirectory = snapshot.expanded.value(QStringLiteral("config_directory"));

    const ToolResult limit = tools.run(QStringLiteral("postconf"), {QStringLiteral("-nh"), recipientLimitName(settings)});
    if (limit.succeeded())
        snapshot.raw.insert(recipientLimitName(settings), QString::fromUtf8(limit.output).trimmed());

    const ToolResult explicitValues = tools.run(QStringLiteral("postconf"), {QStringLiteral("-n")});
    if (!explicitValues.succeeded()) {
        *error = explicitValues.describe(QStringLiteral("postconf -n"));
        return std::nullopt;
    }
    for (const QByteArray &line : explicitValues.output.split('\n')) {
        const qsizetype equals = line.indexOf('=');
        if (equals > 0)
            snapshot.explicitNames.insert(QString::fromUtf8(line.left(equals)).trimmed());
    }

    const ToolResult service = tools.run(QStringLiteral("postconf"), {QStringLiteral("-M"), settings.serviceName + QStringLiteral("/unix")});
    if (!service.succeeded()) {
        *error = service.describe(QStringLiteral("postconf -M %1/unix").arg(settings.serviceName));
        return std::nullopt;
    }
    snapshot.service = QString::fromUtf8(service.output).simplified();

    // postfix(1) status exits 0 when the master daemon of this instance runs.
    snapshot.running = checkRunning && tools.run(QStringLiteral("postfix"), {QStringLiteral("status")}).succeeded();
    if (checkRunning) {
        const ToolResult check = tools.run(QStringLiteral("postfix"), {QStringLiteral("check")}, 60000);
        if (!check.succeeded())
            snapshot.checkProblem = check.describe(QStringLiteral("postfix check"));
    }
    return snapshot;
}

SetupPlan planConfigure(const PostfixSnapshot &snapshot, const SetupSettings &settings)
{
    SetupPlan plan;
    plan.kind = SetupPlan::Kind::Configure;
    plan.configDirectory = snapshot.configDirectory;
    plan.postfixRunning = snapshot.running;

    // Local aliases only work where local(8) delivers.
    const QStringList localDomains = domainsIn(snapshot.expanded.value(QStringLiteral("mydestination")));
    const QStringList virtualDomains = domainsIn(snapshot.expanded.value(QStringLiteral("virtual_alias_domains")))
        + domainsIn(snapshot.expanded.value(QStringLiteral("virtual_mailbox_domains")));
    for (const QString &domain : settings.domains) {
        if (localDomains.contains(domain) || snapshot.domainsByPattern.contains(domain))
            continue;
        plan.problems.append(
            virtualDomains.contains(domain)
                ? Text::tr("%1 is a virtual domain here (virtual_alias_domains or virtual_mailbox_domains), not in "
                           "mydestination (%2). Postfix applies alias_maps only to domains that local(8) delivers, so "
                           "aliases made by alias-sync would do nothing for it; remove it from the alias-sync domains setting.")
                      .arg(domain, snapshot.expanded.value(QStringLiteral("mydestination")))
                : Text::tr("%1 is not in mydestination (%2). Postfix applies alias_maps only to domains in "
                           "mydestination, so aliases made by alias-sync would do nothing for it. Add the domain to "
                           "mydestination, or remove it from the alias-sync domains setting.")
                      .arg(domain, snapshot.expanded.value(QStringLiteral("mydestination"))));
    }
    const QString localTransport = snapshot.expanded.value(QStringLiteral("local_transport"));
    if (localTransport != QStringLiteral("local") && !localTransport.startsWith(QStringLiteral("local:")))
        plan.problems.append(Text::tr("local_transport is '%1', not local(8): mail for mydestination is delivered "
                                      "elsewhere (virtual mailboxes, LMTP), and Postfix consults alias_maps only in local(8). "
                                      "To deliver mailboxes over LMTP with aliases, keep local_transport = local and set "
                                      "mailbox_transport to the LMTP destination.")
                                 .arg(localTransport));

    if (!snapshot.checkProblem.isEmpty())
        plan.problems.append(Text::tr("'postfix check' fails before any change (%1); run 'postfix -c %2 check' in a "
                                      "terminal (or read the mail log) to see why, fix it, and run configure-postfix again.")
                                 .arg(snapshot.checkProblem, snapshot.configDirectory));

    const QString databaseType = snapshot.expanded.value(QStringLiteral("default_database_type"));
    if (databaseSuffixes(databaseType).isEmpty())
        plan.problems.append(Text::tr("default_database_type is '%1'; alias-sync builds hash, btree, cdb and lmdb tables only.")
                                 .arg(databaseType));

    const QString wanted = serviceEntry(settings).simplified();
    if (!snapshot.service.isEmpty() && snapshot.service != wanted)
        plan.problems.append(Text::tr("master.cf already has a service named %1 that differs from the one alias-sync "
                                      "would write.\n  in master.cf now: %2\n  alias-sync wants: %3\nIf alias-sync wrote it with another "
                                      "--pipe-command, pass that path again, or run --undo and then configure again; "
                                      "otherwise rename or remove that service.")
                                 .arg(settings.serviceName, snapshot.service, wanted));
    if (!plan.problems.isEmpty())
        return plan;

    const QString transportTableName = tableName(snapshot, transportMapPath(snapshot));
    plan.firstConfiguration = snapshot.service.isEmpty()
        && !PostfixTools::splitTableList(snapshot.raw.value(QStringLiteral("transport_maps"))).contains(transportTableName)
        && !PostfixTools::splitTableList(snapshot.raw.value(QStringLiteral("alias_maps"))).contains(tableName(snapshot, settings.aliasFile));

    // Files: the transport map alias-sync owns, and the managed alias file if missing.
    const QString transportPath = transportMapPath(snapshot);
    const QByteArray transport = transportMapContent(settings);
    if (!fileHasContent(transportPath, transport) || !databaseIsCurrent(transportPath, databaseType))
        plan.files.append({transportPath, transport, false, tableName(snapshot, transportPath), false,
                           Text::tr("routes each designated address to the %1 pipe service").arg(settings.serviceName)});
    if (!QFileInfo::exists(settings.aliasFile) || !databaseIsCurrent(settings.aliasFile, databaseType)) {
        QByteArray current;
        QFile existing(settings.aliasFile);
        if (existing.open(QIODevice::ReadOnly))
            current = existing.readAll();
        plan.files.append({settings.aliasFile, current, false, tableName(snapshot, settings.aliasFile), true,
                           QFileInfo::exists(settings.aliasFile)
                               ? Text::tr("the managed alias file has no current database; it is built again, unchanged")
                               : Text::tr("the managed alias file, empty until the first alias is created")});
    }

    // Parameters.
    const QString transportTable = tableName(snapshot, transportPath);
    const QString aliasTable = tableName(snapshot, settings.aliasFile);
    if (const auto change = addToList(snapshot, QStringLiteral("transport_maps"), transportTable, true,
                                      Text::tr("first in the list, so no broader entry of another map catches the designated addresses")))
        plan.parameters.append(*change);
    if (const auto change = addToList(snapshot, QStringLiteral("alias_maps"), aliasTable, false,
                                      Text::tr("local(8) reads the managed aliases; existing tables keep precedence")))
        plan.parameters.append(*change);
    if (snapshot.raw.value(QStringLiteral("local_recipient_maps")).trimmed().isEmpty()) {
        plan.notes.append(Text::tr("local_recipient_maps is empty, so the SMTP server does not check local recipients "
                                   "and accepts the designated addresses as they are"));
    } else if (const auto change = addToList(snapshot, QStringLiteral("local_recipient_maps"), transportTable, false,
                                             Text::tr("the SMTP server must accept the designated addresses, which are "
                                                      "neither users nor aliases"))) {
        plan.parameters.append(*change);
    }
    const QString limitName = recipientLimitName(settings);
    if (snapshot.raw.value(limitName) != QStringLiteral("1"))
        plan.parameters.append({limitName, snapshot.raw.value(limitName), !snapshot.raw.value(limitName).isEmpty(),
                                QStringLiteral("1"), false,
                                Text::tr("pipe(8) gives the pipe one recipient per delivery, so ${recipient} is one argument")});
    plan.notes.append(Text::tr("alias_database (%1): alias-sync builds its own database safely, and newaliases would "
                               "rebuild it in place")
                          .arg(snapshot.raw.value(QStringLiteral("alias_database"))));

    // The pipe service.
    if (snapshot.service.isEmpty())
        plan.services.append({settings.serviceName + QStringLiteral("/unix"), QString(), serviceEntry(settings), false,
                              Text::tr("Postfix runs alias-sync-pipe for each request message, as the unprivileged user %1")
                                  .arg(settings.pipeUser)});
    return plan;
}

SetupPlan planUndo(const PostfixSnapshot &snapshot, const SetupSettings &settings, bool keepAliasMaps)
{
    SetupPlan plan;
    plan.kind = SetupPlan::Kind::Undo;
    plan.keepAliasMaps = keepAliasMaps;
    plan.configDirectory = snapshot.configDirectory;
    plan.postfixRunning = snapshot.running;

    const QString transportPath = transportMapPath(snapshot);
    const QString transportTable = tableName(snapshot, transportPath);
    if (!snapshot.service.isEmpty()) {
        // Its own entry runs alias-sync-pipe (under whatever path) or names this config file.
        const bool ours = snapshot.service.contains(QStringLiteral(" pipe "))
            && (snapshot.service.contains(settings.pipeCommand) || snapshot.service.contains(QStringLiteral("alias-sync-pipe"))
                || snapshot.service.contains(QStringLiteral("--config ") + settings.configFile + QLatin1Char(' ')));
        if (ours)
            plan.services.append({settings.serviceName + QStringLiteral("/unix"), snapshot.service, QString(), true,
                                  Text::tr("nothing may route mail to alias-sync any more")});
        else
            plan.notes.append(Text::tr("the master.cf service %1 does not run %2, so alias-sync did not write it")
                                  .arg(settings.serviceName, settings.pipeCommand));
    }

    if (const auto change = removeFromList(snapshot, QStringLiteral("transport_maps"), transportTable,
                                           Text::tr("the designated addresses no longer go to alias-sync")))
        plan.parameters.append(*change);
    if (const auto change = removeFromList(snapshot, QStringLiteral("local_recipient_maps"), transportTable,
                                           Text::tr("the designated addresses are no longer accepted")))
        plan.parameters.append(*change);
    if (!snapshot.raw.value(recipientLimitName(settings)).isEmpty())
        plan.parameters.append({recipientLimitName(settings), snapshot.raw.value(recipientLimitName(settings)), true,
                                QString(), true, Text::tr("the %1 service is gone").arg(settings.serviceName)});

    const QString aliasTable = tableName(snapshot, settings.aliasFile);
    if (keepAliasMaps) {
        if (PostfixTools::splitTableList(snapshot.raw.value(QStringLiteral("alias_maps"))).contains(aliasTable))
            plan.notes.append(Text::tr("alias_maps keeps %1, so the aliases made so far keep working").arg(aliasTable));
    } else if (const auto change = removeFromList(snapshot, QStringLiteral("alias_maps"), aliasTable,
                                                  Text::tr("the managed aliases are no longer used"))) {
        plan.parameters.append(*change);
    }

    if (QFileInfo::exists(transportPath))
        plan.files.append({transportPath, QByteArray(), true, transportTable, false,
                           Text::tr("the transport map alias-sync wrote; removed after Postfix no longer uses it")});
    if (QFileInfo::exists(settings.aliasFile))
        plan.notes.append(Text::tr("the managed alias file %1 and its database stay: they are alias-sync's data")
                              .arg(settings.aliasFile));
    return plan;
}

QStringList checkIntegration(const PostfixTools &tools, const SetupSettings &settings)
{
    QString error;
    const auto snapshot = readPostfixSnapshot(tools, settings, &error, false);
    if (!snapshot)
        return {Text::tr("cannot read the Postfix configuration: %1").arg(error)};

    QStringList problems;
    const QString transportPath = transportMapPath(*snapshot);
    const QString transportTable = tableName(*snapshot, transportPath);
    if (!PostfixTools::splitTableList(snapshot->raw.value(QStringLiteral("transport_maps"))).contains(transportTable))
        problems.append(Text::tr("transport_maps does not list %1; run 'alias-sync configure-postfix'").arg(transportTable));
    if (!databaseIsCurrent(transportPath, snapshot->expanded.value(QStringLiteral("default_database_type"))))
        problems.append(Text::tr("the database of %1 is missing or older than the file; run 'alias-sync configure-postfix'")
                            .arg(transportPath));
    if (snapshot->service.isEmpty())
        problems.append(Text::tr("master.cf has no %1 service; run 'alias-sync configure-postfix'").arg(settings.serviceName));
    if (!PostfixTools::splitTableList(snapshot->raw.value(QStringLiteral("alias_maps"))).contains(tableName(*snapshot, settings.aliasFile)))
        problems.append(Text::tr("alias_maps does not list %1, so managed aliases do not deliver; run 'alias-sync configure-postfix'")
                            .arg(tableName(*snapshot, settings.aliasFile)));
    return problems;
}

} // namespace aliassync
