/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl create NAME [-t LIST] [--pin bind|fd] [settings...] */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "ctl.h"
#include "parse.h"

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] create NAME [OPTION...]\n"
               "Create a set of new namespaces called NAME.\n"
               "\n"
               "  -t, --type LIST          comma list of net, uts, ipc, mnt, cgroup, pid, user,\n"
               "                           time, or all (default: net,uts,ipc)\n"
               "  -p, --pin KIND           bind (default; survives a daemon restart) or fd\n"
               "                           (held by the daemon; ends with it, unless\n"
               "                           systemd's fd store keeps it over a restart)\n"
               "      --hostname NAME      host name of the new uts namespace\n"
               "      --domainname NAME    NIS domain name of the new uts namespace\n"
               "      --sysctl KEY=VALUE   set a net.* or ipc (kernel.shm*, kernel.msg*,\n"
               "                           kernel.sem*, fs.mqueue.*) sysctl inside; repeatable\n"
               "      --no-loopback        leave lo down in the new net namespace\n"
               "      --ip-netns           also show the net namespace in ip netns\n"
               "                           (/run/netns/NAME); release removes it\n"
               "  -r, --map-root-user      user: map root inside to the caller's uid and gid\n"
               "                           (not root: with --setgroups deny)\n"
               "      --map-user UID       user: map UID inside to the caller's uid\n"
               "      --map-group GID      user: map GID inside to the caller's gid\n"
               "                           (each adds a line to the map, like --uid-map)\n"
               "      --uid-map 'IN OUT N' user: a uid map line; repeatable\n"
               "      --gid-map 'IN OUT N' user: a gid map line; repeatable\n"
               "      --setgroups allow|deny  user: whether setgroups(2) works inside\n"
               "      --monotonic SECS     time: offset of CLOCK_MONOTONIC\n"
               "      --boottime SECS      time: offset of CLOCK_BOOTTIME\n"
               "  -h, --help               show this help\n");
}

enum {
        OPT_HOSTNAME = 0x100,
        OPT_DOMAINNAME,
        OPT_SYSCTL,
        OPT_NO_LOOPBACK,
        OPT_MAP_USER,
        OPT_MAP_GROUP,
        OPT_UID_MAP,
        OPT_GID_MAP,
        OPT_SETGROUPS,
        OPT_MONOTONIC,
        OPT_BOOTTIME,
        OPT_IP_NETNS,
};

static int add_map_line(struct nsk_idmap *m, unsigned *n, const char *line)
{
        unsigned a, b, c;
        char end;

        if (*n >= NSK_IDMAP_MAX)
                return -E2BIG;
        if (sscanf(line, "%u %u %u%c", &a, &b, &c, &end) != 3)
                return -EINVAL;
        m[(*n)++] = (struct nsk_idmap) { .inside = a, .outside = b, .count = c };
        return 0;
}

