/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child side of a helper: unshare, apply the settings, start the
 * keeper, send the namespaces back. Only system calls: no allocation, no
 * logging, no libevent (the daemon's heap is not even there, see
 * heap_wipe_on_fork() in helper.c). */

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fault.h"
#include "fdpass.h"
#include "helper-child.h"
#include "helper-proto.h"
#include "helper-steps.h"
#include "maker-child.h"
#include "spawn-proto.h"
#include "nstype.h"
#include "proctitle.h"
#include "util.h"

_Noreturn static void child_fail(int sock, int step, int detail)
{
        struct helper_msg m = {
                .phase = PHASE_DONE, .error = errno ? errno : EIO, .step = step, .detail = detail
        };

        (void) send(sock, &m, sizeof(m), MSG_NOSIGNAL);
        _exit(1);
}

/* Waits for the daemon's next message; true if it is 'phase'. */
static bool child_wait_for(int sock, int phase)
{
        struct helper_msg m;
        ssize_t k;

        do
                k = recv(sock, &m, sizeof(m), 0);
        while (k < 0 && errno == EINTR);
        return k == (ssize_t) sizeof(m) && m.phase == phase;
}

/* Leaves the keeper no more than an unprivileged process of its set: a
 * process of the set that may ptrace(2) it, or open its /proc/PID/root,
 * cwd or environ, could otherwise act with whatever it holds. In a set
 * with a user namespace the helper made it that namespace's root already
 * (become_set_ids); in one without, it is in the host's user namespace
 * and stays uid 0, with no capability: as any other uid (nobody, say)
 * every process of that uid, in the set or not, could SIGKILL it, and
 * with it every process of the set's pid namespace; as root, only root
 * can, and ptrace(2) and /proc/PID of it need CAP_SYS_PTRACE on the
 * host, since it is not dumpable. Then: no capability in any
 * set (bounding and ambient too: it reaps and waits, which needs none,
 * and never execs), no new privileges, not dumpable (a process of the
 * same uid may then not ptrace it, nor read its /proc/PID files,
 * ptrace(2) "Ptrace access mode checking"), cwd "/". Dumpable goes last:
 * a change of credentials resets it (prctl(2) PR_SET_DUMPABLE). */
static int keeper_drop_privileges(void)
{
        struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};

        if (chdir("/") < 0)
                return -1;
        /* Needs CAP_SETPCAP; EINVAL past the kernel's last capability. */
        for (int c = 0; c < 64; c++) {
                int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);

                if (r < 0)
                        break;
                if (r == 1 && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
                        return -1;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -1;
        /* Becoming uid 0 of a user namespace kept every capability in it:
         * drop them (capabilities(7)). */
        if (syscall(SYS_capset, &head, none) < 0)
                return -1;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return -1;
        return 0;
}

/* PID 1 of a kept pid namespace: reaps orphans until killed. Signals
 * from outside cannot reach it but SIGKILL (pid_namespaces(7)). Its
 * lifeline is the read end of a pipe whose write end the daemon holds:
 * end of file before LIFELINE_PERMANENT came means the set never came to
 * be (the helper or the daemon died first), or was fd-pinned and its
 * daemon is gone; either way the keeper goes. After LIFELINE_PERMANENT
 * (a bind set whose state file is written) it stays until killed. */
