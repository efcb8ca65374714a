/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault points of the test build (see fault.h). A test arms them in the
 * daemon's environment, which its spawner, helpers and keepers inherit:
 *
 *   NSK_FAULTS="POINT=ACTION[:ARG][:always] ..."   NSK_FAULT_DIR=DIR
 *
 *   stop          write the pid to DIR/POINT, then SIGSTOP itself
 *   kill          SIGKILL itself          exit[:CODE]  _exit(CODE), 1 if none
 *   fail:ERRNO    the step fails with ERRNO (a name such as EIO, or a number)
 *   delay:MS      sleep MS milliseconds, then go on
 *
 * A point fires once: firing creates DIR/POINT (O_EXCL) holding the pid,
 * so a process that finds it there goes on as if nothing was armed, in
 * the daemon and its helpers alike, and across restarts. A test re-arms
 * a point by removing the file. ":always" fires every time (the file then
 * holds the latest pid). Only system calls and no allocation: helpers
 * call this with the daemon's heap wiped. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "fault.h"
#include "util.h"

enum fault_action {
        ACTION_STOP,
        ACTION_KILL,
        ACTION_EXIT,
        ACTION_FAIL,
        ACTION_DELAY,
};

struct fault_spec {
        enum fault_action action;
        long arg;
        bool always;
};

static const char *const fault_names[FAULT_MAX] = {
        [FAULT_SPAWNER_BEFORE_CLONE] = "spawner-before-clone",
        [FAULT_SPAWNER_CLONE3] = "spawner-clone3",
        [FAULT_SPAWNER_CLONE] = "spawner-clone",
        [FAULT_HELPER_AFTER_UNSHARE] = "helper-after-unshare",
        [FAULT_HELPER_AFTER_KEEPER] = "helper-after-keeper",
        [FAULT_HELPER_BEFORE_REPLY] = "helper-before-reply",
        [FAULT_MAKER_UNSHARE] = "maker-unshare",
        [FAULT_REGISTRY_ADD] = "registry-add",
        [FAULT_CREATE_AFTER_PINS] = "create-after-pins",
        [FAULT_STATE_BEFORE_RENAME] = "state-before-rename",
        [FAULT_CREATE_AFTER_NETWORKS] = "create-after-networks",
        [FAULT_CREATE_BEFORE_REPLY] = "create-before-reply",
        [FAULT_REPLY_FDS] = "reply-fds",
        [FAULT_LIST_PAUSE] = "list-pause",
        [FAULT_LIST_RESUME] = "list-resume",
        [FAULT_RELEASE_AFTER_KEEPER] = "release-after-keeper",
        [FAULT_RELEASE_AFTER_UMOUNT] = "release-after-umount",
        [FAULT_RELEASE_BEFORE_REPLY] = "release-before-reply",
};

static const struct {
        const char *name;
        int value;
} errno_names[] = {
        { "EPERM", EPERM },   { "ENOENT", ENOENT }, { "EIO", EIO },       { "ENOMEM", ENOMEM },
        { "EACCES", EACCES }, { "EBUSY", EBUSY },   { "EEXIST", EEXIST }, { "EINVAL", EINVAL },
        { "ENOSPC", ENOSPC }, { "ENOSYS", ENOSYS }, { "EAGAIN", EAGAIN }, { "EMFILE", EMFILE },
};

