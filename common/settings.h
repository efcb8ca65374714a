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
 * -EBADMSG and the like if it is malformed or one too many. */
int nsk_settings_take_attr(struct nsk_settings *s, const struct nsk_attr *a);
