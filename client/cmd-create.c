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
               "                           time, or all (default: net,uts,ipc; all has user\n"
               "                           only with a uid map: -r, --map-user, --uid-map)\n"
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
               "      --network NAME[:IF]  attach the net namespace to CNI network NAME (its\n"
               "                           configuration in the daemon's --cni-conf-dir) as\n"
               "                           interface IF (default: eth0, eth1, ... in order);\n"
               "                           repeatable, root only; release detaches it\n"
               "      --pin-at TYPE:PATH   also pin the TYPE namespace at PATH (root only;\n"
               "                           one per type); release unmounts it if still there\n"
               "      --release-with-pins  release the set once every --pin-at pin is gone\n"
               "                           (removed by whoever asked for it)\n"
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
        OPT_NETWORK,
        OPT_PIN_AT,
        OPT_RELEASE_WITH_PINS,
};

/* What the options say, gathered before the daemon is asked anything. */
struct create_args {
        const char *types_arg;
        int pin; /* an enum nsk_pin */
        struct nsk_settings set;
};

static void create_args_done(struct create_args *a)
{
        nsk_settings_done(&a->set);
}

/* How an option group turns down a bad argument: says why, as a usage
 * error, and gives -EINVAL so that the caller only has to stop. */
#define usage_error(...) ((void) ctl_usage_error("create", __VA_ARGS__), -EINVAL)

/* Each opt_*() below takes the options of one group: it returns 1 when
 * c is one of them and was taken, 0 when c is not its, and -EINVAL
 * (already said) when the argument is bad. */

static int opt_types_pin(int c, struct create_args *a)
{
        switch (c) {
        case 't':
                a->types_arg = optarg;
                return 1;
        case 'p':
                a->pin = nsk_pin_from_name(optarg);
                if (a->pin < 0)
                        return usage_error("--pin must be 'bind' or 'fd', not '%s'", optarg);
                return 1;
        }
        return 0;
}

static int opt_uts(int c, struct create_args *a)
{
        bool host = c == OPT_HOSTNAME;

        if (c != OPT_HOSTNAME && c != OPT_DOMAINNAME)
                return 0;
        if (strlen(optarg) > NSK_HOSTNAME_MAX)
                return usage_error("%s '%s' is longer than %d characters",
                                   host ? "hostname" : "domainname", optarg, NSK_HOSTNAME_MAX);
        strcpy(host ? a->set.hostname : a->set.domainname, optarg);
        return 1;
}

/* Net and ipc keys alike; which namespace a key needs is checked with
 * the types, once all options are read. */
static int opt_sysctl(int c, struct create_args *a)
{
        int r;

        if (c != OPT_SYSCTL)
                return 0;
        r = nsk_settings_add_sysctl(&a->set, optarg);
        if (r < 0)
                return usage_error("--sysctl '%s': %s", optarg,
                                   r == -E2BIG ? "too many sysctls" : strerror(-r));
        return 1;
}

/* --network NAME[:IFNAME] */
static int opt_network(struct create_args *a)
{
        char name[NSK_NETWORK_NAME_MAX + 1];
        const char *colon = strchr(optarg, ':');
        size_t n = colon ? (size_t) (colon - optarg) : strlen(optarg);
        int r;

        if (n == 0 || n > NSK_NETWORK_NAME_MAX)
                return usage_error("--network '%s': expected NAME[:IFNAME], NAME 1-%d characters",
                                   optarg, NSK_NETWORK_NAME_MAX);
        memcpy(name, optarg, n);
        name[n] = '\0';
        if (colon && !nsk_ifname_is_valid(colon + 1))
                return usage_error("--network '%s': invalid interface name '%s' (1-%d "
                                   "characters, no '/', ':' or spaces)",
                                   optarg, colon + 1, NSK_IFNAME_MAX);
        r = nsk_settings_add_network(&a->set, name, colon ? colon + 1 : NULL);
        if (r == -E2BIG)
                return usage_error("--network: at most %d networks per set", NSK_NETWORK_MAX);
        if (r < 0)
                return usage_error("--network '%s': invalid network name '%s' (1-%d of "
                                   "A-Z a-z 0-9 _ . -, starting with a letter or digit)",
                                   optarg, name, NSK_NETWORK_NAME_MAX);
        return 1;
}

