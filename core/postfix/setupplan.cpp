#include "setupplan.h"

#include <QCoreApplication>

namespace aliassync {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(SetupPlan)
};

QString indented(const QString &text)
{
    QString out;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (!line.isEmpty() || &line != &lines.last())
            out += QStringLiteral("    | ") + line + QLatin1Char('\n');
    }
    return out;
}

QString shown(const QString &value)
{
    return value.isEmpty() ? Text::tr("(empty)") : value;
}

} // namespace

QString renderPlan(const SetupPlan &plan)
{
    QString out;
    const bool undo = plan.kind == SetupPlan::Kind::Undo;
    out += (undo ? Text::tr("Removing alias-sync from the Postfix instance in %1")
                 : Text::tr("Connecting alias-sync to the Postfix instance in %1"))
               .arg(plan.configDirectory)
        + QLatin1Char('\n');

    for (const QString &problem : plan.problems)
        out += Text::tr("\nCannot continue: %1\n").arg(problem);

    for (const FileChange &file : plan.files) {
        if (file.remove) {
            out += Text::tr("\nRemove the file %1\n  why: %2\n").arg(file.path, file.reason);
            continue;
        }
        out += Text::tr("\nWrite the file %1\n  why: %2\n").arg(file.path, file.reason);
        out += indented(QString::fromUtf8(file.content));
        if (!file.databaseTable.isEmpty())
            out += Text::tr("  then build %1 with %2\n").arg(file.databaseTable, file.aliasFile ? QStringLiteral("postalias") : QStringLiteral("postmap"));
    }

    for (const ParameterChange &parameter : plan.parameters) {
        out += Text::tr("\nmain.cf: %1\n").arg(parameter.name);
        out += Text::tr("  now:  %1%2\n").arg(shown(parameter.oldValue),
                                             parameter.wasExplicit ? QString() : Text::tr(" (built-in default)"));
        out += parameter.remove ? Text::tr("  then: (removed from main.cf: back to the built-in default)\n")
                                : Text::tr("  then: %1\n").arg(shown(parameter.newValue));
        out += Text::tr("  why:  %1\n").arg(parameter.reason);
    }

    for (const ServiceChange &service : plan.services) {
        out += Text::tr("\nmaster.cf: service %1\n").arg(service.service);
        if (!service.oldEntry.isEmpty())
            out += Text::tr("  now:  %1\n").arg(service.oldEntry);
        out += service.remove ? Text::tr("  then: (removed)\n") : Text::tr("  then: %1\n").arg(service.newEntry);
        out += Text::tr("  why:  %1\n").arg(service.reason);
    }

    if (!plan.notes.isEmpty()) {
        out += Text::tr("\nLeft alone:\n");
        for (const QString &note : plan.notes)
            out += QStringLiteral("  - ") + note + QLatin1Char('\n');
    }

    if (plan.problems.isEmpty()) {
        if (!plan.hasChanges())
            out += Text::tr("\nNothing to change.\n");
        else if (plan.postfixRunning)
            out += Text::tr("\nPostfix is running: it will be reloaded after every step succeeded.\n");
        else
            out += Text::tr("\nPostfix is not running: it will not be started or reloaded.\n");
    }
    return out;
}

} // namespace aliassync
