#include "postfixtools.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>

#include <sys/stat.h>

namespace aliassync {

QString ToolResult::describe(const QString &command) const
{
    if (!started)
        return QStringLiteral("%1 could not be started").arg(command);
    if (timedOut)
        return QStringLiteral("%1 timed out").arg(command);
    const QString detail = QString::fromUtf8(errorOutput + output).trimmed();
    return QStringLiteral("%1 exited with status %2%3")
        .arg(command)
        .arg(exitCode)
        .arg(detail.isEmpty() ? QString() : QStringLiteral(": ") + detail);
}

ToolResult runProcess(const QString &program, const QStringList &arguments, const QByteArray &input, int timeoutMs)
{
    ToolResult result;
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForStarted(timeoutMs))
        return result;
    result.started = true;

    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();

    if (!process.waitForFinished(timeoutMs)) {
        result.timedOut = true;
        process.kill();
        process.waitForFinished(1000);
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = process.readAllStandardOutput();
    result.errorOutput = process.readAllStandardError();
    return result;
}

PostfixTools::PostfixTools(const QString &configDirectory, const QString &commandDirectory)
    : m_configDirectory(QDir::cleanPath(configDirectory))
    , m_commandDirectory(QDir::cleanPath(commandDirectory))
{
}

bool PostfixTools::isDefaultInstance() const
{
    return m_configDirectory == QStringLiteral("/etc/postfix");
}

QStringList PostfixTools::instanceArguments(const char *option) const
{
    if (isDefaultInstance())
        return {};
    return {QLatin1String(option), m_configDirectory};
}

ToolResult PostfixTools::run(const QString &program, const QStringList &arguments, int timeoutMs) const
{
    return runProcess(m_commandDirectory + QLatin1Char('/') + program, instanceArguments("-c") + arguments, {}, timeoutMs);
}

std::optional<QString> PostfixTools::parameter(const QString &name, QString *error) const
{
    const ToolResult result = run(QStringLiteral("postconf"), {QStringLiteral("-xh"), name});
    if (!result.succeeded()) {
        *error = result.describe(QStringLiteral("postconf -xh %1").arg(name));
        return std::nullopt;
    }
    return QString::fromUtf8(result.output).trimmed();
}

std::optional<QString> PostfixTools::cachedParameter(const QString &name, QString *error) const
{
    // An edit of main.cf changes at least one of these; nanosecond times
    // catch two edits within a second.
    struct stat mainCf {};
    QByteArray signature;
    const QByteArray path = QFile::encodeName(m_configDirectory + QStringLiteral("/main.cf"));
    if (::stat(path.constData(), &mainCf) == 0)
        signature = QByteArray::number(qulonglong(mainCf.st_ino)) + ':' + QByteArray::number(qlonglong(mainCf.st_size)) + ':'
            + QByteArray::number(qlonglong(mainCf.st_mtim.tv_sec)) + '.' + QByteArray::number(qlonglong(mainCf.st_mtim.tv_nsec));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (signature.isEmpty() || signature != m_cachedMainCfSignature || !m_cacheFilledAt.isValid()
        || m_cacheFilledAt.secsTo(now) >= 60) {
        m_parameterCache.clear();
        m_cachedMainCfSignature = signature;
        m_cacheFilledAt = now;
    }
    const auto cached = m_parameterCache.constFind(name);
    if (cached != m_parameterCache.constEnd())
        return *cached;

    const auto value = parameter(name, error);
    if (value && !signature.isEmpty())
        m_parameterCache.insert(name, *value);
    return value;
}

std::optional<std::optional<QString>> PostfixTools::lookup(const QString &program, const QString &table,
                                                           const QString &key, QString *error) const
{
    const ToolResult result = run(program, {QStringLiteral("-q"), key, table});
    if (result.succeeded())
        return std::optional<QString>(QString::fromUtf8(result.output).trimmed());
    if (result.started && !result.timedOut && result.exitCode == 1)
        return std::optional<QString>(); // Postfix 3.7's postmap and postalias -q exit 1 for a key they do not find
    *error = result.describe(QStringLiteral("%1 -q %2 %3").arg(program, key, table));
    return std::nullopt;
}

std::optional<bool> PostfixTools::aliasTableContains(const QString &table, const QString &name, QString *error) const
{
    const auto value = lookup(QStringLiteral("postalias"), table, name, error);
    if (!value)
        return std::nullopt;
    return value->has_value();
}

std::optional<QStringList> PostfixTools::tableKeysFound(const QString &table, const QStringList &keys, QString *error) const
{
    // postmap(1): "-q -" reads one key per line and prints "key<TAB>value"
    // for each one found; the exit status is 1 when none was found.
    const ToolResult result = runProcess(m_commandDirectory + QStringLiteral("/postmap"),
                                         instanceArguments("-c") + QStringList{QStringLiteral("-q"), QStringLiteral("-"), table},
                                         keys.join(QLatin1Char('\n')).toUtf8() + '\n', 30000);
    if (result.started && !result.timedOut && result.exitCode == 1)
        return QStringList();
    if (!result.succeeded()) {
        *error = result.describe(QStringLiteral("postmap -q - %1").arg(table));
        return std::nullopt;
    }

    QStringList found;
    for (const QByteArray &line : result.output.split('\n')) {
        const qsizetype tab = line.indexOf('\t');
        if (tab > 0)
            found.append(QString::fromUtf8(line.left(tab)));
    }
    return found;
}

QStringList PostfixTools::splitTableList(const QString &value)
{
    // postconf(5): table lists are separated by commas and/or whitespace.
    return value.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
}

} // namespace aliassync
