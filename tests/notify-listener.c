/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for systemd in the integration tests: runs the daemon with
 * NOTIFY_SOCKET pointing at its own datagram socket, logs every message
 * and fd it gets, keeps an fd store, and restarts the daemon with that
 * store passed the way systemd passes it (LISTEN_FDS, LISTEN_PID,
 * LISTEN_FDNAMES, fds from 3 on; sd_listen_fds(3)).
 *
 *   notify-listener --socket PATH --log FILE [--watchdog-usec USEC]
 *                   [--check-socket PATH] [--store NAME=FILE]... -- CMD [ARG]...
 *
 * Signals: SIGUSR1 restarts CMD (SIGTERM, wait, start with the store, as
 * `systemctl restart` does; it also starts CMD after it exited), SIGUSR2
 * logs the store, SIGHUP is passed on to CMD, SIGTERM/SIGINT stop CMD,
 * close the store and exit.
 *
 * Log lines (flushed one by one):
 *   START pid=PID fds=N          CMD started with N fds from the store
 *   MSG pid=PID main=yes|no KEY=VALUE   one per assignment received
 *   FD NAME TYPE INODE           an fd that came with FDSTORE=1 (TYPE: a
 *                                namespace type, pipe, socket or file)
 *   STORED NAME / REMOVED NAME / DROPPED N   fd store changes
 *   READY-CONNECT ok|failed ...  with --check-socket: connect() at READY=1
 *   STORE NAME TYPE INODE ... STORE-END      on SIGUSR2
 *   EXIT pid=PID status=N|signal=N
 */

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "nstype.h"
#include "util.h"

#define STORE_MAX 1024
#define FDS_PER_MSG_MAX 768 /* what systemd accepts in one message */

struct entry {
        char *name;
        int fd;
};

static struct entry store[STORE_MAX];
static size_t n_store;
static FILE *log_file;
static const char *check_socket;
static unsigned long long watchdog_usec;
static char **cmd;
static pid_t child;
static int sock = -EBADF;

_printf_(1, 2) static void logline(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfprintf(log_file, fmt, ap);
        va_end(ap);
        fputc('\n', log_file);
        fflush(log_file);
}

static void describe_fd(int fd, char *type, size_t size, unsigned long long *ino)
{
        enum nsk_type t;
        struct stat st;

        *ino = 0;
        if (fstat(fd, &st) == 0)
                *ino = (unsigned long long) st.st_ino;
        if (nsk_type_of_fd(fd, &t) == 0)
                snprintf(type, size, "%s", nsk_type_name(t));
        else if (S_ISFIFO(st.st_mode))
                snprintf(type, size, "pipe");
        else if (S_ISSOCK(st.st_mode))
                snprintf(type, size, "socket");
        else
                snprintf(type, size, "file");
}

static int store_add(const char *name, int fd)
{
        if (n_store >= STORE_MAX) {
                safe_close(fd);
                logline("DROPPED 1 (store full)");
                return -EXFULL;
        }
        store[n_store].name = strdup(name);
        store[n_store].fd = fd;
        n_store++;
        logline("STORED %s", name);
        return 0;
}

static void store_remove(const char *name)
{
        size_t j = 0;

        for (size_t i = 0; i < n_store; i++) {
                if (streq(store[i].name, name)) {
                        safe_close(store[i].fd);
                        free(store[i].name);
                        logline("REMOVED %s", name);
                        continue;
                }
                store[j++] = store[i];
        }
        n_store = j;
}

static void store_dump(void)
{
        for (size_t i = 0; i < n_store; i++) {
                unsigned long long ino;
                char type[16];

                describe_fd(store[i].fd, type, sizeof(type), &ino);
                logline("STORE %s %s %llu", store[i].name, type, ino);
        }
        logline("STORE-END");
}

static void store_clear(void)
{
        for (size_t i = 0; i < n_store; i++) {
                safe_close(store[i].fd);
                free(store[i].name);
        }
        n_store = 0;
}

static void ready_connect(void)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", check_socket);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                logline("READY-CONNECT ok");
        else
                logline("READY-CONNECT failed: %m");
}

