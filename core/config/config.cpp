#include "config.h"
#include "configreader.h"

#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QRegularExpression>

#include <functional>

namespace aliassync {

namespace {

// A setting's parser stores the value or returns a reason it is invalid.
using SettingParser = std::function<QString(Config &, const QString &)>;

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
        static const QRegularExpression name(QStringLiteral("^[a-z0-9*][a-z0-9._*-]*$"));
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

SettingParser secondsSetting(int Config::*field, int minimum, int maximum)
{
    return [field, minimum, maximum](Config &config, const QString &value) -> QString {
        bool ok = false;
        const int seconds = value.toInt(&ok);
        if (!ok || seconds < minimum || seconds > maximum)
            return Text::tr("'%1' is not a number of seconds from %2 to %3").arg(value).arg(minimum).arg(maximum);
        config.*field = seconds;
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

const QList<QPair<QString, SettingParser>> &settingTable()
{
    static const QList<QPair<QString, SettingParser>> table = {
        {QStringLiteral("server_name"), hostNameSetting(&Config::serverName)},
        {QStringLiteral("domains"), listSetting(&Config::domains, ListItem::DomainName)},
        {QStringLiteral("designated_local_part"), localPartSetting(&Config::designatedLocalPart)},
        {QStringLiteral("administrators"), listSetting(&Config::administrators, ListItem::Login)},
        {QStringLiteral("reserved_names"), listSetting(&Config::reservedNames, ListItem::Name)},
        {QStringLiteral("alias_file"), pathSetting(&Config::aliasFile)},
        {QStringLiteral("journal_file"), pathSetting(&Config::journalFile)},
        {QStringLiteral("identity_directory"), pathSetting(&Config::identityDirectory)},
        {QStringLiteral("peer_certificate"), pathSetting(&Config::peerCertificate)},
        {QStringLiteral("request_socket"), pathSetting(&Config::requestSocket)},
        {QStringLiteral("control_socket"), pathSetting(&Config::controlSocket)},
        {QStringLiteral("listen_address"), listenAddressSetting(&Config::listenAddress)},
        {QStringLiteral("listen_port"), portSetting(&Config::listenPort)},
        {QStringLiteral("peer_address"), peerAddressSetting(&Config::peerAddress)},
        {QStringLiteral("peer_port"), portSetting(&Config::peerPort)},
        {QStringLiteral("postfix_config_directory"), pathSetting(&Config::postfixConfigDirectory)},
        {QStringLiteral("postfix_command_directory"), pathSetting(&Config::postfixCommandDirectory)},
        {QStringLiteral("sendmail_path"), pathSetting(&Config::sendmailPath)},
        {QStringLiteral("transaction_timeout"), secondsSetting(&Config::transactionTimeoutSeconds, 1, 600)},
        {QStringLiteral("request_timeout"), secondsSetting(&Config::requestTimeoutSeconds, 5, 900)},
        {QStringLiteral("reconnect_max"), secondsSetting(&Config::reconnectMaxSeconds, 1, 3600)},
    };
    return table;
}

const SettingParser *findSetting(const QString &key)
{
    for (const auto &entry : settingTable()) {
        if (entry.first == key)
            return &entry.second;
    }
    return nullptr;
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
        const SettingParser *parse = findSetting(line.key);
        const QString where = QStringLiteral("%1:%2: ").arg(fileName).arg(line.lineNumber);
        if (!parse) {
            QStringList valid;
            for (const auto &entry : settingTable())
                valid.append(entry.first);
            *error = where + Text::tr("unknown setting '%1'; the valid settings are: %2").arg(line.key, valid.join(QStringLiteral(", ")));
            return std::nullopt;
        }
        const QString problem = (*parse)(config, line.value);
        if (!problem.isEmpty()) {
            *error = where + Text::tr("invalid %1: %2").arg(line.key, problem);
            return std::nullopt;
        }
    }

    // Settings without a usable default: name the file, since no line is at fault.
    if (config.serverName.isEmpty()) {
        *error = fileName + QStringLiteral(": ") + Text::tr("server_name is not set; set it to this server's host name");
        return std::nullopt;
    }
    if (config.domains.isEmpty()) {
        *error = fileName + QStringLiteral(": ") + Text::tr("domains is not set; list the mail domains this server serves");
        return std::nullopt;
    }
    if (config.requestTimeoutSeconds <= 2 * config.transactionTimeoutSeconds) {
        *error = fileName + QStringLiteral(": ")
            + Text::tr("request_timeout (%1 s) must be more than twice transaction_timeout (%2 s), so a commit can finish before the pipe gives up")
                  .arg(config.requestTimeoutSeconds).arg(config.transactionTimeoutSeconds);
        return std::nullopt;
    }
    return config;
}

} // namespace aliassync