/* --pin-at TYPE:PATH */
static int opt_pin_at(struct create_args *a)
{
        const char *colon = strchr(optarg, ':');
        char type[16];
        enum nsk_type t = NSK_TYPE_INVALID;
        int r;

        if (colon && (size_t) (colon - optarg) < sizeof(type)) {
                memcpy(type, optarg, (size_t) (colon - optarg));
                type[colon - optarg] = '\0';
                t = nsk_type_from_name(type);
        }
        if (t < 0)
                return usage_error("--pin-at '%s': expected TYPE:PATH, TYPE a namespace type",
                                   optarg);
        r = nsk_settings_add_pin_at(&a->set, t, colon + 1);
        if (r == -E2BIG)
                return usage_error("--pin-at: too many pins");
        if (r < 0)
                return usage_error("--pin-at '%s': PATH must be absolute, of printable "
                                   "characters, without '.' or '..'",
                                   optarg);
        return 1;
}

static int opt_net(int c, struct create_args *a)
{
        switch (c) {
        case OPT_NO_LOOPBACK:
                a->set.no_loopback = true;
                return 1;
        case OPT_IP_NETNS:
                a->set.ip_netns = true;
                return 1;
        case OPT_NETWORK:
                return opt_network(a);
        case OPT_PIN_AT:
                return opt_pin_at(a);
        case OPT_RELEASE_WITH_PINS:
                a->set.release_with_pins = true;
                return 1;
        }
        return 0;
}

/* Adds the map line "inside -> own, 1", as --map-root-user,
 * --map-user and --map-group do: one line more, like --uid-map. */
static int add_own_id(struct nsk_idmap *m, unsigned *n, uint32_t inside, uint32_t own,
                      const char *kind)
{
        if (*n >= NSK_IDMAP_MAX)
                return usage_error("too many %s map lines", kind);
        m[(*n)++] = (struct nsk_idmap) { inside, own, 1 };
        return 1;
}

/* The caller's own uid or gid, mapped to an id inside. */
static int opt_user_own(int c, struct create_args *a)
{
        struct nsk_settings *s = &a->set;
        uint32_t id = 0;
        int r;

        switch (c) {
        case 'r':
                /* Root inside: the group too. */
                r = add_own_id(s->uid_map, &s->n_uid_map, 0, (uint32_t) getuid(), "uid");
                if (r < 0)
                        return r;
                return add_own_id(s->gid_map, &s->n_gid_map, 0, (uint32_t) getgid(), "gid");
        case OPT_MAP_USER:
                if (parse_u32(optarg, &id) < 0)
                        return usage_error("--map-user takes a numeric uid, not '%s'", optarg);
                return add_own_id(s->uid_map, &s->n_uid_map, id, (uint32_t) getuid(), "uid");
        case OPT_MAP_GROUP:
                if (parse_u32(optarg, &id) < 0)
                        return usage_error("--map-group takes a numeric gid, not '%s'", optarg);
                return add_own_id(s->gid_map, &s->n_gid_map, id, (uint32_t) getgid(), "gid");
        }
        return 0;
}

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

/* Map lines as given, and setgroups. */
static int opt_user_maps(int c, struct create_args *a)
{
        struct nsk_settings *s = &a->set;
        bool uid = c == OPT_UID_MAP;
        int r;

        switch (c) {
        case OPT_UID_MAP:
        case OPT_GID_MAP:
                r = uid ? add_map_line(s->uid_map, &s->n_uid_map, optarg)
                        : add_map_line(s->gid_map, &s->n_gid_map, optarg);
                if (r < 0)
                        return usage_error("%s '%s': %s", uid ? "--uid-map" : "--gid-map", optarg,
                                           r == -E2BIG ? "too many lines"
                                                       : "expected 'INSIDE OUTSIDE COUNT'");
                return 1;
        case OPT_SETGROUPS:
                if (!streq(optarg, "allow") && !streq(optarg, "deny"))
                        return usage_error("--setgroups must be 'allow' or 'deny'");
                s->setgroups_deny = streq(optarg, "deny");
                return 1;
        }
        return 0;
}

