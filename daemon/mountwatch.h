/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Watching the mount table: which namespaces are bind-mounted where.
 * /proc/self/mountinfo signals a change with POLLPRI (proc(5)); bursts
 * are coalesced into one scan, and what a scan finds goes up through the
 * callback the watch was given. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <event2/event.h>

/* The namespace bind mounts (nsfs) of one scan. */
struct mounts;

/* Is the namespace with this inode mounted at path (as mountinfo spells
 * it: absolute, no symlinks)? */
bool mounts_has(const struct mounts *m, const char *path, uint64_t inode);

struct mountwatch;
typedef void (*mountwatch_fn)(const struct mounts *m, void *userdata);

/* Scans once soon, then after every change, at most every
 * MOUNTWATCH_DELAY_MS: the daemon's own pins and unpins come in bursts
 * (a set's create makes one mount a type), and a scan costs as much as
 * the whole table. A large table is scanned less often still: the pause
 * before a scan is at least MOUNTWATCH_DUTY times what the last one took
 * (15 ms at 13,000 mounts), so scans take at most a twentieth of the
 * daemon's time, however busy the table. */
#define MOUNTWATCH_DELAY_MS 200
#define MOUNTWATCH_DUTY 20
int mountwatch_new(struct event_base *base, mountwatch_fn fn, void *userdata,
                   struct mountwatch **ret);
/* Asks for a scan soon although nothing changed (sets were adopted). */
void mountwatch_rescan(struct mountwatch *mw);
struct mountwatch *mountwatch_free(struct mountwatch *mw);
