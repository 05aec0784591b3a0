// Planning how alias-sync connects to (or leaves) one Postfix instance.
//
// Contract: readPostfixSnapshot() only reads, with postconf and postfix status; planConfigure() and
// planUndo() only compute. Existing parameter values are kept and
// extended, never replaced: alias-sync adds its own table to a list and
// removes exactly that table again.
#pragma once

#include "postfixtools.h"
#include "setupplan.h"

#include <QHash>
#include <QSet>

#include <optional>

namespace aliassync {

// The settings of alias-sync that shape its Postfix set-up, taken from its config.
struct SetupSettings {
    QStringList domains;              // served domains; each gets a designated address
    QString designatedLocalPart;
    QString aliasFile;                // the managed alias file
    QString configFile;               // the alias-sync config the pipe reads
    QString pipeCommand;              // path of alias-sync-pipe
    QString pipeUser = QStringLiteral("alias-sync-pipe");
    QString serviceName = QStringLiteral("alias-sync");
    QString backupDirectory;          // main.cf and master.cf copies for --undo
};

struct PostfixSnapshot {
    QString configDirectory;
    QHash<QString, QString> raw;       // postconf -h: as written, $names unexpanded
    QHash<QString, QString> expanded;  // postconf -xh
    QSet<QString> explicitNames;       // set in main.cf (postconf -n)
    QHash<QString, QString> defaults;  // postconf -dh: the built-in defaults
    QSet<QString> domainsByPattern;    // served domains that mydestination matches through a table or file
    QString service;                   // postconf -M NAME/unix, empty when absent
    bool running = false;              // postfix status
    QString checkProblem;              // what `postfix check` reported before any change (root only)
};

// checkRunning runs `postfix status`, which only root may run.
std::optional<PostfixSnapshot> readPostfixSnapshot(const PostfixTools &tools, const SetupSettings &settings, QString *error,
                                                   bool checkRunning = true);

// The transport map alias-sync owns, in the instance's config directory.
QString transportMapPath(const PostfixSnapshot &snapshot);
QString tableName(const PostfixSnapshot &snapshot, const QString &path);
QString serviceEntry(const SetupSettings &settings);
QByteArray transportMapContent(const SetupSettings &settings);

SetupPlan planConfigure(const PostfixSnapshot &snapshot, const SetupSettings &settings);
SetupPlan planUndo(const PostfixSnapshot &snapshot, const SetupSettings &settings, bool keepAliasMaps);

// Problems with an applied set-up, for the daemon's start and `status`.
// An empty list means the routing to alias-sync is complete.
QStringList checkIntegration(const PostfixTools &tools, const SetupSettings &settings);

} // namespace aliassync
