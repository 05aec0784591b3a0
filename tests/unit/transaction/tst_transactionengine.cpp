// The two-phase commit between two engines in one process, with the peer
// link replaced by queued calls that a test can cut.

#include "transactionengine.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace aliassync;

namespace {

// Applies an operation "KEY=VALUE" to a map; rejects keys in a refusal set.
class MapHandler : public OperationHandler
{
public:
    QMap<QString, QString> values;
    QSet<QString> refused;
    int appliedCount = 0;
    int abortCount = 0;
    bool failApply = false;

    QString lockKey(const QByteArray &operation) const override { return QString::fromUtf8(operation).section(QLatin1Char('='), 0, 0); }
    CheckResult validate(const QByteArray &operation, TransactionRole) override
    {
        const QString key = lockKey(operation);
        if (refused.contains(key))
            return CheckResult::rejected(QStringLiteral("%1 is refused").arg(key));
        return CheckResult::ok();
    }
    CheckResult prepare(const QByteArray &operation, TransactionRole) override
    {
        const QString key = lockKey(operation);
        if (values.contains(key))
            return CheckResult::rejected(QStringLiteral("%1 exists").arg(key));
        return CheckResult::ok();
    }
    bool commit(const QByteArray &, const QByteArray &operation, QString *error) override
    {
        if (failApply) {
            *error = QStringLiteral("apply failed on purpose");
            return false;
        }
        values.insert(lockKey(operation), QString::fromUtf8(operation).section(QLatin1Char('='), 1));
        return true;
    }
    void abort(const QByteArray &, const QByteArray &, TransactionRole) override { ++abortCount; }
    void committed(const QByteArray &, const QByteArray &, TransactionRole) override { ++appliedCount; }
};

struct Server {
    MapHandler handler;
    Journal journal;
    std::unique_ptr<TransactionEngine> engine;

    void open(const QString &path, int timeoutMs = 2000, int compactionMinimumRecords = 1000,
              std::chrono::milliseconds retention = std::chrono::hours(24))
    {
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        TransactionTimings timings;
        timings.voteTimeout = std::chrono::milliseconds(timeoutMs);
        timings.compactionMinimumRecords = compactionMinimumRecords;
        timings.retention = retention;
        engine = std::make_unique<TransactionEngine>(&handler, &journal, timings);
        QVERIFY2(engine->recover(&error), qPrintable(error));
    }
};

struct Result {
    bool done = false;
    TransactionOutcome outcome = TransactionOutcome::TemporaryFailure;
    QString reason;
    QByteArray txid;
    bool repeated = false;
};

QJsonObject request(const char *type, const char *txid, const QByteArray &operation = {})
{
    QJsonObject message{{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("txid"), QLatin1String(txid)}};
    if (!operation.isEmpty())
        message.insert(QStringLiteral("operation"), QString::fromLatin1(operation.toBase64()));
    return message;
}

} // namespace

class TestTransactionEngine : public QObject
{
    Q_OBJECT

private:
    bool m_linkUp = true;
    QSet<QString> m_droppedTypes; // requests of these types are lost on the way

    // Connects coordinator -> participant -> coordinator through the event loop.
    void link(Server &coordinator, Server &participant)
    {
        TransactionEngine *coordinatorEngine = coordinator.engine.get();
        TransactionEngine *participantEngine = participant.engine.get();
        coordinator.engine->setPeerSender([this, coordinatorEngine, participantEngine](const QJsonObject &message) {
            QMetaObject::invokeMethod(participantEngine, [=]() {
                if (!m_linkUp || m_droppedTypes.contains(message.value(QStringLiteral("type")).toString()))
                    return;
                const QJsonObject reply = participantEngine->handleRequest(message);
                QMetaObject::invokeMethod(coordinatorEngine, [=]() {
                    if (m_linkUp)
                        coordinatorEngine->handleReply(reply);
                }, Qt::QueuedConnection);
            }, Qt::QueuedConnection);
        });
    }

