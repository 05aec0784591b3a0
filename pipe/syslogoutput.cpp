#include "syslogoutput.h"

#include <QString>
#include <QtGlobal>

#include <syslog.h>

namespace aliassync {

namespace {

void writeToSyslog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    int priority = LOG_INFO;
    switch (type) {
    case QtDebugMsg: priority = LOG_DEBUG; break;
    case QtInfoMsg: priority = LOG_INFO; break;
    case QtWarningMsg: priority = LOG_WARNING; break;
    case QtCriticalMsg: priority = LOG_ERR; break;
    case QtFatalMsg: priority = LOG_CRIT; break;
    }
    const QByteArray text = (context.category && qstrcmp(context.category, "default") != 0
                                 ? QString::fromLatin1(context.category) + QStringLiteral(": ") + message
                                 : message)
                                .toUtf8();
    syslog(priority, "%s", text.constData());
}

} // namespace

void routeLoggingToSyslog(const char *identity)
{
    openlog(identity, LOG_PID, LOG_MAIL);
    qInstallMessageHandler(writeToSyslog);
}

} // namespace aliassync
