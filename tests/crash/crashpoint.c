/*
 * Crash-point shim for the shipped alias-sync binary, loaded with LD_PRELOAD.
 *
 * It counts five kinds of events in the process that loaded it and, at the
 * chosen one, kills the process with SIGKILL or pauses it:
 *
 *   fsync   fsync, fdatasync
 *   rename  rename, renameat, renameat2
 *   send    send, sendto, sendmsg, write, writev on an AF_INET or AF_INET6 socket
 *   recv    recv, recvfrom, recvmsg, read, readv on an AF_INET or AF_INET6
 *           socket, when the call returns more than 0 bytes
 *   exec    every exec* function and posix_spawn*, in a child that the
 *           process forked (QProcess children) or in the process itself
 *
 * Environment (read once, in the constructor):
 *   ALIAS_SYNC_CRASHPOINT=EVENT:N:WHEN:ACTION
 *       EVENT as above, N the 1-based count of that kind after arming, WHEN
 *       before or after the real call, ACTION kill or pause. For recv,
 *       "before" means that the bytes were read from the kernel but the
 *       process dies before the call returns them. For exec only "before" exists: the
 *       child kills the process and exits without running the program.
 *   ALIAS_SYNC_CRASHPOINT_ARM=PATH
 *       events count only once PATH exists (checked at each event until then)
 *   ALIAS_SYNC_CRASHPOINT_LOG=PATH
 *       each counted event is appended as "EVENT N DETAIL (FUNCTION)"
 *   ALIAS_SYNC_CRASHPOINT_PAUSE_DIR=DIR
 *       the pause action creates DIR/paused, waits until DIR/resume exists,
 *       removes both and continues
 *
 * The constructor removes LD_PRELOAD from the environment, so programs that
 * the process runs do not load the shim. Forked children still contain it
 * until they exec: in them only exec events count. The counters live in an
 * anonymous MAP_SHARED mapping, so a child's count is the parent's count.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum event_kind { EVENT_FSYNC, EVENT_RENAME, EVENT_SEND, EVENT_RECV, EVENT_EXEC, EVENT_KIND_COUNT };

static const char *const event_names[EVENT_KIND_COUNT] = { "fsync", "rename", "send", "recv", "exec" };

enum when_kind { WHEN_BEFORE, WHEN_AFTER };
enum action_kind { ACTION_KILL, ACTION_PAUSE };

/* Shared between the process and its forked children. */
struct shared_counters {
    int armed;
    long counts[EVENT_KIND_COUNT];
};

static struct shared_counters *shared;
static pid_t first_pid;
static int target_event = -1;
static long target_count;
static int target_when;
static int target_action;
static char arm_path[PATH_MAX];
static char log_path[PATH_MAX];
static char pause_dir[PATH_MAX];

/* Resolves the next definition of a function once and caches it. */
#define REAL(name)                                                              \
    static __typeof__(name) *real_##name;                                       \
    if (!real_##name)                                                           \
        real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);

static void copy_env(const char *variable, char *target, size_t size)
{
    const char *value = getenv(variable);
    if (value && strlen(value) < size)
        strcpy(target, value);
}

static int parse_crashpoint(const char *spec)
{
    char copy[128];
    if (strlen(spec) >= sizeof copy)
        return -1;
    strcpy(copy, spec);

    char *fields[4];
    char *rest = copy;
    for (int i = 0; i < 4; ++i) {
        fields[i] = strsep(&rest, ":");
        if (!fields[i])
            return -1;
    }
    if (rest)
        return -1;

    target_event = -1;
    for (int kind = 0; kind < EVENT_KIND_COUNT; ++kind) {
        if (strcmp(fields[0], event_names[kind]) == 0)
            target_event = kind;
    }
    char *end;
    target_count = strtol(fields[1], &end, 10);
    if (target_event < 0 || *end || target_count < 1)
        return -1;

    if (strcmp(fields[2], "before") == 0)
        target_when = WHEN_BEFORE;
    else if (strcmp(fields[2], "after") == 0 && target_event != EVENT_EXEC)
        target_when = WHEN_AFTER;
    else
        return -1;

    if (strcmp(fields[3], "kill") == 0)
        target_action = ACTION_KILL;
    else if (strcmp(fields[3], "pause") == 0)
        target_action = ACTION_PAUSE;
    else
        return -1;
    return 0;
}

