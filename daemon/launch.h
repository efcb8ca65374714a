/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting a helper process, and reading what helpers answer: shared by
 * the helpers of one set (helper.c) and the maker (maker.c). A helper
 * comes from the spawner (spawner.c) when there is one, or is forked
 * from the daemon itself. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "helper-proto.h"
#include "nstype.h"
#include "spawner.h"

/* What a helper hands over; every fd is owned by whoever holds this. */
struct helper_result {
        int fds[NSK_TYPE_MAX]; /* one per type made, checked with NS_GET_NSTYPE */
        pid_t keeper_pid;      /* pid: the init kept in the new pid namespace */
        int keeper_pidfd;
        int keeper_lifeline; /* the keeper exits when this closes, unless made permanent */
        /* A pool's set pinned ahead (pin.h): its directory's id, 0 if none.
         * Whoever takes the directory sets it to 0; the maker removes one
         * left after the create's done. */
        uint64_t staged;
};

/* Empty: no fds, no keeper. */
void helper_result_init(struct helper_result *r);
void helper_result_close(struct helper_result *r);

/* Called once per set asked for: error 0 and a result, or a -errno and
 * a message saying which step failed (result empty). A keeper in the
 * result lives as long as the write end of its lifeline is open, until
 * keeper_make_permanent() (keeper.h). */
typedef int (*helper_done_fn)(int error, const char *message, struct helper_result *result,
                              void *userdata);

/* Marks where the heap stands at the start of main(): what the daemon
 * allocates from then on is not copied into forked helpers (launch.c). */
void launch_init(void);

/* The request a new helper is sent first (flat, outside the heap),
 * filled in: the caller may change flags, then call launch(). */
struct helper_start *launch_request(const char *name, nsk_type_mask_t types,
                                    const struct nsk_settings *settings, uid_t uid, gid_t gid);

/* A new helper, sent launch_request()'s request: its pid, pidfd and the
 * daemon's end of its socket (non-blocking), all the caller's. */
int launch(struct spawned *ret);

/* A helper's answer m (with the n fds received, taken in every case)
 * for a set of types: 0 and res filled, or -errno with msg saying what
 * was wrong. Each fd must be a namespace of its type, in table order,
 * and with pid a keeper's pidfd and lifeline must follow. */
int launch_take_result(nsk_type_mask_t types, const struct helper_msg *m, int *received, size_t n,
                       struct helper_result *res, char *msg, size_t size);

/* The message for a helper's answer that says a step failed (m->error
 * set): the step, and the type or sysctl (of s) concerned. */
void launch_step_message(const struct helper_msg *m, const struct nsk_settings *s, char *msg,
                         size_t size);

/* What a helper's end (si, of waitid) says: "helper exited with status N",
 * "... killed by signal N". what names the process. */
void launch_exit_message(const siginfo_t *si, const char *what, char *msg, size_t size);
