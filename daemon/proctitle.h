/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line a process shows in ps(1), pgrep -f and lsns(8),
 * written over its own argument strings. */
#pragma once

#include <stdbool.h>

#include "name.h"

/* Room enough for any title: a program name and a set's key. A program
 * that execs one whose helpers set titles passes an argument this long
 * (spawner.c). */
#define PROCTITLE_MAX (32 + NAME_KEY_MAX)

/* Remembers where argv's strings lie, end to end as execve(2) left
 * them: the room every later title must fit in. Call it once argv is
 * parsed; the strings are overwritten from then on. */
void proctitle_init(int argc, char **argv);

/* Shows "WHAT NAME" (or WHAT alone, name NULL) as two arguments, the
 * rest of the room zeroed (ps and pgrep drop trailing NULs). False if
 * it does not fit: the command line stays as it was. */
bool proctitle_set(const char *what, const char *name);

/* Zeroes the last argument (padding that made the room). */
void proctitle_drop_last(void);