_Noreturn static void keeper_main(int lifeline)
{
        sigset_t mask;
        int sfd;

        (void) prctl(PR_SET_NAME, KEEPER_NAME);
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC);

        for (;;) {
                struct pollfd p[2] = {
                        { .fd = sfd, .events = POLLIN },
                        { .fd = lifeline, .events = POLLIN },
                };
                struct signalfd_siginfo si;
                char c;

                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (poll(p, lifeline >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
                        _exit(1);
                if (p[0].revents & POLLIN)
                        (void) read(sfd, &si, sizeof(si));
                if (lifeline >= 0 && p[1].revents) {
                        if (read(lifeline, &c, 1) != 1 || c != LIFELINE_PERMANENT)
                                _exit(0);
                        close(lifeline);
                        lifeline = -1;
                }
        }
}

/* Closes every fd from 3 up but a and b (either may be -1); 0-2 are
 * /dev/null (helper_child_start). */
static void close_all_but(int a, int b)
{
        int lo = a < b ? a : b, hi = a < b ? b : a;
        unsigned from = 3;

        if (lo < 3)
                lo = hi, hi = -1;
        if (lo >= 3) {
                if ((unsigned) lo > from)
                        (void) close_range(from, (unsigned) lo - 1, 0);
                from = (unsigned) lo + 1;
        }
        if (hi >= 3 && hi != lo) {
                if ((unsigned) hi > from)
                        (void) close_range(from, (unsigned) hi - 1, 0);
                from = (unsigned) hi + 1;
        }
        (void) close_range(from, ~0U, 0);
}

/* Forks the keeper and returns its pid once it reported how its start
 * went (a fresh /proc, its privileges dropped). */
static pid_t child_start_keeper(int sock, nsk_type_mask_t types, int lifeline_read,
                                const char *name)
{
        int ctl[2], res[2] = { 0, STEP_PROC }; /* errno, and the step that failed */
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
                child_fail(sock, STEP_KEEPER, -1);
        pid = fork();
        if (pid < 0)
                child_fail(sock, STEP_KEEPER, -1);
        if (pid == 0) {
                /* What an operator sees in ps, pgrep -f or lsns: the set it
                 * keeps, not the spawner it came from. */
                /* Without room for the set's name, the name alone: never
                 * the daemon's command line, readable inside the set. */
                if (!proctitle_set(KEEPER_NAME, name))
                        (void) proctitle_set(KEEPER_NAME, NULL);
                close_all_but(ctl[1], lifeline_read);
                /* A fresh /proc for the new pid namespace, where the set
                 * has a mount namespace of its own to put it in. */
                if ((types & NSK_TYPE_BIT(NSK_TYPE_MNT)) &&
                    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                        res[0] = errno;
                else if (keeper_drop_privileges() < 0)
                        res[0] = errno, res[1] = STEP_KEEPER_PRIVILEGES;
                (void) send(ctl[1], res, sizeof(res), MSG_NOSIGNAL);
                if (res[0] != 0)
                        _exit(1);
                close(ctl[1]);
                keeper_main(lifeline_read);
        }
        close(ctl[1]);
        if (recv(ctl[0], res, sizeof(res), 0) != (ssize_t) sizeof(res))
                res[0] = EIO, res[1] = STEP_KEEPER;
        close(ctl[0]);
        if (res[0] != 0) {
                errno = res[0];
                child_fail(sock, res[1], NSK_TYPE_PID);
        }
        return pid;
}

/* The lowest id a map gives inside (0 where it maps 0), or -1 if it
 * maps none. */
static int64_t lowest_inside(const struct nsk_idmap *m, unsigned n)
{
        int64_t low = -1;

        for (unsigned i = 0; i < n; i++)
                if (low < 0 || m[i].inside < low)
                        low = m[i].inside;
        return low;
}

/* In a set with a user namespace, once its maps are written: the helper,
 * and the keeper it forks, become the namespace's root (or its lowest
 * mapped ids, where 0 is not mapped) instead of the creator's host ids,
 * which a process of the set could otherwise borrow. Its capabilities in
 * the namespace stay (it still unshares, mounts, sets the hostname): a
 * change to this namespace's root clears nothing (capabilities(7),
 * "Effect of user ID changes on capabilities"). Without maps nothing can
 * be changed to, and only root is in such a set. The kernel clears the
 * death signal and the dumpable flag on a credential change. */
static int become_set_ids(const struct nsk_settings *s, pid_t daemon)
{
        int64_t uid = lowest_inside(s->uid_map, s->n_uid_map);
        int64_t gid = lowest_inside(s->gid_map, s->n_gid_map);

        if (gid >= 0 && setresgid((gid_t) gid, (gid_t) gid, (gid_t) gid) < 0)
                return -1;
        if (uid >= 0 && setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) < 0)
                return -1;
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != daemon)
                _exit(1);
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        return 0;
}

