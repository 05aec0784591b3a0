#include "commands.h"
#include "fingerprint.h"
#include "identitystore.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <unistd.h>

namespace aliassync {

int runInit(const Config &config, bool ifAbsent)
{
    // The package's postinst runs `init --if-absent` on every configure, so
    // an upgrade or a reinstall keeps the identity the peer has pinned.
    if (ifAbsent && QFileInfo::exists(identityKeyPath(config.identityDirectory))
        && QFileInfo::exists(identityCertificatePath(config.identityDirectory))) {
        QTextStream(stdout) << QCoreApplication::translate("init", "The identity in %1 exists; kept it.\n").arg(config.identityDirectory);
        return 0;
    }

    // The daemon runs as its own user and must be able to read the key.
    if (::geteuid() == 0)
        QTextStream(stderr) << QCoreApplication::translate("init",
            "alias-sync init: warning: running as root, so the key will belong to root; "
            "run it as the daemon's user (runuser -u alias-sync -- alias-sync init) or chown the identity directory afterwards\n");

    QString error;
    const auto identity = createIdentity(config.identityDirectory, config.serverName, &error);
    if (!identity) {
        QTextStream(stderr) << "alias-sync init: " << error << '\n';
        return 1;
    }

    QTextStream out(stdout);
    out << QCoreApplication::translate("init", "Created the identity of %1 in %2.\n")
               .arg(config.serverName, config.identityDirectory)
        << QCoreApplication::translate("init", "Certificate fingerprint (SHA-256):\n")
        << certificateFingerprint(identity->certificate) << '\n'
        << QCoreApplication::translate("init", "Copy %1 to the other server and run 'alias-sync peer pin FILE' there.\n")
               .arg(identityCertificatePath(config.identityDirectory));
    return 0;
}

} // namespace aliassync
