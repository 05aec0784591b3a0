#include "setupapply.h"
#include "aliasdatabase.h"
#include "atomicfile.h"
#include "logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(SetupApply)
};

// A file's bytes before the change; a missing file is restored by removing it.
struct SavedFile {
    QString path;
    bool existed = false;
    QByteArray bytes;
};

SavedFile save(const QString &path)
{
    SavedFile saved{path, false, {}};
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        saved.existed = true;
        saved.bytes = file.readAll();
    }
    return saved;
}

bool restore(const SavedFile &saved, QString *error)
{
    if (!saved.existed) {
        if (QFile::exists(saved.path) && !QFile::remove(saved.path)) {
            *error = Text::tr("cannot remove %1").arg(saved.path);
            return false;
        }
        return true;
    }
    return writeFileAtomically(saved.path, saved.bytes, error);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A failure injected by the test suite at a named step; compiled only into test builds.
bool injectedFailure(const QString &step, QString *error)
{
#ifdef ALIAS_SYNC_TEST_HOOKS
    if (qEnvironmentVariable("ALIAS_SYNC_TEST_FAIL_STEP") == step) {
        *error = Text::tr("failure injected by ALIAS_SYNC_TEST_FAIL_STEP");
        return true;
    }
#else
    Q_UNUSED(step);
    Q_UNUSED(error);
#endif
    return false;
}

void removeBackups(const SetupSettings &settings)
{
    for (const char *name : {"main.cf.before", "master.cf.before", "main.cf.after", "master.cf.after"})
        QFile::remove(settings.backupDirectory + QLatin1Char('/') + QLatin1String(name));
}

QString mainCf(const QString &directory)
{
    return directory + QStringLiteral("/main.cf");
}

QString masterCf(const QString &directory)
{
    return directory + QStringLiteral("/master.cf");
}

class Applier
{
public:
    Applier(const SetupPlan &plan, const PostfixTools &tools, const SetupSettings &settings)
        : m_plan(plan), m_tools(tools), m_settings(settings)
    {
    }

    ApplyResult run();

private:
    bool step(const QString &name, const std::function<bool(QString *)> &action);
    bool saveEverything(QString *error);
    bool writeFiles(QString *error);
    bool removeFiles(QString *error);
    bool setParameters(QString *error);
    bool setServices(QString *error);
    bool restoreBytesFromBackup(QString *error);
    bool checkPostfix(QString *error);
    bool reload(QString *error);
    void rollBack();

    const SetupPlan &m_plan;
    const PostfixTools &m_tools;
    const SetupSettings &m_settings;
    QList<SavedFile> m_saved;
    ApplyResult m_result;
};

bool Applier::step(const QString &name, const std::function<bool(QString *)> &action)
{
    // The injected failure comes after the step's own work, so that the
    // rollback has real changes to undo.
    QString error;
    if (!action(&error) || injectedFailure(name, &error)) {
        m_result.failedStep = name;
        m_result.error = error;
        return false;
    }
    return true;
}

bool Applier::saveEverything(QString *error)
{
    m_saved.append(save(mainCf(m_plan.configDirectory)));
    m_saved.append(save(masterCf(m_plan.configDirectory)));
    for (const FileChange &file : m_plan.files) {
        m_saved.append(save(file.path));
        const QString type = file.databaseTable.section(QLatin1Char(':'), 0, 0);
        for (const QString &suffix : databaseSuffixes(type))
            m_saved.append(save(file.path + suffix));
    }

    // The copies on disk let --undo put main.cf and master.cf back byte for
    // byte. They must show Postfix without alias-sync: a later run keeps the
    // first copies while nothing else changed the files, and drops them when
    // something did, since writing them back would lose that change.
    if (m_plan.kind == SetupPlan::Kind::Configure) {
        const bool haveBefore = QFile::exists(m_settings.backupDirectory + QStringLiteral("/main.cf.before"));
        if (haveBefore && backupMatchesCurrent(m_settings, m_plan.configDirectory))
            return true;
        removeBackups(m_settings);
        if (!m_plan.firstConfiguration)
            return true;
        if (!QDir().mkpath(m_settings.backupDirectory)) {
            *error = Text::tr("cannot create the backup directory %1").arg(m_settings.backupDirectory);
            return false;
        }
        if (!writeFileAtomically(m_settings.backupDirectory + QStringLiteral("/main.cf.before"), m_saved.at(0).bytes, error)
            || !writeFileAtomically(m_settings.backupDirectory + QStringLiteral("/master.cf.before"), m_saved.at(1).bytes, error))
            return false;
        m_result.done.append(Text::tr("saved main.cf and master.cf in %1").arg(m_settings.backupDirectory));
    }
    return true;
}

bool Applier::writeFiles(QString *error)
{
    for (const FileChange &file : m_plan.files) {
        if (file.remove)
            continue;
        AliasDatabase table(m_tools, file.path, file.aliasFile ? TableKind::Alias : TableKind::Map);
        if (!table.initialise(error))
            return false;

        // Every designated address must be found in the new database before it replaces the old one.
        QStringList expected;
        if (!file.aliasFile) {
            for (const QString &domain : m_settings.domains)
                expected.append(m_settings.designatedLocalPart + QLatin1Char('@') + domain);
        }
        if (!table.replace(file.content, expected, {}, error))
            return false;

        // The daemon's user replaces the managed alias file later; give it
        // the owner of its directory (the daemon's state directory).
        if (file.aliasFile) {
            struct stat directory {};
            const QString parent = QFileInfo(file.path).absolutePath();
            if (::stat(QFile::encodeName(parent).constData(), &directory) == 0) {
                // The database file's name depends on its type: NAME.db, NAME.cdb, NAME.lmdb.
                QStringList paths{file.path};
                for (const QString &suffix : databaseSuffixes(file.databaseTable.section(QLatin1Char(':'), 0, 0)))
                    paths.append(file.path + suffix);
                for (const QString &path : paths)
                    (void)!::chown(QFile::encodeName(path).constData(), directory.st_uid, directory.st_gid);
            }
        }
        m_result.done.append(Text::tr("wrote %1 and built %2").arg(file.path, file.databaseTable));
    }
    return true;
}

bool Applier::removeFiles(QString *error)
{
    for (const FileChange &file : m_plan.files) {
        if (!file.remove)
            continue;
        const QString type = file.databaseTable.section(QLatin1Char(':'), 0, 0);
        QStringList paths{file.path};
        for (const QString &suffix : databaseSuffixes(type))
            paths.append(file.path + suffix);
        for (const QString &path : paths) {
            if (QFile::exists(path) && !QFile::remove(path)) {
                *error = Text::tr("cannot remove %1").arg(path);
                return false;
            }
        }
        m_result.done.append(Text::tr("removed %1").arg(file.path));
    }
    return true;
}

bool Applier::setParameters(QString *error)
{
    for (const ParameterChange &parameter : m_plan.parameters) {
        const QStringList arguments = parameter.remove
            ? QStringList{QStringLiteral("-X"), parameter.name}
            : QStringList{QStringLiteral("-e"), parameter.name + QLatin1Char('=') + parameter.newValue};
        const ToolResult result = m_tools.run(QStringLiteral("postconf"), arguments);
        if (!result.succeeded()) {
            *error = result.describe(QStringLiteral("postconf %1").arg(arguments.join(QLatin1Char(' '))));
            return false;
        }
        m_result.done.append(parameter.remove ? Text::tr("removed %1 from main.cf").arg(parameter.name)
                                              : Text::tr("set %1 = %2").arg(parameter.name, parameter.newValue));
    }
    return true;
}

bool Applier::setServices(QString *error)
{
    for (const ServiceChange &service : m_plan.services) {
        // postconf(1): -M name/type=entry adds or replaces one master.cf entry; -MX removes it.
        const QStringList arguments = service.remove
            ? QStringList{QStringLiteral("-MX"), service.service}
            : QStringList{QStringLiteral("-M"), service.service + QLatin1Char('=') + service.newEntry};
        const ToolResult result = m_tools.run(QStringLiteral("postconf"), arguments);
        if (!result.succeeded()) {
            *error = result.describe(QStringLiteral("postconf %1").arg(arguments.join(QLatin1Char(' '))));
            return false;
        }
        m_result.done.append(service.remove ? Text::tr("removed the master.cf service %1").arg(service.service)
                                            : Text::tr("added the master.cf service %1").arg(service.service));
    }
    return true;
}

bool Applier::restoreBytesFromBackup(QString *error)
{
    const QByteArray main = readAll(m_settings.backupDirectory + QStringLiteral("/main.cf.before"));
    const QByteArray master = readAll(m_settings.backupDirectory + QStringLiteral("/master.cf.before"));
    if (!writeFileAtomically(mainCf(m_plan.configDirectory), main, error)
        || !writeFileAtomically(masterCf(m_plan.configDirectory), master, error))
        return false;
    m_result.done.append(Text::tr("restored main.cf and master.cf to their bytes from before configure-postfix"));
    return true;
}

bool Applier::checkPostfix(QString *error)
{
    const ToolResult result = m_tools.run(QStringLiteral("postfix"), {QStringLiteral("check")}, 60000);
    if (!result.succeeded() || !result.errorOutput.trimmed().isEmpty()) {
        // postfix check reports problems as warnings and may still exit 0.
        // postfix-script writes its findings to a terminal only, otherwise to the mail log.
        *error = result.succeeded() ? Text::tr("postfix check warned: %1").arg(QString::fromUtf8(result.errorOutput).trimmed())
                                    : result.describe(QStringLiteral("postfix check"))
                + Text::tr(" (run 'postfix -c %1 check' in a terminal, or read the mail log, for its findings)").arg(m_plan.configDirectory);
        return false;
    }
    m_result.done.append(Text::tr("postfix check found no problem"));
    return true;
}

bool Applier::reload(QString *error)
{
    if (!m_plan.postfixRunning) {
        m_result.done.append(Text::tr("Postfix is not running: not reloaded"));
        return true;
    }
    const ToolResult result = m_tools.run(QStringLiteral("postfix"), {QStringLiteral("reload")}, 60000);
    if (!result.succeeded()) {
        *error = result.describe(QStringLiteral("postfix reload"));
        return false;
    }
    m_result.done.append(Text::tr("reloaded Postfix"));
    return true;
}

void Applier::rollBack()
{
    if (m_saved.isEmpty()) {
        m_result.restored = true; // the first step failed before anything changed
        return;
    }

    // A failed build leaves its staging files (see AliasDatabase) behind.
    for (const FileChange &file : m_plan.files) {
        const QFileInfo info(file.path);
        const QString staging = info.absolutePath() + QStringLiteral("/.") + info.fileName() + QStringLiteral(".new");
        QFile::remove(staging);
        for (const QString &suffix : databaseSuffixes(file.databaseTable.section(QLatin1Char(':'), 0, 0))) {
            QFile::remove(staging + suffix);
            // Berkeley DB writes "__db.NAME" beside the table while it builds.
            QFile::remove(info.absolutePath() + QStringLiteral("/__db..") + info.fileName() + QStringLiteral(".new") + suffix);
        }
    }

    // New files go first: on a full file system they hold the space the
    // rewrites need. Files that are unchanged are not written at all.
    QStringList failures;
    for (bool existed : {false, true}) {
        for (const SavedFile &saved : std::as_const(m_saved)) {
            if (saved.existed != existed || (saved.existed && readAll(saved.path) == saved.bytes && QFile::exists(saved.path)))
                continue;
            QString error;
            if (!restore(saved, &error))
                failures.append(error);
        }
    }
    m_result.restored = failures.isEmpty();
    if (!failures.isEmpty())
        m_result.error += Text::tr("; restoring the saved files also failed: %1").arg(failures.join(QStringLiteral("; ")));

    // A running Postfix may have read the changed files already.
    if (m_plan.postfixRunning)
        m_tools.run(QStringLiteral("postfix"), {QStringLiteral("reload")}, 60000);
}

ApplyResult Applier::run()
{
    if (!step(QStringLiteral("save"), [this](QString *e) { return saveEverything(e); })) {
        rollBack();
        return m_result;
    }

    bool ok = false;
    if (m_plan.kind == SetupPlan::Kind::Configure) {
        // Files first: a map must exist before a parameter names it, or
        // every lookup in transport_maps fails and all mail is deferred.
        ok = step(QStringLiteral("write-files"), [this](QString *e) { return writeFiles(e); })
            && step(QStringLiteral("set-parameters"), [this](QString *e) { return setParameters(e); })
            && step(QStringLiteral("set-service"), [this](QString *e) { return setServices(e); })
            && step(QStringLiteral("postfix-check"), [this](QString *e) { return checkPostfix(e); })
            && step(QStringLiteral("reload"), [this](QString *e) { return reload(e); });
    } else {
        // Undo in the reverse order: nothing may name the map when it goes.
        const bool bytes = !m_plan.keepAliasMaps && backupMatchesCurrent(m_settings, m_plan.configDirectory);
        ok = (bytes ? step(QStringLiteral("set-parameters"), [this](QString *e) { return restoreBytesFromBackup(e); })
                    : (step(QStringLiteral("set-service"), [this](QString *e) { return setServices(e); })
                       && step(QStringLiteral("set-parameters"), [this](QString *e) { return setParameters(e); })))
            && step(QStringLiteral("postfix-check"), [this](QString *e) { return checkPostfix(e); })
            && step(QStringLiteral("reload"), [this](QString *e) { return reload(e); })
            && step(QStringLiteral("remove-files"), [this](QString *e) { return removeFiles(e); });
    }

    if (!ok) {
        rollBack();
        return m_result;
    }

    // After a successful configure, the copies that tell --undo whether anything else changed since.
    if (m_plan.kind == SetupPlan::Kind::Configure && QFile::exists(m_settings.backupDirectory + QStringLiteral("/main.cf.before"))) {
        QString error;
        if (!writeFileAtomically(m_settings.backupDirectory + QStringLiteral("/main.cf.after"), readAll(mainCf(m_plan.configDirectory)), &error)
            || !writeFileAtomically(m_settings.backupDirectory + QStringLiteral("/master.cf.after"), readAll(masterCf(m_plan.configDirectory)), &error))
            qCWarning(lcPostfix).noquote() << "cannot save the copies for --undo:" << error;
    } else {
        removeBackups(m_settings);
    }
    m_result.succeeded = true;
    return m_result;
}

} // namespace

QStringList applySteps()
{
    return {QStringLiteral("save"),          QStringLiteral("write-files"), QStringLiteral("set-parameters"),
            QStringLiteral("set-service"),   QStringLiteral("postfix-check"), QStringLiteral("reload"),
            QStringLiteral("remove-files")};
}

bool backupMatchesCurrent(const SetupSettings &settings, const QString &configDirectory)
{
    const QString after = settings.backupDirectory + QStringLiteral("/main.cf.after");
    if (!QFile::exists(after) || !QFile::exists(settings.backupDirectory + QStringLiteral("/main.cf.before")))
        return false;
    return readAll(after) == readAll(mainCf(configDirectory))
        && readAll(settings.backupDirectory + QStringLiteral("/master.cf.after")) == readAll(masterCf(configDirectory));
}

ApplyResult applyPlan(const SetupPlan &plan, const PostfixTools &tools, const SetupSettings &settings)
{
    return Applier(plan, tools, settings).run();
}

} // namespace aliassync
