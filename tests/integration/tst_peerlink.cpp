// Mutual TLS with pinned certificates over real sockets on 127.0.0.1.

#include "framing.h"
#include "identitystore.h"
#include "peerconnector.h"
#include "peerserver.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace aliassync;

class TestPeerLink : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Identity m_a, m_b, m_stranger;

    Identity makeIdentity(const QString &name)
    {
        QString error;
        const auto identity = createIdentity(m_dir.filePath(name), name, &error);
        if (!identity)
            qFatal("cannot create identity: %s", qPrintable(error));
        return *identity;
    }

    static LinkTimings quickTimings()
    {
        LinkTimings timings;
        timings.heartbeatInterval = std::chrono::milliseconds(100);
        timings.heartbeatTimeout = std::chrono::milliseconds(400);
        timings.reconnectMin = std::chrono::milliseconds(50);
        timings.reconnectMax = std::chrono::milliseconds(200);
        return timings;
    }

    // A client that completes the hello exchange by hand, announcing
    // version, and then stays silent: it never answers a ping.
    std::unique_ptr<QSslSocket> connectByHand(quint16 port, int version)
    {
        auto socket = std::make_unique<QSslSocket>();
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates({m_b.certificate});
        configuration.setLocalCertificate(m_a.certificate);
        configuration.setPrivateKey(m_a.privateKey);
        configuration.setProtocol(QSsl::TlsV1_3OrLater);
        socket->setSslConfiguration(configuration);
        // The server runs in this thread, so the client must not block the event loop.
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, QStringLiteral("mx2.example.org"));
        QSslSocket *raw = socket.get();
        if (!QTest::qWaitFor([raw]() { return raw->isEncrypted() && raw->bytesAvailable() > 0; }, 5000))
            return nullptr;
        raw->readAll();
        QJsonObject hello = helloMessage(QStringLiteral("mx1.example.org"));
        hello.insert(QStringLiteral("protocol"), version);
        socket->write(encodeFrame(hello));
        socket->flush();
        return socket;
    }

    static quint16 listenOnFreePort(PeerServer &server)
    {
        for (quint16 port = 47000; port < 47100; ++port) {
            QString error;
            if (server.listen(QHostAddress::LocalHost, port, &error))
                return port;
        }
        return 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_a = makeIdentity(QStringLiteral("mx1.example.org"));
        m_b = makeIdentity(QStringLiteral("mx2.example.org"));
        m_stranger = makeIdentity(QStringLiteral("mx1.example.org.stranger"));
    }

    void pinnedPeersConnectAndExchange()
    {
        PeerServer server(QStringLiteral("mx2.example.org"));
        server.setCredentials(m_b, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);

        PeerConnector connector(QStringLiteral("mx1.example.org"), QStringLiteral("127.0.0.1"), port, quickTimings());
        connector.setCredentials(m_a, m_b.certificate);
        QSignalSpy serverSide(&server, &PeerServer::peerConnected);
        QSignalSpy clientSide(&connector, &PeerConnector::linkUp);
        connector.start();
        QVERIFY(clientSide.wait(10000));
        if (serverSide.isEmpty())
            QVERIFY(serverSide.wait(5000));

        auto *inbound = serverSide.first().first().value<PeerConnection *>();
        auto *outbound = clientSide.first().first().value<PeerConnection *>();
        QCOMPARE(inbound->peerServerName(), QStringLiteral("mx1.example.org"));
        QCOMPARE(outbound->peerServerName(), QStringLiteral("mx2.example.org"));

        QSignalSpy received(inbound, &PeerConnection::messageReceived);
        outbound->send({{QStringLiteral("type"), QStringLiteral("query")}});
        QVERIFY(received.wait(5000));
        QCOMPARE(received.first().first().toJsonObject().value(QStringLiteral("type")).toString(), QStringLiteral("query"));
    }

    // The client pins b, but a stranger accepts the connection: the client rejects it during the handshake.
    void clientRejectsWrongServerCertificate()
    {
        PeerServer server(QStringLiteral("mx2.example.org"));
        server.setCredentials(m_stranger, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);

        PeerConnector connector(QStringLiteral("mx1.example.org"), QStringLiteral("127.0.0.1"), port, quickTimings());
        connector.setCredentials(m_a, m_b.certificate);
        QSignalSpy serverSide(&server, &PeerServer::peerConnected);
        QSignalSpy clientSide(&connector, &PeerConnector::linkUp);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("rejected peer .*pinned peer certificate is")));
        connector.start();
        QVERIFY(!clientSide.wait(3000));
        QVERIFY(serverSide.isEmpty());
    }

    // The server pins a, but the stranger connects: TLS 1.3 lets the client
    // finish its handshake, so only the missing hello shows it that it was rejected.
    void serverRejectsWrongClientCertificate()
    {
        PeerServer server(QStringLiteral("mx2.example.org"));
        server.setCredentials(m_b, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);

        PeerConnector connector(QStringLiteral("mx1.example.org"), QStringLiteral("127.0.0.1"), port, quickTimings());
        connector.setCredentials(m_stranger, m_b.certificate);
        QSignalSpy serverSide(&server, &PeerServer::peerConnected);
        QSignalSpy clientSide(&connector, &PeerConnector::linkUp);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("rejected peer connection .*presenting certificate .*pinned")));
        connector.start();
        QVERIFY(!clientSide.wait(3000));
        QVERIFY(serverSide.isEmpty());
        QVERIFY(!connector.isUp());
    }

    // A client with no certificate at all never gets a link either.
    void serverRejectsMissingClientCertificate()
    {
        PeerServer server(QStringLiteral("mx2.example.org"));
        server.setCredentials(m_b, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);

        QSslSocket socket;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates({m_b.certificate});
        configuration.setProtocol(QSsl::TlsV1_3OrLater);
        socket.setSslConfiguration(configuration);
        QSignalSpy serverSide(&server, &PeerServer::peerConnected);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("rejected peer connection .*presenting no certificate.*pinned peer certificate is")));
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, QStringLiteral("mx2.example.org"));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
        QVERIFY(socket.bytesAvailable() == 0);
        QVERIFY(serverSide.isEmpty());
    }

    // Pings keep an idle link up well past the silence limit.
    void idleLinkStaysUp()
    {
        PeerServer server(QStringLiteral("mx2.example.org"), quickTimings());
        server.setCredentials(m_b, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);
        PeerConnector connector(QStringLiteral("mx1.example.org"), QStringLiteral("127.0.0.1"), port, quickTimings());
        connector.setCredentials(m_a, m_b.certificate);
        QSignalSpy clientSide(&connector, &PeerConnector::linkUp);
        QSignalSpy down(&connector, &PeerConnector::linkDown);
        connector.start();
        QVERIFY(clientSide.wait(5000));

        QTest::qWait(1500);
        QVERIFY(connector.isUp());
        QCOMPARE(down.size(), 0);
    }

    // A peer that stops answering without closing the connection is cut
    // off after heartbeat_timeout, as a dropped route or a frozen host would be.
    void silentPeerIsClosed()
    {
        PeerServer server(QStringLiteral("mx2.example.org"), quickTimings());
        server.setCredentials(m_b, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);
        QSignalSpy serverSide(&server, &PeerServer::peerConnected);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("heard nothing for 400 ms; closing it")));

        const auto socket = connectByHand(port, peerProtocolVersion);
        QVERIFY(socket);
        QVERIFY(serverSide.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::UnconnectedState, 3000);
    }

    // The server names both versions when the client speaks another one.
    void serverLogsVersionMismatch()
    {
        PeerServer server(QStringLiteral("mx2.example.org"), quickTimings());
        server.setCredentials(m_b, m_a.certificate);
        const quint16 port = listenOnFreePort(server);
        QVERIFY(port);
        QSignalSpy serverSide(&server, &PeerServer::peerConnected);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("rejected peer 127.0.0.1 : peer speaks protocol version 99, this server speaks %1")
                                                    .arg(peerProtocolVersion)));

        const auto socket = connectByHand(port, 99);
        QVERIFY(socket);
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::UnconnectedState, 3000);
        QVERIFY(serverSide.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPeerLink)
#include "tst_peerlink.moc"
