// Planning configure-postfix from a snapshot of postconf's values; the
// same plans against real Postfix instances are in tests/postfix-setup.

#include "postfixsetup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace aliassync;

class TestPostfixSetup : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    SetupSettings settings() const
    {
        SetupSettings s;
        s.domains = {QStringLiteral("example.org")};
        s.designatedLocalPart = QStringLiteral("makealias");
        s.aliasFile = m_dir.filePath(QStringLiteral("lib/aliases"));
        s.configFile = QStringLiteral("/etc/alias-sync/alias-sync.conf");
        s.pipeCommand = QStringLiteral("/usr/libexec/alias-sync/alias-sync-pipe");
        return s;
    }

    // The values of a Debian 12 main.cf as postconf prints them.
    PostfixSnapshot debianDefault() const
    {
        PostfixSnapshot snapshot;
        snapshot.configDirectory = m_dir.filePath(QStringLiteral("etc"));
        auto set = [&snapshot](const char *name, const QString &raw, const QString &expanded, bool isExplicit) {
            snapshot.raw.insert(QLatin1String(name), raw);
            snapshot.expanded.insert(QLatin1String(name), expanded);
            if (isExplicit)
                snapshot.explicitNames.insert(QLatin1String(name));
        };
        set("config_directory", snapshot.configDirectory, snapshot.configDirectory, false);
        set("mydestination", QStringLiteral("$myhostname, example.org, localhost"),
            QStringLiteral("mx1.example.org, example.org, localhost"), true);
        set("myhostname", QStringLiteral("mx1.example.org"), QStringLiteral("mx1.example.org"), true);
        set("virtual_alias_domains", QStringLiteral("$virtual_alias_maps"), QString(), false);
        set("virtual_mailbox_domains", QStringLiteral("$virtual_mailbox_maps"), QString(), false);
        set("transport_maps", QString(), QString(), false);
        set("alias_maps", QStringLiteral("hash:/etc/aliases"), QStringLiteral("hash:/etc/aliases"), true);
        set("alias_database", QStringLiteral("hash:/etc/aliases"), QStringLiteral("hash:/etc/aliases"), true);
        set("local_recipient_maps", QStringLiteral("proxy:unix:passwd.byname $alias_maps"),
            QStringLiteral("proxy:unix:passwd.byname hash:/etc/aliases"), false);
        set("local_transport", QStringLiteral("local:$myhostname"), QStringLiteral("local:mx1.example.org"), false);
        set("default_database_type", QStringLiteral("hash"), QStringLiteral("hash"), false);
        return snapshot;
    }

    static const ParameterChange *parameter(const SetupPlan &plan, const QString &name)
    {
        for (const ParameterChange &change : plan.parameters) {
            if (change.name == name)
                return &change;
        }
        return nullptr;
    }

