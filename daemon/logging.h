#pragma once
#include <QLoggingCategory>
Q_DECLARE_LOGGING_CATEGORY(lcDaemon)
Q_DECLARE_LOGGING_CATEGORY(lcRequest)
