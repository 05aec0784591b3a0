// The two-phase commit between two engines in one process, with the peer
// link replaced by queued calls that a test can cut.

#include "transactionengine.h"

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
    bool failApply = false;

    QString lockKey(const QByteArray &operation) const override { return QString::fromUtf8(operation).section(QLatin1Char('='), 0, 0); }
    CheckResult check(const QByteArray &operation, TransactionRole) override
    {
        const QString key = lockKey(operation);
        if (refused.contains(key))
            return CheckResult::rejected(QStringLiteral("%1 is refused").arg(key));
        if (values.contains(key))
            return CheckResult::rejected(QStringLiteral("%1 exists").arg(key));
        return CheckResult::ok();
    }
    bool apply(const QByteArray &, const QByteArray &operation, QString *error) override
    {
        if (failApply) {
            *error = QStringLiteral("apply failed on purpose");
            return false;
        }
        values.insert(lockKey(operation), QString::fromUtf8(operation).section(QLatin1Char('='), 1));
        return true;
    }
    void applied(const QByteArray &, const QByteArray &, TransactionRole) override { ++appliedCount; }
};

struct Server {
    MapHandler handler;
    Journal journal;
    std::unique_ptr<TransactionEngine> engine;

    void open(const QString &path, int timeoutSeconds = 2)
    {
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        engine = std::make_unique<TransactionEngine>(&handler, &journal, timeoutSeconds);
        QVERIFY2(engine->recover(&error), qPrintable(error));
    }
};

struct Result {
    bool done = false;
    TransactionOutcome outcome = TransactionOutcome::TemporaryFailure;
    QString reason;
};

} // namespace

class TestTransactionEngine : public QObject
{
    Q_OBJECT

private:
    bool m_linkUp = true;

    // Connects coordinator -> participant -> coordinator through the event loop.
    void link(Server &coordinator, Server &participant)
    {
        TransactionEngine *coordinatorEngine = coordinator.engine.get();
        TransactionEngine *participantEngine = participant.engine.get();
        coordinator.engine->setPeerSender([this, coordinatorEngine, participantEngine](const QJsonObject &message) {
            QMetaObject::invokeMethod(participantEngine, [=]() {
                if (!m_linkUp)
                    return;
                const QJsonObject reply = participantEngine->handleRequestFromCoordinator(message);
                QMetaObject::invokeMethod(coordinatorEngine, [=]() {
                    if (m_linkUp)
                        coordinatorEngine->handleReplyFromParticipant(reply);
                }, Qt::QueuedConnection);
            }, Qt::QueuedConnection);
        });
    }

    static void coordinate(Server &server, const QByteArray &operation, Result *result)
    {
        server.engine->coordinate(operation, [result](TransactionOutcome outcome, const QString &reason, const QByteArray &) {
            result->done = true;
            result->outcome = outcome;
            result->reason = reason;
        });
    }

private Q_SLOTS:
    void init() { m_linkUp = true; }

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
        QCOMPARE(a.handler.appliedCount, 1);
        QCOMPARE(b.handler.appliedCount, 1);
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
        a.open(dir.filePath(QStringLiteral("a")), 1);
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

        Result first, second;
        coordinate(a, "team=alice", &first);
        coordinate(a, "team=bob", &second);
        QVERIFY(second.done);
        QCOMPARE(second.outcome, TransactionOutcome::TemporaryFailure);
        QTRY_VERIFY(first.done);
        QCOMPARE(first.outcome, TransactionOutcome::Committed);
        QTRY_COMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));
    }

    // Both servers coordinate the same name at once. Each participant finds
    // the name locked by its own coordination and votes no, so neither wins
    // and both requests are retried later, never one on each side.
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
        QCOMPARE(a.handler.values, b.handler.values);
        QVERIFY(!(fromA.outcome == TransactionOutcome::Committed && fromB.outcome == TransactionOutcome::Committed));
    }

    void coordinatorRestartAbortsUndecided()
    {
        QTemporaryDir dir;
        const QString pathA = dir.filePath(QStringLiteral("a"));
        {
            Server a, b;
            a.open(pathA, 1);
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
            const QJsonObject vote = b.engine->handleRequestFromCoordinator(prepare);
            QCOMPARE(vote.value(QStringLiteral("vote")).toString(), QStringLiteral("yes"));
        }

        Server b;
        b.open(pathB);
        QCOMPARE(b.engine->pendingCount(), 1);

        // The name stays locked until the outcome arrives.
        QJsonObject other{{QStringLiteral("type"), QStringLiteral("prepare")},
                          {QStringLiteral("txid"), QStringLiteral("tx-2")},
                          {QStringLiteral("operation"), QString::fromLatin1(QByteArray("team=bob").toBase64())}};
        QCOMPARE(b.engine->handleRequestFromCoordinator(other).value(QStringLiteral("vote")).toString(), QStringLiteral("no"));

        const QJsonObject ack = b.engine->handleRequestFromCoordinator(
            {{QStringLiteral("type"), QStringLiteral("commit")}, {QStringLiteral("txid"), QStringLiteral("tx-1")}});
        QCOMPARE(ack.value(QStringLiteral("outcome")).toString(), QStringLiteral("committed"));
        QCOMPARE(b.handler.values.value(QStringLiteral("team")), QStringLiteral("alice"));

        // A repeated commit gets its reply from the journal and is not applied twice.
        b.engine->handleRequestFromCoordinator(
            {{QStringLiteral("type"), QStringLiteral("commit")}, {QStringLiteral("txid"), QStringLiteral("tx-1")}});
        QCOMPARE(b.handler.appliedCount, 1);
        QCOMPARE(b.engine->pendingCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestTransactionEngine)
#include "tst_transactionengine.moc"
