#include "commands.h"
#include "postfixsetup.h"
#include "setupapply.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <cstdio>
#include <pwd.h>
#include <unistd.h>

namespace aliassync {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ConfigurePostfix)
};

// Exit statuses of --dry-run, as diff(1) has them.
enum DryRunStatus { NothingToChange = 0, ChangesPending = 1, DryRunError = 2 };

bool confirmed(QTextStream &out)
{
    if (!isatty(STDIN_FILENO)) {
        out << Text::tr("Not applied: standard input is not a terminal. Run again with --yes to apply without a prompt.\n");
        return false;
    }
    out << Text::tr("Apply these changes? [y/N] ") << Qt::flush;
    QTextStream in(stdin);
    const QString answer = in.readLine().trimmed().toLower();
    if (answer == QStringLiteral("y") || answer == QStringLiteral("yes"))
        return true;
    out << Text::tr("Not applied; nothing was changed.\n");
    return false;
}

} // namespace

SetupSettings setupSettingsFor(const Config &config, const ConfigurePostfixOptions &options)
{
    SetupSettings settings;
    settings.domains = config.domains;
    settings.designatedLocalPart = config.designatedLocalPart;
    settings.aliasFile = config.aliasFile;
    settings.configFile = QFileInfo(config.fileName).absoluteFilePath();
    settings.pipeCommand = options.pipeCommand;
    settings.pipeUser = options.pipeUser;
    settings.backupDirectory = QFileInfo(config.journalFile).absolutePath() + QStringLiteral("/postfix-backup");
    return settings;
}

// Checks what the admin passed before anything runs; returns the problem or nothing.
QString optionProblem(const QString &directory, const ConfigurePostfixOptions &options)
{
    if (!QFileInfo::exists(directory + QStringLiteral("/main.cf")))
        return Text::tr("%1 has no main.cf; give the directory that contains the Postfix instance's main.cf").arg(directory);
    if (!options.undo) {
        const QFileInfo pipe(options.pipeCommand);
        if (!pipe.isFile() || !pipe.isExecutable())
            return Text::tr("the pipe command %1 is not an executable file; give the installed alias-sync-pipe with --pipe-command")
                .arg(options.pipeCommand);
        // pipe(8) refuses to run a command as root or as the mail system owner.
        const QByteArray user = options.pipeUser.toLocal8Bit();
        const struct passwd *account = ::getpwnam(user.constData());
        if (!account)
            return Text::tr("the pipe user '%1' does not exist; create it (useradd --system %1) or name another with --pipe-user")
                .arg(options.pipeUser);
        if (account->pw_uid == 0 || options.pipeUser == QStringLiteral("postfix"))
            return Text::tr("the pipe user '%1' is root or the mail system owner, which pipe(8) refuses; use an unprivileged user of its own")
                .arg(options.pipeUser);
    }
    if (options.keepAliasMaps && !options.undo)
        return Text::tr("--keep-alias-maps only applies with --undo");
    return {};
}

int runConfigurePostfix(const Config &config, const ConfigurePostfixOptions &options)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QString directory = QFileInfo(options.postfixConfigDirectory.isEmpty() ? config.postfixConfigDirectory
                                                                                  : options.postfixConfigDirectory)
                                  .absoluteFilePath();
    const QString problem = optionProblem(directory, options);
    if (!problem.isEmpty()) {
        err << "alias-sync configure-postfix: " << problem << '\n';
        return DryRunError;
    }
    const PostfixTools tools(directory, config.postfixCommandDirectory);
    const SetupSettings settings = setupSettingsFor(config, options);

    QString error;
    const auto snapshot = readPostfixSnapshot(tools, settings, &error);
    if (!snapshot) {
        err << "alias-sync configure-postfix: " << error << '\n';
        return DryRunError;
    }

    SetupPlan plan = options.undo ? planUndo(*snapshot, settings, options.keepAliasMaps) : planConfigure(*snapshot, settings);
    if (options.undo && !options.keepAliasMaps && plan.hasChanges() && backupMatchesCurrent(settings, snapshot->configDirectory))
        plan.notes.append(Text::tr("main.cf and master.cf are unchanged since configure-postfix, so their bytes from "
                                   "before it ran are written back instead of editing them"));
    out << renderPlan(plan);
    out.flush();

    if (!plan.problems.isEmpty())
        return DryRunError;
    if (options.dryRun)
        return plan.hasChanges() ? ChangesPending : NothingToChange;
    if (!plan.hasChanges())
        return 0;
    if (!options.yes && !confirmed(out))
        return 1;

    const ApplyResult result = applyPlan(plan, tools, settings);
    out << '\n';
    for (const QString &line : result.done)
        out << QStringLiteral("done: ") << line << '\n';
    out.flush(); // the report comes before any error, also in one log file
    if (!result.succeeded) {
        err << Text::tr("alias-sync configure-postfix: step '%1' failed: %2\n").arg(result.failedStep, result.error);
        err << (result.restored ? Text::tr("Every file it changed was restored; Postfix is as it was before.\n")
                                : Text::tr("Restoring the saved files failed too; compare main.cf and master.cf with the copies in %1.\n")
                                      .arg(settings.backupDirectory));
        return 1;
    }
    out << (options.undo ? Text::tr("alias-sync is no longer connected to this Postfix instance.\n")
                         : Text::tr("alias-sync is connected to this Postfix instance.\n"));
    return 0;
}

} // namespace aliassync
