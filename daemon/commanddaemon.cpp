#include "commands.h"
#include "daemonservice.h"
#include "logging.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace aliassync {

namespace {

int signalPipe[2] = {-1, -1};

void forwardSignal(int signalNumber)
{
    const char byte = char(signalNumber);
    (void)!::write(signalPipe[1], &byte, 1);
}

// SIGTERM (systemd's stop) and SIGINT end the event loop from a normal
// context: a signal handler may only write to the self-pipe.
void installStopHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, qApp);
    QObject::connect(notifier, &QSocketNotifier::activated, qApp, []() {
        char byte = 0;
        (void)!::read(signalPipe[0], &byte, 1);
        qCInfo(lcDaemon) << "stopping on signal" << int(byte);
        QCoreApplication::quit();
    });
    struct sigaction action {};
    action.sa_handler = forwardSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

int runDaemon(const Config &config)
{
    qSetMessagePattern(QStringLiteral("%{if-category}%{category}: %{endif}%{if-warning}warning: %{endif}%{if-critical}error: %{endif}%{message}"));
    installStopHandlers();

    if (::geteuid() == 0)
        qCWarning(lcDaemon) << "running as root; run the daemon as its own user (alias-sync) so that a flaw cannot reach the whole system";

    DaemonService service(config);
    QString error;
    if (!service.start(&error)) {
        qCCritical(lcDaemon).noquote() << "cannot start:" << error;
        return 1;
    }
    const int status = QCoreApplication::exec();
    qCInfo(lcDaemon) << "stopped";
    return status;
}

} // namespace aliassync
