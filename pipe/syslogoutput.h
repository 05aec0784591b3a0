// Routes Qt's log output of alias-sync-pipe to syslog (mail facility).
//
// pipe(8) copies a command's standard output and error into delivery
// status notices, which go back to the sender. Log lines belong in the
// system journal instead.
#pragma once

namespace aliassync {

void routeLoggingToSyslog(const char *identity);

} // namespace aliassync
