/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The settings of a set as attributes (in CREATE requests and in each SET
 * of a reply alike) and as copies. What a client program may call, such
 * as nsk_settings_check(), is declared in nskeeper.h. */
#pragma once

#include <stdbool.h>

#include "attr.h"
#include "nskeeper.h"

int nsk_settings_copy(struct nsk_settings *dst, const struct nsk_settings *src);
bool nsk_settings_is_default(const struct nsk_settings *s);
/* Puts every non-default setting as attributes. */
void nsk_put_settings(struct nsk_writer *w, const struct nsk_settings *s);
/* If a is a settings attribute, stores it (1); 0 if it is not one;
 * -EBADMSG and the like if it is malformed or one too many. strict: a
 * request's, whose nests may hold nothing unknown (a reply's may). */
int nsk_settings_take_attr(struct nsk_settings *s, const struct nsk_attr *a, bool strict);

enum nsk_network_item {
        NSK_NETWORK_ADDRESS,
        NSK_NETWORK_GATEWAY,
        NSK_NETWORK_ROUTE,
        NSK_NETWORK_NAMESERVER,
};

/* Adds item to one of n's lists (-E2BIG past NSK_NETWORK_ITEMS_MAX,
 * -ENAMETOOLONG past NSK_NET_ITEM_LEN). */
int nsk_network_add_item(struct nsk_network *n, enum nsk_network_item what, const char *item);
/* Splits "TYPE:/PATH" (checked as nsk_settings_add_pin_at() does);
 * *ret_path points into pin_at. */
int nsk_pin_at_parse(const char *pin_at, enum nsk_type *ret_type, const char **ret_path);

/* Forgets what an ADD made: mac and the lists; name and ifname stay. */
void nsk_network_clear_result(struct nsk_network *n);