    static void coordinate(Server &server, const QByteArray &operation, Result *result, const QString &requestKey = {})
    {
        server.engine->coordinate(operation, requestKey, [result](const TransactionEngine::Result &outcome) {
            result->done = true;
            result->outcome = outcome.outcome;
            result->reason = outcome.reason;
            result->txid = outcome.txid;
            result->repeated = outcome.repeated;
        });
    }

private Q_SLOTS:
    void init()
    {
        m_linkUp = true;
        m_droppedTypes.clear();
    }

    void commitAppliesOnBoth()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);

        Result result;
        coordinate(a, "team=alice", &result);
        QTRY_VERIFY(result.done);
        QCOMPARE(result.outcome, TransactionOutcome::Committed);
        QCOMPARE(a.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
        QTRY_COMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
        QTRY_COMPARE(a.handler.appliedCount, 1);
        QTRY_COMPARE(b.handler.appliedCount, 1);
        QTRY_COMPARE(a.engine->pendingCount(), 0);
        QCOMPARE(b.engine->pendingCount(), 0);
    }

    void participantRejectionAbortsBoth()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        b.handler.refused.insert(QStringLiteral("team"));
        link(a, b);

        Result result;
        coordinate(a, "team=alice", &result);
        QTRY_VERIFY(result.done);
        QCOMPARE(result.outcome, TransactionOutcome::Rejected);
        QVERIFY(result.reason.contains(QStringLiteral("refused")));
        QVERIFY(a.handler.values.isEmpty());
        QVERIFY(b.handler.values.isEmpty());
        QCOMPARE(a.engine->pendingCount(), 0);
    }

    void noPeerIsTemporaryFailure()
    {
        QTemporaryDir dir;
        Server a;
        a.open(dir.filePath(QStringLiteral("a")));
        Result result;
        coordinate(a, "team=alice", &result);
        QVERIFY(result.done);
        QCOMPARE(result.outcome, TransactionOutcome::TemporaryFailure);
        QVERIFY(a.handler.values.isEmpty());
        QCOMPARE(a.journal.records().size(), 0);
    }

    void silentPeerTimesOutAndAborts()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")), 1000);
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);
        m_linkUp = false;

        Result result;
        coordinate(a, "team=alice", &result);
        QTRY_VERIFY_WITH_TIMEOUT(result.done, 5000);
        QCOMPARE(result.outcome, TransactionOutcome::TemporaryFailure);
        QVERIFY(a.handler.values.isEmpty());
        QVERIFY(b.handler.values.isEmpty());
        QCOMPARE(a.journal.records().last().state, QStringLiteral("aborted"));
    }

    void sameNameIsLockedWhileInFlight()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);

        // The second request waits for the name and then meets the first one's result.
        Result first, second;
        coordinate(a, "team=alice", &first);
        coordinate(a, "team=bob", &second);
        QVERIFY(!second.done);
        QTRY_VERIFY(first.done);
        QCOMPARE(first.outcome, TransactionOutcome::Committed);
        QTRY_VERIFY(second.done);
        QCOMPARE(second.outcome, TransactionOutcome::Rejected);
        QCOMPARE(second.reason, QStringLiteral("team exists"));
        QTRY_COMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
    }

    // Both servers coordinate the same name at once. The lower transaction
    // id wins on both sides; the other request runs again and is answered.
    void crossedRequestsNeverDiverge()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);
        link(b, a);

        Result fromA, fromB;
        coordinate(a, "team=alice", &fromA);
        coordinate(b, "team=bob", &fromB);
        QTRY_VERIFY(fromA.done && fromB.done);
        QTRY_COMPARE(a.engine->pendingCount() + b.engine->pendingCount(), 0);
        QCOMPARE(a.handler.values, b.handler.values);
        const int committed = int(fromA.outcome == TransactionOutcome::Committed) + int(fromB.outcome == TransactionOutcome::Committed);
        QCOMPARE(committed, 1);
        const Result &loser = fromA.outcome == TransactionOutcome::Committed ? fromB : fromA;
        QCOMPARE(loser.outcome, TransactionOutcome::Rejected);
        QCOMPARE(loser.reason, QStringLiteral("team exists"));
    }

    void repeatedRequestGetsFirstOutcome()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);

        Result first;
        coordinate(a, "team=alice", &first, QStringLiteral("alice <1@example.org>"));
        QTRY_VERIFY(first.done);
        QCOMPARE(first.outcome, TransactionOutcome::Committed);

        Result again;
        coordinate(a, "team=alice", &again, QStringLiteral("alice <1@example.org>"));
        QVERIFY(again.done);
        QCOMPARE(again.outcome, TransactionOutcome::Committed);
        QVERIFY(again.repeated);
        QCOMPARE(again.txid, first.txid);
        QTRY_COMPARE(b.handler.appliedCount, 1);
        QTRY_COMPARE(a.handler.appliedCount, 1);

        // Another Message-ID is another request.
        Result other;
        coordinate(a, "team=alice", &other, QStringLiteral("alice <2@example.org>"));
        QVERIFY(other.done);
        QCOMPARE(other.outcome, TransactionOutcome::Rejected);
        QVERIFY(!other.repeated);
    }

    void repeatedRejectionIsNotSentAgain()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        b.handler.refused.insert(QStringLiteral("team"));
        link(a, b);

        Result first, again;
        coordinate(a, "team=alice", &first, QStringLiteral("k"));
        QTRY_VERIFY(first.done);
        QCOMPARE(first.outcome, TransactionOutcome::Rejected);
        coordinate(a, "team=alice", &again, QStringLiteral("k"));
        QVERIFY(again.done);
        QCOMPARE(again.outcome, TransactionOutcome::Rejected);
        QVERIFY(again.repeated);
    }

    // The pipe gave up while the commit was in doubt; the redelivery joins
    // the transaction still running and gets its outcome.
    void repeatedRequestJoinsTransactionInFlight()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);

        Result first, again;
        coordinate(a, "team=alice", &first, QStringLiteral("k"));
        coordinate(a, "team=alice", &again, QStringLiteral("k"));
        QTRY_VERIFY(first.done && again.done);
        QCOMPARE(first.outcome, TransactionOutcome::Committed);
        QCOMPARE(again.outcome, TransactionOutcome::Committed);
        QCOMPARE(again.txid, first.txid);
        QVERIFY(!first.repeated);
        QVERIFY(again.repeated);
        QTRY_COMPARE(b.handler.appliedCount, 1);
    }

    // The commit is decided but applying it here fails; a redelivery waits
    // and gets "committed" once the resend timer applies it.
    void redeliveryWaitsForFailedApply()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")), 300);
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);
        a.handler.failApply = true;

        Result first;
        coordinate(a, "team=alice", &first, QStringLiteral("k"));
        QTRY_VERIFY(first.done);
        QCOMPARE(first.outcome, TransactionOutcome::TemporaryFailure);
        QVERIFY(first.reason.startsWith(QStringLiteral("committed, but applying it on this server failed")));

        Result again;
        coordinate(a, "team=alice", &again, QStringLiteral("k"));
        QVERIFY(!again.done);
        a.handler.failApply = false;
        QTRY_VERIFY(again.done);
        QCOMPARE(again.outcome, TransactionOutcome::Committed);
        QCOMPARE(again.txid, first.txid);
        QCOMPARE(a.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
        QTRY_COMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
    }

    void redeliveryRecognisedAfterRestart()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(QStringLiteral("a"));
        Server b;
        b.open(dir.filePath(QStringLiteral("b")));
        QByteArray txid;
        {
            Server a;
            a.open(pathA);
            link(a, b);
            Result first;
            coordinate(a, "team=alice", &first, QStringLiteral("k"));
            QTRY_VERIFY(first.done);
            QTRY_COMPARE(a.engine->pendingCount(), 0);
            txid = first.txid;
        }
        Server a;
        a.open(pathA);
        a.handler.values.insert(QStringLiteral("team"), QStringLiteral("alice"));
        link(a, b);
        Result again;
        coordinate(a, "team=alice", &again, QStringLiteral("k"));
        QVERIFY(again.done);
        QCOMPARE(again.outcome, TransactionOutcome::Committed);
        QCOMPARE(again.txid, txid);
        QVERIFY(again.repeated);
    }

    void compactionKeepsStateAndShrinks()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(QStringLiteral("a"));
        Server b;
        b.open(dir.filePath(QStringLiteral("b")));
        {
            Server a;
            a.open(pathA, 2000, 20);
            link(a, b);
            for (int i = 0; i < 40; ++i) {
                Result result;
                coordinate(a, QByteArray("name") + QByteArray::number(i) + "=x", &result, QStringLiteral("key%1").arg(i));
                QTRY_VERIFY(result.done);
                QTRY_COMPARE(a.engine->pendingCount(), 0);
            }
            // Four records per transaction without compaction; one each with it.
            QTRY_VERIFY2(a.journal.records().size() < 80, qPrintable(QString::number(a.journal.records().size())));
        }

        QFile file(pathA);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const int lines = file.readAll().count('\n');
        QVERIFY2(lines < 80, qPrintable(QString::number(lines)));

        // Finished transactions within the retention time are still known.
        Server a;
        a.open(pathA);
        link(a, b);
        Result again;
        coordinate(a, "name3=x", &again, QStringLiteral("key3"));
        QVERIFY(again.done);
        QVERIFY(again.repeated);
        QCOMPARE(again.outcome, TransactionOutcome::Committed);
        QCOMPARE(a.engine->pendingCount(), 0);
    }

    void compactionDropsFinishedPastRetention()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(QStringLiteral("a"));
        Server b;
        b.open(dir.filePath(QStringLiteral("b")));
        {
            Server a;
            a.open(pathA);
            link(a, b);
            Result result;
            coordinate(a, "team=alice", &result, QStringLiteral("k"));
            QTRY_VERIFY(result.done);
            QTRY_COMPARE(a.engine->pendingCount(), 0);
        }
        QTest::qWait(20);
        Server a;
        a.open(pathA, 2000, 1000, std::chrono::milliseconds(1));
        QCOMPARE(a.journal.records().size(), 0);
    }

    // A participant left prepared asks the coordinator for the outcome
    // instead of waiting for it to be sent again.
    void preparedParticipantAsksCoordinator()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);

        // Every commit is lost on the way: b stays prepared.
        m_droppedTypes.insert(QStringLiteral("commit"));
        Result result;
        coordinate(a, "team=alice", &result);
        QTRY_VERIFY(result.done);
        QCOMPARE(result.outcome, TransactionOutcome::Committed);
        QTest::qWait(50);
        QCOMPARE(b.engine->pendingCount(), 1);
        QVERIFY(!b.handler.values.contains(QStringLiteral("team")));

        // b's own outbound link carries the question.
        link(b, a);
        QTRY_COMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
        QCOMPARE(b.engine->pendingCount(), 0);
    }

    void coordinatorRestartAbortsUndecided()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(QStringLiteral("a"));
        {
            Server a, b;
            a.open(pathA, 1000);
            b.open(dir.filePath(QStringLiteral("b")));
            link(a, b);
            m_linkUp = false;
            Result result;
            coordinate(a, "team=alice", &result);
            // Simulate a crash right after "begun": drop the engine before the timeout.
        }
        m_linkUp = true;
        Server restarted;
        restarted.open(pathA);
        QCOMPARE(restarted.journal.records().last().state, QStringLiteral("aborted"));
        QCOMPARE(restarted.engine->pendingCount(), 1); // the abort still has to reach the participant

        // The participant never saw the prepare; the abort still finishes the transaction.
        Server participant;
        participant.open(dir.filePath(QStringLiteral("b2")));
        link(restarted, participant);
        QTRY_COMPARE(restarted.engine->pendingCount(), 0);
        QCOMPARE(restarted.journal.records().last().state, QStringLiteral("finished"));
    }

    void participantRestartKeepsPreparedUntilCommit()
    {
        QTemporaryDir dir;
        Server a;
        a.open(dir.filePath(QStringLiteral("a")));
        const QString pathB = dir.filePath(QStringLiteral("b"));
        QByteArray txid;
        {
            Server b;
            b.open(pathB);
            QJsonObject prepare{{QStringLiteral("type"), QStringLiteral("prepare")},
                                {QStringLiteral("txid"), QStringLiteral("tx-1")},
                                {QStringLiteral("operation"), QString::fromLatin1(QByteArray("team=alice").toBase64())}};
            const QJsonObject vote = b.engine->handleRequest(prepare);
            QCOMPARE(vote.value(QStringLiteral("vote")).toString(), QStringLiteral("yes"));
        }

        Server b;
        b.open(pathB);
        QCOMPARE(b.engine->pendingCount(), 1);

        // The name stays locked until the outcome arrives.
        QJsonObject other{{QStringLiteral("type"), QStringLiteral("prepare")},
                          {QStringLiteral("txid"), QStringLiteral("tx-2")},
                          {QStringLiteral("operation"), QString::fromLatin1(QByteArray("team=bob").toBase64())}};
        QCOMPARE(b.engine->handleRequest(other).value(QStringLiteral("vote")).toString(), QStringLiteral("no"));

        const QJsonObject ack = b.engine->handleRequest(request("commit", "tx-1"));
        QCOMPARE(ack.value(QStringLiteral("outcome")).toString(), QStringLiteral("committed"));
        QCOMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));

        // A repeated commit gets its reply from the journal and is not applied twice.
        b.engine->handleRequest(request("commit", "tx-1"));
        QTRY_COMPARE(b.handler.appliedCount, 1);
        QCOMPARE(b.engine->pendingCount(), 0);

        // An abort after the commit is refused, not obeyed.
        const QJsonObject late = b.engine->handleRequest(request("abort", "tx-1"));
        QCOMPARE(late.value(QStringLiteral("error")).toString(), QStringLiteral("the transaction is already committed here"));
        QCOMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
    }

    // The tie rule by itself. A prepare with a lower id than this server's
    // own undecided transaction for the name wins, and a higher one gets "busy".
    void tieGoesToLowerTransactionId()
    {
        QTemporaryDir dir;
        Server a, b;
        a.open(dir.filePath(QStringLiteral("a")));
        b.open(dir.filePath(QStringLiteral("b")));
        link(a, b);
        m_linkUp = false; // a's own prepare never arrives, so it stays undecided

        Result own;
        coordinate(a, "team=alice", &own);
        const QByteArray ownTxid = a.journal.records().last().txid;
        const QJsonObject higher = a.engine->handleRequest(request("prepare", "ffffffff-ffff", "team=bob"));
        QCOMPARE(higher.value(QStringLiteral("vote")).toString(), QStringLiteral("no"));
        QCOMPARE(higher.value(QStringLiteral("code")).toString(), QStringLiteral("busy"));

        const QJsonObject lower = a.engine->handleRequest(request("prepare", "00000000-0000", "team=bob"));
        QCOMPARE(lower.value(QStringLiteral("vote")).toString(), QStringLiteral("yes"));
        QVERIFY(ownTxid > QByteArray("00000000-0000"));
        QCOMPARE(a.handler.abortCount, 1);
    }
};

QTEST_GUILESS_MAIN(TestTransactionEngine)
#include "tst_transactionengine.moc"
