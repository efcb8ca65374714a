/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of namespace types: name <-> CLONE_NEW* <-> /proc file.
 * Nothing else in nskeeper spells these out. The type enum and what other
 * programs may use of it are public, in nskeeper.h. */
#pragma once

#include "nskeeper.h"

struct nsk_type_info {
        const char *name; /* as in /proc/PID/ns/ */
        int clone_flag;   /* CLONE_NEW* */
        const char *proc; /* the file of a process that holds what unshare() made */
};

const struct nsk_type_info *nsk_type_info(enum nsk_type t);
enum nsk_type nsk_type_from_clone_flag(int flag);

/* Mask <-> the kernel's CLONE_NEW* flags. A flag that is no namespace
 * type makes nsk_type_mask_from_clone_flags() fail with -EINVAL. */
uint32_t nsk_type_mask_to_clone_flags(nsk_type_mask_t mask);
int nsk_type_mask_from_clone_flags(uint32_t flags, nsk_type_mask_t *ret);

/* Checks that fd is a namespace fd of type t (NS_GET_NSTYPE). Returns 0,
 * -EINVAL if it is a namespace of another type, or -errno of the ioctl
 * (ENOTTY: not a namespace at all). */
int nsk_type_check_fd(int fd, enum nsk_type t);

/* The type of a namespace fd, or -errno. */
int nsk_type_of_fd(int fd, enum nsk_type *ret);
