/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LD_PRELOAD shim for running nskeeperd under valgrind (NSK_VALGRIND=1):
 * valgrind 3.19, Debian 12's, does not know pidfd_open(2),
 * pidfd_send_signal(2) and setdomainname(2) and fails them with ENOSYS,
 * so no helper could be started. Under valgrind these are made by the
 * real CPU instead (VALGRIND_NON_SIMD_CALL), which valgrind does not look
 * into; everything else the daemon does stays checked. Outside valgrind
 * they are plain system calls. x86-64 with valgrind's header only; else
 * this library is empty. */

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>

#if defined(HAVE_VALGRIND_VALGRIND_H) && defined(__x86_64__) && defined(SYS_pidfd_open) && \
        defined(SYS_pidfd_send_signal)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

int pidfd_open(pid_t pid, unsigned int flags);
int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags);
int setdomainname(const char *name, size_t len);

struct call {
        long nr, a1, a2, a3, a4;
};

/* No libc in here: on the real CPU, under valgrind, errno would land in
 * valgrind's thread, not the daemon's. */
static long raw_syscall(const struct call *c)
{
        register long r10 __asm__("r10") = c->a4;
        long ret;

        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(c->nr), "D"(c->a1), "S"(c->a2), "d"(c->a3), "r"(r10)
                         : "rcx", "r11", "memory");
        return ret;
}

/* What VALGRIND_NON_SIMD_CALL1 runs: the first argument is valgrind's
 * thread id. */
static unsigned long native(unsigned long tid, const struct call *c)
{
        (void) tid;
        return (unsigned long) raw_syscall(c);
}

static int call(long nr, long a1, long a2, long a3, long a4)
{
        const struct call c = { nr, a1, a2, a3, a4 };
        long r;

        if (RUNNING_ON_VALGRIND)
                r = (long) VALGRIND_NON_SIMD_CALL1(native, &c);
        else
                r = raw_syscall(&c);
        if (r < 0 && r > -4096) {
                errno = (int) -r;
                return -1;
        }
        return (int) r;
}

int pidfd_open(pid_t pid, unsigned int flags)
{
        return call(SYS_pidfd_open, pid, flags, 0, 0);
}

int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
        return call(SYS_pidfd_send_signal, pidfd, sig, (long) info, flags);
}

int setdomainname(const char *name, size_t len)
{
        /* What the kernel will read, checked as valgrind would. */
        (void) VALGRIND_CHECK_MEM_IS_DEFINED(name, len);
        return call(SYS_setdomainname, (long) name, (long) len, 0, 0);
}
#endif
