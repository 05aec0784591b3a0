#include "commands.h"
#include "fingerprint.h"
#include "identitystore.h"
#include "localclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QTextStream>

namespace aliassync {

namespace {

// The monitoring-plugins (Nagios) exit statuses.
enum MonitoringStatus { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

// Gives lupdate and QTranslator the context "status" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(status)
};

const char *statusWord(int status)
{
    static const char *const words[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    return words[status];
}

} // namespace

int runStatus(const Config &config)
{
    QTextStream out(stdout);
    QStringList problems;
    int status = Ok;

    QString error;
    const auto own = loadCertificate(identityCertificatePath(config.identityDirectory), &error);
    const QString ownFingerprint = own ? certificateFingerprint(*own) : Text::tr("(none: %1)").arg(error);
    if (!own) {
        status = Critical;
        problems << Text::tr("no identity");
    }
    const auto pinned = loadCertificate(config.peerCertificate, &error);
    const QString pinnedFingerprint = pinned ? certificateFingerprint(*pinned) : Text::tr("(none: %1)").arg(error);
    if (!pinned) {
        status = Critical;
        problems << Text::tr("no pinned peer");
    }

    LocalCallError callError;
    const auto reply = callLocalSocket(config.controlSocket, {{QStringLiteral("type"), QStringLiteral("status")}}, 10000,
                                       &callError);
    QString link = Text::tr("unknown (daemon not reachable: %1)").arg(callError.message);
    int pending = 0;
    QStringList postfixProblems{Text::tr("unknown (daemon not reachable)")};
    if (!reply) {
        status = Critical;
        problems << Text::tr("daemon not reachable");
    } else {
        const bool up = reply->value(QStringLiteral("peer_link")).toString() == QStringLiteral("up");
        link = up ? Text::tr("up (%1)").arg(reply->value(QStringLiteral("peer_name")).toString()) : Text::tr("down");
        if (!up) {
            status = Critical;
            problems << Text::tr("peer link down");
        }
        // Requests cannot reach alias-sync while the routing is broken.
        postfixProblems.clear();
        for (const auto &problem : reply->value(QStringLiteral("postfix_problems")).toArray())
            postfixProblems.append(problem.toString());
        if (!postfixProblems.isEmpty()) {
            status = Critical;
            problems << Text::tr("Postfix integration broken");
        }
        // Diverged files stay diverged until an administrator reconciles them.
        if (reply->value(QStringLiteral("diverged")).toBool()) {
            status = Critical;
            problems << Text::tr("DIVERGED: the managed aliases differ from the peer's; run 'alias-sync reconcile'");
        }
        pending = reply->value(QStringLiteral("pending")).toInt();
        if (pending > 0 && status == Ok) {
            status = Warning;
            problems << Text::tr("%1 transactions pending").arg(pending);
        }
    }

    out << "ALIAS-SYNC " << statusWord(status) << " - "
        << (problems.isEmpty() ? Text::tr("peer link up, nothing pending") : problems.join(QStringLiteral(", "))) << '\n'
        << Text::tr("server:            %1\n").arg(config.serverName)
        << Text::tr("peer link:         %1\n").arg(link)
        << Text::tr("this certificate:  %1\n").arg(ownFingerprint)
        << Text::tr("pinned peer:       %1\n").arg(pinnedFingerprint)
        << Text::tr("pending transactions: %1\n").arg(reply ? QString::number(pending) : Text::tr("unknown"));
    out << Text::tr("Postfix integration: %1\n").arg(postfixProblems.isEmpty() ? Text::tr("complete") : postfixProblems.join(QStringLiteral("; ")));
    if (reply && reply->contains(QStringLiteral("managed_aliases")))
        out << Text::tr("managed aliases:   %1 (fingerprint %2)\n")
                   .arg(reply->value(QStringLiteral("managed_aliases")).toInt())
                   .arg(reply->value(QStringLiteral("alias_fingerprint")).toString());
    if (reply && reply->contains(QStringLiteral("peer_alias_fingerprint")))
        out << Text::tr("peer aliases:      fingerprint %1, %2 transactions pending\n")
                   .arg(reply->value(QStringLiteral("peer_alias_fingerprint")).toString())
                   .arg(reply->value(QStringLiteral("peer_pending")).toInt());
    return status;
}

} // namespace aliassync