/* Does [s, s+len) spell word exactly? */
static bool word_is(const char *s, size_t len, const char *word)
{
        return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* A decimal number filling [s, s+len), at most 9 digits. */
static bool parse_number(const char *s, size_t len, long *ret)
{
        long v = 0;

        if (len == 0 || len > 9)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

static bool parse_errno(const char *s, size_t len, long *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (word_is(s, len, errno_names[i].name)) {
                        *ret = errno_names[i].value;
                        return true;
                }
        return parse_number(s, len, ret) && *ret > 0;
}

/* The next ':'-separated field of [*s, end): its start and length. */
static bool next_field(const char **s, const char *end, const char **ret, size_t *ret_len)
{
        const char *p = *s;

        if (p >= end)
                return false;
        *ret = p;
        while (p < end && *p != ':')
                p++;
        *ret_len = (size_t) (p - *ret);
        *s = p < end ? p + 1 : p;
        return true;
}

/* One entry "POINT=ACTION[:ARG][:always]" of length len. */
static bool parse_entry(const char *s, size_t len, enum fault_id *ret_id, struct fault_spec *ret)
{
        const char *end = s + len, *eq = memchr(s, '=', len), *f;
        struct fault_spec spec = { .arg = -1 };
        size_t flen;
        int id;

        if (!eq)
                return false;
        for (id = 0; id < FAULT_MAX; id++)
                if (word_is(s, (size_t) (eq - s), fault_names[id]))
                        break;
        if (id == FAULT_MAX)
                return false;
        s = eq + 1;
        if (!next_field(&s, end, &f, &flen))
                return false;
        if (word_is(f, flen, "stop"))
                spec.action = ACTION_STOP;
        else if (word_is(f, flen, "kill"))
                spec.action = ACTION_KILL;
        else if (word_is(f, flen, "exit"))
                spec.action = ACTION_EXIT;
        else if (word_is(f, flen, "fail"))
                spec.action = ACTION_FAIL;
        else if (word_is(f, flen, "delay"))
                spec.action = ACTION_DELAY;
        else
                return false;
        while (next_field(&s, end, &f, &flen)) {
                if (word_is(f, flen, "always")) {
                        spec.always = true;
                        continue;
                }
                if (spec.arg >= 0 || spec.always)
                        return false;
                if (spec.action == ACTION_FAIL ? !parse_errno(f, flen, &spec.arg)
                                               : !parse_number(f, flen, &spec.arg))
                        return false;
                if (spec.action == ACTION_STOP || spec.action == ACTION_KILL)
                        return false;
        }
        if ((spec.action == ACTION_FAIL || spec.action == ACTION_DELAY) && spec.arg < 0)
                return false;
        *ret_id = (enum fault_id) id;
        *ret = spec;
        return true;
}

/* Calls f(entry, len, userdata) for each entry of NSK_FAULTS until it
 * returns false; false then. */
static bool each_entry(bool (*f)(const char *, size_t, void *), void *userdata)
{
        const char *s = getenv("NSK_FAULTS");

        while (s && *s) {
                size_t len;

                while (*s == ' ' || *s == '\t' || *s == '\n')
                        s++;
                len = strcspn(s, " \t\n");
                if (len > 0 && !f(s, len, userdata))
                        return false;
                s += len;
        }
        return true;
}

static bool check_entry(const char *s, size_t len, void *userdata)
{
        enum fault_id id;
        struct fault_spec spec;

        if (parse_entry(s, len, &id, &spec))
                return true;
        *(const char **) userdata = s;
        return false;
}

int fault_setup(const char **ret_bad)
{
        *ret_bad = NULL;
        if (!each_entry(check_entry, ret_bad))
                return -EINVAL;
        if (getenv("NSK_FAULTS") && !getenv("NSK_FAULT_DIR")) {
                *ret_bad = "NSK_FAULT_DIR is not set";
                return -EINVAL;
        }
        return 0;
}

struct lookup {
        enum fault_id want;
        struct fault_spec spec;
        bool found;
};

static bool find_entry(const char *s, size_t len, void *userdata)
{
        struct lookup *l = userdata;
        enum fault_id id;
        struct fault_spec spec;

        if (parse_entry(s, len, &id, &spec) && id == l->want) {
                l->spec = spec;
                l->found = true;
                return false;
        }
        return true;
}

/* Writes our pid to DIR/POINT: false if it was there already (a point
 * that fired once) or cannot be written. */
static bool fault_claim(enum fault_id id, bool always)
{
        const char *dir = getenv("NSK_FAULT_DIR");
        char path[4096], text[32];
        int fd, len;

        if (!dir ||
            snprintf(path, sizeof(path), "%s/%s", dir, fault_names[id]) >= (int) sizeof(path))
                return false;
        fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (always ? O_TRUNC : O_EXCL),
                  0644);
        if (fd < 0)
                return false;
        len = snprintf(text, sizeof(text), "%d\n", (int) getpid());
        (void) write(fd, text, (size_t) len);
        (void) close(fd);
        return true;
}

int fault_point(enum fault_id id)
{
        struct lookup l = { .want = id };
        int saved = errno;

        (void) each_entry(find_entry, &l);
        if (!l.found || !fault_claim(id, l.spec.always)) {
                errno = saved;
                return 0;
        }
        switch (l.spec.action) {
        case ACTION_STOP:
                (void) raise(SIGSTOP);
                break;
        case ACTION_KILL:
                (void) raise(SIGKILL);
                break;
        case ACTION_EXIT:
                _exit(l.spec.arg >= 0 ? (int) l.spec.arg : 1);
        case ACTION_FAIL:
                errno = (int) l.spec.arg;
                return -(int) l.spec.arg;
        case ACTION_DELAY: {
                struct timespec ts = { .tv_sec = l.spec.arg / 1000,
                                       .tv_nsec = (l.spec.arg % 1000) * 1000000L };
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                        ;
                break;
        }
        }
        errno = saved;
        return 0;
}
