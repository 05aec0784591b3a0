// The settings of one alias-sync server, read from one file.
//
// Contract: every path, address, port and name the programs use comes from
// here, so two servers can run side by side on one machine. Unknown keys and
// bad values are errors that name the file and line; nothing is defaulted
// behind the admin's back except the documented defaults below.
#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace aliassync {

using Milliseconds = std::chrono::milliseconds;

inline constexpr const char *defaultConfigFile = "/etc/alias-sync/alias-sync.conf";

struct Config {
    QString fileName;

    QString serverName;                 // this server's name: certificate subject and alias metadata
    QStringList domains;                // served domains; the first is the primary one
    QString designatedLocalPart = QStringLiteral("makealias");
    QStringList administrators;         // SASL logins allowed to point aliases at other people
    QStringList reservedNames;          // refused in addition to the built-in reserved names

    QString aliasFile = QStringLiteral("/var/lib/alias-sync/aliases");
    QString journalFile = QStringLiteral("/var/lib/alias-sync/journal");
    QString identityDirectory = QStringLiteral("/var/lib/alias-sync/identity");
    QString peerCertificate = QStringLiteral("/etc/alias-sync/peer.pem");
    QString requestSocket = QStringLiteral("/run/alias-sync/request.sock");
    QString controlSocket = QStringLiteral("/run/alias-sync/control.sock");

    QString listenAddress = QStringLiteral("*");
    quint16 listenPort = 7625;
    QString peerAddress;
    quint16 peerPort = 7625;

    QString postfixConfigDirectory = QStringLiteral("/etc/postfix");
    QString postfixCommandDirectory = QStringLiteral("/usr/sbin");
    QString sendmailPath = QStringLiteral("/usr/sbin/sendmail");

    // Request mail limits.
    qint64 requestSizeLimit = 1048576; // bytes the pipe reads of a request message; larger ones are rejected
    int requestRateLimit = 10;         // requests one login may make per requestRateWindow; 0: no limit

    // Durations, written in the file as a number with an optional unit (ms, s, m, h, d).
    Milliseconds transactionTimeout{30000}; // the coordinator's wait for a vote; also the resend interval
    Milliseconds requestTimeout{300000};    // the pipe's wait for the daemon; far below pipe(8)'s 1000 s
    Milliseconds heartbeatInterval{10000};  // a ping goes out on a peer connection idle this long
    Milliseconds heartbeatTimeout{30000};   // a peer connection silent this long is closed
    Milliseconds reconnectMin{1000};        // first wait of the reconnect backoff, doubled after each failure
    Milliseconds reconnectMax{30000};       // ceiling of the reconnect backoff
    Milliseconds journalRetention{7LL * 24 * 3600 * 1000}; // how long finished transactions stay in the journal
    Milliseconds requestRateWindow{3600000};               // the sliding window of requestRateLimit

    // Reads and checks the file; returns nothing with *error as "FILE:LINE: ..." on the first problem.
    // The settings that only serving mail needs are checked by checkServesMail().
    static std::optional<Config> load(const QString &fileName, QString *error);

    // Whatever handles requests (the daemon, the pipe, configure-postfix)
    // needs the served domains; creating the identity and pairing do not.
    bool checkServesMail(QString *error) const;

    // Every setting name, in the order of specs/config.md.
    static QStringList keys();

    // The effective value of one setting, default included, as the file
    // would spell it; nothing for an unknown name.
    std::optional<QString> value(const QString &key) const;

    QString primaryDomain() const { return domains.value(0); }
    QString designatedAddress() const { return designatedLocalPart + QLatin1Char('@') + primaryDomain(); }
};

} // namespace aliassync
