/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Steps shared by the helpers and the maker (helper-steps.h). */

#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "helper-steps.h"
#include "proctitle.h"
#include "spawn-proto.h"
#include "sysctl.h"
#include "util.h"

#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(NSIO, 0x5, uint64_t)
#endif
/* Mount namespaces made at most, looking for a number above the daemon's:
 * a CPU's batch is 4096 numbers, after which it takes the next, above all
 * handed out before. */
#define MNTNS_TRIES 8192

bool steps_request_fix(struct helper_start *st, size_t len, char **sysctls)
{
        struct nsk_settings *s = &st->settings;

        if (len < offsetof(struct helper_start, sysctls) || st->abi != SPAWN_ABI ||
            st->types == 0 || (st->types & ~NSK_TYPE_MASK_ALL) != 0 ||
            (st->flags & ~HELPER_SERVE) != 0 || s->n_sysctls > NSK_SYSCTL_MAX || st->size != len ||
            len != helper_start_size(s->n_sysctls) || s->n_uid_map > NSK_IDMAP_MAX ||
            s->n_gid_map > NSK_IDMAP_MAX)
                return false;
        st->name[sizeof(st->name) - 1] = '\0';
        s->hostname[sizeof(s->hostname) - 1] = '\0';
        s->domainname[sizeof(s->domainname) - 1] = '\0';
        for (unsigned i = 0; i < s->n_sysctls; i++) {
                st->sysctls[i][NSK_SYSCTL_LEN - 1] = '\0';
                sysctls[i] = st->sysctls[i];
        }
        s->sysctls = sysctls;
        return true;
}

/* 0-2 on /dev/null, or closed if it cannot be opened. */
static void null_stdio(void)
{
        (void) close_range(0, 2, 0);
        for (int i = 0; i < 3; i++)
                if (open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY) < 0)
                        break;
}

bool steps_detach(const char *what, const char *name)
{
        (void) prctl(PR_SET_NAME, what);
        /* Without room for the set's name, the name alone: never the
         * daemon's command line, readable inside the set. */
        if (!proctitle_set(what, name))
                (void) proctitle_set(what, NULL);
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (chdir("/") < 0)
                return false;
        null_stdio();
        return true;
}

static int write_file(const char *path, const char *text)
{
        size_t len = strlen(text);
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        ssize_t k;

        if (fd < 0)
                return -1;
        k = write(fd, text, len);
        if (k != (ssize_t) len) {
                int e = k < 0 ? errno : EIO;
                close(fd);
                errno = e;
                return -1;
        }
        return close(fd);
}

static int loopback_up(void)
{
        struct ifreq ifr = { .ifr_name = "lo" };
        /* Any socket reaches the interface ioctls (netdevice(7)); AF_UNIX
         * lets the unit restrict the daemon to that one family. */
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int r = -1;

        if (fd < 0)
                return -1;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
                ifr.ifr_flags |= IFF_UP;
                r = ioctl(fd, SIOCSIFFLAGS, &ifr);
        }
        int e = errno;
        close(fd);
        errno = e;
        return r;
}

/* The sysctls, through /proc/sys, which shows the namespaces of the
 * process that opens it: the new ones. */
static int apply_sysctls(nsk_type_mask_t types, const struct nsk_settings *s, int *ret_detail)
{
        for (unsigned i = 0; i < s->n_sysctls; i++) {
                char rel[NSK_SYSCTL_LEN], path[NSK_SYSCTL_LEN + 16];
                const char *value;
                enum nsk_type t;

                *ret_detail = (int) i;
                errno = EINVAL;
                /* Of a namespace just made, never one of the daemon's
                 * (the daemon checked; checked again all the same). */
                if (sysctl_parse(s->sysctls[i], rel, sizeof(rel), &value, &t) < 0 ||
                    !(types & NSK_TYPE_BIT(t)))
                        return -1;
                snprintf(path, sizeof(path), "/proc/sys/%s", rel);
                if (write_file(path, value) < 0)
                        return -1;
        }
        return 0;
}

int steps_apply_settings(nsk_type_mask_t types, const struct nsk_settings *s, int *ret_step,
                         int *ret_detail)
{
        /* A copy of the host's shared mounts would otherwise stay their
         * peer: mounts made in the set would appear on the host. As a
         * slave it still sees the host's new mounts (and new pins). */
        *ret_step = STEP_PROPAGATION;
        *ret_detail = NSK_TYPE_MNT;
        if ((types & NSK_TYPE_BIT(NSK_TYPE_MNT)) &&
            mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return -1;
        /* Names only in a uts namespace just made: never the daemon's. */
        *ret_detail = NSK_TYPE_UTS;
        *ret_step = STEP_HOSTNAME;
        errno = EINVAL;
        if (s->hostname[0] && (!(types & NSK_TYPE_BIT(NSK_TYPE_UTS)) ||
                               sethostname(s->hostname, strlen(s->hostname)) < 0))
                return -1;
        *ret_step = STEP_DOMAINNAME;
        if (s->domainname[0] && (!(types & NSK_TYPE_BIT(NSK_TYPE_UTS)) ||
                                 setdomainname(s->domainname, strlen(s->domainname)) < 0))
                return -1;
        /* A new network namespace has lo down; nearly everyone wants it up. */
        *ret_step = STEP_LOOPBACK;
        *ret_detail = NSK_TYPE_NET;
        if ((types & NSK_TYPE_BIT(NSK_TYPE_NET)) && !s->no_loopback && loopback_up() < 0)
                return -1;
        *ret_step = STEP_SYSCTL;
        return apply_sysctls(types, s, ret_detail);
}

uint64_t steps_mntns_id(void)
{
        uint64_t id = 0;
        int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return 0;
        if (ioctl(fd, NS_GET_MNTNS_ID, &id) < 0)
                id = 0;
        close(fd);
        return id;
}

int steps_mntns_above(uint64_t above)
{
        cpu_set_t allowed, one;
        uint64_t id = steps_mntns_id();
        bool move;
        int cpu = -1, r = 0;

        if (above == 0 || id == 0 || id > above)
                return 0;
        /* Where a filter forbids changing CPU, the same CPU's batch runs
         * out in time, and the next is above every number given before. */
        move = sched_getaffinity(0, sizeof(allowed), &allowed) == 0;
        for (unsigned i = 0; id <= above && i < MNTNS_TRIES; i++) {
                if (move) {
                        do
                                cpu = (cpu + 1) % CPU_SETSIZE;
                        while (!CPU_ISSET(cpu, &allowed));
                        CPU_ZERO(&one);
                        CPU_SET(cpu, &one);
                        move = sched_setaffinity(0, sizeof(one), &one) == 0;
                }
                if (unshare(CLONE_NEWNS) < 0) {
                        r = -1;
                        break;
                }
                id = steps_mntns_id();
        }
        if (cpu >= 0)
                (void) sched_setaffinity(0, sizeof(allowed), &allowed);
        if (r == 0 && id <= above) {
                errno = ELOOP;
                r = -1;
        }
        return r;
}
