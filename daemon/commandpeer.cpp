#include "commands.h"
#include "fingerprint.h"
#include "identitystore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>

namespace aliassync {

namespace {

// Gives lupdate and QTranslator the context "peer" for this file's messages.
struct Text {
    Q_DECLARE_TR_FUNCTIONS(peer)
};

int pinPeer(const Config &config, const QString &certificateFile)
{
    QTextStream err(stderr);
    QString error;
    const auto certificate = loadCertificate(certificateFile, &error);
    if (!certificate) {
        err << "alias-sync peer pin: " << error << '\n';
        return 1;
    }

    // Pinning our own certificate would make the daemon talk to itself.
    const auto own = loadCertificate(identityCertificatePath(config.identityDirectory), &error);
    if (own && certificateDigest(*own) == certificateDigest(*certificate)) {
        err << "alias-sync peer pin: "
            << Text::tr("%1 is this server's own certificate; pin the other server's certificate").arg(certificateFile) << '\n';
        return 1;
    }

    // QSaveFile writes a temporary file and renames it, so the daemon's
    // watcher never reads half a certificate.
    QDir().mkpath(QFileInfo(config.peerCertificate).absolutePath());
    QSaveFile file(config.peerCertificate);
    if (!file.open(QIODevice::WriteOnly) || file.write(certificate->toPem()) < 0
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                                | QFileDevice::ReadOther)
        || !file.commit()) {
        err << "alias-sync peer pin: " << Text::tr("cannot write %1: %2").arg(config.peerCertificate, file.errorString()) << '\n';
        return 1;
    }

    QTextStream(stdout) << Text::tr("Pinned the peer certificate of %1:\n")
                               .arg(certificate->subjectInfo(QSslCertificate::CommonName).value(0))
                        << certificateFingerprint(*certificate) << '\n'
                        << Text::tr("Compare this fingerprint with the one 'alias-sync init' printed on the other server.\n");
    return 0;
}

int showPeer(const Config &config)
{
    QTextStream out(stdout);
    QString error;
    const auto own = loadCertificate(identityCertificatePath(config.identityDirectory), &error);
    out << Text::tr("this server: ") << (own ? certificateFingerprint(*own) : error) << '\n';
    const auto pinned = loadCertificate(config.peerCertificate, &error);
    out << Text::tr("pinned peer: ")
        << (pinned ? certificateFingerprint(*pinned)
                   : error + Text::tr("; run 'alias-sync peer pin FILE' with the other server's certificate"))
        << '\n';
    return own && pinned ? 0 : 1;
}

} // namespace

int runPeer(const Config &config, const QStringList &arguments)
{
    if (arguments.size() == 2 && arguments.first() == QStringLiteral("pin"))
        return pinPeer(config, arguments.at(1));
    if (arguments.size() == 1 && arguments.first() == QStringLiteral("show"))
        return showPeer(config);
    QTextStream(stderr) << Text::tr("usage: alias-sync peer pin FILE | alias-sync peer show\n");
    return 2;
}

} // namespace aliassync
