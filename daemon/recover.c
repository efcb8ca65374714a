/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading back what a daemon before us left in the runtime directory:
 * state files, leftovers of creates cut short, pins without state. */

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>

#include "extpin.h"
#include "fdstore.h"
#include "ipnetns.h"
#include "keeper.h"
#include "log.h"
#include "pin.h"
#include "recover.h"
#include "state.h"

/* The pins of s that are gone or hold another namespace now (removed
 * from outside while no daemon watched): the set comes back damaged, as
 * it would have become had a daemon been watching, so its state file is
 * not left behind unlisted and release can clean up what is there. */
static nsk_type_mask_t missing_pins(const struct rundir *rd, const struct set *s)
{
        nsk_type_mask_t missing = 0;

        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                _cleanup_close_ int fd = -EBADF;

                if (!(s->types & NSK_TYPE_BIT(t)) || set_open(s, rd, t, &fd) == 0)
                        continue;
                log_error("set '%s': %s pin is missing or was replaced; the set is damaged",
                          s->name, nsk_type_name(t));
                missing |= NSK_TYPE_BIT(t);
        }
        return missing;
}

/* The set file names, read from its state file. */
static int load(const struct rundir *rd, const char *file, const char *name, struct set **ret,
                pid_t *ret_keeper)
{
        char text[STATE_SIZE_MAX + 1];
        struct set *s;
        int r;

        r = state_read(rd, file, text);
        if (r < 0)
                return r;
        s = set_new(name, 0, NSK_PIN_BIND, 0);
        if (!s)
                return -ENOMEM;
        r = state_parse(text, s, ret_keeper);
        if (r < 0) {
                set_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static void recover_one(struct lifecycle *lc, const struct rundir *rd, struct registry *reg,
                        const char *name)
{
        struct set *s;
        pid_t keeper;
        int lifeline = -EBADF, r;

        /* Known already (a reload, SIGHUP): never touched again. */
        if (registry_get(reg, name))
                return;
        r = load(rd, name, name, &s, &keeper);
        if (r < 0) {
                log_error("state file %s/state/%s is damaged (%s); skipping it", rd->path, name,
                          strerror(-r));
                return;
        }
        r = s->pin != NSK_PIN_BIND ? fdstore_claim(s, &lifeline) : 0;
        if (r < 0 && s->settings.n_networks > 0) {
                /* Ended with the daemon that held its fds; but what its
                 * networks' ADD took outside the namespace (an address
                 * lease, firewall rules) did not: its release runs their
                 * DEL, without a namespace. */
                log_warning("set '%s': was pinned by fd and ended with the last daemon; it is "
                            "dead until released, which undoes its networks",
                            name);
                set_mark_dead(s, "it was pinned by fd and ended with the last daemon; release "
                                 "it to undo its networks");
                if (registry_add(reg, s) < 0)
                        set_free(s);
                return;
        }
        if (r < 0) {
                /* Its fds ended with the daemon that held them, unless
                 * systemd's fd store kept them for us. */
                log_info("set '%s': was pinned by fd and its fds did not come back from the fd "
                         "store, so it ended with the last daemon",
                         name);
                /* Its ip netns entry would keep the network namespace, as
                 * would its pins at its creator's paths. */
                if (s->settings.ip_netns)
                        (void) ipnetns_remove(rd->netns_dir, name, s->inode[NSK_TYPE_NET]);
                extpin_remove_set(s);
                (void) state_remove(rd, name);
                set_free(s);
                return;
        }
        if (s->pin == NSK_PIN_BIND)
                s->missing = missing_pins(rd, s);
        if (registry_add(reg, s) < 0) {
                safe_close(lifeline);
                set_free(s);
                return;
        }
        if (keeper > 0)
                lifecycle_rewatch_keeper(lc, s, keeper, TAKE_FD(lifeline));
        else
                lifecycle_watch_init(lc, s); /* adopted: its own init */
        safe_close(lifeline);
        /* Committed, then cut short while its networks were attached (or
         * before their results were saved): never answered, so never in
         * use. Its release runs each network's DEL, which undoes what the
         * plugins made whether or not they finished. */
        for (unsigned i = 0; i < s->settings.n_networks; i++)
                if (!s->net_results[i]) {
                        log_warning("set '%s': its create was cut short while its networks were "
                                    "attached; it is dead until released",
                                    name);
                        set_mark_dead(s, "its create was cut short while its networks were "
                                         "attached; release it to undo them");
                        break;
                }
        log_debug("set '%s': recovered%s", name, s->pin == NSK_PIN_FD ? " from the fd store" : "");
}

/* Removes the pins of a set that has no state file. */
static void remove_orphan(const struct rundir *rd, const char *name)
{
        log_notice("set '%s': removing pins left without state by an interrupted create or "
                   "release",
                   name);
        (void) pin_remove_all(rd, name, NSK_TYPE_MASK_ALL);
}

/* ".NAME.tmp": a create cut short before its state file was renamed into
 * place. Its keeper may have been made permanent already (that comes
 * between the write and the rename, see lifecycle.h): end it, as its
 * lifeline would have, then the file. Its pins go as an orphan's. */
static void cut_short(const struct rundir *rd, const char *file)
{
        char name[NAME_KEY_MAX + 1];
        size_t len = strlen(file);
        struct set *s = NULL;
        pid_t keeper = 0;

        if (len > 5 && len - 5 <= NAME_KEY_MAX && streq(file + len - 4, ".tmp")) {
                memcpy(name, file + 1, len - 5);
                name[len - 5] = '\0';
                if (load(rd, file, name, &s, &keeper) == 0) {
                        if (keeper > 0 && keeper_kill_stray(keeper, s->inode[NSK_TYPE_PID]))
                                log_notice("set '%s': ended the keeper (pid %d) of a create cut "
                                           "short",
                                           name, (int) keeper);
                        set_free(s);
                }
        }
        (void) unlinkat(rd->state_fd, file, 0);
}

static int scan(struct lifecycle *lc, int dirfd, const char *what, const struct rundir *rd,
                struct registry *reg, bool adopting, bool starting)
{
        _cleanup_close_ int fd = -EBADF;
        DIR *d;
        struct dirent *de;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);

        while ((de = readdir(d))) {
                const char *name = de->d_name, *plain;
                uint32_t owner;

                if (streq(name, ".") || streq(name, ".."))
                        continue;
                if (adopting && name[0] == '.') {
                        cut_short(rd, name);
                        continue;
                }
                /* Pins made ahead for a pool: at start, by the daemon
                 * before, whose pool is gone with it; later, our own. */
                if (dirfd == rd->ns_fd && pin_staged_name(name)) {
                        if (starting) {
                                log_notice("removing the pins made ahead for a pool in %s/ns/%s",
                                           rd->path, name);
                                (void) pin_unstage_name(rd, name);
                        }
                        continue;
                }
                if (!name_key_parse(name, &owner, &plain)) {
                        log_warning("%s/%s/%s is not a set; leaving it alone", rd->path, what,
                                    name);
                        continue;
                }
                if (adopting)
                        recover_one(lc, rd, reg, name);
                else if (!registry_get(reg, name) &&
                         faccessat(rd->state_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                        remove_orphan(rd, name);
        }
        closedir(d);
        return 0;
}

int recover_sets(struct lifecycle *lc, const struct rundir *rd, struct registry *reg, bool starting)
{
        int r;

        r = scan(lc, rd->state_fd, "state", rd, reg, true, starting);
        if (r < 0)
                return r;
        r = scan(lc, rd->ns_fd, "ns", rd, reg, false, starting);
        if (r < 0)
                return r;
        return scan(lc, rd->mnt_fd, "mnt", rd, reg, false, starting);
}