__attribute__((constructor)) static void crashpoint_init(void)
{
    first_pid = getpid();
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        fprintf(stderr, "crashpoint: mmap failed: %s\n", strerror(errno));
        abort();
    }

    copy_env("ALIAS_SYNC_CRASHPOINT_ARM", arm_path, sizeof arm_path);
    copy_env("ALIAS_SYNC_CRASHPOINT_LOG", log_path, sizeof log_path);
    copy_env("ALIAS_SYNC_CRASHPOINT_PAUSE_DIR", pause_dir, sizeof pause_dir);
    if (!arm_path[0])
        shared->armed = 1;

    const char *spec = getenv("ALIAS_SYNC_CRASHPOINT");
    if (spec && *spec && parse_crashpoint(spec) != 0) {
        /* A typo must not turn a crash test into a silent pass. */
        fprintf(stderr,
                "crashpoint: invalid ALIAS_SYNC_CRASHPOINT '%s'; expected EVENT:N:WHEN:ACTION with EVENT "
                "fsync|rename|send|recv|exec, N >= 1, WHEN before|after (exec: before only), ACTION kill|pause\n",
                spec);
        abort();
    }
    if (spec && *spec && target_action == ACTION_PAUSE && !pause_dir[0]) {
        fprintf(stderr, "crashpoint: ALIAS_SYNC_CRASHPOINT_PAUSE_DIR is missing; the pause action needs a "
                        "directory for its paused and resume files\n");
        abort();
    }

    unsetenv("LD_PRELOAD");
}

static int is_first_process(void)
{
    return getpid() == first_pid;
}

static int is_inet_socket(int fd)
{
    int saved = errno;
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    int inet = getsockname(fd, (struct sockaddr *)&address, &length) == 0
        && (address.ss_family == AF_INET || address.ss_family == AF_INET6);
    errno = saved;
    return inet;
}

static int check_armed(void)
{
    if (__atomic_load_n(&shared->armed, __ATOMIC_SEQ_CST))
        return 1;
    int saved = errno;
    if (access(arm_path, F_OK) == 0)
        __atomic_store_n(&shared->armed, 1, __ATOMIC_SEQ_CST);
    errno = saved;
    return __atomic_load_n(&shared->armed, __ATOMIC_SEQ_CST);
}

static void append_log(int kind, long count, const char *detail, const char *function)
{
    if (!log_path[0])
        return;
    REAL(write);
    int saved = errno;
    char line[PATH_MAX + 256];
    int length = snprintf(line, sizeof line, "%s %ld %s (%s)\n", event_names[kind], count, detail, function);
    if (length > (int)sizeof line - 1)
        length = sizeof line - 1;
    /* O_APPEND keeps lines from the process and its children whole. */
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        real_write(fd, line, (size_t)length);
        close(fd);
    }
    errno = saved;
}

static void fd_path(int fd, char *target, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, target, size - 1);
    if (length < 0)
        snprintf(target, size, "fd %d", fd);
    else
        target[length] = '\0';
}

