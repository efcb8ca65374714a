/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State files: what a restarted daemon needs to adopt a set (bind-pinned,
 * or fd-pinned with its fds back from systemd's fd store). The codec and
 * the files; recover.c reads them back at start. */
#pragma once

#include "rundir.h"
#include "set.h"

#define STATE_SIZE_MAX 32768

/* RUNDIR/state/NAME, written whole and renamed into place:
 * state_prepare() writes RUNDIR/state/.NAME.tmp, state_commit() renames
 * it (or removes it, on failure); state_write() does both. The keeper
 * line is s->keeper_pid. */
int state_prepare(const struct rundir *rd, const struct set *s);
int state_commit(const struct rundir *rd, const char *name);
int state_write(const struct rundir *rd, const struct set *s);
int state_remove(const struct rundir *rd, const char *name);

/* Parses one state file's text into s, a set_new(KEY, 0, NSK_PIN_BIND,
 * 0) of the key the file is named after; *ret_keeper gets the pid of its
 * keeper (0: none). Pure. On failure s holds whatever was read so far. */
int state_parse(const char *text, struct set *s, pid_t *ret_keeper);
/* Reads RUNDIR/state/FILE whole: -EINVAL if it is too long or holds a
 * NUL. */
int state_read(const struct rundir *rd, const char *file, char text[static STATE_SIZE_MAX + 1]);