/* One datagram, as systemd's manager_dispatch_notify_fd() takes it. */
static void on_message(int fd)
{
        char buf[4096 + 1], name[256] = "stored";
        union {
                struct cmsghdr align;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred)) +
                            CMSG_SPACE(sizeof(int) * FDS_PER_MSG_MAX)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
        struct msghdr mh = { .msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = &control,
                             .msg_controllen = sizeof(control) };
        int fds[FDS_PER_MSG_MAX];
        size_t n_fds = 0;
        bool fdstore = false, fdstore_remove = false, ready = false;
        pid_t sender = 0;
        ssize_t k;

        k = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (k < 0)
                return;
        buf[k] = '\0';
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_RIGHTS) {
                        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        memcpy(fds + n_fds, CMSG_DATA(c), n * sizeof(int));
                        n_fds += n;
                } else if (c->cmsg_type == SCM_CREDENTIALS) {
                        struct ucred uc;
                        memcpy(&uc, CMSG_DATA(c), sizeof(uc));
                        sender = uc.pid;
                }
        }
        if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
                logline("TRUNCATED");

        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                logline("MSG pid=%d main=%s %s", (int) sender,
                        child > 0 && sender == child ? "yes" : "no", line);
                if (streq(line, "FDSTORE=1"))
                        fdstore = true;
                else if (streq(line, "FDSTOREREMOVE=1"))
                        fdstore_remove = true;
                else if (streq(line, "READY=1"))
                        ready = true;
                else if (strncmp(line, "FDNAME=", 7) == 0)
                        snprintf(name, sizeof(name), "%s", line + 7);
        }
        for (size_t i = 0; i < n_fds; i++) {
                unsigned long long ino;
                char type[16];

                describe_fd(fds[i], type, sizeof(type), &ino);
                logline("FD %s %s %llu", name, type, ino);
                /* Like systemd with NotifyAccess=main: others are ignored. */
                if (fdstore && sender == child)
                        (void) store_add(name, fds[i]);
                else
                        safe_close(fds[i]);
        }
        if (fdstore_remove && sender == child)
                store_remove(name);
        if (ready && check_socket)
                ready_connect();
}

static void start(const char *notify_path)
{
        pid_t pid = fork();

        if (pid < 0) {
                logline("START failed: %m");
                return;
        }
        if (pid == 0) {
                char buf[32], *names;
                size_t len = 1;
                sigset_t all;

                sigfillset(&all);
                sigprocmask(SIG_UNBLOCK, &all, NULL);
                /* The store goes to fds 3... in order; the dance through
                 * high numbers keeps one dup2 from clobbering another. */
                for (size_t i = 0; i < n_store; i++) {
                        store[i].fd = fcntl(store[i].fd, F_DUPFD, 3 + (int) n_store + 16);
                        len += strlen(store[i].name) + 1;
                }
                for (size_t i = 0; i < n_store; i++)
                        if (dup2(store[i].fd, 3 + (int) i) < 0)
                                _exit(127);
                (void) close_range(3 + (unsigned) n_store, ~0U, 0);
                names = calloc(1, len);
                for (size_t i = 0; i < n_store; i++) {
                        if (i > 0)
                                strcat(names, ":");
                        strcat(names, store[i].name);
                }
                setenv("NOTIFY_SOCKET", notify_path, 1);
                unsetenv("LISTEN_FDS");
                unsetenv("LISTEN_PID");
                unsetenv("LISTEN_FDNAMES");
                unsetenv("WATCHDOG_USEC");
                unsetenv("WATCHDOG_PID");
                if (n_store > 0) {
                        snprintf(buf, sizeof(buf), "%zu", n_store);
                        setenv("LISTEN_FDS", buf, 1);
                        snprintf(buf, sizeof(buf), "%d", (int) getpid());
                        setenv("LISTEN_PID", buf, 1);
                        setenv("LISTEN_FDNAMES", names, 1);
                }
                if (watchdog_usec > 0) {
                        snprintf(buf, sizeof(buf), "%llu", watchdog_usec);
                        setenv("WATCHDOG_USEC", buf, 1);
                        snprintf(buf, sizeof(buf), "%d", (int) getpid());
                        setenv("WATCHDOG_PID", buf, 1);
                }
                execvp(cmd[0], cmd);
                _exit(127);
        }
        child = pid;
        logline("START pid=%d fds=%zu", (int) pid, n_store);
}

