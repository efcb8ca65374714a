/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of namespace types: name <-> CLONE_NEW* <-> /proc file.
 * Nothing else in nskeeper spells these out. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The order is the order in which a client joins (setns) a set: the user
 * namespace first, so that the others are entered with the capabilities
 * it grants (as nsenter(1) does), mnt late because it changes the root,
 * and time last. */
enum nstype {
        NSTYPE_USER,
        NSTYPE_CGROUP,
        NSTYPE_IPC,
        NSTYPE_UTS,
        NSTYPE_NET,
        NSTYPE_PID,
        NSTYPE_MNT,
        NSTYPE_TIME,
        NSTYPE_MAX,
        NSTYPE_INVALID = -EINVAL,
};

/* A set of types: bit (1u << NSTYPE_x). */
typedef uint32_t nstype_mask_t;
#define NSTYPE_BIT(t) ((nstype_mask_t) 1 << (t))
#define NSTYPE_MASK_ALL (NSTYPE_BIT(NSTYPE_MAX) - 1)

struct nstype_info {
        const char *name;  /* as in /proc/PID/ns/ */
        int clone_flag;    /* CLONE_NEW* */
        const char *proc;  /* the file of a process that holds what unshare() made */
};

const struct nstype_info *nstype_info(enum nstype t);
const char *nstype_name(enum nstype t);
int nstype_clone_flag(enum nstype t);

enum nstype nstype_from_name(const char *name);
enum nstype nstype_from_clone_flag(int flag);

/* Mask <-> the kernel's CLONE_NEW* flags. A flag that is no namespace
 * type makes nstype_mask_from_clone_flags() fail with -EINVAL. */
uint32_t nstype_mask_to_clone_flags(nstype_mask_t mask);
int nstype_mask_from_clone_flags(uint32_t flags, nstype_mask_t *ret);

/* Parses "net,uts,ipc" or "all" (every type in 'supported'). Fails with
 * -EINVAL on an empty item or unknown name, -ENOTUNIQ on a type named
 * twice. On failure *ret_bad (if given) points at the offending item
 * inside 'list' and *ret_bad_len is its length. */
int nstype_mask_from_list(const char *list, nstype_mask_t supported, nstype_mask_t *ret,
                          const char **ret_bad, size_t *ret_bad_len);

/* "net,uts" in table order; returns the length that the full string
 * needs (like snprintf). */
size_t nstype_mask_format(nstype_mask_t mask, char *buf, size_t size);

unsigned nstype_mask_count(nstype_mask_t mask);

/* Types the running kernel offers (those with a /proc/self/ns file). */
nstype_mask_t nstype_mask_supported(void);

/* Checks that fd is a namespace fd of type t (NS_GET_NSTYPE). Returns 0,
 * -EINVAL if it is a namespace of another type, or -errno of the ioctl
 * (ENOTTY: not a namespace at all). */
int nstype_check_fd(int fd, enum nstype t);

/* The type of a namespace fd, or -errno. */
int nstype_of_fd(int fd, enum nstype *ret);
