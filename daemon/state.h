/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State files: what a restarted daemon needs to adopt a set (bind-pinned,
 * or fd-pinned with its fds back from systemd's fd store). */
#pragma once

#include <event2/event.h>

#include "registry.h"
#include "rundir.h"
#include "set.h"

/* RUNDIR/state/NAME, written whole and renamed into place:
 * state_prepare() writes RUNDIR/state/.NAME.tmp, state_commit() renames
 * it (or removes it, on failure); state_write() does both. A daemon that
 * starts and finds a .NAME.tmp ends the keeper it names (state_recover). */
int state_prepare(const struct rundir *rd, const struct set *s);
int state_commit(const struct rundir *rd, const char *name);
int state_write(const struct rundir *rd, const struct set *s);
int state_remove(const struct rundir *rd, const char *name);

/* Parses one state file's text into a new set and the pid of its keeper
 * (0: none). Pure; for tests too. */
int state_parse(const char *name, const char *text, struct set **ret, pid_t *ret_keeper);

/* Adopts every set with a state file whose pins are intact (or whose fds
 * fdstore_claim() has), and removes pins that have no state file (a
 * create or release cut short). A damaged state file or a missing pin is
 * reported and left alone; the state file of an fd-pinned set whose fds
 * did not come back is removed. Sets already in reg are not touched, so
 * it can run again to pick up new ones (SIGHUP). */
int state_recover(const struct rundir *rd, struct registry *reg, struct event_base *base);
