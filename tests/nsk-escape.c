/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attacks of issue 12, item 1, from inside a set: what a process of
 * the set could do through the set's keeper (or any process PID) if it
 * held more than an unprivileged process of the set. Run by
 * tests/integration/escape.sh as the set's root.
 *
 *   nsk-escape PID DIR
 *
 * DIR is a directory only host root may write. One line per attack:
 *   NAME denied ERRNO-NAME     the kernel refused (what the test wants)
 *   NAME allowed DETAIL        it worked
 * Exit status: 0 if every attack was denied, 1 if any was allowed, 2 on
 * a usage error. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static int allowed;

static void denied(const char *name, int e)
{
        const char *s = strerrorname_np(e);

        printf("%s denied %s\n", name, s ? s : "?");
}

static void success(const char *name, const char *detail)
{
        printf("%s allowed %s\n", name, detail);
        allowed = 1;
}

/* readlink of /proc/PID/WHAT: where it leads. */
static void try_readlink(pid_t pid, const char *what)
{
        char path[64], target[PATH_MAX];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, what);
        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0) {
                denied(what, errno);
                return;
        }
        target[n] = '\0';
        success(what, target);
}

/* Opens and reads a file; NAME allowed N-bytes if it can. */
static void try_read(const char *name, const char *path)
{
        char buf[4096];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        if (fd < 0) {
                denied(name, errno);
                return;
        }
        n = read(fd, buf, sizeof(buf));
        if (n < 0) {
                int e = errno;
                close(fd);
                denied(name, e);
                return;
        }
        close(fd);
        snprintf(buf, sizeof(buf), "%zd-bytes", n);
        success(name, buf);
}

static void try_fds(pid_t pid)
{
        char path[64];
        DIR *d;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        d = opendir(path);
        if (!d) {
                denied("fd", errno);
                return;
        }
        /* Listing may still fail: readdir needs the same access. */
        errno = 0;
        while (readdir(d))
                ;
        if (errno != 0)
                denied("fd", errno);
        else
                success("fd", "listed");
        closedir(d);
}

#if defined(__x86_64__)
static int wait_stop(pid_t pid)
{
        int st;

        if (waitpid(pid, &st, __WALL) != pid)
                return -1;
        return WIFSTOPPED(st) ? 0 : -1;
}

/* Makes the stopped tracee run one system call nr(a0..a3); its result,
 * or LONG_MIN if it could not be made to. site: a syscall instruction. */
static long run_syscall(pid_t pid, const struct user_regs_struct *base, unsigned long site, long nr,
                        long a0, long a1, long a2, long a3)
{
        struct user_regs_struct r = *base;

        r.rip = site;
        r.rax = (unsigned long) nr;
        r.orig_rax = (unsigned long) -1; /* no restart of what it was doing */
        r.rdi = (unsigned long) a0;
        r.rsi = (unsigned long) a1;
        r.rdx = (unsigned long) a2;
        r.r10 = (unsigned long) a3;
        if (ptrace(PTRACE_SETREGS, pid, NULL, &r) < 0 ||
            ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 || wait_stop(pid) < 0 ||
            ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 || wait_stop(pid) < 0 ||
            ptrace(PTRACE_GETREGS, pid, NULL, &r) < 0)
                return LONG_MIN;
        return (long) r.rax;
}

/* Having ptrace access to the stopped pid: make it create DIR/pwned
 * with its own file rights, as the attack did. */
static void inject(pid_t pid, const char *dir)
{
        struct user_regs_struct saved, restore;
        char file[PATH_MAX], detail[PATH_MAX + 16];
        unsigned long site, addr;
        long word, fd;
        size_t len;

        snprintf(file, sizeof(file), "%s/pwned", dir);
        len = strlen(file) + 1;
        if (ptrace(PTRACE_GETREGS, pid, NULL, &saved) < 0) {
                denied("inject", errno);
                return;
        }
        /* Stopped in a system call (the keeper waits in poll): the
         * instruction before its rip is `syscall` (0f 05). */
        site = saved.rip - 2;
        errno = 0;
        word = ptrace(PTRACE_PEEKTEXT, pid, (void *) site, NULL);
        if (errno != 0 || (word & 0xffff) != 0x050f) {
                printf("inject skipped no-syscall-site\n");
                return;
        }
        /* The path, well below its stack pointer (past the red zone). */
        addr = (saved.rsp - 4096) & ~15UL;
        for (size_t i = 0; i < len; i += sizeof(long)) {
                long v = 0;
                memcpy(&v, file + i, len - i < sizeof(long) ? len - i : sizeof(long));
                if (ptrace(PTRACE_POKEDATA, pid, (void *) (addr + i), (void *) v) < 0) {
                        denied("inject", errno);
                        return;
                }
        }
        fd = run_syscall(pid, &saved, site, SYS_openat, AT_FDCWD, (long) addr,
                         O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
                (void) run_syscall(pid, &saved, site, SYS_close, fd, 0, 0, 0);

        /* Back to the interrupted call, restarted. */
        restore = saved;
        if ((long) saved.orig_rax >= 0) {
                long rax = (long) saved.rax;
                if (rax == -512 || rax == -513 || rax == -514) { /* ERESTART* */
                        restore.rip = site;
                        restore.rax = saved.orig_rax;
                } else if (rax == -516) { /* ERESTART_RESTARTBLOCK */
                        restore.rip = site;
                        restore.rax = SYS_restart_syscall;
                }
        }
        (void) ptrace(PTRACE_SETREGS, pid, NULL, &restore);

        if (fd == LONG_MIN)
                printf("inject failed could-not-run\n");
        else if (fd < 0)
                denied("inject", (int) -fd);
        else {
                snprintf(detail, sizeof(detail), "created-%s", file);
                success("inject", detail);
        }
}
#else
static void inject(pid_t pid, const char *dir)
{
        (void) pid;
        (void) dir;
        printf("inject skipped not-x86_64\n");
}
#endif

static void try_ptrace(pid_t pid, const char *dir)
{
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
                denied("ptrace", errno);
                return;
        }
        success("ptrace", "seized");
        if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0 && waitpid(pid, NULL, __WALL) == pid)
                inject(pid, dir);
        (void) ptrace(PTRACE_DETACH, pid, NULL, NULL);
}

int main(int argc, char **argv)
{
        char path[PATH_MAX];
        char *end;
        long pid;

        if (argc != 3 || argv[2][0] != '/') {
                fprintf(stderr, "Usage: %s PID /ROOT-ONLY-DIR\n", argv[0]);
                return 2;
        }
        pid = strtol(argv[1], &end, 10);
        if (*end || pid < 1 || pid > INT_MAX) {
                fprintf(stderr, "%s: not a pid: %s\n", argv[0], argv[1]);
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);

        try_ptrace((pid_t) pid, argv[2]);
        try_readlink((pid_t) pid, "root");
        try_readlink((pid_t) pid, "cwd");
        snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
        try_read("environ", path);
        try_fds((pid_t) pid);
        /* Through its root into the root-only directory... */
        snprintf(path, sizeof(path), "/proc/%ld/root%s/secret", pid, argv[2]);
        try_read("root-secret", path);
        /* ... and through its cwd to a file in it (escape.sh starts the
         * daemon in a directory it can reach no other way). */
        snprintf(path, sizeof(path), "/proc/%ld/cwd/secret", pid);
        try_read("cwd-secret", path);
        return allowed;
}