_Noreturn static void helper_child_main(int sock, const struct helper_start *st,
                                        const struct nsk_settings *s, pid_t daemon)
{
        nsk_type_mask_t types = st->types;
        uid_t uid = st->uid;
        gid_t gid = st->gid;
        struct helper_msg m = { .phase = PHASE_DONE, .detail = -1 };
        int fds[NSK_TYPE_MAX + 2], life[2] = { -1, -1 }, nsdir, offsets = -1, step, detail;
        nsk_type_mask_t rest = types;
        uint64_t above;
        size_t n = 0;

        /* The daemon gone means nobody wants what we make. (Compared with
         * its pid, not 1: the daemon may be PID 1 of a container.) */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != daemon)
                _exit(1);

        /* Opened while still root: once privileges are dropped the
         * helper is not dumpable and this file is root's. The kernel checks
         * CAP_SYS_TIME against whoever opened it. */
        if ((types & NSK_TYPE_BIT(NSK_TYPE_TIME)) && (s->monotonic != 0 || s->boottime != 0)) {
                offsets = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
                if (offsets < 0)
                        child_fail(sock, STEP_TIME_OFFSETS, NSK_TYPE_TIME);
        }

        /* The daemon's mount namespace, which pins the set's: read while
         * still root. */
        above = steps_mntns_id();
        /* The daemon's supplementary groups are of no use to a set. */
        if (setgroups(0, NULL) < 0)
                child_fail(sock, STEP_CREDENTIALS, -1);
        /* The user namespace is owned by the euid that makes it: the uid
         * the set is for. The kernel clears the death signal on a
         * credential change, so it is set again. */
        if (uid != 0) {
                if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                        child_fail(sock, STEP_CREDENTIALS, -1);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != daemon)
                        _exit(1);
                (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        }

        if (types & NSK_TYPE_BIT(NSK_TYPE_USER)) {
                struct helper_msg u = { .phase = PHASE_USERNS, .detail = -1 };

                if (unshare(CLONE_NEWUSER) < 0)
                        child_fail(sock, STEP_UNSHARE, NSK_TYPE_USER);
                if (send(sock, &u, sizeof(u), MSG_NOSIGNAL) < 0 || !child_wait_for(sock, PHASE_GO))
                        _exit(1);
                if (become_set_ids(s, daemon) < 0)
                        child_fail(sock, STEP_CREDENTIALS, NSK_TYPE_USER);
                rest &= ~NSK_TYPE_BIT(NSK_TYPE_USER);
        }
        if (rest && unshare((int) nsk_type_mask_to_clone_flags(rest)) < 0)
                child_fail(sock, STEP_UNSHARE, -1);
        if (fault_point(FAULT_HELPER_AFTER_UNSHARE) < 0)
                child_fail(sock, STEP_UNSHARE, -1);
        if ((types & NSK_TYPE_BIT(NSK_TYPE_MNT)) && steps_mntns_above(above) < 0)
                child_fail(sock, STEP_UNSHARE, NSK_TYPE_MNT);

        if (steps_apply_settings(types, s, &step, &detail) < 0)
                child_fail(sock, step, detail);

        /* Offsets can be written only before a process enters the time
         * namespace (time_namespaces(7)): before the keeper is forked. */
        if (offsets >= 0) {
                char text[128];
                int len;

                len = snprintf(text, sizeof(text), "monotonic %lld 0\nboottime %lld 0\n",
                               (long long) s->monotonic, (long long) s->boottime);
                if (write(offsets, text, (size_t) len) != len)
                        child_fail(sock, STEP_TIME_OFFSETS, NSK_TYPE_TIME);
                close(offsets);
        }

        /* Opened now: the keeper may mount another /proc over this one,
         * in which the helper (outside its pid namespace) has no entry. */
        /* O_PATH: a helper that dropped privileges is not dumpable, and
         * its /proc entries are root's; searching them is still allowed. */
        nsdir = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (nsdir < 0)
                child_fail(sock, STEP_OPEN, -1);

        /* A pid namespace whose init is gone takes no new process, so
         * the set keeps one (pid_namespaces(7)). It comes first: until it
         * exists pid_for_children cannot be opened. */
        if (types & NSK_TYPE_BIT(NSK_TYPE_PID)) {
                if (pipe2(life, O_CLOEXEC) < 0)
                        child_fail(sock, STEP_KEEPER, -1);
                m.keeper_pid = child_start_keeper(sock, types, life[0], st->name);
                close(life[0]);
                if (fault_point(FAULT_HELPER_AFTER_KEEPER) < 0)
                        child_fail(sock, STEP_KEEPER, -1);
        }

        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(types & NSK_TYPE_BIT(t)))
                        continue;
                fds[n] = openat(nsdir, nsk_type_info(t)->proc, O_RDONLY | O_CLOEXEC);
                if (fds[n] < 0)
                        child_fail(sock, STEP_OPEN, t);
                n++;
        }

        if (m.keeper_pid > 0) {
                fds[n] = pidfd_open(m.keeper_pid, 0);
                if (fds[n] < 0)
                        child_fail(sock, STEP_KEEPER, -1);
                n++;
                fds[n++] = life[1];
        }

        /* Once sent, the daemon holds the only other write end of the
         * lifeline: if it dies before the set is for good, so does the
         * keeper. */
        if (fault_point(FAULT_HELPER_BEFORE_REPLY) < 0 ||
            fdpass_send(sock, &m, sizeof(m), fds, n) < 0)
                child_fail(sock, STEP_SEND, -1);
        _exit(0);
}

_Noreturn void helper_child_start(int sock, struct helper_start *st, size_t len, pid_t daemon)
{
        char *sysctls[NSK_SYSCTL_MAX];

        if (!steps_request_fix(st, len, sysctls))
                _exit(0);
        if (st->flags & HELPER_SERVE)
                maker_child_start(sock, st, daemon);
        if (!steps_detach(HELPER_NAME, st->name))
                _exit(1);
        helper_child_main(sock, st, &st->settings, daemon);
}
