/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers every part of nskeeper uses: fd ownership, cleanup
 * attributes, string comparisons. Header only. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

/* Close an fd if it is set; keeps errno and never retries on EINTR (the
 * fd is gone either way on Linux, see close(2)). Returns -EBADF so callers
 * can write fd = safe_close(fd). */
static inline int safe_close(int fd)
{
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd)
{
        safe_close(*fd);
}

static inline void close_many(int *fds, size_t n)
{
        for (size_t i = 0; i < n; i++)
                fds[i] = safe_close(fds[i]);
}

/* Frees the n strings of v (NULL: none) and v itself. */
static inline void free_strv(char **v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

static inline void freep(void *p)
{
        free(*(void **) p);
}

/* Hand over ownership of an fd: returns it and leaves -EBADF behind. */
#define TAKE_FD(fd)                 \
        ({                          \
                int *_pfd_ = &(fd); \
                int _fd_ = *_pfd_;  \
                *_pfd_ = -EBADF;    \
                _fd_;               \
        })

#define TAKE_PTR(p)                         \
        ({                                  \
                __typeof__(p) *_pp_ = &(p); \
                __typeof__(p) _p_ = *_pp_;  \
                *_pp_ = NULL;               \
                _p_;                        \
        })

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_free_ _cleanup_(freep)

/* Returns -errno of the last failed libc call, never 0. */
static inline int negative_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}

static inline void *mfree(void *p)
{
        free(p);
        return NULL;
}
