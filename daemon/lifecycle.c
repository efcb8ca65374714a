/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Making a set exist, ending it, marking it dead: the order of the steps
 * and their undoing (lifecycle.h says why this order). */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "extpin.h"
#include "fault.h"
#include "fdstore.h"
#include "ipnetns.h"
#include "lifecycle.h"
#include "log.h"
#include "pin.h"
#include "settings.h"
#include "state.h"

struct lifecycle {
        const struct rundir *rd;
        struct registry *reg;
        struct keepers *keepers;
        lifecycle_event_fn on_event;
        void *userdata;
};

struct lifecycle *lifecycle_new(const struct rundir *rd, struct registry *reg, struct keepers *ks,
                                lifecycle_event_fn on_event, void *userdata)
{
        struct lifecycle *lc = calloc(1, sizeof(*lc));

        if (lc)
                *lc = (struct lifecycle) { .rd = rd,
                                           .reg = reg,
                                           .keepers = ks,
                                           .on_event = on_event,
                                           .userdata = userdata };
        return lc;
}

struct lifecycle *lifecycle_free(struct lifecycle *lc)
{
        free(lc);
        return NULL;
}

/* The set will only ever be released; the event goes out. */
static void mark_dead(struct lifecycle *lc, struct set *s, const char *reason)
{
        bool announced = s->state != SET_CREATING;

        set_mark_dead(s, reason);
        /* Not yet announced (its networks are being attached): it is,
         * dead, when it is (lifecycle_announce()), or never. */
        if (!announced)
                s->state = SET_CREATING;
        else
                lc->on_event(NSK_EVENT_DEAD, s, lc->userdata);
}

void lifecycle_pins_missing(struct lifecycle *lc, struct set *s, nsk_type_mask_t mask,
                            bool ip_netns)
{
        char types[64];

        mask &= s->types & ~s->missing;
        ip_netns = ip_netns && s->settings.ip_netns && !s->ip_netns_missing;
        if (!mask && !ip_netns)
                return;
        s->missing |= mask;
        s->ip_netns_missing |= ip_netns;
        if (mask) {
                nsk_type_mask_format(mask, types, sizeof(types));
                log_warning("set '%s': %s pin gone or replaced (removed from outside)", s->name,
                            types);
        }
        if (ip_netns)
                log_warning("set '%s': %s/%s gone or replaced (ip netns delete?)", s->name,
                            lc->rd->netns_dir, s->name);
        lc->on_event(NSK_EVENT_PIN_MISSING, s, lc->userdata);
}

struct mount_check {
        struct lifecycle *lc;
        const struct mounts *m;
        struct set **unpinned; /* to release: every pin at its creator's paths gone */
        size_t n_unpinned;
        struct rundir real;     /* the runtime directory as mountinfo spells it */
        const char *netns_real; /* --netns-dir so, or NULL if it is gone */
        struct extpin_dirs dirs;
};

static int check_set(struct set *s, void *userdata)
{
        struct mount_check *mc = userdata;
        nsk_type_mask_t gone = 0;
        bool netns_gone = false;
        char path[PATH_MAX];

        if (s->settings.release_with_pins && s->state != SET_CREATING && !s->busy &&
            !extpin_set_present(s, mc->m, &mc->dirs)) {
                struct set **v = reallocarray(mc->unpinned, mc->n_unpinned + 1, sizeof(*v));

                if (v) {
                        mc->unpinned = v;
                        v[mc->n_unpinned++] = s;
                }
                return 0;
        }
        if (s->state != SET_READY)
                return 0;
        for (int t = 0; t < NSK_TYPE_MAX && s->pin == NSK_PIN_BIND; t++)
                if ((s->types & ~s->missing & NSK_TYPE_BIT(t)) &&
                    rundir_pin_path(&mc->real, s->name, t, path, sizeof(path)) == 0 &&
                    !mounts_has(mc->m, path, s->inode[t]))
                        gone |= NSK_TYPE_BIT(t);
        if (s->settings.ip_netns && !s->ip_netns_missing) {
                int n = mc->netns_real
                                ? snprintf(path, sizeof(path), "%s/%s", mc->netns_real, s->name)
                                : 0;

                netns_gone = !mc->netns_real || (n > 0 && (size_t) n < sizeof(path) &&
                                                 !mounts_has(mc->m, path, s->inode[NSK_TYPE_NET]));
        }
        lifecycle_pins_missing(mc->lc, s, gone, netns_gone);
        return 0;
}

