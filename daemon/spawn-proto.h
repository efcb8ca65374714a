/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon and its spawner (spawn-main.c) say to each other on
 * their socketpair; shared by the two sides only (see spawner.c). */
#pragma once

#include <stdint.h>

/* Bumped whenever a struct here or struct helper_start (helper-proto.h)
 * changes: a daemon never talks to a spawner built from other sources
 * (the installed one may be newer). */
#define SPAWN_ABI 6

/* The names (comm, and the first word of the command line) of the
 * spawner, of a helper waiting for a create, of a helper at work, of the
 * maker and of a keeper, as ps(1) shows them. A helper's and a keeper's command line
 * name the set next (proctitle.h). */
#define SPAWNER_NAME "nskeeper-spawn"
#define READY_NAME "nskeeper-ready"
#define HELPER_NAME "nskeeper-helper"
#define MAKER_NAME "nskeeper-maker"
#define KEEPER_NAME "nskeeper-init"

/* daemon -> spawner: one more helper, please. */
struct spawn_want {
        uint32_t abi;
};

/* spawner -> daemon: once at start (pid: the spawner's, no fds), then one
 * per want, in order: the helper's pid, and unless error its pidfd and
 * the daemon's end of its socketpair, on which it waits for its
 * struct helper_start. */
struct spawn_reply {
        uint32_t abi;
        int32_t error; /* positive errno, 0 on success */
        int32_t pid;
};
