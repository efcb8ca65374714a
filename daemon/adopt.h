/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ADOPT: taking namespaces that exist already (a container's, an
 * ip-netns(8) one) under management. */
#pragma once

#include <stddef.h>

#include "proto.h"

/* Opens the namespaces a request names: those of process adopt_pid (all
 * that differ from PID 1's, or the types asked for), or the
 * files at adopt_paths (each checked with NS_GET_NSTYPE, and against the
 * types if given). fds are indexed by type. On failure the reason is in
 * msg and nothing stays open. */
int adopt_open(const struct nsk_request *req, int fds[NSK_TYPE_MAX], nsk_type_mask_t *ret_types,
               char *msg, size_t size);
