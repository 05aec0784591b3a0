#include "journal.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace aliassync;

class TestJournal : public QObject
{
    Q_OBJECT

private:
    static JournalRecord makeRecord(const QByteArray &txid, const QString &state)
    {
        JournalRecord record;
        record.txid = txid;
        record.role = QStringLiteral("coordinator");
        record.state = state;
        record.operation = QByteArray("op\n\0bytes", 9);
        record.reason = QStringLiteral("why: \"quoted\"");
        record.time = QDateTime::fromString(QStringLiteral("2026-12-04T20:00:00.123Z"), Qt::ISODateWithMs);
        return record;
    }

private Q_SLOTS:
    void recordsSurviveReopen()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal"));
        {
            Journal journal;
            QString error;
            QVERIFY2(journal.open(path, &error), qPrintable(error));
            QVERIFY(journal.append(makeRecord("t1", QStringLiteral("begun")), &error));
            QVERIFY(journal.append(makeRecord("t1", QStringLiteral("committed")), &error));
        }
        Journal reopened;
        QString error;
        QVERIFY(reopened.open(path, &error));
        QCOMPARE(reopened.records().size(), 2);
        QCOMPARE(reopened.records().at(1).state, QStringLiteral("committed"));
        QCOMPARE(reopened.records().at(0).operation, QByteArray("op\n\0bytes", 9));
        QCOMPARE(reopened.records().at(0).reason, QStringLiteral("why: \"quoted\""));
        QCOMPARE(reopened.records().at(0).time, makeRecord("t1", QStringLiteral("begun")).time);
        QCOMPARE(reopened.discardedBytes(), 0);

        struct stat info {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
        QCOMPARE(info.st_mode & 0777, mode_t(0600));
    }

    void tornTailIsCutOff_data()
    {
        QTest::addColumn<QByteArray>("tail");
        QTest::newRow("half a record") << Journal::encode(makeRecord("t9", QStringLiteral("begun"))).left(30);
        QTest::newRow("no final newline") << Journal::encode(makeRecord("t9", QStringLiteral("begun"))).chopped(1);
        QTest::newRow("flipped byte") << Journal::encode(makeRecord("t9", QStringLiteral("begun"))).replace("t9", "t8");
        QTest::newRow("garbage") << QByteArray("\0\0\0\0\0\0\0\0\0\0\0\0\n", 13);
    }

    void tornTailIsCutOff()
    {
        QFETCH(QByteArray, tail);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal"));
        const QByteArray good = Journal::encode(makeRecord("t1", QStringLiteral("begun")));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(good + tail);
        file.close();

        Journal journal;
        QString error;
        QVERIFY(journal.open(path, &error));
        QCOMPARE(journal.records().size(), 1);
        QCOMPARE(journal.discardedBytes(), tail.size());
        QCOMPARE(QFileInfo(path).size(), good.size());

        // Appending after the cut must give a clean file again.
        QVERIFY(journal.append(makeRecord("t2", QStringLiteral("begun")), &error));
        Journal reopened;
        QVERIFY(reopened.open(path, &error));
        QCOMPARE(reopened.records().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
