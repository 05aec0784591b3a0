#include "atomicfile.h"
#include "durablewrite.h"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aliassync {
namespace {

// Translation context for the messages of writeFileAtomically().
class AtomicFile
{
    Q_DECLARE_TR_FUNCTIONS(aliassync::AtomicFile)
};

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

bool fail(QString *error, const QString &path, const QString &step, int err)
{
    if (error)
        *error = AtomicFile::tr("%1: %2: %3").arg(path, step, errnoText(err));
    return false;
}

} // namespace

bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    QByteArray target = QFile::encodeName(path);
    if (target.isEmpty()) {
        if (error)
            *error = AtomicFile::tr("cannot write a file with an empty name");
        return false;
    }

    // Replace the file a symbolic link points to, not the link.
    struct stat st;
    if (::lstat(target.constData(), &st) == 0 && S_ISLNK(st.st_mode)) {
        char resolved[PATH_MAX];
        if (!::realpath(target.constData(), resolved))
            return fail(error, path, AtomicFile::tr("cannot resolve symbolic link"), errno);
        target = resolved;
    }

    bool existed = false;
    if (::stat(target.constData(), &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return fail(error, path, AtomicFile::tr("not a regular file"), EINVAL);
        existed = true;
    } else if (errno != ENOENT) {
        return fail(error, path, AtomicFile::tr("cannot stat"), errno);
    }

    const qsizetype slash = target.lastIndexOf('/');
    QByteArray dir = target.left(slash);
    if (slash < 0)
        dir = ".";
    else if (slash == 0)
        dir = "/";
    const QByteArray base = slash < 0 ? target : target.mid(slash + 1);

    QByteArray tmpl = dir + "/." + base + ".tmp.XXXXXX";
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0)
        return fail(error, path, AtomicFile::tr("cannot create temporary file in %1").arg(QFile::decodeName(dir)), errno);
    const auto abandon = [&](const QString &step) {
        const int err = errno;
        if (fd >= 0)
            ::close(fd);
        ::unlink(tmpl.constData());
        return fail(error, path, step, err);
    };

    if (!writeAll(fd, bytes))
        return abandon(AtomicFile::tr("cannot write temporary file"));

    if (existed) {
        if (::fchown(fd, st.st_uid, st.st_gid) != 0) {
            // Not being allowed to set what is already there is no failure.
            struct stat now;
            if (::fstat(fd, &now) != 0 || now.st_uid != st.st_uid || now.st_gid != st.st_gid)
                return abandon(AtomicFile::tr("cannot set owner"));
        }
    }
    const mode_t mode = existed ? (st.st_mode & 07777) : 0644;
    if (::fchmod(fd, mode) != 0)
        return abandon(AtomicFile::tr("cannot set mode"));
    if (::fsync(fd) != 0)
        return abandon(AtomicFile::tr("cannot fsync temporary file"));
    const int closeRc = ::close(fd);
    fd = -1;
    if (closeRc != 0)
        return abandon(AtomicFile::tr("cannot close temporary file"));

    if (::rename(tmpl.constData(), target.constData()) != 0)
        return abandon(AtomicFile::tr("cannot rename temporary file into place"));

    QString directoryError;
    if (!syncDirectory(QFile::decodeName(dir), &directoryError)) {
        if (error)
            *error = directoryError;
        return false;
    }
    return true;
}

} // namespace aliassync
