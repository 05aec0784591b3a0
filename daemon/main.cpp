// alias-sync: the service (`alias-sync daemon`) and the admin's commands.

#include "commands.h"
#include "config.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
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
        "                    (--if-absent: keep an identity that exists)\n"
        "  peer pin FILE     pin the other server's certificate (PEM)\n"
        "  peer show         print both fingerprints\n"
        "  daemon            run the service (logs to standard error)\n"
        "  status            print the state; exit 0 OK, 1 warning, 2 critical, 3 unknown\n"
        "  configure-postfix show and make the Postfix changes alias-sync needs (--undo: remove them)\n"
        "  config [KEY...]   print the settings in effect, defaults included\n"
        "  aliases show FILE print each name Postfix answers for in an alias file, with its value\n"
        "  aliases fingerprint FILE\n"
        "                    print the fingerprint of the file's managed entries\n"
        "  alias add NAME DEST...\n"
        "                    create a managed alias on both servers, through the daemon\n"
        "  alias remove NAME remove a managed alias from both servers\n"
        "  alias list        print the managed aliases (--long: with their metadata)\n"
        "  reconcile         show how the two servers' managed aliases differ; with\n"
        "                    --from this|peer copy one side's to the other (--yes: without\n"
        "                    asking; --dry-run: show only, exit 0 identical, 1 different)");
}

int unknownCommand(const QStringList &positional)
{
    QTextStream(stderr) << QCoreApplication::translate("main", "alias-sync: unknown command or arguments: %1\n")
                               .arg(positional.join(QLatin1Char(' ')))
                        << commandList() << '\n';
    return 2;
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

    // configure-postfix options.
    const QCommandLineOption undoOption(QStringLiteral("undo"), QCoreApplication::translate("main", "configure-postfix: remove what it added."));
    const QCommandLineOption yesOption(QStringLiteral("yes"), QCoreApplication::translate("main", "configure-postfix, reconcile: apply without asking."));
    const QCommandLineOption dryRunOption(QStringLiteral("dry-run"), QCoreApplication::translate("main", "configure-postfix, reconcile: print the changes only; exit 0 none, 1 pending (configure-postfix: 2 error)."));
    const QCommandLineOption keepAliasMapsOption(QStringLiteral("keep-alias-maps"), QCoreApplication::translate("main", "configure-postfix --undo: keep the managed aliases in alias_maps."));
    const QCommandLineOption postfixConfigOption(QStringLiteral("postfix-config"), QCoreApplication::translate("main", "configure-postfix: the Postfix instance whose config_directory is <dir>."), QCoreApplication::translate("main", "dir"));
    const QCommandLineOption pipeCommandOption(QStringLiteral("pipe-command"), QCoreApplication::translate("main", "configure-postfix: path of alias-sync-pipe in master.cf (default %1).").arg(QStringLiteral(ALIAS_SYNC_PIPE_COMMAND)), QCoreApplication::translate("main", "path"));
    const QCommandLineOption pipeUserOption(QStringLiteral("pipe-user"), QCoreApplication::translate("main", "configure-postfix: the user the pipe runs as (default alias-sync-pipe)."), QCoreApplication::translate("main", "user"));
    const QCommandLineOption ifAbsentOption(QStringLiteral("if-absent"), QCoreApplication::translate("main", "init: do nothing when the identity exists."));
    parser.addOption(ifAbsentOption);
    const QCommandLineOption longOption(QStringList{QStringLiteral("l"), QStringLiteral("long")}, QCoreApplication::translate("main", "alias list: also print who created each alias, when, on which server, and its transaction id."));
    const QCommandLineOption fromOption(QStringLiteral("from"), QCoreApplication::translate("main", "reconcile: copy the managed aliases of <side> (this or peer) to the other server."), QCoreApplication::translate("main", "side"));
    parser.addOptions({longOption, fromOption});
    parser.addOptions({undoOption, yesOption, dryRunOption, keepAliasMapsOption, postfixConfigOption, pipeCommandOption, pipeUserOption});
    parser.addPositionalArgument(QStringLiteral("command"), QCoreApplication::translate("main", "The command to run."));
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        QTextStream(stderr) << parser.helpText();
        return 2;
    }

    const QString command = positional.first();
    const QStringList arguments = positional.mid(1);
    const auto configProblem = [&command](const QString &error) {
        // Monitoring reads the first line of standard output.
        if (command == QStringLiteral("status"))
            QTextStream(stdout) << "ALIAS-SYNC UNKNOWN - " << error << '\n';
        QTextStream(stderr) << "alias-sync: " << error << '\n';
        return exitUnknown;
    };

    if (command == QStringLiteral("aliases"))
        return runAliases(arguments);

    // A mistyped command is named as such, even where the configuration
    // file cannot be read.
    static const QStringList configuredCommands = {QStringLiteral("init"), QStringLiteral("peer"), QStringLiteral("status"),
                                                   QStringLiteral("daemon"), QStringLiteral("configure-postfix"),
                                                   QStringLiteral("config"), QStringLiteral("alias"),
                                                   QStringLiteral("reconcile")};
    if (!configuredCommands.contains(command))
        return unknownCommand(positional);

    QString error;
    const auto config = Config::load(parser.value(configOption), &error);
    if (!config)
        return configProblem(error);

    // Creating the identity, pairing and reading the settings work before
    // the admin has named the domains; everything that handles mail needs them.
    const bool servesMail = command == QStringLiteral("daemon") || command == QStringLiteral("status")
        || command == QStringLiteral("alias") || command == QStringLiteral("reconcile")
        || (command == QStringLiteral("configure-postfix") && !parser.isSet(undoOption));
    if (servesMail && !config->checkServesMail(&error))
        return configProblem(error);

    if (command == QStringLiteral("init") && arguments.isEmpty())
        return runInit(*config, parser.isSet(ifAbsentOption));
    if (command == QStringLiteral("config"))
        return runShowConfig(*config, arguments);
    if (command == QStringLiteral("peer"))
        return runPeer(*config, arguments);
    if (command == QStringLiteral("status") && arguments.isEmpty())
        return runStatus(*config);
    if (command == QStringLiteral("daemon") && arguments.isEmpty())
        return runDaemon(*config);
    if (command == QStringLiteral("alias"))
        return runAlias(*config, arguments, parser.isSet(longOption));
    if (command == QStringLiteral("reconcile") && arguments.isEmpty()) {
        ReconcileOptions options;
        options.dryRun = parser.isSet(dryRunOption);
        options.yes = parser.isSet(yesOption);
        options.from = parser.value(fromOption);
        return runReconcile(*config, options);
    }
    if (command == QStringLiteral("configure-postfix") && arguments.isEmpty()) {
        ConfigurePostfixOptions options;
        options.undo = parser.isSet(undoOption);
        options.yes = parser.isSet(yesOption);
        options.dryRun = parser.isSet(dryRunOption);
        options.keepAliasMaps = parser.isSet(keepAliasMapsOption);
        options.postfixConfigDirectory = parser.value(postfixConfigOption);
        if (parser.isSet(pipeCommandOption))
            options.pipeCommand = QFileInfo(parser.value(pipeCommandOption)).absoluteFilePath();
        if (parser.isSet(pipeUserOption))
            options.pipeUser = parser.value(pipeUserOption);
        return runConfigurePostfix(*config, options);
    }

    return unknownCommand(positional);
}
