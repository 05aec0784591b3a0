// `alias-sync alias add|remove|list`: the admin's alias changes, run by the
// local daemon through the same two-phase commit and checks as a request
// mail. Also the control-socket helpers that `reconcile` shares.

#include "commands.h"
#include "localclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTextStream>

#include <climits>

#include <pwd.h>
#include <sysexits.h>
#include <unistd.h>

namespace aliassync {

namespace {

// Gives lupdate and QTranslator the context "alias" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(alias)
};

// The daemon replies to a transaction request only after the commit, which
// may take up to request_timeout. The client waits a little longer, so that
// it reports the daemon's reply rather than its own timeout.
constexpr int replyMarginMs = 5000;

QString usage()
{
    return Text::tr("usage: alias-sync alias add NAME DEST... | alias-sync alias remove NAME | alias-sync alias list [--long]\n");
}

int usageError(const QString &problem)
{
    QTextStream(stderr) << "alias-sync alias: " << problem << '\n' << usage();
    return 2;
}

// Upper-case ASCII in a name is folded to lower case, as in a request mail's
// Subject. Every other check is the daemon's.
QString foldName(const QString &name)
{
    QString folded = name;
    for (QChar &c : folded) {
        if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            c = c.toLower();
    }
    return folded;
}

// Accepts `alice bob`, `alice,bob` and `alice, bob` alike, as the mail's
// Subject accepts commas and semicolons between destinations.
QStringList splitDestinations(const QStringList &arguments)
{
    static const QRegularExpression separator(QStringLiteral("[,;]"));
    QStringList destinations;
    for (const QString &argument : arguments) {
        for (const QString &part : argument.split(separator)) {
            const QString destination = part.trimmed();
            if (!destination.isEmpty())
                destinations.append(destination);
        }
    }
    return destinations;
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

int changeAlias(const Config &config, const QJsonObject &request, const QString &command,
                const std::function<QString(const QString &txid)> &committedText)
{
    int status = 0;
    const auto reply = callControlSocket(config, request, command, &status);
    if (!reply)
        return status;
    return reportTransactionOutcome(*reply, command, committedText);
}

int addAlias(const Config &config, const QString &requester, const QStringList &arguments)
{
    const QString name = foldName(arguments.value(0));
    const QStringList destinations = splitDestinations(arguments.mid(1));
    if (name.isEmpty() || destinations.isEmpty())
        return usageError(Text::tr("'alias add' needs a name and at least one destination"));

    const QJsonObject request{{QStringLiteral("type"), QStringLiteral("alias-add")},
                              {QStringLiteral("name"), name},
                              {QStringLiteral("destinations"), QJsonArray::fromStringList(destinations)},
                              {QStringLiteral("requester"), requester}};
    return changeAlias(config, request, QStringLiteral("alias-sync alias add"), [&](const QString &txid) {
        return Text::tr("created %1 -> %2 (transaction %3)").arg(name, destinations.join(QStringLiteral(", ")), txid);
    });
}

int removeAlias(const Config &config, const QString &requester, const QStringList &arguments)
{
    if (arguments.size() != 1 || arguments.first().isEmpty())
        return usageError(Text::tr("'alias remove' takes exactly one name"));
    const QString name = foldName(arguments.first());

    const QJsonObject request{{QStringLiteral("type"), QStringLiteral("alias-remove")},
                              {QStringLiteral("name"), name},
                              {QStringLiteral("requester"), requester}};
    return changeAlias(config, request, QStringLiteral("alias-sync alias remove"), [&](const QString &txid) {
        return Text::tr("removed %1 (transaction %2)").arg(name, txid);
    });
}

// Pads every column but the last to its widest cell, two spaces apart.
void printTable(QTextStream &out, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column) {
            if (widths.size() <= column)
                widths.append(0);
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column)
            line += column + 1 < row.size() ? row[column].leftJustified(widths[column] + 2) : row[column];
        out << line << '\n';
    }
}