static void on_message(int fd);

/* Whatever is queued; a dead child's last words are all queued by now. */
static void drain(void)
{
        while (recv(sock, NULL, 0, MSG_PEEK | MSG_DONTWAIT) >= 0)
                on_message(sock);
}

static void reap(void)
{
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                drain();
                if (WIFEXITED(status))
                        logline("EXIT pid=%d status=%d", (int) pid, WEXITSTATUS(status));
                else
                        logline("EXIT pid=%d signal=%d", (int) pid, WTERMSIG(status));
                if (pid == child)
                        child = 0;
        }
}

/* SIGTERM, then SIGKILL after 10 s, as systemd's TimeoutStopSec= would. */
static void stop(void)
{
        if (child <= 0)
                return;
        (void) kill(child, SIGTERM);
        for (int i = 0; i < 1000 && child > 0; i++) {
                usleep(10000);
                reap();
        }
        if (child > 0) {
                (void) kill(child, SIGKILL);
                while (child > 0) {
                        usleep(10000);
                        reap();
                }
        }
}

static void usage(void)
{
        fprintf(stderr, "usage: notify-listener --socket PATH --log FILE [--watchdog-usec USEC]\n"
                        "       [--check-socket PATH] [--store NAME=FILE]... -- CMD [ARG]...\n");
        exit(2);
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "log", required_argument, NULL, 'l' },
                { "watchdog-usec", required_argument, NULL, 'w' },
                { "check-socket", required_argument, NULL, 'c' },
                { "store", required_argument, NULL, 'S' },
                {},
        };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = NULL, *log_path = NULL;
        _cleanup_close_ int sfd = -EBADF;
        sigset_t mask;
        int c, one = 1;

        while ((c = getopt_long(argc, argv, "+", longopts, NULL)) >= 0)
                switch (c) {
                case 's':
                        path = optarg;
                        break;
                case 'l':
                        log_path = optarg;
                        break;
                case 'w':
                        watchdog_usec = strtoull(optarg, NULL, 10);
                        break;
                case 'c':
                        check_socket = optarg;
                        break;
                case 'S': {
                        char *eq = strchr(optarg, '=');
                        int fd;

                        if (!eq)
                                usage();
                        *eq = '\0';
                        fd = open(eq + 1, O_RDONLY | O_CLOEXEC);
                        if (fd < 0) {
                                perror(eq + 1);
                                return 1;
                        }
                        store[n_store].name = strdup(optarg);
                        store[n_store++].fd = fd;
                        break;
                }
                default:
                        usage();
                }
        if (!path || !log_path || optind >= argc || strlen(path) >= sizeof(sa.sun_path))
                usage();
        cmd = argv + optind;

        log_file = fopen(log_path, "ae");
        if (!log_file) {
                perror(log_path);
                return 1;
        }
        strcpy(sa.sun_path, path);
        (void) unlink(path);
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (sock < 0 || setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
            bind(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror(path);
                return 1;
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGUSR2);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                perror("signalfd");
                return 1;
        }

        start(path);
        for (;;) {
                struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
                                       { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;

                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        break;
                /* Messages first: the daemon's last words come before its
                 * SIGCHLD. */
                if (p[0].revents & POLLIN) {
                        on_message(sock);
                        continue;
                }
                if (!(p[1].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                switch (si.ssi_signo) {
                case SIGCHLD:
                        reap();
                        break;
                case SIGUSR1:
                        stop();
                        drain();
                        start(path);
                        break;
                case SIGUSR2:
                        store_dump();
                        break;
                case SIGHUP:
                        if (child > 0)
                                (void) kill(child, SIGHUP);
                        break;
                default:
                        stop();
                        drain();
                        store_clear();
                        logline("STOPPED");
                        (void) unlink(path);
                        return 0;
                }
        }
        return 1;
}
