// The libcrypto (OpenSSL 3) implementation of IdentityBackend.
#pragma once

#include "identitybackend.h"

namespace aliassync {

class OpenSslIdentityBackend : public IdentityBackend
{
public:
    QString name() const override { return QStringLiteral("openssl"); }
    std::optional<GeneratedIdentity> generate(const QString &commonName, int validDays, QString *error) override;
};

} // namespace aliassync
