// The CLI subcommands of alias-sync. Each returns the process exit status
// and writes what the admin needs on stdout, problems on stderr.
#pragma once

#include "config.h"

#include <QStringList>

namespace aliassync {

int runInit(const Config &config);
int runPeer(const Config &config, const QStringList &arguments);
int runStatus(const Config &config);
int runDaemon(const Config &config);

} // namespace aliassync