int listAliases(const Config &config, const QStringList &arguments, bool longList)
{
    if (!arguments.isEmpty())
        return usageError(Text::tr("'alias list' takes no arguments"));

    int status = 0;
    const auto reply = callControlSocket(config, {{QStringLiteral("type"), QStringLiteral("alias-list")}},
                                         QStringLiteral("alias-sync alias list"), &status);
    if (!reply)
        return status;
    if (!reply->value(QStringLiteral("aliases")).isArray()) {
        QTextStream(stderr) << Text::tr("alias-sync alias list: invalid reply from the daemon: no list of aliases\n");
        return 1;
    }

    QTextStream out(stdout);
    const QJsonArray aliases = reply->value(QStringLiteral("aliases")).toArray();
    if (!longList) {
        // The alias file's own form, so that the output can be compared
        // with the file or fed to postalias.
        for (const QJsonValue &value : aliases) {
            const QJsonObject alias = value.toObject();
            out << alias.value(QStringLiteral("name")).toString() << ": "
                << stringList(alias.value(QStringLiteral("destinations"))).join(QStringLiteral(", ")) << '\n';
        }
        return 0;
    }

    QList<QStringList> rows{{Text::tr("ALIAS"), Text::tr("CREATED BY"), Text::tr("CREATED AT"), Text::tr("SERVER"),
                             Text::tr("TRANSACTION")}};
    for (const QJsonValue &value : aliases) {
        const QJsonObject alias = value.toObject();
        rows.append({alias.value(QStringLiteral("name")).toString() + QStringLiteral(": ")
                         + stringList(alias.value(QStringLiteral("destinations"))).join(QStringLiteral(", ")),
                     alias.value(QStringLiteral("created_by")).toString(),
                     alias.value(QStringLiteral("created_at")).toString(),
                     alias.value(QStringLiteral("server")).toString(),
                     alias.value(QStringLiteral("txid")).toString()});
    }
    printTable(out, rows);
    out << Text::tr("managed aliases: %1 (fingerprint %2)\n")
               .arg(aliases.size())
               .arg(reply->value(QStringLiteral("fingerprint")).toString());
    return 0;
}

} // namespace

std::optional<QString> invokingUserName()
{
    const uid_t uid = geteuid();
    const struct passwd *entry = getpwuid(uid);
    if (!entry || !entry->pw_name || !*entry->pw_name)
        return std::nullopt;
    return QString::fromLocal8Bit(entry->pw_name);
}

std::optional<QJsonObject> callControlSocket(const Config &config, const QJsonObject &request, const QString &command,
                                             int *exitStatus)
{
    const qint64 timeoutMs = config.requestTimeout.count() + replyMarginMs;
    LocalCallError error;
    const auto reply = callLocalSocket(config.controlSocket, request, int(std::min<qint64>(timeoutMs, INT_MAX)), &error);
    QTextStream err(stderr);
    if (!reply) {
        // The message names the socket's path and the likely cause.
        if (error.unreachable)
            err << Text::tr("%1: cannot reach the alias-sync daemon through its control socket: %2\n")
                       .arg(command, error.message);
        else
            // The request may have reached the daemon, so the outcome is unknown.
            err << Text::tr("%1: %2; the outcome is unknown, check with 'alias-sync alias list' before trying again\n")
                       .arg(command, error.message);
        *exitStatus = EX_TEMPFAIL;
        return std::nullopt;
    }
    if (reply->contains(QStringLiteral("error"))) {
        err << Text::tr("%1: the daemon could not handle the request: %2\n")
                   .arg(command, reply->value(QStringLiteral("error")).toString());
        // A peer that is down for now is worth another try later.
        *exitStatus = reply->value(QStringLiteral("temporary")).toBool() ? EX_TEMPFAIL : 1;
        return std::nullopt;
    }
    return reply;
}

int reportTransactionOutcome(const QJsonObject &reply, const QString &command,
                             const std::function<QString(const QString &txid)> &committedText)
{
    const QString outcome = reply.value(QStringLiteral("outcome")).toString();
    const QString reason = reply.value(QStringLiteral("reason")).toString();
    if (outcome == QStringLiteral("committed")) {
        QTextStream(stdout) << committedText(reply.value(QStringLiteral("txid")).toString()) << '\n';
        return 0;
    }
    QTextStream err(stderr);
    if (outcome == QStringLiteral("rejected")) {
        err << Text::tr("%1: rejected: %2\n").arg(command, reason);
        return 1;
    }
    if (outcome == QStringLiteral("tempfail")) {
        err << Text::tr("%1: failed temporarily: %2; try again later\n").arg(command, reason);
        return EX_TEMPFAIL;
    }
    err << Text::tr("%1: invalid reply from the daemon (outcome '%2'); the outcome is unknown, check with "
                    "'alias-sync alias list' before trying again\n")
               .arg(command, outcome);
    return EX_TEMPFAIL;
}

int runAlias(const Config &config, const QStringList &arguments, bool longList)
{
    const QString subcommand = arguments.value(0);
    if (subcommand == QStringLiteral("list"))
        return listAliases(config, arguments.mid(1), longList);
    if (subcommand != QStringLiteral("add") && subcommand != QStringLiteral("remove"))
        return usageError(subcommand.isEmpty() ? Text::tr("missing subcommand")
                                               : Text::tr("unknown subcommand '%1'").arg(subcommand));

    const auto requester = invokingUserName();
    if (!requester) {
        QTextStream(stderr) << Text::tr("alias-sync alias: user id %1 has no name in the user database; "
                                        "run the command as a named user\n")
                                   .arg(geteuid());
        return 1;
    }
    if (subcommand == QStringLiteral("add"))
        return addAlias(config, *requester, arguments.mid(1));
    return removeAlias(config, *requester, arguments.mid(1));
}

} // namespace aliassync
