#include "configreader.h"

#include <QCoreApplication>
#include <QFile>
#include <QSet>

namespace aliassync {

static QString located(const QString &fileName, int line, const QString &message)
{
    return QStringLiteral("%1:%2: %3").arg(fileName).arg(line).arg(message);
}

bool readConfigLines(const QString &fileName, QList<ConfigLine> *lines, QString *error)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QCoreApplication::translate("Config", "%1: cannot read the configuration file: %2")
                     .arg(fileName, file.errorString());
        return false;
    }

    QSet<QString> seen;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QByteArray raw = file.readLine();
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;

        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (equals < 0) {
            *error = located(fileName, lineNumber,
                             QCoreApplication::translate("Config", "expected 'key = value', found '%1'").arg(line));
            return false;
        }

        ConfigLine setting;
        setting.lineNumber = lineNumber;
        setting.key = line.left(equals).trimmed();
        setting.value = line.mid(equals + 1).trimmed();
        // postconf-style files allow no comment after a value; a '#' in a
        // value is almost always one, and would silently become part of it.
        if (setting.value.contains(QLatin1Char('#'))) {
            *error = located(fileName, lineNumber,
                             QCoreApplication::translate("Config", "'#' in the value of '%1'; comments must be on their own line").arg(setting.key));
            return false;
        }
        if (setting.key.isEmpty()) {
            *error = located(fileName, lineNumber,
                             QCoreApplication::translate("Config", "missing setting name before '='"));
            return false;
        }

        // A repeated key is almost always an edit that forgot the old line;
        // silently taking the last one would hide which value is in force.
        if (seen.contains(setting.key)) {
            *error = located(fileName, lineNumber,
                             QCoreApplication::translate("Config", "'%1' is set twice; keep one line").arg(setting.key));
            return false;
        }
        seen.insert(setting.key);
        lines->append(setting);
    }
    return true;
}

} // namespace aliassync
