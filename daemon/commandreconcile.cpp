// `alias-sync reconcile`: shows how the two servers' managed entries differ
// and, on the admin's confirmation, copies one side's entries to the other
// in one transaction of the daemons.

#include "commands.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMap>
#include <QTextStream>

#include <sysexits.h>
#include <unistd.h>

namespace aliassync {

namespace {

// Gives lupdate and QTranslator the context "reconcile" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(reconcile)
};

const QString command = QStringLiteral("alias-sync reconcile");

// One side of the daemon's reconcile-diff reply.
struct Side {
    QString server;
    QString fingerprint;
    // Managed entries by case-folded name. A list, because a name defined
    // twice (a shadowed duplicate) has two managed entries.
    QMap<QString, QList<QJsonObject>> entries;
    qsizetype count = 0;
};

Side sideFrom(const QJsonObject &object)
{
    Side side;
    side.server = object.value(QStringLiteral("server")).toString();
    side.fingerprint = object.value(QStringLiteral("fingerprint")).toString();
    for (const QJsonValue &value : object.value(QStringLiteral("aliases")).toArray()) {
        const QJsonObject entry = value.toObject();
        side.entries[entry.value(QStringLiteral("name")).toString().toCaseFolded()].append(entry);
        ++side.count;
    }
    return side;
}

QString aliasLine(const QJsonObject &entry)
{
    QStringList destinations;
    for (const QJsonValue &destination : entry.value(QStringLiteral("destinations")).toArray())
        destinations.append(destination.toString());
    return entry.value(QStringLiteral("name")).toString() + QStringLiteral(": ") + destinations.join(QStringLiteral(", "));
}

// The metadata as the alias file's metadata line orders it.
QString metadataText(const QJsonObject &entry)
{
    return Text::tr("txid=%1 created-by=%2 created-at=%3 server=%4")
        .arg(entry.value(QStringLiteral("txid")).toString(), entry.value(QStringLiteral("created_by")).toString(),
             entry.value(QStringLiteral("created_at")).toString(), entry.value(QStringLiteral("server")).toString());
}

void printEntries(QTextStream &out, const QList<QJsonObject> &entries, const QString &indent)
{
    for (const QJsonObject &entry : entries)
        out << indent << aliasLine(entry) << "  (" << metadataText(entry) << ")\n";
}

// Prints the difference; returns whether the two sides differ.
bool printDifference(QTextStream &out, const Side &local, const Side &peer)
{
    out << Text::tr("this server (%1): managed aliases: %2, fingerprint %3\n").arg(local.server).arg(local.count).arg(local.fingerprint)
        << Text::tr("peer (%1): managed aliases: %2, fingerprint %3\n").arg(peer.server).arg(peer.count).arg(peer.fingerprint);

    QStringList onlyLocal;
    QStringList onlyPeer;
    QStringList differing;
    for (auto it = local.entries.cbegin(); it != local.entries.cend(); ++it) {
        if (!peer.entries.contains(it.key()))
            onlyLocal.append(it.key());
        else if (peer.entries.value(it.key()) != it.value())
            differing.append(it.key());
    }
    for (auto it = peer.entries.cbegin(); it != peer.entries.cend(); ++it) {
        if (!local.entries.contains(it.key()))
            onlyPeer.append(it.key());
    }

    const bool sameFingerprint = local.fingerprint == peer.fingerprint;
    if (sameFingerprint && onlyLocal.isEmpty() && onlyPeer.isEmpty() && differing.isEmpty()) {
        out << Text::tr("The managed aliases of %1 and %2 are identical.\n").arg(local.server, peer.server);
        return false;
    }

    if (!onlyLocal.isEmpty()) {
        out << Text::tr("only on %1 (this server):\n").arg(local.server);
        for (const QString &name : onlyLocal)
            printEntries(out, local.entries.value(name), QStringLiteral("  "));
    }
    if (!onlyPeer.isEmpty()) {
        out << Text::tr("only on %1 (peer):\n").arg(peer.server);
        for (const QString &name : onlyPeer)
            printEntries(out, peer.entries.value(name), QStringLiteral("  "));
    }
    if (!differing.isEmpty()) {
        out << Text::tr("different on the two servers:\n");
        for (const QString &name : differing) {
            out << "  " << name << '\n';
            out << "    " << local.server << ":\n";
            printEntries(out, local.entries.value(name), QStringLiteral("      "));
            out << "    " << peer.server << ":\n";
            printEntries(out, peer.entries.value(name), QStringLiteral("      "));
        }
    }
    // The fingerprint also covers what the list does not show, such as the
    // stored value of a hand-edited entry, so the output must not be empty.
    if (onlyLocal.isEmpty() && onlyPeer.isEmpty() && differing.isEmpty())
        out << Text::tr("The fingerprints differ, but the entries listed are the same.\n");
    return true;
}

bool confirmed(QTextStream &out, const QString &source, const QString &target, const QString &from)
{
    // The difference printed on standard output comes before the message.
    out.flush();
    if (!isatty(STDIN_FILENO)) {
        QTextStream(stderr) << Text::tr("%1: not copied: standard input is not a terminal; run '%1 --from %2 --yes' "
                                        "to copy without the question\n")
                                   .arg(command, from);
        return false;
    }
    out << Text::tr("Copy the managed aliases of %1 to %2? [y/N] ").arg(source, target) << Qt::flush;
    QTextStream in(stdin);
    const QString answer = in.readLine().trimmed().toLower();
    if (answer == QStringLiteral("y") || answer == QStringLiteral("yes"))
        return true;
    out << Text::tr("Not copied; nothing was changed.\n");
    return false;
}

} // namespace

