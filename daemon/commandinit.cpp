#include "commands.h"
#include "fingerprint.h"
#include "identitystore.h"

#include <QCoreApplication>
#include <QTextStream>

namespace aliassync {

int runInit(const Config &config)
{
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
