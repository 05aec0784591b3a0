#include "commands.h"

#include <QCoreApplication>
#include <QTextStream>

namespace aliassync {

int runShowConfig(const Config &config, const QStringList &keys)
{
    for (const QString &key : keys) {
        if (!config.value(key)) {
            QTextStream(stderr) << QCoreApplication::translate("config", "alias-sync config: unknown setting '%1'; the valid settings are: %2\n")
                                       .arg(key, Config::keys().join(QStringLiteral(", ")));
            return 2;
        }
    }

    // One key prints the bare value, so that scripts (the package's
    // maintainer scripts among them) need no parsing, as with postconf -h.
    QTextStream out(stdout);
    if (keys.size() == 1) {
        out << *config.value(keys.first()) << '\n';
        return 0;
    }
    for (const QString &key : keys.isEmpty() ? Config::keys() : keys) {
        const QString value = *config.value(key);
        out << key << (value.isEmpty() ? QStringLiteral(" =") : QStringLiteral(" = ") + value) << '\n';
    }
    return 0;
}

} // namespace aliassync