int runReconcile(const Config &config, const ReconcileOptions &options)
{
    if (!options.from.isEmpty() && options.from != QStringLiteral("this") && options.from != QStringLiteral("peer")) {
        QTextStream(stderr) << Text::tr("%1: invalid --from '%2'; name the side to copy: --from this or --from peer\n")
                                   .arg(command, options.from);
        return 2;
    }

    int status = 0;
    const auto reply = callControlSocket(config, {{QStringLiteral("type"), QStringLiteral("reconcile-diff")}}, command, &status);
    if (!reply)
        return status;
    if (!reply->value(QStringLiteral("local")).isObject() || !reply->value(QStringLiteral("peer")).isObject()) {
        QTextStream(stderr) << Text::tr("%1: invalid reply from the daemon: the local or the peer side is missing\n").arg(command);
        return 1;
    }
    const Side local = sideFrom(reply->value(QStringLiteral("local")).toObject());
    const Side peer = sideFrom(reply->value(QStringLiteral("peer")).toObject());

    QTextStream out(stdout);
    if (!printDifference(out, local, peer))
        return 0;
    if (options.dryRun)
        return 1;
    if (options.from.isEmpty()) {
        out << Text::tr("To copy one side's managed aliases to the other, run '%1 --from this' or '%1 --from peer'.\n")
                   .arg(command);
        return 1;
    }

    const bool fromLocal = options.from == QStringLiteral("this");
    const QString source = fromLocal ? local.server : peer.server;
    const QString target = fromLocal ? peer.server : local.server;
    if (!options.yes && !confirmed(out, source, target, options.from))
        return 1;

    // The outcome is printed through another stream, after the difference.
    out.flush();

    // Both fingerprints make the daemon refuse the copy when either side
    // changed after the admin saw the difference.
    const QJsonObject apply{{QStringLiteral("type"), QStringLiteral("reconcile-apply")},
                            {QStringLiteral("from"), fromLocal ? QStringLiteral("local") : QStringLiteral("peer")},
                            {QStringLiteral("local_fingerprint"), local.fingerprint},
                            {QStringLiteral("peer_fingerprint"), peer.fingerprint},
                            {QStringLiteral("requester"), invokingUserName().value_or(QStringLiteral("unknown"))}};
    const auto applied = callControlSocket(config, apply, command, &status);
    if (!applied)
        return status;
    return reportTransactionOutcome(*applied, command, [&](const QString &txid) {
        return Text::tr("Copied the managed aliases of %1 to %2 (transaction %3).").arg(source, target, txid);
    });
}

} // namespace aliassync
