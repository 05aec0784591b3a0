// Atomic replacement of a file's contents.
#pragma once

#include <QByteArray>
#include <QString>

namespace aliassync {

// Writes bytes to path atomically: a temporary file in the same directory,
// fsync, rename over path, fsync of the directory. Keeps the original file's
// owner, group and mode when it existed (mode 0644 and the caller's owner for
// a new file). When path is a symbolic link, the file it points to is
// replaced and the link kept. Returns false with *error naming the path and
// the step that failed; the temporary file is removed on failure.
bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error);

} // namespace aliassync
