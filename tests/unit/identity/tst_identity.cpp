#include "fingerprint.h"
#include "identitystore.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace aliassync;

class TestIdentity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createWritesSafeModes()
    {
        QTemporaryDir dir;
        const QString identityDir = dir.filePath(QStringLiteral("identity"));
        QString error;
        const auto identity = createIdentity(identityDir, QStringLiteral("mx1.example.org"), &error);
        QVERIFY2(identity, qPrintable(error));

        struct stat keyStat {}, dirStat {}, certStat {};
        QCOMPARE(::stat(QFile::encodeName(identityKeyPath(identityDir)).constData(), &keyStat), 0);
        QCOMPARE(::stat(QFile::encodeName(identityDir).constData(), &dirStat), 0);
        QCOMPARE(::stat(QFile::encodeName(identityCertificatePath(identityDir)).constData(), &certStat), 0);
        QCOMPARE(keyStat.st_mode & 07777, mode_t(0600));
        QCOMPARE(dirStat.st_mode & 07777, mode_t(0700));
        QCOMPARE(certStat.st_mode & 07777, mode_t(0644));
        QCOMPARE(identity->privateKey.algorithm(), QSsl::Ec);
        QCOMPARE(identity->certificate.subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("mx1.example.org"));
    }

    void createNeverOverwrites()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(createIdentity(dir.path(), QStringLiteral("a"), &error));
        const QByteArray before = certificateDigest(loadIdentity(dir.path(), &error)->certificate);
        QVERIFY(!createIdentity(dir.path(), QStringLiteral("b"), &error));
        QVERIFY2(error.contains(QStringLiteral("already exists")), qPrintable(error));
        QCOMPARE(certificateDigest(loadIdentity(dir.path(), &error)->certificate), before);
    }

    void loadRejectsReadableKey()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(createIdentity(dir.path(), QStringLiteral("a"), &error));
        QVERIFY(::chmod(QFile::encodeName(identityKeyPath(dir.path())).constData(), 0640) == 0);
        QVERIFY(!loadIdentity(dir.path(), &error));
        QVERIFY2(error.contains(QStringLiteral("chmod 600")), qPrintable(error));
    }

    // OpenSSL's own tool must read what the backend wrote, and agree on the fingerprint.
    void opensslAgreesOnCertificate()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl command is not installed");
        QTemporaryDir dir;
        QString error;
        const auto identity = createIdentity(dir.path(), QStringLiteral("mx2.example.org"), &error);
        QVERIFY(identity);

        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                                                  QStringLiteral("-sha256"), QStringLiteral("-text"), QStringLiteral("-in"),
                                                  identityCertificatePath(dir.path())});
        QVERIFY(openssl.waitForFinished());
        const QString output = QString::fromUtf8(openssl.readAllStandardOutput());
        QCOMPARE(openssl.exitCode(), 0);
        QVERIFY2(output.contains(certificateFingerprint(identity->certificate)), qPrintable(output));
        QVERIFY(output.contains(QStringLiteral("prime256v1")));
        QVERIFY(output.contains(QStringLiteral("DNS:mx2.example.org")));
        QVERIFY(output.contains(QStringLiteral("CA:FALSE")));

        QProcess keyCheck;
        keyCheck.start(QStringLiteral("openssl"), {QStringLiteral("pkey"), QStringLiteral("-check"), QStringLiteral("-noout"),
                                                   QStringLiteral("-in"), identityKeyPath(dir.path())});
        QVERIFY(keyCheck.waitForFinished());
        QCOMPARE(keyCheck.exitCode(), 0);
    }

    void fingerprintParsingIsLenient_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        const QString canonical = QStringLiteral("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
        QTest::newRow("canonical") << canonical << true;
        QTest::newRow("lower case") << canonical.toLower() << true;
        QTest::newRow("no separators") << QString(canonical).remove(QLatin1Char(':')) << true;
        QTest::newRow("spaces and dashes") << QString(canonical).replace(QLatin1Char(':'), QLatin1Char(' ')).replace(5, 1, QLatin1Char('-')) << true;
        QTest::newRow("too short") << canonical.left(40) << false;
        QTest::newRow("not hex") << QString(canonical).replace(0, 1, QLatin1Char('G')) << false;
    }

    void fingerprintParsingIsLenient()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const QByteArray digest = parseFingerprint(text);
        QCOMPARE(!digest.isEmpty(), valid);
        if (valid)
            QCOMPARE(formatFingerprint(digest), QStringLiteral("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"));
    }
};

QTEST_GUILESS_MAIN(TestIdentity)
#include "tst_identity.moc"
