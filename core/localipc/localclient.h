// One request and its reply over a daemon's local socket (QLocalSocket),
// framed as in framing.h. Used by the pipe and by the CLI.
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace aliassync {

struct LocalCallError {
    bool unreachable = false;   // the daemon could not be reached at all
    QString message;
};

std::optional<QJsonObject> callLocalSocket(const QString &socketPath, const QJsonObject &request, int timeoutMs,
                                           LocalCallError *error);

} // namespace aliassync
