/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The messages of the control socket: commands, requests, replies and
 * the sets they describe, over the attribute layer (attr.h). Pure
 * functions over buffers, no I/O; common/PROTOCOL.md is the format. */
#pragma once

#include "attr.h"
#include "name.h"
#include "nskeeper.h"
#include "nstype.h"
#include "settings.h"

enum nsk_cmd {
        NSK_CMD_CREATE = 1,
        NSK_CMD_GET = 2,
        NSK_CMD_LIST = 3,
        NSK_CMD_SHOW = 4,
        NSK_CMD_RELEASE = 5,
        NSK_CMD_MONITOR = 6,
        NSK_CMD_ADOPT = 7,
        NSK_CMD_CHECK = 8,
        NSK_CMD_MAX,
};

enum {
        NSK_F_REPLY = 1u << 0, /* set on every reply */
        NSK_F_MORE = 1u << 1,  /* more replies to this request follow */
};

/* --- requests (client -> daemon) --- */

struct nsk_request {
        uint16_t cmd;
        uint32_t id;
        uint64_t attrs;                   /* NSK_ATTR_BIT() of every attribute present */
        char name[NSK_FULL_NAME_MAX + 1]; /* NAME, or UID/NAME */
        nsk_type_mask_t types;
        enum nsk_pin pin;
        struct nsk_settings settings;
        uint32_t adopt_pid;
        unsigned n_adopt_paths;
        char *adopt_paths[NSK_TYPE_MAX];
};

void nsk_request_done(struct nsk_request *r);

int nsk_request_encode(const struct nsk_request *r, void *buf, size_t cap);
/* Unknown, misplaced, repeated or malformed attributes are refused
 * (-EBADMSG; the attribute table in attr.c says which are which), as is
 * an unknown command (-EOPNOTSUPP), a name longer than NSK_FULL_NAME_MAX
 * (-ENAMETOOLONG) or a type flag no namespace has (-EINVAL). cmd and id
 * are filled in whenever the header could be read. */
int nsk_request_decode(const void *buf, size_t len, struct nsk_request *ret);

/* --- replies (daemon -> client) --- */

void nsk_put_set(struct nsk_writer *w, const struct nsk_set_info *s);
void nsk_put_error(struct nsk_writer *w, int error, const char *message);
void nsk_put_fd_types(struct nsk_writer *w, const enum nsk_type *types, unsigned n);

struct nsk_reply {
        uint16_t cmd;
        uint32_t id;
        uint32_t flags;
        enum nsk_event event; /* MONITOR replies */
        int error;            /* positive errno, 0 on success */
        char message[NSK_MESSAGE_MAX];
        unsigned n_fds;
        enum nsk_type fd_types[NSK_TYPE_MAX];
        size_t n_sets;
        struct nsk_set_info *sets;
};

/* An attribute with no place where it stands (an unknown one, say) is
 * skipped, so that newer daemons can add some; a known one that is
 * malformed or repeated is refused, as the attribute table says. */
int nsk_reply_decode(const void *buf, size_t len, struct nsk_reply *ret);
void nsk_reply_done(struct nsk_reply *r);