void lifecycle_check_mounts(struct lifecycle *lc, const struct mounts *m)
{
        _cleanup_free_ char *rundir = realpath(lc->rd->path, NULL);
        _cleanup_free_ char *netns = realpath(lc->rd->netns_dir, NULL);
        struct mount_check mc = { .lc = lc, .m = m, .real = *lc->rd, .netns_real = netns };

        /* Without a runtime directory nothing can be said of pins. */
        if (!rundir)
                return;
        mc.real.path = rundir;
        (void) registry_foreach(lc->reg, check_set, &mc);
        extpin_dirs_done(&mc.dirs);
        /* Outside the walk: a release takes the set out of the registry. */
        for (size_t i = 0; i < mc.n_unpinned; i++) {
                struct set *s = mc.unpinned[i];

                log_info("set '%s': its pins at its creator's paths are gone; releasing it",
                         s->name);
                (void) lifecycle_release(lc, s);
        }
        free(mc.unpinned);
}

static void on_keeper_exit(struct set *s, const char *reason, void *userdata)
{
        mark_dead(userdata, s, reason);
}

int lifecycle_reserve(struct lifecycle *lc, const char *key, nsk_type_mask_t types,
                      enum nsk_pin pin, uid_t owner, struct set **ret)
{
        struct set *s = set_new(key, types, pin, owner);
        int r;