static int run(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "pin", required_argument, NULL, 'p' },
                { "hostname", required_argument, NULL, OPT_HOSTNAME },
                { "domainname", required_argument, NULL, OPT_DOMAINNAME },
                { "sysctl", required_argument, NULL, OPT_SYSCTL },
                { "no-loopback", no_argument, NULL, OPT_NO_LOOPBACK },
                { "ip-netns", no_argument, NULL, OPT_IP_NETNS },
                { "map-root-user", no_argument, NULL, 'r' },
                { "map-user", required_argument, NULL, OPT_MAP_USER },
                { "map-group", required_argument, NULL, OPT_MAP_GROUP },
                { "uid-map", required_argument, NULL, OPT_UID_MAP },
                { "gid-map", required_argument, NULL, OPT_GID_MAP },
                { "setgroups", required_argument, NULL, OPT_SETGROUPS },
                { "monotonic", required_argument, NULL, OPT_MONOTONIC },
                { "boottime", required_argument, NULL, OPT_BOOTTIME },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct nsk_settings set = {};
        const char *types_arg = NULL, *name;
        char msg[NSK_MESSAGE_MAX];
        nsk_type_mask_t types = 0;
        int pin = NSK_PIN_BIND, c, r = 0, ret = CTL_EXIT_USAGE;
        struct nsk_client *cl;
        uint32_t id;

        while ((c = getopt_long(argc, argv, "t:p:rh", longopts, NULL)) >= 0) {
                switch (c) {
                case 't':
                        types_arg = optarg;
                        break;
                case 'p':
                        pin = nsk_pin_from_name(optarg);
                        if (pin < 0) {
                                ctl_usage_error("create", "--pin must be 'bind' or 'fd', not '%s'",
                                                optarg);
                                goto out;
                        }
                        break;
                case OPT_HOSTNAME:
                case OPT_DOMAINNAME: {
                        char *dst = c == OPT_HOSTNAME ? set.hostname : set.domainname;
                        if (strlen(optarg) > NSK_HOSTNAME_MAX) {
                                ctl_usage_error("create", "%s '%s' is longer than %d characters",
                                                c == OPT_HOSTNAME ? "hostname" : "domainname",
                                                optarg, NSK_HOSTNAME_MAX);
                                goto out;
                        }
                        strcpy(dst, optarg);
                        break;
                }
                case OPT_SYSCTL:
                        r = nsk_settings_add_sysctl(&set, optarg);
                        if (r < 0) {
                                ctl_usage_error("create", "--sysctl '%s': %s", optarg,
                                                r == -E2BIG ? "too many sysctls" : strerror(-r));
                                goto out;
                        }
                        break;
                case OPT_NO_LOOPBACK:
                        set.no_loopback = true;
                        break;
                case OPT_IP_NETNS:
                        set.ip_netns = true;
                        break;
                case 'r':
                case OPT_MAP_USER:
                        id = 0;
                        if (c == OPT_MAP_USER && parse_u32(optarg, &id) < 0) {
                                ctl_usage_error("create", "--map-user takes a numeric uid, not '%s'",
                                                optarg);
                                goto out;
                        }
                        /* One more map line, like --uid-map. */
                        if (set.n_uid_map >= NSK_IDMAP_MAX) {
                                ctl_usage_error("create", "too many uid map lines");
                                goto out;
                        }
                        set.uid_map[set.n_uid_map++] = (struct nsk_idmap) { id, (uint32_t) getuid(), 1 };
                        if (c == OPT_MAP_USER)
                                break;
                        /* --map-root-user maps the group too. */
                        __attribute__((fallthrough));
                case OPT_MAP_GROUP:
                        id = 0;
                        if (c == OPT_MAP_GROUP && parse_u32(optarg, &id) < 0) {
                                ctl_usage_error("create", "--map-group takes a numeric gid, not '%s'",
                                                optarg);
                                goto out;
                        }
                        if (set.n_gid_map >= NSK_IDMAP_MAX) {
                                ctl_usage_error("create", "too many gid map lines");
                                goto out;
                        }
                        set.gid_map[set.n_gid_map++] = (struct nsk_idmap) { id, (uint32_t) getgid(), 1 };
                        break;
                case OPT_UID_MAP:
                case OPT_GID_MAP:
                        r = c == OPT_UID_MAP ? add_map_line(set.uid_map, &set.n_uid_map, optarg)
                                             : add_map_line(set.gid_map, &set.n_gid_map, optarg);
                        if (r < 0) {
                                ctl_usage_error("create", "%s '%s': %s",
                                                c == OPT_UID_MAP ? "--uid-map" : "--gid-map", optarg,
                                                r == -E2BIG ? "too many lines"
                                                            : "expected 'INSIDE OUTSIDE COUNT'");
                                goto out;
                        }
                        break;
                case OPT_SETGROUPS:
                        if (!streq(optarg, "allow") && !streq(optarg, "deny")) {
                                ctl_usage_error("create", "--setgroups must be 'allow' or 'deny'");
                                goto out;
                        }
                        set.setgroups_deny = streq(optarg, "deny");
                        break;
                case OPT_MONOTONIC:
                case OPT_BOOTTIME:
                        if (parse_s64(optarg, c == OPT_MONOTONIC ? &set.monotonic : &set.boottime) < 0) {
                                ctl_usage_error("create", "%s takes whole seconds, not '%s'",
                                                c == OPT_MONOTONIC ? "--monotonic" : "--boottime",
                                                optarg);
                                goto out;
                        }
                        break;
                case 'h':
                        help();
                        ret = CTL_EXIT_OK;
                        goto out;
                default:
                        ctl_bad_option("create", argv);
                        goto out;
                }
        }
        if (optind >= argc) {
                ctl_usage_error("create", "missing set NAME");
                goto out;
        }
        if (optind + 1 < argc) {
                ctl_usage_error("create", "unexpected argument '%s'", argv[optind + 1]);
                goto out;
        }
        name = argv[optind];

        ret = ctl_check_name("create", name);
        if (ret != 0)
                goto out;
        if (types_arg) {
                ret = ctl_parse_types("create", name, types_arg, &types);
                if (ret != 0)
                        goto out;
        }
        /* Refuse what the daemon would refuse, before asking it. */
        if (nsk_settings_check(&set, types ? types : NSK_TYPES_DEFAULT, msg, sizeof(msg)) < 0) {
                ret = ctl_fail("create '%s': %s", name, msg);
                goto out;
        }

        ret = CTL_EXIT_FAILED;
        cl = ctl_connect("create", name);
        if (!cl)
                goto out;
        r = nsk_create(cl, name, types, (enum nsk_pin) pin, &set, NULL);
        if (r < 0)
                ctl_request_failed("create", name, cl, r);
        else
                ret = CTL_EXIT_OK;
        nsk_client_free(cl);
out:
        nsk_settings_done(&set);
        return ret;
}

const struct ctl_command ctl_cmd_create = {
        .name = "create",
        .args = "NAME [-t|--type LIST] [--pin bind|fd] [OPTION...]",
        .summary = "create a set of new namespaces (default types net,uts,ipc)",
        .run = run,
};
