/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd's fd store for fd-pinned sets, and the control socket it may
 * pass. An entry is named "SET.TYPE" (a namespace) or "SET.lifeline" (the
 * write end of a pid-set keeper's lifeline); set names have no ':'. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fdstore.h"
#include "keeper.h"
#include "log.h"
#include "name.h"
#include "notify.h"

#define LIFELINE "lifeline"

struct entry {
        char name[NAME_KEY_MAX + 16];
        int fd;
};

/* Passed at start and not claimed yet. */
static struct entry *pending;
static size_t n_pending;

size_t fdstore_pending(void)
{
        return n_pending;
}

int fdstore_put_take(const char *name, int fd)
{
        struct entry *e;

        e = reallocarray(pending, n_pending + 1, sizeof(*pending));
        if (!e) {
                safe_close(fd);
                return -ENOMEM;
        }
        pending = e;
        e = &pending[n_pending++];
        snprintf(e->name, sizeof(e->name), "%s", name);
        e->fd = fd;
        return 0;
}

static struct entry *find(const char *set, const char *suffix)
{
        char name[sizeof(pending->name)];

        snprintf(name, sizeof(name), "%s.%s", set, suffix);
        for (size_t i = 0; i < n_pending; i++)
                if (pending[i].fd >= 0 && streq(pending[i].name, name))
                        return &pending[i];
        return NULL;
}

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

int fdstore_receive(int *ret_listen_fd)
{
        _cleanup_free_ char **names = NULL;
        int listen_fd = -EBADF, n;

        *ret_listen_fd = -EBADF;
        n = sd_listen_fds_with_names(true, &names);
        if (n < 0)
                return log_error_errno(n, "cannot take the fds passed by the service manager: %m");
        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i;
                const char *name = names && names[i] ? names[i] : "unknown";

                /* A listener of the right kind is the control socket; a
                 * stream or datagram socket would take no requests. */
                if (listen_fd < 0 && sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, NULL, 0) > 0) {
                        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                        log_info("using the control socket passed by the service manager ('%s')",
                                 name);
                        listen_fd = fd;
                } else
                        (void) fdstore_put_take(name, fd);
        }
        if (names)
                for (int i = 0; i < n; i++)
                        free(names[i]);
        if (n_pending > 0)
                log_info("the service manager passed %zu fd(s) from its fd store", n_pending);
        *ret_listen_fd = listen_fd;
        return 0;
}
#else
int fdstore_receive(int *ret_listen_fd)
{
        *ret_listen_fd = -EBADF;
        return 0;
}
#endif

static void store_remove(const char *name)
{
        char state[sizeof(pending->name) + 64];
        int r;

        if (!notify_enabled())
                return;
        snprintf(state, sizeof(state), "FDSTOREREMOVE=1\nFDNAME=%s", name);
        r = notify_with_fds(state, NULL, 0);
        if (r < 0)
                log_warning("cannot remove '%s' from the fd store: %s", name, strerror(-r));
}

/* Checks the stored fd of namespace t of s. */
static int check_ns(const struct set *s, enum nsk_type t, const struct entry *e)
{
        enum nsk_type actual;
        struct stat st;
        int r;

        if (!e) {
                log_warning("set '%s': no %s namespace came back from the fd store", s->name,
                            nsk_type_name(t));
                return -ENOENT;
        }
        r = nsk_type_of_fd(e->fd, &actual);
        if (r < 0 || actual != t) {
                log_warning("set '%s': fd store entry '%s' is %s%s", s->name, e->name,
                            r < 0 ? "not a namespace" : "a namespace of type ",
                            r < 0 ? "" : nsk_type_name(actual));
                return -ESTALE;
        }
        if (fstat(e->fd, &st) < 0)
                return negative_errno();
        if (st.st_ino != s->inode[t]) {
                log_warning("set '%s': fd store entry '%s' is namespace %llu, the state file "
                            "says %llu",
                            s->name, e->name, (unsigned long long) st.st_ino,
                            (unsigned long long) s->inode[t]);
                return -ESTALE;
        }
        return 0;
}

static bool is_pipe_write_end(int fd)
{
        struct stat st;
        int flags = fcntl(fd, F_GETFL);

        return flags >= 0 && (flags & O_ACCMODE) == O_WRONLY && fstat(fd, &st) == 0 &&
               S_ISFIFO(st.st_mode);
}

int fdstore_claim(struct set *s, int *ret_lifeline)
{
        struct entry *found[NSK_TYPE_MAX] = {}, *life = NULL;

        *ret_lifeline = -EBADF;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                int r;

                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                found[t] = find(s->name, nsk_type_name(t));
                r = check_ns(s, t, found[t]);
                if (r < 0)
                        return r;
        }
        if (s->types & NSK_TYPE_BIT(NSK_TYPE_PID)) {
                life = find(s->name, LIFELINE);
                if (life && !is_pipe_write_end(life->fd)) {
                        log_warning("set '%s': fd store entry '%s' is not the write end of a pipe",
                                    s->name, life->name);
                        life = NULL; /* left for fdstore_flush() */
                }
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (found[t])
                        s->fd[t] = TAKE_FD(found[t]->fd);
        if (life)
                *ret_lifeline = TAKE_FD(life->fd);
        return 0;
}

void fdstore_flush(void)
{
        for (size_t i = 0; i < n_pending; i++) {
                if (pending[i].fd < 0)
                        continue;
                log_notice("removing '%s' from the fd store: it belongs to no set",
                           pending[i].name);
                store_remove(pending[i].name);
                pending[i].fd = safe_close(pending[i].fd);
        }
        pending = mfree(pending);
        n_pending = 0;
}

static int store_add(const char *set, const char *suffix, int fd, bool poll)
{
        char state[NAME_KEY_MAX + 64];

        /* Namespace fds cannot be polled; systemd would keep them anyway,
         * FDPOLL=0 just says so. A lifeline is polled: when its keeper
         * dies the pipe reports an error and systemd drops the entry. */
        snprintf(state, sizeof(state), "FDSTORE=1\nFDNAME=%s.%s%s", set, suffix,
                 poll ? "" : "\nFDPOLL=0");
        return notify_with_fds(state, &fd, 1);
}

int fdstore_add_set(const struct set *s)
{
        int lifeline = keeper_lifeline(s->keeper);

        if (!notify_enabled() || s->pin != NSK_PIN_FD)
                return 0;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                int r;

                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                r = store_add(s->name, nsk_type_name(t), s->fd[t], false);
                if (r < 0)
                        return log_emit_errno(LOG_WARNING, r,
                                              "set '%s': cannot put the %s namespace in the "
                                              "fd store (%m); the set will not survive a restart",
                                              s->name, nsk_type_name(t));
        }
        if (lifeline >= 0) {
                int r = store_add(s->name, LIFELINE, lifeline, true);
                if (r < 0)
                        return log_emit_errno(LOG_WARNING, r,
                                              "set '%s': cannot put the keeper's lifeline in "
                                              "the fd store (%m); a restart will end the set",
                                              s->name);
        }
        log_debug("set '%s': in the fd store", s->name);
        return 0;
}

void fdstore_remove_set(const struct set *s)
{
        char name[sizeof(pending->name)];

        if (!notify_enabled() || s->pin != NSK_PIN_FD)
                return;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                snprintf(name, sizeof(name), "%s.%s", s->name, nsk_type_name(t));
                store_remove(name);
        }
        if (s->types & NSK_TYPE_BIT(NSK_TYPE_PID)) {
                snprintf(name, sizeof(name), "%s.%s", s->name, LIFELINE);
                store_remove(name);
        }
}