static void pause_here(void)
{
    char paused[PATH_MAX + 16];
    char resume[PATH_MAX + 16];
    snprintf(paused, sizeof paused, "%s/paused", pause_dir);
    snprintf(resume, sizeof resume, "%s/resume", pause_dir);

    int fd = open(paused, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
    const struct timespec interval = { 0, 10 * 1000 * 1000 };
    while (access(resume, F_OK) != 0)
        nanosleep(&interval, NULL);
    unlink(paused);
    unlink(resume);
}

/* Carries out the action in the process that loaded the shim. In a forked
 * child (exec events only) "kill" kills that process and ends the child
 * before it runs the program. */
static void act(void)
{
    int saved = errno;
    if (target_action == ACTION_PAUSE) {
        pause_here();
        errno = saved;
        return;
    }
    kill(first_pid, SIGKILL);
    if (!is_first_process())
        _exit(127);
    /* Linux delivers SIGKILL to the calling process before kill() returns,
     * so the loop only guards against a delayed delivery. */
    for (;;)
        pause();
}

static int recv_after_pending;

static void act_if_recv_after_pending(void)
{
    if (recv_after_pending && is_first_process()) {
        recv_after_pending = 0;
        act();
    }
}

/* Counts one event and returns 1 when the configured point is this event. */
static int count_event(int kind, const char *detail, const char *function)
{
    act_if_recv_after_pending();
    if (!check_armed())
        return 0;
    long count = __atomic_add_fetch(&shared->counts[kind], 1, __ATOMIC_SEQ_CST);
    append_log(kind, count, detail, function);
    return kind == target_event && count == target_count;
}

/* Wraps one call: counts it when it is an event, and acts before or after
 * the real call as configured. */
#define AROUND(kind, detail_expression, function, call)                        \
    do {                                                                        \
        char detail[PATH_MAX + 64];                                             \
        detail_expression;                                                      \
        int hit = count_event(kind, detail, function);                         \
        if (hit && target_when == WHEN_BEFORE)                                  \
            act();                                                              \
        __typeof__(call) result = call;                                         \
        if (hit && target_when == WHEN_AFTER) {                                 \
            int saved_errno = errno;                                            \
            act();                                                              \
            errno = saved_errno;                                                \
        }                                                                       \
        return result;                                                          \
    } while (0)

/* ---- fsync ---- */

int fsync(int fd)
{
    REAL(fsync);
    if (!is_first_process())
        return real_fsync(fd);
    AROUND(EVENT_FSYNC, fd_path(fd, detail, sizeof detail), "fsync", real_fsync(fd));
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (!is_first_process())
        return real_fdatasync(fd);
    AROUND(EVENT_FSYNC, fd_path(fd, detail, sizeof detail), "fdatasync", real_fdatasync(fd));
}

/* ---- rename ---- */

int rename(const char *from, const char *to)
{
    REAL(rename);
    if (!is_first_process())
        return real_rename(from, to);
    AROUND(EVENT_RENAME, snprintf(detail, sizeof detail, "%s -> %s", from, to), "rename", real_rename(from, to));
}

int renameat(int fromDirectory, const char *from, int toDirectory, const char *to)
{
    REAL(renameat);
    if (!is_first_process())
        return real_renameat(fromDirectory, from, toDirectory, to);
    AROUND(EVENT_RENAME, snprintf(detail, sizeof detail, "%s -> %s", from, to), "renameat",
           real_renameat(fromDirectory, from, toDirectory, to));
}

int renameat2(int fromDirectory, const char *from, int toDirectory, const char *to, unsigned int flags)
{
    REAL(renameat2);
    if (!is_first_process())
        return real_renameat2(fromDirectory, from, toDirectory, to, flags);
    AROUND(EVENT_RENAME, snprintf(detail, sizeof detail, "%s -> %s", from, to), "renameat2",
           real_renameat2(fromDirectory, from, toDirectory, to, flags));
}

/* ---- send ---- */

static size_t iov_bytes(const struct iovec *iov, int count)
{
    size_t total = 0;
    for (int i = 0; i < count; ++i)
        total += iov[i].iov_len;
    return total;
}

#define SEND_DETAIL(fd, bytes) snprintf(detail, sizeof detail, "fd %d, %zu bytes", fd, (size_t)(bytes))

ssize_t send(int fd, const void *buffer, size_t length, int flags)
{
    REAL(send);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_send(fd, buffer, length, flags);
    AROUND(EVENT_SEND, SEND_DETAIL(fd, length), "send", real_send(fd, buffer, length, flags));
}

ssize_t sendto(int fd, const void *buffer, size_t length, int flags, const struct sockaddr *address,
               socklen_t addressLength)
{
    REAL(sendto);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_sendto(fd, buffer, length, flags, address, addressLength);
    AROUND(EVENT_SEND, SEND_DETAIL(fd, length), "sendto",
           real_sendto(fd, buffer, length, flags, address, addressLength));
}

ssize_t sendmsg(int fd, const struct msghdr *message, int flags)
{
    REAL(sendmsg);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_sendmsg(fd, message, flags);
    AROUND(EVENT_SEND, SEND_DETAIL(fd, iov_bytes(message->msg_iov, (int)message->msg_iovlen)), "sendmsg",
           real_sendmsg(fd, message, flags));
}

ssize_t write(int fd, const void *buffer, size_t length)
{
    REAL(write);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_write(fd, buffer, length);
    AROUND(EVENT_SEND, SEND_DETAIL(fd, length), "write", real_write(fd, buffer, length));
}

ssize_t writev(int fd, const struct iovec *iov, int count)
{
    REAL(writev);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_writev(fd, iov, count);
    AROUND(EVENT_SEND, SEND_DETAIL(fd, iov_bytes(iov, count)), "writev", real_writev(fd, iov, count));
}

/* ---- recv ----
 * The bytes are known only after the real call, so both "before" and
 * "after" act once it returned. "before" drops the bytes with the process.
 * "after" acts at the process's next event or poll() call, by which time it
 * has handled the bytes it read synchronously. */

static ssize_t finish_recv(int fd, ssize_t result, int flags, const char *function)
{
    if (result <= 0 || (flags & MSG_PEEK))
        return result;
    int saved = errno;
    char detail[64];
    SEND_DETAIL(fd, result);
    if (count_event(EVENT_RECV, detail, function)) {
        if (target_when == WHEN_BEFORE)
            act();
        else
            recv_after_pending = 1;
    }
    errno = saved;
    return result;
}

ssize_t recv(int fd, void *buffer, size_t length, int flags)
{
    REAL(recv);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_recv(fd, buffer, length, flags);
    act_if_recv_after_pending();
    return finish_recv(fd, real_recv(fd, buffer, length, flags), flags, "recv");
}

ssize_t recvfrom(int fd, void *buffer, size_t length, int flags, struct sockaddr *address, socklen_t *addressLength)
{
    REAL(recvfrom);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_recvfrom(fd, buffer, length, flags, address, addressLength);
    act_if_recv_after_pending();
    return finish_recv(fd, real_recvfrom(fd, buffer, length, flags, address, addressLength), flags, "recvfrom");
}

ssize_t recvmsg(int fd, struct msghdr *message, int flags)
{
    REAL(recvmsg);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_recvmsg(fd, message, flags);
    act_if_recv_after_pending();
    return finish_recv(fd, real_recvmsg(fd, message, flags), flags, "recvmsg");
}

ssize_t read(int fd, void *buffer, size_t length)
{
    REAL(read);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_read(fd, buffer, length);
    act_if_recv_after_pending();
    return finish_recv(fd, real_read(fd, buffer, length), 0, "read");
}

ssize_t readv(int fd, const struct iovec *iov, int count)
{
    REAL(readv);
    if (!is_first_process() || !is_inet_socket(fd))
        return real_readv(fd, iov, count);
    act_if_recv_after_pending();
    return finish_recv(fd, real_readv(fd, iov, count), 0, "readv");
}

/* With _FORTIFY_SOURCE a caller may reach read and recv through these. */
ssize_t __read_chk(int fd, void *buffer, size_t length, size_t bufferSize)
{
    REAL(__read_chk);
    if (!is_first_process() || !is_inet_socket(fd))
        return real___read_chk(fd, buffer, length, bufferSize);
    act_if_recv_after_pending();
    return finish_recv(fd, real___read_chk(fd, buffer, length, bufferSize), 0, "__read_chk");
}

ssize_t __recv_chk(int fd, void *buffer, size_t length, size_t bufferSize, int flags)
{
    REAL(__recv_chk);
    if (!is_first_process() || !is_inet_socket(fd))
        return real___recv_chk(fd, buffer, length, bufferSize, flags);
    act_if_recv_after_pending();
    return finish_recv(fd, real___recv_chk(fd, buffer, length, bufferSize, flags), flags, "__recv_chk");
}

/* ---- exec ----
 * glibc's execv, execvp and the execl* family call execve internally, not
 * through the PLT, so each entry point is wrapped on its own. */

static int exec_event(const char *program, const char *function)
{
    char detail[PATH_MAX + 64];
    snprintf(detail, sizeof detail, "%s", program ? program : "(null)");
    return count_event(EVENT_EXEC, detail, function);
}

/* Exec events count in the process and in the children it forked: a child
 * forked by anything else never contains the shim, because LD_PRELOAD is
 * gone from the environment. */
#define EXEC_EVENT(program, function)                                           \
    do {                                                                        \
        if (exec_event(program, function))                                      \
            act();                                                              \
    } while (0)

int execve(const char *path, char *const argv[], char *const envp[])
{
    REAL(execve);
    EXEC_EVENT(path, "execve");
    return real_execve(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
    REAL(execv);
    EXEC_EVENT(path, "execv");
    return real_execv(path, argv);
}

int execvp(const char *file, char *const argv[])
{
    REAL(execvp);
    EXEC_EVENT(file, "execvp");
    return real_execvp(file, argv);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    REAL(execvpe);
    EXEC_EVENT(file, "execvpe");
    return real_execvpe(file, argv, envp);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
    REAL(fexecve);
    char path[PATH_MAX];
    fd_path(fd, path, sizeof path);
    EXEC_EVENT(path, "fexecve");
    return real_fexecve(fd, argv, envp);
}

/* Collects the variadic arguments of execl, execlp and execle into an array
 * on the stack (glibc declares arg0 non-null). With WITH_ENVIRONMENT the
 * pointer after the terminating NULL is stored in ENVIRONMENT. */
#define COLLECT_ARGUMENTS(first, argv, environment, with_environment)          \
    size_t argument_count = 1;                                                  \
    {                                                                           \
        va_list counting;                                                       \
        va_start(counting, first);                                              \
        while (va_arg(counting, char *))                                        \
            ++argument_count;                                                   \
        va_end(counting);                                                       \
    }                                                                           \
    char *argv[argument_count + 1];                                             \
    {                                                                           \
        va_list arguments;                                                      \
        va_start(arguments, first);                                             \
        argv[0] = (char *)(first);                                              \
        for (size_t i = 1; i <= argument_count; ++i)                            \
            argv[i] = va_arg(arguments, char *);                                \
        if (with_environment)                                                   \
            environment = va_arg(arguments, char **);                           \
        va_end(arguments);                                                      \
    }

int execl(const char *path, const char *arg0, ...)
{
    char **environment = NULL;
    COLLECT_ARGUMENTS(arg0, argv, environment, 0);
    (void)environment;
    EXEC_EVENT(path, "execl");
    REAL(execv);
    return real_execv(path, argv);
}

int execlp(const char *file, const char *arg0, ...)
{
    char **environment = NULL;
    COLLECT_ARGUMENTS(arg0, argv, environment, 0);
    (void)environment;
    EXEC_EVENT(file, "execlp");
    REAL(execvp);
    return real_execvp(file, argv);
}

int execle(const char *path, const char *arg0, ...)
{
    char **environment = NULL;
    COLLECT_ARGUMENTS(arg0, argv, environment, 1);
    EXEC_EVENT(path, "execle");
    REAL(execve);
    return real_execve(path, argv, environment);
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attributes, char *const argv[], char *const envp[])
{
    REAL(posix_spawn);
    EXEC_EVENT(path, "posix_spawn");
    return real_posix_spawn(pid, path, actions, attributes, argv, envp);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                 const posix_spawnattr_t *attributes, char *const argv[], char *const envp[])
{
    REAL(posix_spawnp);
    EXEC_EVENT(file, "posix_spawnp");
    return real_posix_spawnp(pid, file, actions, attributes, argv, envp);
}

/* ---- poll ----
 * Only the end of a pending "recv after": the event loop polls again once it
 * has handled what it read. */

int poll(struct pollfd *fds, nfds_t count, int timeout)
{
    REAL(poll);
    act_if_recv_after_pending();
    return real_poll(fds, count, timeout);
}

int ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask)
{
    REAL(ppoll);
    act_if_recv_after_pending();
    return real_ppoll(fds, count, timeout, mask);
}
