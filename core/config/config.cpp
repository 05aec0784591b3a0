#include "config.h"
#include "configreader.h"

#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSysInfo>

#include <functional>

namespace aliassync {

namespace {

// A setting's parser stores the value or returns a reason it is invalid.
using SettingParser = std::function<QString(Config &, const QString &)>;

// A setting's printer returns its effective value in the file's syntax.
using SettingPrinter = std::function<QString(const Config &)>;

struct Setting {
    QString key;
    SettingParser parse;
    SettingPrinter print;
};

// Gives lupdate and QTranslator the context "Config" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(Config)
};

SettingParser pathSetting(QString Config::*field)
{
    return [field](Config &config, const QString &value) -> QString {
        if (!QDir::isAbsolutePath(value))
            return Text::tr("'%1' is not an absolute path").arg(value);
        config.*field = QDir::cleanPath(value);
        return {};
    };
}

// A host or domain name: letters, digits and '-' in dot-separated labels (RFC 1123).
bool isHostName(const QString &value)
{
    static const QRegularExpression hostName(
        QStringLiteral("^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"));
    return hostName.match(value).hasMatch();
}

SettingParser hostNameSetting(QString Config::*field)
{
    return [field](Config &config, const QString &value) -> QString {
        if (!isHostName(value))
            return Text::tr("'%1' is not a host name (letters, digits and '-' in labels separated by '.')").arg(value);
        config.*field = value;
        return {};
    };
}

// The peer may be named by host name or IP address, never as "host:port".
SettingParser peerAddressSetting(QString Config::*field)
{
    return [field](Config &config, const QString &value) -> QString {
        if (QHostAddress(value).isNull() && !isHostName(value)) {
            if (value.count(QLatin1Char(':')) == 1)
                return Text::tr("'%1' is not a host name or IP address; give the port in peer_port").arg(value);
            return Text::tr("'%1' is not a host name or IP address").arg(value);
        }
        config.*field = value;
        return {};
    };
}

// The listener binds an address, so a name is not enough.
SettingParser listenAddressSetting(QString Config::*field)
{
    return [field](Config &config, const QString &value) -> QString {
        if (value != QStringLiteral("*") && QHostAddress(value).isNull())
            return Text::tr("'%1' is not an IP address or '*' (every address)").arg(value);
        config.*field = value;
        return {};
    };
}

enum class ListItem { DomainName, Login, Name };

SettingParser listSetting(QStringList Config::*field, ListItem kind)
{
    return [field, kind](Config &config, const QString &value) -> QString {
        static const QRegularExpression login(QStringLiteral("^[A-Za-z0-9._+@-]+$"));
        // A reserved name may carry one '*' at its start or its end.
        static const QRegularExpression name(QStringLiteral("^(\\*?[a-z0-9._-]+|[a-z0-9._-]+\\*)$"));
        QStringList items;
        for (const QString &raw : value.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
            const QString item = raw.toLower();
            const bool valid = kind == ListItem::DomainName ? isHostName(item)
                             : kind == ListItem::Login      ? login.match(item).hasMatch()
                                                            : name.match(item).hasMatch();
            if (!valid)
                return Text::tr("'%1' is not a valid list item; separate items with commas or spaces").arg(raw);
            items.append(item);
        }
        config.*field = items;
        return {};
    };
}

// A whole number from minimum to maximum, digits only.
template<typename Number>
SettingParser numberSetting(Number Config::*field, qint64 minimum, qint64 maximum, bool bytes = false)
{
    return [field, minimum, maximum, bytes](Config &config, const QString &value) -> QString {
        bool ok = false;
        const qint64 number = value.toLongLong(&ok);
        const bool valid = ok && value.at(0).isDigit() && number >= minimum && number <= maximum;
        if (!valid && bytes)
            return Text::tr("'%1' is not a number of bytes from %2 to %3 (digits only, no unit)").arg(value).arg(minimum).arg(maximum);
        if (!valid)
            return Text::tr("'%1' is not a whole number from %2 to %3").arg(value).arg(minimum).arg(maximum);
        config.*field = Number(number);
        return {};
    };
}

SettingParser portSetting(quint16 Config::*field)
{
    return [field](Config &config, const QString &value) -> QString {
        bool ok = false;
        const uint port = value.toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return Text::tr("'%1' is not a port number (1 to 65535)").arg(value);
        config.*field = quint16(port);
        return {};
    };
}

// The units of a duration, largest first; a bare number counts as seconds,
// as the integer values of earlier versions did.
struct DurationUnit {
    const char *suffix;
    qint64 milliseconds;
};
constexpr DurationUnit durationUnits[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};

QString formatDuration(Milliseconds duration)
{
    for (const DurationUnit &unit : durationUnits) {
        if (duration.count() % unit.milliseconds == 0)
            return QString::number(duration.count() / unit.milliseconds) + QLatin1String(unit.suffix);
    }
    return QString::number(duration.count()) + QStringLiteral("ms");
}

std::optional<Milliseconds> parseDuration(const QString &value)
{
    static const QRegularExpression syntax(QStringLiteral("^([0-9]{1,9})(ms|s|m|h|d)?$"));
    const QRegularExpressionMatch match = syntax.match(value);
    if (!match.hasMatch())
        return std::nullopt;
    const QString suffix = match.captured(2).isEmpty() ? QStringLiteral("s") : match.captured(2);
    for (const DurationUnit &unit : durationUnits) {
        if (suffix == QLatin1String(unit.suffix))
            return Milliseconds(match.captured(1).toLongLong() * unit.milliseconds);
    }
    return std::nullopt;
}

SettingParser durationSetting(Milliseconds Config::*field, Milliseconds minimum, Milliseconds maximum)
{
    return [field, minimum, maximum](Config &config, const QString &value) -> QString {
        const auto duration = parseDuration(value);
        if (!duration || *duration < minimum || *duration > maximum)
            return Text::tr("'%1' is not a duration from %2 to %3 (a number with the unit ms, s, m, h or d; seconds without one)")
                .arg(value, formatDuration(minimum), formatDuration(maximum));
        config.*field = *duration;
        return {};
    };
}

SettingParser localPartSetting(QString Config::*field)
{
    return [field](Config &config, const QString &value) -> QString {
        static const QRegularExpression localPart(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,63}$"));
        if (!localPart.match(value).hasMatch())
            return Text::tr("'%1' is not a lower-case local part (letters, digits, '.', '-', '_')").arg(value);
        config.*field = value;
        return {};
    };
}

SettingPrinter printer(QString Config::*field)
{
    return [field](const Config &config) { return config.*field; };
}

SettingPrinter printer(QStringList Config::*field)
{
    return [field](const Config &config) { return (config.*field).join(QStringLiteral(", ")); };
}

SettingPrinter printer(quint16 Config::*field)
{
    return [field](const Config &config) { return QString::number(config.*field); };
}

template<typename Number>
SettingPrinter numberPrinter(Number Config::*field)
{
    return [field](const Config &config) { return QString::number(config.*field); };
}

SettingPrinter printer(Milliseconds Config::*field)
{
    return [field](const Config &config) { return formatDuration(config.*field); };
}

const QList<Setting> &settingTable()
{
    static const QList<Setting> table = {
        {QStringLiteral("server_name"), hostNameSetting(&Config::serverName), printer(&Config::serverName)},
        {QStringLiteral("domains"), listSetting(&Config::domains, ListItem::DomainName), printer(&Config::domains)},
        {QStringLiteral("designated_local_part"), localPartSetting(&Config::designatedLocalPart), printer(&Config::designatedLocalPart)},
        {QStringLiteral("administrators"), listSetting(&Config::administrators, ListItem::Login), printer(&Config::administrators)},
        {QStringLiteral("reserved_names"), listSetting(&Config::reservedNames, ListItem::Name), printer(&Config::reservedNames)},
        {QStringLiteral("alias_file"), pathSetting(&Config::aliasFile), printer(&Config::aliasFile)},
        {QStringLiteral("journal_file"), pathSetting(&Config::journalFile), printer(&Config::journalFile)},
        {QStringLiteral("identity_directory"), pathSetting(&Config::identityDirectory), printer(&Config::identityDirectory)},
        {QStringLiteral("peer_certificate"), pathSetting(&Config::peerCertificate), printer(&Config::peerCertificate)},
        {QStringLiteral("request_socket"), pathSetting(&Config::requestSocket), printer(&Config::requestSocket)},
        {QStringLiteral("control_socket"), pathSetting(&Config::controlSocket), printer(&Config::controlSocket)},
        {QStringLiteral("listen_address"), listenAddressSetting(&Config::listenAddress), printer(&Config::listenAddress)},
        {QStringLiteral("listen_port"), portSetting(&Config::listenPort), printer(&Config::listenPort)},
        {QStringLiteral("peer_address"), peerAddressSetting(&Config::peerAddress), printer(&Config::peerAddress)},
        {QStringLiteral("peer_port"), portSetting(&Config::peerPort), printer(&Config::peerPort)},
        {QStringLiteral("postfix_config_directory"), pathSetting(&Config::postfixConfigDirectory), printer(&Config::postfixConfigDirectory)},
        {QStringLiteral("postfix_command_directory"), pathSetting(&Config::postfixCommandDirectory), printer(&Config::postfixCommandDirectory)},
        {QStringLiteral("sendmail_path"), pathSetting(&Config::sendmailPath), printer(&Config::sendmailPath)},
        {QStringLiteral("transaction_timeout"), durationSetting(&Config::transactionTimeout, Milliseconds(100), Milliseconds(600000)), printer(&Config::transactionTimeout)},
        {QStringLiteral("request_timeout"), durationSetting(&Config::requestTimeout, Milliseconds(1000), Milliseconds(900000)), printer(&Config::requestTimeout)},
        {QStringLiteral("heartbeat_interval"), durationSetting(&Config::heartbeatInterval, Milliseconds(100), Milliseconds(3600000)), printer(&Config::heartbeatInterval)},
        {QStringLiteral("heartbeat_timeout"), durationSetting(&Config::heartbeatTimeout, Milliseconds(300), Milliseconds(3600000)), printer(&Config::heartbeatTimeout)},
        {QStringLiteral("reconnect_min"), durationSetting(&Config::reconnectMin, Milliseconds(10), Milliseconds(3600000)), printer(&Config::reconnectMin)},
        {QStringLiteral("reconnect_max"), durationSetting(&Config::reconnectMax, Milliseconds(10), Milliseconds(3600000)), printer(&Config::reconnectMax)},
        {QStringLiteral("journal_retention"), durationSetting(&Config::journalRetention, Milliseconds(3600000), Milliseconds(365LL * 86400000)), printer(&Config::journalRetention)},
        {QStringLiteral("request_size_limit"), numberSetting(&Config::requestSizeLimit, 65536, 67108864, true), numberPrinter(&Config::requestSizeLimit)},
        {QStringLiteral("request_rate_limit"), numberSetting(&Config::requestRateLimit, 0, 100000), numberPrinter(&Config::requestRateLimit)},
        {QStringLiteral("request_rate_window"), durationSetting(&Config::requestRateWindow, Milliseconds(1000), Milliseconds(7LL * 86400000)), printer(&Config::requestRateWindow)},
    };
    return table;
}

const Setting *findSetting(const QString &key)
{
    for (const Setting &setting : settingTable()) {
        if (setting.key == key)
            return &setting;
    }
    return nullptr;
}

QStringList settingKeys()
{
    QStringList keys;
    for (const Setting &setting : settingTable())
        keys.append(setting.key);
    return keys;
}

} // namespace

