#include "identitystore.h"
#include "identitybackend.h"
#include "durablewrite.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {

namespace {

// Ten years: rotation, not expiry, is how a pinned certificate is replaced.
constexpr int certificateValidDays = 3650;

// Gives lupdate and QTranslator the context "Identity" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(Identity)
};

} // namespace

QString identityKeyPath(const QString &directory)
{
    return directory + QStringLiteral("/key.pem");
}

QString identityCertificatePath(const QString &directory)
{
    return directory + QStringLiteral("/cert.pem");
}

std::optional<Identity> createIdentity(const QString &directory, const QString &commonName, QString *error)
{
    if (QFileInfo::exists(identityKeyPath(directory)) || QFileInfo::exists(identityCertificatePath(directory))) {
        *error = Text::tr("an identity already exists in %1; remove key.pem and cert.pem there first to replace it").arg(directory);
        return std::nullopt;
    }
    if (!QDir().mkpath(directory) || ::chmod(QFile::encodeName(directory).constData(), 0700) != 0) {
        *error = Text::tr("cannot create the directory %1 with mode 0700").arg(directory);
        return std::nullopt;
    }

    const auto generated = createDefaultIdentityBackend()->generate(commonName, certificateValidDays, error);
    if (!generated)
        return std::nullopt;

    // The key goes first: a certificate without its key is useless, but a key
    // left alone is harmless and blocks a second init from losing it.
    if (!writeFileSynced(identityKeyPath(directory), generated->privateKeyPem, 0600, CreateMode::Exclusive, error)
        || !writeFileSynced(identityCertificatePath(directory), generated->certificatePem, 0644, CreateMode::Exclusive, error))
        return std::nullopt;
    return loadIdentity(directory, error);
}

std::optional<QSslCertificate> loadCertificate(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = Text::tr("cannot read the certificate %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.size() != 1 || certificates.first().isNull()) {
        *error = Text::tr("%1 does not contain exactly one PEM certificate").arg(path);
        return std::nullopt;
    }
    return certificates.first();
}

std::optional<Identity> loadIdentity(const QString &directory, QString *error)
{
    const QString keyPath = identityKeyPath(directory);
    struct stat keyStat {};
    if (::stat(QFile::encodeName(keyPath).constData(), &keyStat) != 0) {
        if (errno == ENOENT)
            *error = Text::tr("no private key at %1; run 'alias-sync init' first").arg(keyPath);
        else
            *error = Text::tr("cannot read %1: %2; the key must belong to the user that runs the daemon (chown -R alias-sync: %3)")
                         .arg(keyPath, QString::fromLocal8Bit(strerror(errno)), directory);
        return std::nullopt;
    }
    if (keyStat.st_mode & 0077) {
        *error = Text::tr("the private key %1 is readable by group or others (mode %2); run chmod 600 on it")
                     .arg(keyPath).arg(keyStat.st_mode & 0777, 4, 8, QLatin1Char('0'));
        return std::nullopt;
    }

    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = Text::tr("cannot read the private key %1: %2").arg(keyPath, keyFile.errorString());
        return std::nullopt;
    }
    Identity identity;
    identity.privateKey = QSslKey(keyFile.readAll(), QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    if (identity.privateKey.isNull()) {
        *error = Text::tr("the private key %1 is not a valid PEM EC key").arg(keyPath);
        return std::nullopt;
    }

    const auto certificate = loadCertificate(identityCertificatePath(directory), error);
    if (!certificate)
        return std::nullopt;
    identity.certificate = *certificate;
    return identity;
}

} // namespace aliassync