private Q_SLOTS:
    void debianDefaultGetsEveryAddition()
    {
        const PostfixSnapshot snapshot = debianDefault();
        const SetupPlan plan = planConfigure(snapshot, settings());
        QVERIFY2(plan.problems.isEmpty(), qPrintable(plan.problems.join(QLatin1Char('\n'))));

        const QString transport = QStringLiteral("hash:") + snapshot.configDirectory + QStringLiteral("/alias-sync-transport");
        QCOMPARE(parameter(plan, QStringLiteral("transport_maps"))->newValue, transport);
        QCOMPARE(parameter(plan, QStringLiteral("alias_maps"))->newValue,
                 QStringLiteral("hash:/etc/aliases, hash:") + settings().aliasFile);
        QCOMPARE(parameter(plan, QStringLiteral("local_recipient_maps"))->newValue,
                 QStringLiteral("proxy:unix:passwd.byname $alias_maps, ") + transport);
        QVERIFY(!parameter(plan, QStringLiteral("local_recipient_maps"))->wasExplicit);
        QCOMPARE(parameter(plan, QStringLiteral("alias-sync_destination_recipient_limit"))->newValue, QStringLiteral("1"));
        QVERIFY(!parameter(plan, QStringLiteral("alias_database")));
        QCOMPARE(plan.services.size(), 1);
        QVERIFY(plan.services.first().newEntry.contains(QStringLiteral("user=alias-sync-pipe null_sender= argv=")));
        QCOMPARE(plan.files.size(), 2);
        QCOMPARE(plan.files.first().content, QByteArray(transportMapContent(settings())));
        QVERIFY(plan.files.first().content.contains("\nmakealias@example.org alias-sync:\n"));

        const QString report = renderPlan(plan);
        QVERIFY(report.contains(QStringLiteral("(built-in default)")));
        QVERIFY(report.contains(QStringLiteral("alias_database")));
        QVERIFY(report.contains(QStringLiteral("not running")));
    }

    void existingListsAreExtended()
    {
        PostfixSnapshot snapshot = debianDefault();
        snapshot.raw[QStringLiteral("transport_maps")] = QStringLiteral("hash:/etc/postfix/transport, regexp:/etc/postfix/transport.re");
        snapshot.raw[QStringLiteral("alias_maps")] = QStringLiteral("hash:/etc/aliases hash:/etc/postfix/more");
        const SetupPlan plan = planConfigure(snapshot, settings());
        const QString transport = QStringLiteral("hash:") + snapshot.configDirectory + QStringLiteral("/alias-sync-transport");
        QCOMPARE(parameter(plan, QStringLiteral("transport_maps"))->newValue,
                 transport + QStringLiteral(", hash:/etc/postfix/transport, regexp:/etc/postfix/transport.re"));
        QCOMPARE(parameter(plan, QStringLiteral("alias_maps"))->newValue,
                 QStringLiteral("hash:/etc/aliases hash:/etc/postfix/more, hash:") + settings().aliasFile);
    }

    void emptyRecipientMapsLeftAlone()
    {
        PostfixSnapshot snapshot = debianDefault();
        snapshot.raw[QStringLiteral("local_recipient_maps")] = QString();
        const SetupPlan plan = planConfigure(snapshot, settings());
        QVERIFY(!parameter(plan, QStringLiteral("local_recipient_maps")));
        QVERIFY(plan.notes.join(QLatin1Char('\n')).contains(QStringLiteral("local_recipient_maps is empty")));
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expanded");
        QTest::addColumn<QString>("service");
        QTest::addColumn<QString>("expected");
        QTest::newRow("domain not local") << QStringLiteral("mydestination") << QStringLiteral("mx1.example.org, localhost")
                                          << QString() << QStringLiteral("example.org is not in mydestination");
        QTest::newRow("virtual domain") << QStringLiteral("virtual_mailbox_domains") << QStringLiteral("example.org")
                                        << QString() << QStringLiteral("is a virtual domain here");
        QTest::newRow("lmtp delivery") << QStringLiteral("local_transport") << QStringLiteral("lmtp:unix:private/dovecot-lmtp")
                                       << QString() << QStringLiteral("local_transport is 'lmtp:unix:private/dovecot-lmtp'");
        QTest::newRow("dbm tables") << QStringLiteral("default_database_type") << QStringLiteral("dbm") << QString()
                                    << QStringLiteral("default_database_type is 'dbm'");
        QTest::newRow("service clash") << QString() << QString()
                                       << QStringLiteral("alias-sync unix - n n - - pipe user=nobody argv=/bin/true")
                                       << QStringLiteral("already has a service named alias-sync");
    }

    void refusals()
    {
        QFETCH(QString, name);
        QFETCH(QString, expanded);
        QFETCH(QString, service);
        QFETCH(QString, expected);
        PostfixSnapshot snapshot = debianDefault();
        if (!name.isEmpty()) {
            snapshot.expanded[name] = expanded;
            if (name == QStringLiteral("virtual_mailbox_domains"))
                snapshot.expanded[QStringLiteral("mydestination")] = QStringLiteral("mx1.example.org, localhost");
        }
        snapshot.service = service;
        const SetupPlan plan = planConfigure(snapshot, settings());
        QVERIFY2(plan.problems.join(QLatin1Char('\n')).contains(expected), qPrintable(plan.problems.join(QLatin1Char('\n'))));
        QVERIFY(!plan.hasChanges());
        QVERIFY(renderPlan(plan).contains(QStringLiteral("Cannot continue")));
    }

    void configuredServerHasNothingToChange()
    {
        PostfixSnapshot snapshot = debianDefault();
        const SetupSettings s = settings();
        const QString transportPath = transportMapPath(snapshot);
        QDir().mkpath(snapshot.configDirectory);
        QDir().mkpath(QFileInfo(s.aliasFile).absolutePath());
        for (const auto &[path, content] : {std::pair{transportPath, transportMapContent(s)}, std::pair{s.aliasFile, QByteArray()}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
            file.close();
            QFile database(path + QStringLiteral(".db"));
            QVERIFY(database.open(QIODevice::WriteOnly));
        }
        const QString transport = QStringLiteral("hash:") + transportPath;
        snapshot.raw[QStringLiteral("transport_maps")] = transport;
        snapshot.raw[QStringLiteral("alias_maps")] = QStringLiteral("hash:/etc/aliases, hash:") + s.aliasFile;
        snapshot.raw[QStringLiteral("local_recipient_maps")] = QStringLiteral("proxy:unix:passwd.byname $alias_maps, ") + transport;
        snapshot.raw[QStringLiteral("alias-sync_destination_recipient_limit")] = QStringLiteral("1");
        snapshot.service = serviceEntry(s).simplified();

        const SetupPlan plan = planConfigure(snapshot, s);
        QVERIFY2(!plan.hasChanges(), qPrintable(renderPlan(plan)));
        QVERIFY(renderPlan(plan).contains(QStringLiteral("Nothing to change.")));

        const SetupPlan undo = planUndo(snapshot, s, false);
        QCOMPARE(parameter(undo, QStringLiteral("transport_maps"))->remove, true);
        QCOMPARE(parameter(undo, QStringLiteral("alias_maps"))->newValue, QStringLiteral("hash:/etc/aliases"));
        QCOMPARE(parameter(undo, QStringLiteral("local_recipient_maps"))->newValue, QStringLiteral("proxy:unix:passwd.byname $alias_maps"));
        QCOMPARE(parameter(undo, QStringLiteral("alias-sync_destination_recipient_limit"))->remove, true);
        QCOMPARE(undo.services.size(), 1);
        QCOMPARE(undo.files.size(), 1);
        QVERIFY(undo.files.first().remove);

        // A table in the middle goes with the separator before it.
        snapshot.raw[QStringLiteral("transport_maps")] = QStringLiteral("hash:/a ") + transport + QStringLiteral(",hash:/b");
        QCOMPARE(parameter(planUndo(snapshot, s, false), QStringLiteral("transport_maps"))->newValue, QStringLiteral("hash:/a,hash:/b"));
        snapshot.raw[QStringLiteral("transport_maps")] = transport + QStringLiteral(", hash:/b");
        QCOMPARE(parameter(planUndo(snapshot, s, false), QStringLiteral("transport_maps"))->newValue, QStringLiteral("hash:/b"));

        const SetupPlan keep = planUndo(snapshot, s, true);
        QVERIFY(!parameter(keep, QStringLiteral("alias_maps")));
    }
};

QTEST_GUILESS_MAIN(TestPostfixSetup)
#include "tst_postfixsetup.moc"
