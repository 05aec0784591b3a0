// The CLI subcommands of alias-sync. Each returns the process exit status
// and writes what the admin needs on stdout, problems on stderr.
#pragma once

#include "config.h"
#include "postfixsetup.h"

#include <QStringList>

namespace aliassync {

int runInit(const Config &config, bool ifAbsent);
int runShowConfig(const Config &config, const QStringList &keys);
// `aliases show FILE` and `aliases fingerprint FILE` read any alias file
// and need no configuration.
int runAliases(const QStringList &arguments);
int runPeer(const Config &config, const QStringList &arguments);
int runStatus(const Config &config);
int runDaemon(const Config &config);

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
