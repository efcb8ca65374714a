/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* join's view of the joined network namespace, as ip-netns(8) exec gives
 * it: its own sysfs on /sys and /etc/netns/NAME/ENTRY over /etc/ENTRY, in
 * a mount namespace of the command's own (netns-mounts.h). */

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "ctl.h"
#include "name.h"
#include "netns-mounts.h"

#define NETNS_ETC_DIR "/etc/netns"

static void closedirp(DIR **d)
{
        if (*d)
                (void) closedir(*d);
}

/* Which network namespace /sys/class/net describes is fixed when the
 * sysfs is mounted (sysfs(5)), so the caller's /sys keeps showing the
 * caller's interfaces: mount a new one. */
static int mount_sysfs(const char *set)
{
        unsigned long flags = 0;
        struct statvfs st;

        /* Keep what the old /sys forbade: a read-only /sys (a container's)
         * stays read-only, and in a user namespace the kernel refuses a
         * sysfs less restricted than the one it would cover. */
        if (statvfs("/sys", &st) == 0) {
                if (st.f_flag & ST_RDONLY)
                        flags |= MS_RDONLY;
                if (st.f_flag & ST_NOSUID)
                        flags |= MS_NOSUID;
                if (st.f_flag & ST_NODEV)
                        flags |= MS_NODEV;
                if (st.f_flag & ST_NOEXEC)
                        flags |= MS_NOEXEC;
        }
        /* Detached with whatever is mounted below it (/sys/fs/cgroup, as
         * with ip netns exec). A mount locked by a user namespace cannot
         * be unmounted (EINVAL): the new sysfs then goes on top. */
        (void) umount2("/sys", MNT_DETACH);
        if (mount(set, "/sys", "sysfs", flags, NULL) < 0)
                return ctl_fail("join '%s': cannot mount a sysfs of its network namespace on "
                                "/sys: %s (--no-netns-mounts joins without it)",
                                set, strerror(errno));
        return 0;
}

/* Binds each entry of /etc/netns/DIR over /etc/ENTRY, as ip netns exec
 * does for resolv.conf, hosts and the like. An entry whose /etc/ENTRY
 * cannot take it is left out with a warning; the command still runs. */
static void bind_etc(const char *set, const char *dir)
{
        _cleanup_(closedirp) DIR *d = NULL;
        char src[PATH_MAX], dst[PATH_MAX];
        struct dirent *e;
        int n;

        n = snprintf(src, sizeof(src), NETNS_ETC_DIR "/%s", dir);
        if (n < 0 || (size_t) n >= sizeof(src))
                return;
        d = opendir(src);
        if (!d) {
                if (errno != ENOENT)
                        fprintf(stderr, "nskeeperctl: join '%s': warning: %s left out: %s\n", set,
                                src, strerror(errno));
                return;
        }
        while ((e = readdir(d))) {
                if (streq(e->d_name, ".") || streq(e->d_name, ".."))
                        continue;
                snprintf(src, sizeof(src), NETNS_ETC_DIR "/%s/%s", dir, e->d_name);
                snprintf(dst, sizeof(dst), "/etc/%s", e->d_name);
                if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                        fprintf(stderr,
                                "nskeeperctl: join '%s': warning: %s left as it is: cannot bind "
                                "%s over it: %s\n",
                                set, dst, src, strerror(errno));
        }
}

int netns_mounts_setup(const char *set, uint32_t owner, const char *name)
{
        char dir[NSK_NAME_MAX + 16];
        int r;

        /* The name comes from the daemon's reply: never let it make a
         * path other than /etc/netns/[UID/]NAME (an empty one would bind
         * every set's directory). Checked before anything is made. */
        if (!name_is_valid(name))
                return ctl_fail("join '%s': the daemon's reply names no valid set", set);
        /* After setns(): a mount namespace made now belongs to the user
         * namespace joined, where the set's root may mount. */
        if (unshare(CLONE_NEWNS) < 0)
                return ctl_fail("join '%s': cannot make a mount namespace for /sys and "
                                "/etc/netns: %s (--no-netns-mounts joins without it)",
                                set, strerror(errno));
        /* The copy's mounts are peers of the caller's: as slaves they still
         * receive the caller's new mounts, and what is mounted here goes
         * nowhere else. */
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return ctl_fail("join '%s': cannot make / a slave mount: %s", set, strerror(errno));
        r = mount_sysfs(set);
        if (r != 0)
                return r;
        /* ip netns names are root's; another user's set NAME is
         * /etc/netns/UID/NAME, the name root gives it, so that it never
         * takes the files of root's set NAME. */
        if (owner == 0)
                snprintf(dir, sizeof(dir), "%s", name);
        else
                snprintf(dir, sizeof(dir), "%" PRIu32 "/%s", owner, name);
        bind_etc(set, dir);
        return 0;
}
