#include "durablewrite.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + written, size_t(bytes.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        written += n;
    }
    return true;
}

QString systemError(const QString &what, const QString &path)
{
    return QStringLiteral("%1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(errno)));
}

bool writeFileSynced(const QString &path, const QByteArray &bytes, mode_t mode, CreateMode create, QString *error)
{
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (create == CreateMode::Exclusive ? O_EXCL : O_TRUNC);
    const int fd = ::open(QFile::encodeName(path).constData(), flags, mode);
    if (fd < 0) {
        *error = systemError(QStringLiteral("cannot create"), path);
        return false;
    }
    if (!writeAll(fd, bytes)) {
        *error = systemError(QStringLiteral("cannot write"), path);
        ::close(fd);
        return false;
    }
    if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
        *error = systemError(QStringLiteral("cannot set the mode of or flush"), path);
        ::close(fd);
        return false;
    }
    ::close(fd);
    return true;
}

bool syncDirectory(const QString &directory, QString *error)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        *error = systemError(QStringLiteral("cannot flush the directory"), directory);
        if (fd >= 0)
            ::close(fd);
        return false;
    }
    ::close(fd);
    return true;
}

} // namespace aliassync
