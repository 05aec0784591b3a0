// The CLI subcommands of alias-sync. Each returns the process exit status
// and writes what the admin needs on stdout, problems on stderr.
#pragma once

#include "config.h"
#include "postfixsetup.h"

#include <QJsonObject>
#include <QStringList>

#include <functional>
#include <optional>

namespace aliassync {

int runInit(const Config &config, bool ifAbsent);
int runShowConfig(const Config &config, const QStringList &keys);
// `aliases show FILE` and `aliases fingerprint FILE` read any alias file
// and need no configuration.
int runAliases(const QStringList &arguments);
int runPeer(const Config &config, const QStringList &arguments);
int runStatus(const Config &config);
int runDaemon(const Config &config);

// `alias add NAME DEST...`, `alias remove NAME` and `alias list [--long]`,
// run by the local daemon as the invoking Unix user.
int runAlias(const Config &config, const QStringList &arguments, bool longList);

struct ReconcileOptions {
    bool dryRun = false;
    bool yes = false;
    QString from;    // "this", "peer", or empty: only show the difference
};
int runReconcile(const Config &config, const ReconcileOptions &options);

// Shared by `alias` and `reconcile`. Sends one request on the control
// socket, allowing request_timeout plus a margin for a transaction. On
// failure, which includes an {"error": ...} reply, it prints the problem
// under COMMAND on stderr, sets *exitStatus and returns nothing.
std::optional<QJsonObject> callControlSocket(const Config &config, const QJsonObject &request, const QString &command,
                                             int *exitStatus);
// Prints the outcome of a transaction reply ({"outcome": committed |
// rejected | tempfail, ...}) and returns the exit status: 0 committed (the
// text COMMITTEDTEXT makes from the txid goes to stdout), 1 rejected,
// 75 (EX_TEMPFAIL) failed temporarily or an unreadable reply.
int reportTransactionOutcome(const QJsonObject &reply, const QString &command,
                             const std::function<QString(const QString &txid)> &committedText);
// The Unix user name of the effective user id: the requester of the
// admin's commands.
std::optional<QString> invokingUserName();

struct ConfigurePostfixOptions {
    bool undo = false;
    bool yes = false;
    bool dryRun = false;
    bool keepAliasMaps = false;        // --undo for package removal: aliases made so far keep working
    QString postfixConfigDirectory;    // empty: postfix_config_directory of the config file
    QString pipeCommand = QStringLiteral(ALIAS_SYNC_PIPE_COMMAND);
    QString pipeUser = QStringLiteral("alias-sync-pipe");
};
int runConfigurePostfix(const Config &config, const ConfigurePostfixOptions &options);
SetupSettings setupSettingsFor(const Config &config, const ConfigurePostfixOptions &options);

} // namespace aliassync