        if (!s)
                return -ENOMEM;
        r = registry_add(lc->reg, s);
        if (r < 0) {
                set_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void lifecycle_abandon(struct lifecycle *lc, struct set *s)
{
        /* Never came to be: no keeper either. */
        keeper_release(s->keeper);
        registry_remove(lc->reg, s);
        set_free(s);
}

/* Pins made ahead (*staged, pin.h) taken as they are, with a rename;
 * where there are none, or they are not as they were made, pins made
 * now. -EEXIST: the set's pin directory is there already. */
static int pin_take(struct lifecycle *lc, struct set *s, const int fds[NSK_TYPE_MAX],
                    uint64_t *staged)
{
        int r;

        if (*staged) {
                r = pin_take_staged(lc->rd, *staged, s->name, s->types, s->inode);
                if (r == 0 || r == -ESTALE)
                        *staged = 0;
                if (r == 0 || r == -EEXIST)
                        return r;
                log_warning("set '%s': cannot take the pins made ahead (%s); pinning anew", s->name,
                            strerror(-r));
        }
        return pin_make_all(lc->rd, s->name, s->types, fds);
}

/* Bind pins, then the state file as the commit point (lifecycle.h). */
static int pin_bind(struct lifecycle *lc, struct set *s, const int fds[NSK_TYPE_MAX],
                    uint64_t *staged)
{
        int r;

        r = pin_take(lc, s, fds, staged);
        if (r < 0)
                return r;
        r = fault_point(FAULT_CREATE_AFTER_PINS);
        if (r < 0)
                goto undo;
        r = state_prepare(lc->rd, s);
        if (r == 0) {
                keeper_make_permanent(s->keeper);
                r = fault_point(FAULT_STATE_BEFORE_RENAME);
                if (r == 0)
                        r = state_commit(lc->rd, s->name);
        }
        if (r == 0)
                return 0;
        log_error("set '%s': cannot write state: %s", s->name, strerror(-r));
undo:
        (void) pin_remove_all(lc->rd, s->name, s->types);
        return r;
}

/* An fd-pinned set keeps the fds and has a state file too: with the fd
 * store it is what a restarted daemon rebuilds the set from (fdstore.h). */
static int pin_fd(struct lifecycle *lc, struct set *s, int fds[NSK_TYPE_MAX])
{
        int r;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s->fd[t] = TAKE_FD(fds[t]);
        r = lifecycle_save(lc, s);
        if (r < 0) {
                close_many(s->fd, NSK_TYPE_MAX);
                return r;
        }
        (void) fdstore_add_set(s);
        return 0;
}

/* Pins the namespaces of res (its fds taken in every case, its pins made
 * ahead if it has them and they are taken); *ret_reason may explain a
 * failure better than its errno. */
static int pin(struct lifecycle *lc, struct set *s, struct helper_result *res,
               const char **ret_reason)
{
        const struct rundir *rd = lc->rd;
        int *fds = res->fds;
        int r = 0;

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
                if (r < 0)
                        goto out;
        }
        if (r == 0 && s->pin == NSK_PIN_BIND) {
                r = pin_bind(lc, s, fds, &res->staged);
                if (r == -EEXIST)
                        *ret_reason = "pins of that name are left over in the runtime directory";
        } else if (r == 0)
                r = pin_fd(lc, s, fds);
        if (r < 0 && s->settings.ip_netns)
                (void) ipnetns_remove(rd->netns_dir, s->name, s->inode[NSK_TYPE_NET]);
out:
        close_many(fds, NSK_TYPE_MAX);
        return r;
}

/* The pins at its creator's paths, once its own are there. One that
 * cannot be made takes those made before it away, with the files made
 * for them: a failed create leaves nothing. */
static int pin_extra(struct lifecycle *lc, struct set *s, char *msg, size_t size)
{
        bool made[NSK_TYPE_MAX] = {};

        for (unsigned i = 0; i < s->settings.n_pins_at; i++) {
                _cleanup_close_ int fd = -EBADF;
                char why[NSK_MESSAGE_MAX] = "";
                const char *path;
                enum nsk_type t;
                int r;

                if (nsk_pin_at_parse(s->settings.pins_at[i], &t, &path) < 0)
                        r = -EINVAL;
                else
                        r = set_open(s, lc->rd, t, &fd);
                if (r == 0)
                        r = extpin_add(path, fd, &made[i], why, sizeof(why));
                if (r < 0) {
                        snprintf(msg, size, "cannot pin at %s: %s", s->settings.pins_at[i],
                                 why[0]        ? why
                                 : r == -EBUSY ? "a namespace is mounted there already"
                                               : strerror(-r));
                        while (i-- > 0)
                                if (nsk_pin_at_parse(s->settings.pins_at[i], &t, &path) == 0 &&
                                    extpin_remove(path, s->inode[t]) == 0 && made[i])
                                        (void) unlink(path);
                        return r;
                }
        }
        return 0;
}

int lifecycle_commit(struct lifecycle *lc, struct set *s, struct helper_result *res, char *msg,
                     size_t size)
{
        const char *reason = NULL;
        int r = 0;

        if (res->keeper_pid > 0) {
                r = keeper_attach(lc->keepers, s, res->keeper_pid, TAKE_FD(res->keeper_pidfd),
                                  TAKE_FD(res->keeper_lifeline), on_keeper_exit, lc);
                if (r < 0)
                        snprintf(msg, size, "cannot watch the keeper: %s", strerror(-r));
        }
        if (r == 0) {
                r = pin(lc, s, res, &reason);
                if (r < 0)
                        snprintf(msg, size, "cannot pin: %s", reason ? reason : strerror(-r));
        }
        /* A bind set's keeper was made permanent as its state file was
         * committed; an fd-pinned set's keeps its lifeline: the set ends
         * with the daemon. */
        helper_result_close(res);
        if (r < 0) {
                lifecycle_abandon(lc, s);
                return r;
        }
        /* After the commit: a crash before they are all there leaves a
         * set whose pins at its creator's paths are gone, which is what
         * its creator's cleanup leaves too. */
        r = pin_extra(lc, s, msg, size);
        if (r < 0)
                lifecycle_withdraw(lc, s);
        return r;
}

void lifecycle_announce(struct lifecycle *lc, struct set *s, enum nsk_event e)
{
        char types[64];

        /* An adopted pid namespace's own init, watched before the set
         * is announced. */
        if (e == NSK_EVENT_ADOPTED)
                lifecycle_watch_init(lc, s);
        /* Its keeper may have died while its networks were attached. */
        s->state = s->dead_reason ? SET_DEAD : SET_READY;
        nsk_type_mask_format(s->types, types, sizeof(types));
        if (e == NSK_EVENT_CREATED)
                log_info("set '%s': created (%s, %s pins) for uid %u", s->name, types,
                         nsk_pin_name(s->pin), (unsigned) s->owner);
        else
                log_info("set '%s': adopted (%s pins)", s->name, nsk_pin_name(s->pin));
        lc->on_event(e, s, lc->userdata);
        if (s->state == SET_DEAD)
                lc->on_event(NSK_EVENT_DEAD, s, lc->userdata);
}

int lifecycle_publish(struct lifecycle *lc, struct set *s, struct helper_result *res,
                      enum nsk_event e, char *msg, size_t size)
{
        int r = lifecycle_commit(lc, s, res, msg, size);

