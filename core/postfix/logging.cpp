#include "logging.h"
Q_LOGGING_CATEGORY(lcPostfix, "alias-sync.postfix", QtInfoMsg)