static int opt_time(int c, struct create_args *a)
{
        bool mono = c == OPT_MONOTONIC;

        if (c != OPT_MONOTONIC && c != OPT_BOOTTIME)
                return 0;
        if (parse_s64(optarg, mono ? &a->set.monotonic : &a->set.boottime) < 0)
                return usage_error("%s takes whole seconds, not '%s'",
                                   mono ? "--monotonic" : "--boottime", optarg);
        return 1;
}

static int (*const option_groups[])(int c, struct create_args *a) = {
        opt_types_pin, opt_uts, opt_sysctl, opt_net, opt_user_own, opt_user_maps, opt_time,
};

/* Reads the options into a and NAME into ret_name. Returns -1 to go on,
 * else the exit status (after --help, or a usage error said). */
static int parse_args(int argc, char **argv, struct create_args *a, const char **ret_name)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "pin", required_argument, NULL, 'p' },
                { "hostname", required_argument, NULL, OPT_HOSTNAME },
                { "domainname", required_argument, NULL, OPT_DOMAINNAME },
                { "sysctl", required_argument, NULL, OPT_SYSCTL },
                { "no-loopback", no_argument, NULL, OPT_NO_LOOPBACK },
                { "ip-netns", no_argument, NULL, OPT_IP_NETNS },
                { "network", required_argument, NULL, OPT_NETWORK },
                { "pin-at", required_argument, NULL, OPT_PIN_AT },
                { "release-with-pins", no_argument, NULL, OPT_RELEASE_WITH_PINS },
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
        int c, r;

        while ((c = getopt_long(argc, argv, "t:p:rh", longopts, NULL)) >= 0) {
                if (c == 'h') {
                        help();
                        return CTL_EXIT_OK;
                }
                r = 0;
                for (size_t i = 0; i < ELEMENTSOF(option_groups) && r == 0; i++)
                        r = option_groups[i](c, a);
                if (r < 0)
                        return CTL_EXIT_USAGE;
                if (r == 0) /* no group's: unknown, or its argument is missing */
                        return ctl_bad_option("create", argv);
        }
        if (optind >= argc)
                return ctl_usage_error("create", "missing set NAME");
        if (optind + 1 < argc)
                return ctl_usage_error("create", "unexpected argument '%s'", argv[optind + 1]);
        *ret_name = argv[optind];
        return -1;
}

static int create(const char *name, const struct create_args *a)
{
        char msg[NSK_MESSAGE_MAX];
        nsk_type_mask_t types = 0;
        struct nsk_client *cl;
        int r;

        r = ctl_check_name("create", name);
        if (r != 0)
                return r;
        if (a->types_arg) {
                r = ctl_parse_types("create", name, a->types_arg, &types);
                if (r != 0)
                        return r;
                /* A user namespace nobody is mapped into owns the others and
                 * leaves a joiner "nobody", without privileges there: "all"
                 * has user only with a uid map. */
                if (ctl_types_have_all(a->types_arg) && a->set.n_uid_map == 0)
                        types &= ~NSK_TYPE_BIT(NSK_TYPE_USER);
        }
        /* Refuse what the daemon would refuse, before asking it. */
        if (nsk_settings_check(&a->set, types ? types : NSK_TYPES_DEFAULT, msg, sizeof(msg)) < 0)
                return ctl_fail("create '%s': %s", name, msg);

        cl = ctl_connect("create", name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_create(cl, name, types, (enum nsk_pin) a->pin, &a->set, NULL);
        if (r < 0)
                ctl_request_failed("create", name, cl, r);
        nsk_client_free(cl);
        return r < 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}

static int run(int argc, char **argv)
{
        _cleanup_(create_args_done) struct create_args a = { .pin = NSK_PIN_BIND };
        const char *name = NULL;
        int r;

        r = parse_args(argc, argv, &a, &name);
        if (r >= 0)
                return r;
        return create(name, &a);
}

const struct ctl_command ctl_cmd_create = {
        .name = "create",
        .args = "NAME [-t|--type LIST] [--pin bind|fd] [OPTION...]",
        .summary = "create a set of new namespaces (default types net,uts,ipc)",
        .run = run,
};
