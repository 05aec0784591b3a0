// alias-sync: the service (`alias-sync daemon`) and the admin's commands.

#include "commands.h"
#include "config.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using namespace aliassync;

namespace {

// Monitoring-plugins convention, used by `status`; also the status for a bad configuration.
constexpr int exitUnknown = 3;

QString commandList()
{
    return QCoreApplication::translate("main",
        "Commands:\n"
        "  init              create this server's key and certificate, print its fingerprint\n"
        "  peer pin FILE     pin the other server's certificate (PEM)\n"
        "  peer show         print both fingerprints\n"
        "  daemon            run the service (logs to standard error)\n"
        "  status            print the state; exit 0 OK, 1 warning, 2 critical, 3 unknown");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("alias-sync"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ALIAS_SYNC_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Keeps the managed e-mail aliases of two Postfix servers identical.") + QStringLiteral("\n\n")
        + commandList());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(
        QStringList{QStringLiteral("c"), QStringLiteral("config")},
        QCoreApplication::translate("main", "Read the settings from <file> (default %1).").arg(QLatin1String(defaultConfigFile)),
        QCoreApplication::translate("main", "file"), QLatin1String(defaultConfigFile));
    parser.addOption(configOption);
    parser.addPositionalArgument(QStringLiteral("command"), QCoreApplication::translate("main", "The command to run."));
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        QTextStream(stderr) << parser.helpText();
        return 2;
    }

    QString error;
    const auto config = Config::load(parser.value(configOption), &error);
    if (!config) {
        // Monitoring reads the first line of standard output.
        if (positional.first() == QStringLiteral("status"))
            QTextStream(stdout) << "ALIAS-SYNC UNKNOWN - " << error << '\n';
        QTextStream(stderr) << "alias-sync: " << error << '\n';
        return exitUnknown;
    }

    const QString command = positional.first();
    const QStringList arguments = positional.mid(1);
    if (command == QStringLiteral("init") && arguments.isEmpty())
        return runInit(*config);
    if (command == QStringLiteral("peer"))
        return runPeer(*config, arguments);
    if (command == QStringLiteral("status") && arguments.isEmpty())
        return runStatus(*config);
    if (command == QStringLiteral("daemon") && arguments.isEmpty())
        return runDaemon(*config);

    QTextStream(stderr) << QCoreApplication::translate("main", "alias-sync: unknown command or arguments: %1\n")
                               .arg(positional.join(QLatin1Char(' ')))
                        << commandList() << '\n';
    return 2;
}
