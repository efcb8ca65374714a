/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon and its spawner (spawn-main.c) say to each other on
 * their socketpair; shared by the two sides only (see spawner.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "nskeeper.h"

/* Bumped whenever a struct below changes: a daemon never talks to a
 * spawner built from other sources (the installed one may be newer). */
#define SPAWN_ABI 1

/* The spawner's program name (argv[0], comm) and its helpers'. */
#define SPAWNER_NAME "nskeeper-spawn"
#define HELPER_NAME "nskeeper-helper"

/* daemon -> spawner: start a helper for these, talking on the one fd
 * that comes with the request. Only the sysctls the settings have are
 * sent: the message is spawn_request_size() bytes. */
struct spawn_request {
        uint32_t abi;  /* SPAWN_ABI */
        uint32_t size; /* spawn_request_size(settings.n_sysctls) */
        nsk_type_mask_t types;
        uint32_t uid, gid;
        struct nsk_settings settings; /* .sysctls points nowhere: see below */
        char sysctls[NSK_SYSCTL_MAX][NSK_SYSCTL_LEN];
};

static inline size_t spawn_request_size(unsigned n_sysctls)
{
        return offsetof(struct spawn_request, sysctls) + (size_t) n_sysctls * NSK_SYSCTL_LEN;
}

/* spawner -> daemon: once at start (pid: the spawner's, no fd), then
 * one per request (pid: the helper's, with its pidfd unless error). */
struct spawn_reply {
        uint32_t abi;
        int32_t error; /* positive errno, 0 on success */
        int32_t pid;
};
