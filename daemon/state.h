/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State files: what a restarted daemon needs to adopt bind-pinned sets. */
#pragma once

#include <event2/event.h>

#include "registry.h"
#include "rundir.h"
#include "set.h"

/* RUNDIR/state/NAME, written whole and renamed into place. */
int state_write(const struct rundir *rd, const struct set *s);
int state_remove(const struct rundir *rd, const char *name);

/* Parses one state file's text into a new set and the pid of its keeper
 * (0: none). Pure; for tests too. */
int state_parse(const char *name, const char *text, struct set **ret, pid_t *ret_keeper);

/* Adopts every set with a state file whose pins are intact, and removes
 * pins that have no state file (a create or release cut short). A
 * damaged state file or a missing pin is reported and left alone. */
int state_recover(const struct rundir *rd, struct registry *reg, struct event_base *base);
