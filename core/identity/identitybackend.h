// Key and certificate generation behind one small interface.
//
// Contract: a backend creates an ECDSA P-256 private key and a self-signed
// X.509 certificate for it, both PEM-encoded, or reports why it could not.
// Debian 12 has no Qt 6 build of QCA, so the only backend is OpenSSL 3's
// libcrypto; a QCA backend would implement the same interface.
#pragma once

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace aliassync {

struct GeneratedIdentity {
    QByteArray privateKeyPem;   // PKCS#8, unencrypted: protect it with file modes
    QByteArray certificatePem;
};

class IdentityBackend
{
public:
    virtual ~IdentityBackend() = default;
    virtual QString name() const = 0;
    virtual std::optional<GeneratedIdentity> generate(const QString &commonName, int validDays, QString *error) = 0;
};

std::unique_ptr<IdentityBackend> createDefaultIdentityBackend();

} // namespace aliassync
