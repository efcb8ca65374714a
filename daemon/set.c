/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespace sets: pinning, unpinning, opening and describing them. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "pin.h"
#include "set.h"
#include "state.h"

struct set *set_new(const char *name, nstype_mask_t types, enum nsk_pin pin, uid_t owner)
{
        struct set *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        snprintf(s->name, sizeof(s->name), "%s", name);
        s->types = types;
        s->pin = pin;
        s->owner = owner;
        s->created = (uint64_t) time(NULL);
        for (int t = 0; t < NSTYPE_MAX; t++)
                s->fd[t] = -EBADF;
        return s;
}

struct set *set_free(struct set *s)
{
        if (s) {
                close_many(s->fd, NSTYPE_MAX);
                free(s);
        }
        return NULL;
}

static int bind_pins_remove(const struct set *s, const struct rundir *rd)
{
        int r = 0;

        for (int t = 0; t < NSTYPE_MAX; t++) {
                if (!(s->types & NSTYPE_BIT(t)))
                        continue;
                int k = pin_remove(rd, s->name, t);
                if (k < 0) {
                        log_error("set '%s': cannot remove %s pin: %s", s->name, nstype_name(t),
                                  strerror(-k));
                        if (r == 0)
                                r = k;
                }
        }
        int k = pin_dir_remove(rd, s->name);
        if (k < 0) {
                log_error("set '%s': cannot remove pin directory: %s", s->name, strerror(-k));
                if (r == 0)
                        r = k;
        }
        return r;
}

static int bind_pins_make(struct set *s, const struct rundir *rd, const int fds[NSTYPE_MAX])
{
        int r;

        r = pin_dir_make(rd, s->name);
        if (r < 0) {
                if (r == -EEXIST)
                        log_error("set '%s': a pin directory of that name is left over; "
                                  "refusing to reuse it", s->name);
                return r;
        }
        for (int t = 0; t < NSTYPE_MAX; t++) {
                if (!(s->types & NSTYPE_BIT(t)))
                        continue;
                r = pin_make(rd, s->name, t, fds[t]);
                if (r < 0) {
                        log_error("set '%s': cannot pin %s: %s", s->name, nstype_name(t),
                                  strerror(-r));
                        goto fail;
                }
        }
        r = state_write(rd, s);
        if (r < 0) {
                log_error("set '%s': cannot write state: %s", s->name, strerror(-r));
                goto fail;
        }
        return 0;
fail:
        (void) bind_pins_remove(s, rd);
        return r;
}

int set_pin_take(struct set *s, const struct rundir *rd, int fds[NSTYPE_MAX])
{
        int r = 0;

        for (int t = 0; t < NSTYPE_MAX && r == 0; t++) {
                struct stat st;

                if (!(s->types & NSTYPE_BIT(t)))
                        continue;
                if (fds[t] < 0 || fstat(fds[t], &st) < 0)
                        r = -EBADF;
                else
                        s->inode[t] = st.st_ino;
        }
        if (r == 0 && s->pin == NSK_PIN_BIND)
                r = bind_pins_make(s, rd, fds);
        if (r < 0 || s->pin == NSK_PIN_BIND) {
                close_many(fds, NSTYPE_MAX);
                return r;
        }
        for (int t = 0; t < NSTYPE_MAX; t++)
                s->fd[t] = TAKE_FD(fds[t]);
        return 0;
}

int set_unpin(struct set *s, const struct rundir *rd)
{
        int r;

        if (s->pin == NSK_PIN_FD) {
                close_many(s->fd, NSTYPE_MAX);
                return 0;
        }
        r = state_remove(rd, s->name);
        if (r < 0) {
                log_error("set '%s': cannot remove state: %s", s->name, strerror(-r));
                return r;
        }
        return bind_pins_remove(s, rd);
}

int set_open(const struct set *s, const struct rundir *rd, enum nstype t, int *ret_fd)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!(s->types & NSTYPE_BIT(t)))
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

void set_put(struct nsk_writer *w, const struct set *s, const struct rundir *rd)
{
        char paths[NSTYPE_MAX][PATH_MAX];
        struct nsk_set_info info = {
                .pin = s->pin,
                .created = s->created,
                .owner = (uint32_t) s->owner,
        };

        memcpy(info.name, s->name, sizeof(info.name));
        for (int t = 0; t < NSTYPE_MAX; t++) {
                struct nsk_ns_info *ns;

                if (!(s->types & NSTYPE_BIT(t)))
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
