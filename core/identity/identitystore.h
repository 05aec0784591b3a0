// This server's identity on disk: key.pem and cert.pem in one directory.
//
// Contract: the private key file is created with mode 0600 and never
// overwritten; the directory is created with mode 0700. Loading rejects a
// key that group or others can read. A key that does not match the
// certificate is caught by the TLS library when the server starts listening.
#pragma once

#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <optional>

namespace aliassync {

struct Identity {
    QSslCertificate certificate;
    QSslKey privateKey;
};

QString identityKeyPath(const QString &directory);
QString identityCertificatePath(const QString &directory);

// Generates a new identity with commonName; fails if one already exists there.
std::optional<Identity> createIdentity(const QString &directory, const QString &commonName, QString *error);
std::optional<Identity> loadIdentity(const QString &directory, QString *error);
std::optional<QSslCertificate> loadCertificate(const QString &path, QString *error);

} // namespace aliassync