        if (r == 0)
                lifecycle_announce(lc, s, e);
        return r;
}

/* Everything that holds the namespaces, after the state file is gone. */
static void unpin_rest(struct lifecycle *lc, struct set *s)
{
        const struct rundir *rd = lc->rd;
        int r;

        /* Those its creator has not removed: still this set's namespace. */
        extpin_remove_set(s);

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
                (void) pin_remove_all(rd, s->name, s->types);
}

static int unpin(struct lifecycle *lc, struct set *s)
{
        int r;

        keeper_release(s->keeper);
        r = fault_point(FAULT_RELEASE_AFTER_KEEPER);
        if (r == 0)
                r = state_remove(lc->rd, s->name);
        if (r < 0) {
                char reason[NSK_MESSAGE_MAX];

                log_error("set '%s': cannot remove state: %s", s->name, strerror(-r));
                snprintf(reason, sizeof(reason), "release failed: cannot remove its state file: %s",
                         strerror(-r));
                /* Its keeper is gone: never hand it out again. */
                mark_dead(lc, s, reason);
                return r;
        }
        unpin_rest(lc, s);
        return 0;
}

int lifecycle_release(struct lifecycle *lc, struct set *s)
{
        int r = unpin(lc, s);

        if (r < 0)
                return r;
        log_info("set '%s': released", s->name);
        lc->on_event(NSK_EVENT_RELEASED, s, lc->userdata);
        registry_remove(lc->reg, s);
        set_free(s);
        return 0;
}

void lifecycle_withdraw(struct lifecycle *lc, struct set *s)
{
        /* Its state file stays: so does the set, dead (unpin() said why),
         * announced for a release to finish. */
        if (unpin(lc, s) < 0) {
                lifecycle_announce(lc, s, NSK_EVENT_CREATED);
                return;
        }
        log_info("set '%s': withdrawn before it was announced", s->name);
        registry_remove(lc->reg, s);
        set_free(s);
}

void lifecycle_rewatch_keeper(struct lifecycle *lc, struct set *s, pid_t pid, int lifeline)
{
        _cleanup_close_ int life = lifeline;
        char reason[128];
        int pidfd, r;

        pidfd = keeper_find(pid, s->inode[NSK_TYPE_PID]);
        if (pidfd >= 0) {
                r = keeper_attach(lc->keepers, s, pid, pidfd, TAKE_FD(life), on_keeper_exit, lc);
                /* Alive but unwatched: the set stays as it is. */
                if (r < 0)
                        log_error("set '%s': cannot watch its keeper (pid %d): %s", s->name,
                                  (int) pid, strerror(-r));
                return;
        }
        snprintf(reason, sizeof(reason),
                 "the pid namespace's init (pid %d) died while nskeeperd was not running",
                 (int) pid);
        mark_dead(lc, s, reason);
}

void lifecycle_watch_init(struct lifecycle *lc, struct set *s)
{
        pid_t pid;
        int pidfd, r;

        if (!(s->types & NSK_TYPE_BIT(NSK_TYPE_PID)) || s->keeper)
                return;
        r = keeper_find_init(s->inode[NSK_TYPE_PID], &pid, &pidfd);
        if (r < 0) {
                log_notice("set '%s': cannot find the init of its pid namespace (%s); its "
                           "death will go unnoticed",
                           s->name, strerror(-r));
                return;
        }
        r = keeper_watch(lc->keepers, s, pid, pidfd, on_keeper_exit, lc);
        if (r < 0)
                log_error("set '%s': cannot watch the init of its pid namespace (pid %d): %s",
                          s->name, (int) pid, strerror(-r));
}

static int end_fd_set(struct set *s, void *userdata)
{
        if (s->pin == NSK_PIN_FD && s->state != SET_CREATING)
                (void) unpin(userdata, s);
        return 0;
}

void lifecycle_end_fd_sets(struct lifecycle *lc)
{
        (void) registry_foreach(lc->reg, end_fd_set, lc);
}

int lifecycle_save(struct lifecycle *lc, struct set *s)
{
        int r = state_write(lc->rd, s);

        if (r < 0)
                log_error("set '%s': cannot write state: %s", s->name, strerror(-r));
        return r;
}
