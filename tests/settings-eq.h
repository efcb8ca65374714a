/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one comparison of struct nsk_settings that every test and fuzz
 * harness uses, field by field, so that a field added to the struct and
 * here is compared in every round trip at once. Header only. */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "nskeeper.h"

static inline bool strv_diff(char *const *a, unsigned na, char *const *b, unsigned nb)
{
        if (na != nb)
                return true;
        for (unsigned i = 0; i < na; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return true;
        return false;
}

/* NULL if a and b are the same settings, else the first field that differs. */
static inline const char *settings_diff(const struct nsk_settings *a, const struct nsk_settings *b)
{
        if (strcmp(a->hostname, b->hostname) != 0)
                return "hostname";
        if (strcmp(a->domainname, b->domainname) != 0)
                return "domainname";
        if (a->n_sysctls != b->n_sysctls)
                return "n_sysctls";
        for (unsigned i = 0; i < a->n_sysctls; i++)
                if (strcmp(a->sysctls[i], b->sysctls[i]) != 0)
                        return "sysctls";
        if (a->n_uid_map != b->n_uid_map)
                return "n_uid_map";
        if (memcmp(a->uid_map, b->uid_map, a->n_uid_map * sizeof(a->uid_map[0])) != 0)
                return "uid_map";
        if (a->n_gid_map != b->n_gid_map)
                return "n_gid_map";
        if (memcmp(a->gid_map, b->gid_map, a->n_gid_map * sizeof(a->gid_map[0])) != 0)
                return "gid_map";
        if (a->monotonic != b->monotonic)
                return "monotonic";
        if (a->boottime != b->boottime)
                return "boottime";
        if (a->no_loopback != b->no_loopback)
                return "no_loopback";
        if (a->setgroups_deny != b->setgroups_deny)
                return "setgroups_deny";
        if (a->ip_netns != b->ip_netns)
                return "ip_netns";
        if (strv_diff(a->pins_at, a->n_pins_at, b->pins_at, b->n_pins_at))
                return "pins_at";
        if (a->release_with_pins != b->release_with_pins)
                return "release_with_pins";
        if (a->n_networks != b->n_networks)
                return "n_networks";
        for (unsigned i = 0; i < a->n_networks; i++) {
                const struct nsk_network *x = &a->networks[i], *y = &b->networks[i];

                if (strcmp(x->name, y->name) != 0 || strcmp(x->ifname, y->ifname) != 0)
                        return "networks (name, ifname)";
                if (strcmp(x->mac, y->mac) != 0)
                        return "networks (mac)";
                if (strv_diff(x->addresses, x->n_addresses, y->addresses, y->n_addresses) ||
                    strv_diff(x->gateways, x->n_gateways, y->gateways, y->n_gateways) ||
                    strv_diff(x->routes, x->n_routes, y->routes, y->n_routes) ||
                    strv_diff(x->nameservers, x->n_nameservers, y->nameservers, y->n_nameservers))
                        return "networks (result)";
        }
        return NULL;
}

/* Under cmocka (included first): fails the test, naming the field. */
#ifdef fail_msg
#define assert_settings_equal(got, want)                            \
        do {                                                        \
                const char *_field_ = settings_diff((got), (want)); \
                if (_field_)                                        \
                        fail_msg("settings differ in %s", _field_); \
        } while (0)
#endif
