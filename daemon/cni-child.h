/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cni_run() in a child process of its own, so that the daemon's event
 * loop never waits on a plugin: the child runs the whole chain and
 * writes the outcome to a pipe, which the daemon watches like any
 * other fd. */
#pragma once

#include <sys/types.h>

#include "cni-run.h"

struct cni_child;

/* Forks the child; what it needs of the arguments is copied by the
 * fork, so they may go once this returns. The child keeps no fd of the
 * caller but 0-2 and its pipe. */
int cni_child_start(const struct cni_network *net, enum cni_op op, const struct cni_attachment *a,
                    const struct cni_runtime *rt, const char *cached, struct cni_child **ret);

/* The pipe's read end (non-blocking): watch it for reading. */
int cni_child_fd(const struct cni_child *c);
pid_t cni_child_pid(const struct cni_child *c);

/* Reads what the pipe has: 0 when more is to come, 1 when the child has
 * said all (call cni_child_finish), -errno on a read error. */
int cni_child_read(struct cni_child *c);

/* After cni_child_read() said 1: reaps the child, and returns what
 * cni_run() did in it (0 and *ret_result for ADD, or -errno and msg).
 * A child that died without a word is -ECHILD. */
int cni_child_finish(struct cni_child *c, char **ret_result, char *msg, size_t size);

/* Kills a child that is still at work (its plugin dies with it), reaps
 * it and frees c. Returns NULL. */
struct cni_child *cni_child_free(struct cni_child *c);
