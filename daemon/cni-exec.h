/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running one CNI plugin: a child process with exactly the environment
 * it is given, its stdin a copy of its configuration, its stdout and
 * stderr read back, and a time bound. Knows nothing of JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bounds on what a plugin may print: a result is a few KiB. */
#define CNI_EXEC_OUT_MAX (1024 * 1024)
#define CNI_EXEC_ERR_MAX 1024

struct cni_exec_out {
        char *out; /* stdout, NUL-terminated (malloc'd; cni_exec_out_done frees it) */
        size_t out_len;
        char err[CNI_EXEC_ERR_MAX]; /* the start of stderr, NUL-terminated */
        bool timed_out;             /* killed at the time bound */
        bool out_overflow;          /* killed for printing more than CNI_EXEC_OUT_MAX */
        int code;                   /* of waitid: CLD_EXITED, CLD_KILLED, ... */
        int status;                 /* the exit status or the signal */
};

/* Runs file with argv and envp (nothing else of ours: no other fd, no
 * signal disposition or mask, a process group of its own, and it dies
 * with the caller), in on its stdin, for at most timeout_ms; a time out
 * kills its whole process group. 0 when it ran, however it ended (see
 * *ret), -errno when it could not be started. */
int cni_exec(const char *file, char *const argv[], char *const envp[], const char *in,
             size_t in_len, unsigned timeout_ms, struct cni_exec_out *ret);

void cni_exec_out_done(struct cni_exec_out *o);
