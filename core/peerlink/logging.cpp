#include "logging.h"
Q_LOGGING_CATEGORY(lcPeer, "alias-sync.peer", QtInfoMsg)
