/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child side of the maker (maker-child.c; the daemon's side is
 * maker.c). */
#pragma once

#include <sys/types.h>

#include "helper-proto.h"

/* Runs in a new helper whose first request st (checked already) asks
 * it to serve: makes that set, then each one the daemon (pid daemon)
 * sends on sock, in place, answering each in turn. Never returns: exits
 * when the daemon closes sock or sends what this build does not
 * understand, or if it cannot go back to its own namespaces. */
_Noreturn void maker_child_start(int sock, struct helper_start *st, pid_t daemon);
