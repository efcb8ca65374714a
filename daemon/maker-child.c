/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The maker's own side: one process that unshares again and again. For
 * types that need no process of their own, a process per set costs far
 * more than the kernel's work (a clone, an exit, a reap, the daemon's
 * page tables), so one helper makes root's sets of them in place:
 *
 *   unshare the set's types -> apply its settings -> open its namespace
 *   files -> setns back to the maker's own namespaces -> send the fds
 *
 * It goes back before it answers: no process can be given a namespace
 * the maker is still in, so nothing inside a set ever shares one with
 * it (it is root on the host, though not dumpable). Going back matters
 * for the next set too: unshare(2) copies the current uts namespace
 * (hostname) and mount namespace, and a cgroup namespace is rooted
 * where the process stands. A maker that cannot go back exits: the
 * daemon starts another for the next create. */

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "fault.h"
#include "fdpass.h"
#include "helper-steps.h"
#include "maker-child.h"
#include "nstype.h"
#include "spawn-proto.h"
#include "util.h"

/* The maker's own namespaces, one per type it makes: where it goes back
 * to after each set. */
static int home[NSK_TYPE_MAX];
/* The number of its own mount namespace: the daemon's (helper-steps.h). */
static uint64_t home_mntns;

static int open_home(void)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                char path[64];

                home[t] = -1;
                if (!(MAKER_TYPES & NSK_TYPE_BIT(t)))
                        continue;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", nsk_type_info(t)->proc);
                home[t] = open(path, O_RDONLY | O_CLOEXEC);
                if (home[t] < 0)
                        return -1;
        }
        home_mntns = steps_mntns_id();
        return 0;
}

/* Back to its own namespaces of the types it made (setns(2) on a mount
 * namespace also resets root and cwd to that namespace's root: "/"). */
static void go_home(nsk_type_mask_t types)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if ((types & NSK_TYPE_BIT(t)) && setns(home[t], nsk_type_info(t)->clone_flag) < 0)
                        _exit(1);
}

static void answer_error(int sock, int error, int step, int detail)
{
        struct helper_msg m = {
                .phase = PHASE_DONE, .error = error ? error : EIO, .step = step, .detail = detail
        };

        if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
                _exit(0); /* the daemon is gone */
}

/* One set: its namespaces made, set up, opened and sent, or an error
 * sent; the maker back home either way. */
static void make_one(int sock, const struct helper_start *st)
{
        struct helper_msg m = { .phase = PHASE_DONE, .detail = -1 };
        nsk_type_mask_t types = st->types;
        int fds[NSK_TYPE_MAX], step = STEP_UNSHARE, detail = -1, e;
        size_t n = 0;

        /* The daemon sends only these; anything else would be made with
         * the wrong owner or without its keeper. */
        if (st->uid != 0 || st->gid != 0 || (types & ~MAKER_TYPES) != 0) {
                answer_error(sock, EPERM, STEP_CREDENTIALS, -1);
                return;
        }
        /* The test build may leave it out, as a broken maker would: the
         * daemon must refuse its own namespaces (maker.c). */
        if (fault_point(FAULT_MAKER_UNSHARE) == 0 &&
            unshare((int) nsk_type_mask_to_clone_flags(types)) < 0) {
                answer_error(sock, errno, STEP_UNSHARE, -1);
                return;
        }
        if (fault_point(FAULT_HELPER_AFTER_UNSHARE) < 0)
                goto fail;
        detail = NSK_TYPE_MNT;
        if ((types & NSK_TYPE_BIT(NSK_TYPE_MNT)) && steps_mntns_above(home_mntns) < 0)
                goto fail;
        detail = -1;
        if (steps_apply_settings(types, &st->settings, &step, &detail) < 0)
                goto fail;
        step = STEP_OPEN;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                char path[64];

                if (!(types & NSK_TYPE_BIT(t)))
                        continue;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", nsk_type_info(t)->proc);
                fds[n] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[n] < 0) {
                        detail = t;
                        goto fail;
                }
                n++;
        }
        go_home(types);
        if (fault_point(FAULT_HELPER_BEFORE_REPLY) < 0) {
                e = errno;
                close_many(fds, n);
                answer_error(sock, e, STEP_SEND, -1);
                return;
        }
        if (fdpass_send(sock, &m, sizeof(m), fds, n) < 0)
                _exit(0);
        close_many(fds, n);
        return;
fail:
        e = errno;
        close_many(fds, n);
        go_home(types);
        answer_error(sock, e, step, detail);
}

/* Keeps of root's capabilities only what making a set takes:
 * CAP_SYS_ADMIN (unshare, mount propagation, sethostname, setns),
 * CAP_SYS_CHROOT (setns into a mount namespace) and CAP_NET_ADMIN (lo
 * up, net sysctls), in every set but the ambient one, which it clears.
 * Writing /proc/sys takes only uid 0, which it keeps. */
static int drop_capabilities(void)
{
        const uint64_t keep =
                (1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_SYS_CHROOT) | (1ULL << CAP_NET_ADMIN);
        struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

        /* Needs CAP_SETPCAP; EINVAL past the kernel's last capability. */
        for (int c = 0; c < 64; c++) {
                int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);

                if (r < 0)
                        break;
                if (r == 1 && !(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
                        return -1;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -1;
        if (syscall(SYS_capget, &head, data) < 0)
                return -1;
        for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
                uint32_t k = (uint32_t) (keep >> (32 * i));

                data[i].effective &= k;
                data[i].permitted &= k;
                data[i].inheritable = 0;
        }
        return (int) syscall(SYS_capset, &head, data);
}

_Noreturn void maker_child_start(int sock, struct helper_start *st, pid_t daemon)
{
        char *sysctls[NSK_SYSCTL_MAX];

        if (!steps_detach(MAKER_NAME, NULL))
                _exit(1);
        /* The daemon gone means nobody wants what we make. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != daemon)
                _exit(1);
        /* The daemon's supplementary groups are of no use to a set. */
        if (setgroups(0, NULL) < 0 || open_home() < 0 || drop_capabilities() < 0)
                _exit(1);
        for (;;) {
                ssize_t k;

                make_one(sock, st);
                do
                        k = recv(sock, st, sizeof(*st), 0);
                while (k < 0 && errno == EINTR);
                if (k <= 0 || !steps_request_fix(st, (size_t) k, sysctls))
                        _exit(0);
        }
}
