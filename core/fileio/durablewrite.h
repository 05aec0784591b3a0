// Writes that are on disk when they return.
//
// Contract: every function returns false with *error naming the path, the
// step and the system's error text; none leaves a descriptor open.
#pragma once

#include <QByteArray>
#include <QString>

#include <sys/types.h>

namespace aliassync {

// Writes all of bytes to fd, continuing after short writes and EINTR.
// Returns false with errno set on failure.
bool writeAll(int fd, const QByteArray &bytes);

// "WHAT PATH: strerror(errno)", for the error strings of this module's callers.
QString systemError(const QString &what, const QString &path);

enum class CreateMode { Exclusive, Truncate };

// Creates (or truncates) path, writes bytes, sets mode exactly (not reduced
// by the umask) and fsyncs the file.
bool writeFileSynced(const QString &path, const QByteArray &bytes, mode_t mode, CreateMode create, QString *error);

// Fsyncs a directory, so that a rename or a new file in it survives a crash.
bool syncDirectory(const QString &directory, QString *error);

} // namespace aliassync
