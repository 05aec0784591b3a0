#include "logging.h"
Q_LOGGING_CATEGORY(lcDaemon, "alias-sync.daemon", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRequest, "alias-sync.request", QtInfoMsg)