std::optional<Config> Config::load(const QString &fileName, QString *error)
{
    QList<ConfigLine> lines;
    if (!readConfigLines(fileName, &lines, error))
        return std::nullopt;

    Config config;
    config.fileName = fileName;
    for (const ConfigLine &line : lines) {
        const Setting *setting = findSetting(line.key);
        const QString where = QStringLiteral("%1:%2: ").arg(fileName).arg(line.lineNumber);
        if (!setting) {
            *error = where + Text::tr("unknown setting '%1'; the valid settings are: %2").arg(line.key, settingKeys().join(QStringLiteral(", ")));
            return std::nullopt;
        }
        const QString problem = setting->parse(config, line.value);
        if (!problem.isEmpty()) {
            *error = where + Text::tr("invalid %1: %2").arg(line.key, problem);
            return std::nullopt;
        }
    }

    // Like Postfix's myhostname, the name defaults to the machine's own, so
    // that the package can create the identity before the admin edits the file.
    if (config.serverName.isEmpty()) {
        const QString hostName = QSysInfo::machineHostName();
        if (!isHostName(hostName)) {
            *error = fileName + QStringLiteral(": ")
                + Text::tr("server_name is not set and the host name '%1' is not a valid host name; set server_name to this server's host name")
                      .arg(hostName);
            return std::nullopt;
        }
        config.serverName = hostName;
    }
    if (config.requestTimeout <= 2 * config.transactionTimeout) {
        *error = fileName + QStringLiteral(": ")
            + Text::tr("request_timeout (%1) must be more than twice transaction_timeout (%2), so a commit can finish before the pipe gives up")
                  .arg(formatDuration(config.requestTimeout), formatDuration(config.transactionTimeout));
        return std::nullopt;
    }
    // A heartbeat must be able to arrive before the silence limit closes the link.
    if (config.heartbeatTimeout <= 2 * config.heartbeatInterval) {
        *error = fileName + QStringLiteral(": ")
            + Text::tr("heartbeat_timeout (%1) must be more than twice heartbeat_interval (%2), or a healthy link is closed; raise heartbeat_timeout or lower heartbeat_interval (the defaults are 30s and 10s)")
                  .arg(formatDuration(config.heartbeatTimeout), formatDuration(config.heartbeatInterval));
        return std::nullopt;
    }
    if (config.reconnectMax < config.reconnectMin) {
        *error = fileName + QStringLiteral(": ")
            + Text::tr("reconnect_max (%1) is less than reconnect_min (%2); raise reconnect_max or lower reconnect_min (the defaults are 30s and 1s)")
                  .arg(formatDuration(config.reconnectMax), formatDuration(config.reconnectMin));
        return std::nullopt;
    }
    return config;
}

bool Config::checkServesMail(QString *error) const
{
    // No line is at fault, so the message names the file only.
    if (domains.isEmpty()) {
        *error = fileName + QStringLiteral(": ") + Text::tr("domains is not set; list the mail domains this server serves");
        return false;
    }
    return true;
}

QStringList Config::keys()
{
    return settingKeys();
}

std::optional<QString> Config::value(const QString &key) const
{
    const Setting *setting = findSetting(key);
    if (!setting)
        return std::nullopt;
    return setting->print(*this);
}

} // namespace aliassync
