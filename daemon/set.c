/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespace sets: pinning, unpinning, opening and describing them. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "fault.h"
#include "fdstore.h"
#include "ipnetns.h"
#include "keeper.h"
#include "monitor.h"
#include "log.h"
#include "notify.h"
#include "pin.h"
#include "set.h"
#include "state.h"

struct set *set_new(const char *name, nsk_type_mask_t types, enum nsk_pin pin, uid_t owner)
{
        struct set *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        snprintf(s->name, sizeof(s->name), "%s", name);
        s->types = types;
        s->pin = pin;
        s->owner = owner;
        s->created = (uint64_t) time(NULL);
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s->fd[t] = -EBADF;
        return s;
}

struct set *set_free(struct set *s)
{
        if (s) {
                close_many(s->fd, NSK_TYPE_MAX);
                keeper_free(s->keeper);
                nsk_settings_done(&s->settings);
                free(s->dead_reason);
                free(s);
        }
        return NULL;
}

void set_mark_dead(struct set *s, const char *reason)
{
        s->state = SET_DEAD;
        free(s->dead_reason);
        s->dead_reason = strdup(reason);
        monitor_emit(NSK_EVENT_DEAD, s);
}

/* Removes the pins of the types in mask, and the set's pin directory. */
static int bind_pins_remove(const struct set *s, const struct rundir *rd, nsk_type_mask_t mask)
{
        int r = 0, k;

        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(mask & NSK_TYPE_BIT(t)))
                        continue;
                k = pin_remove(rd, s->name, t);
                if (k < 0) {
                        log_error("set '%s': cannot remove %s pin: %s", s->name, nsk_type_name(t),
                                  strerror(-k));
                        if (r == 0)
                                r = k;
                }
        }
        if (!(mask & ~NSK_TYPE_BIT(NSK_TYPE_MNT)))
                return r;
        k = pin_dir_remove(rd, s->name);
        if (k < 0) {
                log_error("set '%s': cannot remove pin directory: %s", s->name, strerror(-k));
                if (r == 0)
                        r = k;
        }
        return r;
}

static int bind_pins_make(struct set *s, const struct rundir *rd, const int fds[NSK_TYPE_MAX])
{
        nsk_type_mask_t made = 0;
        int r = 0;

        /* mnt pins live apart (see rundir.h); only the others need a directory. */
        if (s->types & ~NSK_TYPE_BIT(NSK_TYPE_MNT)) {
                r = pin_dir_make(rd, s->name);
                if (r < 0)
                        return r;
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                r = pin_make(rd, s->name, t, fds[t]);
                if (r < 0) {
                        log_error("set '%s': cannot pin %s: %s", s->name, nsk_type_name(t),
                                  strerror(-r));
                        goto fail;
                }
                made |= NSK_TYPE_BIT(t);
        }
        r = fault_point(FAULT_CREATE_AFTER_PINS);
        if (r < 0)
                goto fail;
        /* The state file is the commit point: written, then the keeper
         * made permanent, then renamed into place. A crash before the
         * rename leaves .NAME.tmp, and the next start ends the keeper it
         * names (state_recover); after it, the set is whole. */
        r = state_prepare(rd, s);
        if (r == 0) {
                keeper_make_permanent(s->keeper);
                r = fault_point(FAULT_STATE_BEFORE_RENAME);
                if (r == 0)
                        r = state_commit(rd, s->name);
        }
        if (r < 0) {
                log_error("set '%s': cannot write state: %s", s->name, strerror(-r));
                goto fail;
        }
        return 0;
fail:
        /* Only what was made here: a file in the way is not ours. */
        (void) bind_pins_remove(s, rd, made);
        if (s->types & ~NSK_TYPE_BIT(NSK_TYPE_MNT))
                (void) pin_dir_remove(rd, s->name);
        return r;
}

