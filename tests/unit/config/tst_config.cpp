#include "config.h"

#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace aliassync;

class TestConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeConfig(const QByteArray &text)
    {
        const QString path = m_dir.filePath(QStringLiteral("alias-sync.conf"));
        QFile file(path);
        file.open(QIODevice::WriteOnly | QIODevice::Truncate);
        file.write(text);
        return path;
    }

private Q_SLOTS:
    void validFileSetsEveryValue()
    {
        const QString path = writeConfig("# comment\n"
                                         "server_name = mx1.example.org\n"
                                         "\n"
                                         "domains = Example.org, example.net\n"
                                         "designated_local_part = newalias\n"
                                         "administrators = alice@example.org bob\n"
                                         "alias_file = /srv/a//aliases\n"
                                         "listen_port = 7700\n"
                                         "peer_address = 10.200.0.2\n"
                                         "listen_address = *\n"
                                         "transaction_timeout = 5\n");
        QString error;
        const auto config = Config::load(path, &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->serverName, QStringLiteral("mx1.example.org"));
        QCOMPARE(config->domains, (QStringList{QStringLiteral("example.org"), QStringLiteral("example.net")}));
        QCOMPARE(config->designatedAddress(), QStringLiteral("newalias@example.org"));
        QCOMPARE(config->administrators, (QStringList{QStringLiteral("alice@example.org"), QStringLiteral("bob")}));
        QCOMPARE(config->aliasFile, QStringLiteral("/srv/a/aliases"));
        QCOMPARE(config->listenPort, quint16(7700));
        QCOMPARE(config->peerPort, quint16(7625));
        QCOMPARE(config->transactionTimeout, Milliseconds(5000));
        QCOMPARE(config->journalFile, QStringLiteral("/var/lib/alias-sync/journal"));
    }

    void durationsTakeUnits()
    {
        const QString path = writeConfig("heartbeat_interval = 500ms\n"
                                         "heartbeat_timeout = 2s\n"
                                         "transaction_timeout = 5\n"
                                         "request_timeout = 2m\n"
                                         "journal_retention = 3d\n");
        QString error;
        const auto config = Config::load(path, &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->heartbeatInterval, Milliseconds(500));
        QCOMPARE(config->heartbeatTimeout, Milliseconds(2000));
        QCOMPARE(config->transactionTimeout, Milliseconds(5000));
        QCOMPARE(config->requestTimeout, Milliseconds(120000));
        QCOMPARE(config->journalRetention, Milliseconds(3LL * 86400000));
        QCOMPARE(config->value(QStringLiteral("heartbeat_interval")), QStringLiteral("500ms"));
        QCOMPARE(config->value(QStringLiteral("request_timeout")), QStringLiteral("2m"));
        QCOMPARE(config->value(QStringLiteral("reconnect_max")), QStringLiteral("30s"));
        QCOMPARE(config->value(QStringLiteral("journal_retention")), QStringLiteral("3d"));
    }

    void requestLimits()
    {
        QString error;
        const auto defaults = Config::load(writeConfig(""), &error);
        QVERIFY2(defaults, qPrintable(error));
        QCOMPARE(defaults->requestSizeLimit, qint64(1048576));
        QCOMPARE(defaults->requestRateLimit, 10);
        QCOMPARE(defaults->requestRateWindow, Milliseconds(3600000));

        const auto config = Config::load(writeConfig("request_size_limit = 65536\n"
                                                     "request_rate_limit = 0\n"
                                                     "request_rate_window = 30m\n"),
                                         &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->requestSizeLimit, qint64(65536));
        QCOMPARE(config->requestRateLimit, 0);
        QCOMPARE(config->value(QStringLiteral("request_rate_window")), QStringLiteral("30m"));
        QCOMPARE(config->value(QStringLiteral("request_size_limit")), QStringLiteral("65536"));
    }

    void heartbeatTimeoutAboveTwoIntervals()
    {
        const QString path = writeConfig("heartbeat_interval = 2s\nheartbeat_timeout = 3s\n");
        QString error;
        QVERIFY(!Config::load(path, &error));
        QVERIFY2(error.contains(QStringLiteral("heartbeat_timeout (3s) must be more than twice heartbeat_interval (2s)")), qPrintable(error));
    }

    void reconnectMinNotAboveMax()
    {
        const QString path = writeConfig("reconnect_min = 2s\nreconnect_max = 1s\n");
        QString error;
        QVERIFY(!Config::load(path, &error));
        QVERIFY2(error.contains(QStringLiteral("reconnect_max (1s) is less than reconnect_min (2s)")), qPrintable(error));
    }

    void badLineNamesFileAndLine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");

        const QByteArray base = "server_name = mx1\ndomains = example.org\n";
        QTest::newRow("server name with spaces") << QByteArray("server_name = mx1 example org\n")
                                                 << QStringLiteral(":1: invalid server_name: 'mx1 example org' is not a host name");
        QTest::newRow("domain with at") << QByteArray("domains = @example.org\n") << QStringLiteral(":1: invalid domains");
        QTest::newRow("unknown key") << base + "colour = blue\n" << QStringLiteral(":3: unknown setting 'colour'");
        QTest::newRow("no equals") << base + "peer_address 10.0.0.1\n" << QStringLiteral(":3: expected 'key = value'");
        QTest::newRow("relative path") << base + "alias_file = aliases\n" << QStringLiteral(":3: invalid alias_file");
        QTest::newRow("port zero") << base + "peer_port = 0\n" << QStringLiteral(":3: invalid peer_port");
        QTest::newRow("port text") << base + "listen_port = http\n" << QStringLiteral(":3: invalid listen_port");
        QTest::newRow("timeout range") << base + "transaction_timeout = 0\n" << QStringLiteral(":3: invalid transaction_timeout");
        QTest::newRow("duration with a space") << base + "heartbeat_interval = 5 s\n" << QStringLiteral(":3: invalid heartbeat_interval");
        QTest::newRow("duration unit unknown") << base + "reconnect_min = 5w\n"
                                               << QStringLiteral(":3: invalid reconnect_min: '5w' is not a duration from 10ms to 1h");
        QTest::newRow("negative duration") << base + "heartbeat_timeout = -1\n" << QStringLiteral(":3: invalid heartbeat_timeout");
        QTest::newRow("size limit too small") << base + "request_size_limit = 1000\n"
                                              << QStringLiteral(":3: invalid request_size_limit: '1000' is not a number of bytes from 65536 to 67108864 (digits only, no unit)");
        QTest::newRow("size limit with unit") << base + "request_size_limit = 1M\n" << QStringLiteral(":3: invalid request_size_limit");
        QTest::newRow("negative rate limit") << base + "request_rate_limit = -1\n" << QStringLiteral(":3: invalid request_rate_limit");
        QTest::newRow("repeated key") << base + "domains = example.net\n" << QStringLiteral(":3: 'domains' is set twice");
        QTest::newRow("upper-case local part") << base + "designated_local_part = MakeAlias\n"
                                               << QStringLiteral(":3: invalid designated_local_part");
        QTest::newRow("empty key") << base + " = x\n" << QStringLiteral(":3: missing setting name");
        QTest::newRow("trailing comment") << base + "peer_address = 10.0.0.2 # mx2\n" << QStringLiteral(":3: '#' in the value of 'peer_address'");
        QTest::newRow("host with port") << base + "peer_address = mx2.example.org:7625\n"
                                        << QStringLiteral(":3: invalid peer_address: 'mx2.example.org:7625' is not a host name or IP address; give the port in peer_port");
        QTest::newRow("listen on a name") << base + "listen_address = any\n" << QStringLiteral(":3: invalid listen_address");
        QTest::newRow("semicolon list") << base + "administrators = alice@example.org; bob@example.org\n"
                                        << QStringLiteral(":3: invalid administrators: 'alice@example.org;' is not a valid list item");
        QTest::newRow("star inside a reserved name") << base + "reserved_names = *-admin, web*, a*b\n"
                                                     << QStringLiteral(":3: invalid reserved_names: 'a*b' is not a valid list item");
        QTest::newRow("two stars") << base + "reserved_names = *x*\n" << QStringLiteral(":3: invalid reserved_names: '*x*'");
        QTest::newRow("address as domain") << base + "reserved_names = ok\ndomains2 = x\n" << QStringLiteral(":4: unknown setting 'domains2'; the valid settings are: server_name, domains");
    }

    void badLineNamesFileAndLine()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const QString path = writeConfig(text);
        QString error;
        QVERIFY(!Config::load(path, &error));
        QVERIFY2(error.startsWith(path + expected), qPrintable(error));
    }

    void missingRequiredSettings_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("timeouts") << QByteArray("server_name = mx1\ndomains = a.test\ntransaction_timeout = 100\nrequest_timeout = 150\n")
                                  << QStringLiteral("must be more than twice");
    }

    void missingRequiredSettings()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!Config::load(writeConfig(text), &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void serverNameDefaultsToTheHostName()
    {
        QString error;
        const auto config = Config::load(writeConfig("domains = example.org\n"), &error);
        const QString hostName = QSysInfo::machineHostName();
        if (!config)
            QVERIFY2(error.contains(QStringLiteral("the host name '%1' is not a valid host name").arg(hostName)), qPrintable(error));
        else
            QCOMPARE(config->serverName, hostName);
    }

    void domainsAreNeededOnlyToServeMail()
    {
        QString error;
        const auto config = Config::load(writeConfig("server_name = mx1\n"), &error);
        QVERIFY2(config, qPrintable(error));
        QVERIFY(!config->checkServesMail(&error));
        QVERIFY2(error.endsWith(QStringLiteral("alias-sync.conf: domains is not set; list the mail domains this server serves")), qPrintable(error));

        const auto serving = Config::load(writeConfig("server_name = mx1\ndomains = example.org\n"), &error);
        QVERIFY2(serving && serving->checkServesMail(&error), qPrintable(error));
    }

    void valuesPrintAsTheFileSpellsThem()
    {
        QString error;
        const auto config = Config::load(writeConfig("server_name = mx1\ndomains = a.test b.test\nlisten_port = 7700\n"), &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(Config::keys().first(), QStringLiteral("server_name"));
        QCOMPARE(Config::keys().size(), 28);
        QCOMPARE(config->value(QStringLiteral("domains")), QStringLiteral("a.test, b.test"));
        QCOMPARE(config->value(QStringLiteral("listen_port")), QStringLiteral("7700"));
        QCOMPARE(config->value(QStringLiteral("alias_file")), QStringLiteral("/var/lib/alias-sync/aliases"));
        QCOMPARE(config->value(QStringLiteral("peer_address")), QString());
        QVERIFY(!config->value(QStringLiteral("no_such_setting")));

        // What value() prints reads back to the same settings.
        QByteArray text;
        for (const QString &key : Config::keys()) {
            if (!config->value(key)->isEmpty())
                text += (key + QStringLiteral(" = ") + *config->value(key) + QLatin1Char('\n')).toUtf8();
        }
        const auto again = Config::load(writeConfig(text), &error);
        QVERIFY2(again, qPrintable(error));
        for (const QString &key : Config::keys())
            QCOMPARE(again->value(key), config->value(key));
    }

    void missingFileIsAnError()
    {
        QString error;
        QVERIFY(!Config::load(m_dir.filePath(QStringLiteral("absent.conf")), &error));
        QVERIFY2(error.contains(QStringLiteral("absent.conf")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
