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

namespace aliassync {

inline constexpr int peerProtocolVersion = 1;

class PeerConnection : public QObject
{
    Q_OBJECT
public:
    PeerConnection(QSslSocket *socket, const QString &peerServerName, const QByteArray &bufferedBytes,
                   QObject *parent = nullptr);

    void send(const QJsonObject &message);
    void close();
    QString peerServerName() const { return m_peerServerName; }
    QString peerAddress() const;

Q_SIGNALS:
    void messageReceived(const QJsonObject &message);
    void closed();

private:
    void readFrames();

    QSslSocket *m_socket;
    QString m_peerServerName;
    FrameReader m_reader;
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