int set_pin_take(struct set *s, const struct rundir *rd, int fds[NSK_TYPE_MAX],
                 const char **ret_reason)
{
        int r = 0;

        *ret_reason = NULL;
        for (int t = 0; t < NSK_TYPE_MAX && r == 0; t++) {
                struct stat st;

                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                if (fds[t] < 0 || fstat(fds[t], &st) < 0)
                        r = -EBADF;
                else
                        s->inode[t] = st.st_ino;
        }
        /* Whatever is left of a set of this name (a damaged state file, pins
         * of an interrupted create) is evidence; never write over it. */
        if (r == 0 && faccessat(rd->state_fd, s->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                *ret_reason = "a state file of that name is left over in the runtime directory";
                r = -EEXIST;
        }
        /* The ip netns entry first: it is the one a user may have taken. */
        if (r == 0 && s->settings.ip_netns) {
                r = ipnetns_add(rd->netns_dir, s->name, fds[NSK_TYPE_NET]);
                if (r == -EEXIST)
                        *ret_reason = "ip netns has a namespace of that name already";
                else if (r < 0)
                        *ret_reason = "cannot add it to ip netns";
        }
        if (r == 0 && s->pin == NSK_PIN_BIND) {
                r = bind_pins_make(s, rd, fds);
                if (r == -EEXIST)
                        *ret_reason = "pins of that name are left over in the runtime directory";
                if (r < 0 && s->settings.ip_netns)
                        (void) ipnetns_remove(rd->netns_dir, s->name, s->inode[NSK_TYPE_NET]);
        }
        if (r < 0 || s->pin == NSK_PIN_BIND) {
                close_many(fds, NSK_TYPE_MAX);
                if (r == 0)
                        notify_status_changed();
                return r;
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s->fd[t] = TAKE_FD(fds[t]);
        /* An fd-pinned set has a state file too: with the fd store it is
         * what a restarted daemon rebuilds the set from (fdstore.h). */
        r = state_write(rd, s);
        if (r < 0) {
                log_error("set '%s': cannot write state: %s", s->name, strerror(-r));
                if (s->settings.ip_netns)
                        (void) ipnetns_remove(rd->netns_dir, s->name, s->inode[NSK_TYPE_NET]);
                close_many(s->fd, NSK_TYPE_MAX);
                return r;
        }
        (void) fdstore_add_set(s);
        notify_status_changed();
        return 0;
}

int set_unpin(struct set *s, const struct rundir *rd)
{
        int r;

        /* The keeper first: it takes every process in the set's pid
         * namespace along, and a crash right after leaves a set that is
         * listed dead, never a keeper that belongs to no set. */
        keeper_release(s->keeper);
        r = fault_point(FAULT_RELEASE_AFTER_KEEPER);
        /* Then the state file: once it is gone the set is gone; what stays
         * behind after an error below is a pin without state, which the
         * next start removes. */
        if (r == 0)
                r = state_remove(rd, s->name);
        if (r < 0) {
                char reason[NSK_MESSAGE_MAX];

                log_error("set '%s': cannot remove state: %s", s->name, strerror(-r));
                snprintf(reason, sizeof(reason), "release failed: cannot remove its state file: %s",
                         strerror(-r));
                /* Its keeper is gone: never hand it out again. */
                set_mark_dead(s, reason);
                return r;
        }
        notify_status_changed();
        if (s->settings.ip_netns) {
                r = ipnetns_remove(rd->netns_dir, s->name, s->inode[NSK_TYPE_NET]);
                if (r < 0)
                        log_warning("set '%s': cannot remove %s/%s: %s", s->name, rd->netns_dir,
                                    s->name, strerror(-r));
        }
        if (s->pin == NSK_PIN_FD) {
                fdstore_remove_set(s);
                close_many(s->fd, NSK_TYPE_MAX);
        } else
                (void) bind_pins_remove(s, rd, s->types);
        return 0;
}

int set_open(const struct set *s, const struct rundir *rd, enum nsk_type t, int *ret_fd)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!(s->types & NSK_TYPE_BIT(t)))
                return -ENOENT;
        if (s->pin == NSK_PIN_FD) {
                fd = fcntl(s->fd[t], F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return negative_errno();
        } else {
                r = pin_open(rd, s->name, t, &fd);
                if (r == -ENOENT)
                        return -ESTALE;
                if (r < 0)
                        return r;
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                if (st.st_ino != s->inode[t])
                        return -ESTALE;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

void set_put(struct nsk_writer *w, const struct set *s, const struct rundir *rd, bool details)
{
        char paths[NSK_TYPE_MAX][PATH_MAX];
        struct nsk_set_info info = {
                .pin = s->pin,
                .created = s->created,
                .owner = (uint32_t) s->owner,
        };

        uint32_t owner;
        const char *name;

        /* Clients see NAME and OWNER, never the key. */
        if (!name_key_parse(s->name, &owner, &name) || strlen(name) >= sizeof(info.name))
                name = "";
        memcpy(info.name, name, strlen(name) + 1);
        info.state = s->state == SET_DEAD ? NSK_STATE_DEAD : NSK_STATE_READY;
        /* Others see that a set is dead, not why (PROTOCOL.md): the
         * reason may name paths and errors of its owner's. */
        if (s->dead_reason && details)
                snprintf(info.state_reason, sizeof(info.state_reason), "%s", s->dead_reason);
        if (!details) {
                nsk_put_set(w, &info);
                return;
        }
        info.keeper_pid = (uint32_t) keeper_pid(s->keeper);
        /* Shallow: nsk_put_set() only reads it. */
        info.settings = s->settings;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                struct nsk_ns_info *ns;

                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                ns = &info.ns[info.n_ns++];
                ns->type = t;
                ns->inode = s->inode[t];
                if (s->pin == NSK_PIN_BIND &&
                    rundir_pin_path(rd, s->name, t, paths[t], sizeof(paths[t])) >= 0)
                        ns->path = paths[t];
        }
        nsk_put_set(w, &info);
}
