#include "logging.h"
Q_LOGGING_CATEGORY(lcTransaction, "alias-sync.transaction", QtInfoMsg)
