/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Process titles. /proc/PID/cmdline is the memory between the kernel's
 * arg_start and arg_end; moving those (PR_SET_MM_ARG_START) takes
 * CAP_SYS_RESOURCE in the initial user namespace, which a keeper in a
 * user namespace never has and our unit does not grant. Writing over
 * the strings in place needs nothing, in any process forked from this
 * one, at the price of a fixed room (prctl(2), proc(5)). */

#include <string.h>

#include "proctitle.h"

static char *area;
static size_t area_size;
static char *last; /* the last argument */

void proctitle_init(int argc, char **argv)
{
        char *end;

        if (argc < 1 || !argv[0])
                return;
        /* Only the run of strings that really lies end to end is ours. */
        end = argv[0];
        for (int i = 0; i < argc && argv[i] == end; i++) {
                last = argv[i];
                end += strlen(argv[i]) + 1;
        }
        area = argv[0];
        area_size = (size_t) (end - argv[0]);
}

bool proctitle_set(const char *what, const char *name)
{
        size_t a = strlen(what) + 1, b = name ? strlen(name) + 1 : 0;

        if (!area || a + b > area_size)
                return false;
        memcpy(area, what, a);
        if (name)
                memcpy(area + a, name, b);
        memset(area + a + b, 0, area_size - a - b);
        return true;
}

void proctitle_drop_last(void)
{
        if (last && last != area)
                memset(last, 0, strlen(last));
}
