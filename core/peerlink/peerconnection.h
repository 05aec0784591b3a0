// One authenticated peer link: framed JSON messages over a QSslSocket.
//
// Contract: a PeerConnection exists only after the TLS handshake succeeded,
// the certificate digest matched the pin, and both hellos were exchanged
// with the same protocol version. It owns the socket and deletes itself
// (deleteLater) after emitting closed().
#pragma once

#include "framing.h"

#include <QObject>
#include <QPointer>
#include <QSslSocket>
#include <QTimer>

#include <chrono>

namespace aliassync {

// Version 2 added ping/pong, query/outcome, state and entries messages.
inline constexpr int peerProtocolVersion = 2;

// The version this server announces: peerProtocolVersion, except in test
// builds where ALIAS_SYNC_TEST_PROTOCOL_VERSION overrides it.
int announcedProtocolVersion();

struct LinkTimings {
    std::chrono::milliseconds heartbeatInterval{10000}; // a ping goes out when nothing was sent for this long
    std::chrono::milliseconds heartbeatTimeout{30000};  // the link closes when nothing arrived for this long
    std::chrono::milliseconds reconnectMin{1000};
    std::chrono::milliseconds reconnectMax{30000};
};

class PeerConnection : public QObject
{
    Q_OBJECT
public:
    PeerConnection(QSslSocket *socket, const QString &peerServerName, const QByteArray &bufferedBytes,
                   const LinkTimings &timings, QObject *parent = nullptr);

    void send(const QJsonObject &message);
    void close();
    QString peerServerName() const { return m_peerServerName; }
    QString peerAddress() const;

Q_SIGNALS:
    void messageReceived(const QJsonObject &message);
    void closed();

private:
    void readFrames();
    bool handleHeartbeat(const QJsonObject &message);

    QSslSocket *m_socket;
    QString m_peerServerName;
    FrameReader m_reader;
    LinkTimings m_timings;
    QTimer m_idleTimer;    // restarted by every send; sends a ping when it fires
    QTimer m_silenceTimer; // restarted by every received frame; closes the link when it fires
    bool m_closed = false;
};

// Builds the hello message both sides send.
QJsonObject helloMessage(const QString &serverName);

// Checks a received hello; returns an empty string when it is acceptable.
QString helloProblem(const QJsonObject &message);

struct HelloResult {
    enum class Status { Incomplete, Accepted, Rejected };
    Status status = Status::Incomplete;
    QJsonObject hello;   // when Accepted
    QString problem;     // when Rejected
};

// Reads what socket has into reader and checks the first frame as a hello.
HelloResult readHello(QSslSocket *socket, FrameReader *reader);

} // namespace aliassync
