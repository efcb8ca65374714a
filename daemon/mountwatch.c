/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount table watch. libevent has no event for POLLPRI, so the
 * mountinfo fd sits in an epoll set of its own, which libevent watches
 * for readability; a scan reads the table afresh and keeps only the
 * namespace mounts, sorted for lookups. */

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <sys/epoll.h>

#include "log.h"
#include "mountwatch.h"
#include "util.h"

struct mount_entry {
        uint64_t inode;
        char *path;
};

struct mounts {
        struct mount_entry *v;
        size_t n, cap;
};

static int entry_cmp(const void *a, const void *b)
{
        const struct mount_entry *x = a, *y = b;

        if (x->inode != y->inode)
                return x->inode < y->inode ? -1 : 1;
        return strcmp(x->path, y->path);
}

bool mounts_has(const struct mounts *m, const char *path, uint64_t inode)
{
        struct mount_entry key = { .inode = inode, .path = (char *) path };

        return m->n > 0 && bsearch(&key, m->v, m->n, sizeof(key), entry_cmp);
}

static struct mounts *mounts_free(struct mounts *m)
{
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n; i++)
                free(m->v[i].path);
        free(m->v);
        free(m);
        return NULL;
}

/* mountinfo writes space, tab, newline and backslash as \ and three
 * octal digits (proc(5)); undone in place. */
static void unescape(char *s)
{
        char *out = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *out++ = (char) ((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
                        s += 3;
                } else
                        *out++ = *s;
        }
        *out = '\0';
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE ...":
 * a namespace bind mount has fstype nsfs and a root "TYPE:[INODE]". */
static int add_line(struct mounts *m, char *line)
{
        char *field[5], *save = NULL, *sep, *fstype, *bracket, *end;
        unsigned long long inode;
        struct mount_entry *v;

        sep = strstr(line, " - ");
        if (!sep)
                return 0;
        fstype = sep + 3;
        if (strncmp(fstype, "nsfs ", 5) != 0)
                return 0;
        *sep = '\0';
        for (int i = 0; i < 5; i++) {
                field[i] = strtok_r(i == 0 ? line : NULL, " ", &save);
                if (!field[i])
                        return 0;
        }
        bracket = strchr(field[3], '[');
        if (!bracket)
                return 0;
        errno = 0;
        inode = strtoull(bracket + 1, &end, 10);
        if (errno != 0 || *end != ']')
                return 0;
        if (m->n == m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 64;

                v = reallocarray(m->v, cap, sizeof(*v));
                if (!v)
                        return -ENOMEM;
                m->v = v;
                m->cap = cap;
        }
        unescape(field[4]);
        m->v[m->n].path = strdup(field[4]);
        if (!m->v[m->n].path)
                return -ENOMEM;
        m->v[m->n++].inode = inode;
        return 0;
}

static int parse_stream(FILE *f, struct mounts **ret)
{
        _cleanup_free_ char *line = NULL;
        struct mounts *m = calloc(1, sizeof(*m));
        size_t size = 0;
        int r = 0;

        if (!m)
                return -ENOMEM;
        while (r == 0 && getline(&line, &size, f) > 0) {
                line[strcspn(line, "\n")] = '\0';
                r = add_line(m, line);
        }
        if (r == 0 && ferror(f))
                r = -EIO;
        if (r < 0) {
                mounts_free(m);
                return r;
        }
        if (m->n > 0)
                qsort(m->v, m->n, sizeof(*m->v), entry_cmp);
        *ret = m;
        return 0;
}

struct mountwatch {
        mountwatch_fn fn;
        void *userdata;
        int table; /* /proc/self/mountinfo, polled */
        int epoll;
        struct event *changed, *timer;
        uint64_t last_us; /* how long the last scan took */
};

static uint64_t now_us(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void scan(evutil_socket_t fd, short what, void *userdata)
{
        struct mountwatch *mw = userdata;
        struct mounts *m = NULL;
        uint64_t start = now_us();
        FILE *f;
        int r;

        /* Watched again before the read: a change from now on makes a
         * scan after this one. */
        (void) event_add(mw->changed, NULL);
        f = fopen("/proc/self/mountinfo", "re");
        if (!f) {
                log_error("cannot read /proc/self/mountinfo: %m");
                return;
        }
        r = parse_stream(f, &m);
        fclose(f);
        if (r < 0) {
                log_error("cannot read /proc/self/mountinfo: %s", strerror(-r));
                return;
        }
        log_debug("mount table read: %zu namespace mounts", m->n);
        mw->fn(m, mw->userdata);
        mounts_free(m);
        mw->last_us = now_us() - start;
}

void mountwatch_rescan(struct mountwatch *mw)
{
        uint64_t us;
        struct timeval delay;

        /* Pending already: that scan will see this change too. */
        if (!mw || evtimer_pending(mw->timer, NULL))
                return;
        us = mw->last_us * MOUNTWATCH_DUTY;
        if (us < MOUNTWATCH_DELAY_MS * 1000)
                us = MOUNTWATCH_DELAY_MS * 1000;
        delay = (struct timeval) { .tv_sec = (time_t) (us / 1000000),
                                   .tv_usec = (suseconds_t) (us % 1000000) };
        (void) evtimer_add(mw->timer, &delay);
}

static void on_change(evutil_socket_t fd, short what, void *userdata)
{
        struct mountwatch *mw = userdata;
        struct epoll_event ev[4];

        /* Takes the priority event (a poll of the table resets it); the
         * scan reads the table later, so it sees this change and any
         * that come meanwhile. Until then the table is not watched: a
         * burst of releases would wake the loop once per unmount. */
        (void) epoll_wait(mw->epoll, ev, ELEMENTSOF(ev), 0);
        mountwatch_rescan(mw);
        if (evtimer_pending(mw->timer, NULL))
                (void) event_del(mw->changed);
}

int mountwatch_new(struct event_base *base, mountwatch_fn fn, void *userdata,
                   struct mountwatch **ret)
{
        struct epoll_event ev = { .events = EPOLLPRI };
        struct mountwatch *mw = calloc(1, sizeof(*mw));

        if (!mw)
                return -ENOMEM;
        *mw = (struct mountwatch) {
                .fn = fn, .userdata = userdata, .table = -EBADF, .epoll = -EBADF
        };
        mw->table = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        mw->epoll = epoll_create1(EPOLL_CLOEXEC);
        if (mw->table < 0 || mw->epoll < 0 ||
            epoll_ctl(mw->epoll, EPOLL_CTL_ADD, mw->table, &ev) < 0) {
                int r = negative_errno();

                mountwatch_free(mw);
                return r;
        }
        mw->changed = event_new(base, mw->epoll, EV_READ | EV_PERSIST, on_change, mw);
        mw->timer = evtimer_new(base, scan, mw);
        if (!mw->changed || !mw->timer || event_add(mw->changed, NULL) < 0) {
                mountwatch_free(mw);
                return -ENOMEM;
        }
        mountwatch_rescan(mw);
        *ret = mw;
        return 0;
}

struct mountwatch *mountwatch_free(struct mountwatch *mw)
{
        if (!mw)
                return NULL;
        if (mw->changed)
                event_free(mw->changed);
        if (mw->timer)
                event_free(mw->timer);
        safe_close(mw->epoll);
        safe_close(mw->table);
        free(mw);
        return NULL;
}
