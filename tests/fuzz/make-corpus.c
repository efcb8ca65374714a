/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes the fuzzers' seed corpora: one valid request of every command
 * and shape to DIR/corpus-request/, and one reply of every shape to
 * DIR/corpus-reply/ (`make fuzz-corpus`). */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>

#include "proto.h"
#include "util.h"

static const char *outdir;

static void write_seed(const char *corpus, const char *name, const void *buf, int len)
{
        char path[4096];
        int fd;

        if (len < 0) {
                fprintf(stderr, "make-corpus: %s/%s: %s\n", corpus, name, strerror(-len));
                exit(EXIT_FAILURE);
        }
        snprintf(path, sizeof(path), "%s/%s", outdir, corpus);
        (void) mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/%s/%s", outdir, corpus, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, (size_t) len) != len || close(fd) < 0) {
                fprintf(stderr, "make-corpus: %s: %m\n", path);
                exit(EXIT_FAILURE);
        }
}

/* fuzz-dispatch sends requests with an odd id as uid 4242, others as root. */
static void request_as(const char *file, uint32_t id, uint16_t cmd, const char *name,
                       nsk_type_mask_t types, int pin, const struct nsk_settings *settings)
{
        struct nsk_request r = { .cmd = cmd, .id = id };
        uint8_t buf[NSK_MSG_MAX];

        if (name) {
                snprintf(r.name, sizeof(r.name), "%s", name);
                r.attrs |= NSK_ATTR_BIT(NSK_A_NAME);
        }
        if (types) {
                r.types = types;
                r.attrs |= NSK_ATTR_BIT(NSK_A_TYPES);
        }
        if (pin >= 0) {
                r.pin = (enum nsk_pin) pin;
                r.attrs |= NSK_ATTR_BIT(NSK_A_PIN);
        }
        if (settings)
                r.settings = *settings;
        write_seed("corpus-request", file, buf, nsk_request_encode(&r, buf, sizeof(buf)));
}

static void request(const char *file, uint16_t cmd, const char *name, nsk_type_mask_t types,
                    int pin, const struct nsk_settings *settings)
{
        request_as(file, 8, cmd, name, types, pin, settings);
}

/* ADOPT of the fuzzer's own namespaces (paths), or of a process. */
static void adopt(const char *file, const char *pid)
{
        static char net[] = "/proc/self/ns/net", uts[] = "/proc/self/ns/uts";
        struct nsk_request r = { .cmd = NSK_CMD_ADOPT,
                                 .id = 8,
                                 .pin = NSK_PIN_FD,
                                 .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_PIN) };
        uint8_t buf[NSK_MSG_MAX];

        snprintf(r.name, sizeof(r.name), "adopted");
        if (pid) {
                r.adopt_pid = (uint32_t) atoi(pid);
                r.attrs |= NSK_ATTR_BIT(NSK_A_ADOPT_PID);
        } else {
                r.adopt_paths[r.n_adopt_paths++] = net;
                r.adopt_paths[r.n_adopt_paths++] = uts;
                r.attrs |= NSK_ATTR_BIT(NSK_A_ADOPT_PATH);
        }
        write_seed("corpus-request", file, buf, nsk_request_encode(&r, buf, sizeof(buf)));
}

static struct nsk_settings every_setting(void)
{
        static char *sysctls[] = { "net.ipv4.ip_forward=1", "kernel.shmmax=65536" };
        static char *addresses[] = { "192.0.2.5/24" }, *gateways[] = { "192.0.2.1" };
        static char *routes[] = { "0.0.0.0/0 via 192.0.2.1" }, *dns[] = { "192.0.2.53" };
        static char *pins_at[] = { "net:/var/run/netns/0e8a1c2c" };
        static struct nsk_network networks[] = {
                { .name = "lab" },
                { .name = "wan",
                  .ifname = "eth1",
                  .mac = "02:00:00:00:00:01",
                  .n_addresses = 1,
                  .addresses = addresses,
                  .n_gateways = 1,
                  .gateways = gateways,
                  .n_routes = 1,
                  .routes = routes,
                  .n_nameservers = 1,
                  .nameservers = dns },
        };
        struct nsk_settings s = {
                .hostname = "box",
                .domainname = "example.org",
                .n_sysctls = 2,
                .sysctls = sysctls,
                .n_uid_map = 2,
                .uid_map = { { 0, 100000, 65536 }, { 65536, 1000, 1 } },
                .n_gid_map = 1,
                .gid_map = { { 0, 100000, 65536 } },
                .monotonic = -3600,
                .boottime = 86400,
                .no_loopback = true,
                .setgroups_deny = true,
                .ip_netns = true,
                .n_networks = 2,
                .networks = networks,
                .n_pins_at = 1,
                .pins_at = pins_at,
        };
        return s;
}

static struct nsk_set_info set_info(const char *name, enum nsk_pin pin, nsk_type_mask_t types,
                                    char paths[NSK_TYPE_MAX][128])
{
        struct nsk_set_info s = { .pin = pin, .created = 1700000000, .owner = 0 };

        snprintf(s.name, sizeof(s.name), "%s", name);
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(types & NSK_TYPE_BIT(t)))
                        continue;
                s.ns[s.n_ns] =
                        (struct nsk_ns_info) { .type = t, .inode = 4026532000u + (unsigned) t };
                if (pin == NSK_PIN_BIND) {
                        snprintf(paths[t], 128, "/run/nskeeper/ns/%s/%s", name, nsk_type_name(t));
                        s.ns[s.n_ns].path = paths[t];
                }
                s.n_ns++;
        }
        return s;
}

static void reply_seeds(void)
{
        const nsk_type_mask_t web = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS) |
                                    NSK_TYPE_BIT(NSK_TYPE_IPC);
        char paths[NSK_TYPE_MAX][128], paths2[NSK_TYPE_MAX][128];
        struct nsk_set_info s = set_info("web", NSK_PIN_BIND, web, paths);
        struct nsk_set_info all = set_info("all.sets-1", NSK_PIN_BIND, NSK_TYPE_MASK_ALL, paths2);
        struct nsk_set_info fd = set_info("fdset", NSK_PIN_FD, NSK_TYPE_MASK_ALL, paths);
        enum nsk_type fd_types[] = { NSK_TYPE_IPC, NSK_TYPE_UTS, NSK_TYPE_NET };
        uint8_t buf[NSK_MSG_MAX];
        struct nsk_writer w;

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 7, NSK_F_REPLY);
        nsk_put_error(&w, ENOENT, "not found");
        write_seed("corpus-reply", "error", buf, nsk_writer_finish(&w));

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_RELEASE, 7, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        write_seed("corpus-reply", "release", buf, nsk_writer_finish(&w));

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 7, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &s);
        write_seed("corpus-reply", "show", buf, nsk_writer_finish(&w));

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_GET, 7, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &s);
        nsk_put_fd_types(&w, fd_types, ELEMENTSOF(fd_types));
        write_seed("corpus-reply", "get", buf, nsk_writer_finish(&w));

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 7, NSK_F_REPLY | NSK_F_MORE);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &s);
        nsk_put_set(&w, &all);
        write_seed("corpus-reply", "list-more", buf, nsk_writer_finish(&w));

        fd.settings = every_setting();
        fd.state = NSK_STATE_DEAD;
        snprintf(fd.state_reason, sizeof(fd.state_reason), "keeper killed by signal 9");
        fd.keeper_pid = 4242;
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 7, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &fd);
        write_seed("corpus-reply", "list-last-dead", buf, nsk_writer_finish(&w));

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 7, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        write_seed("corpus-reply", "list-empty", buf, nsk_writer_finish(&w));

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_MONITOR, 7, NSK_F_REPLY | NSK_F_MORE);
        nsk_put_error(&w, 0, NULL);
        nsk_put_u32(&w, NSK_A_EVENT, NSK_EVENT_CREATED);
        nsk_put_set(&w, &s);
        write_seed("corpus-reply", "monitor-event", buf, nsk_writer_finish(&w));
}

int main(int argc, char **argv)
{
        const nsk_type_mask_t web = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS) |
                                    NSK_TYPE_BIT(NSK_TYPE_IPC);
        struct nsk_settings settings;

        if (argc != 2) {
                fprintf(stderr, "usage: make-corpus DIR\n");
                return 2;
        }
        outdir = argv[1];

        /* "web" and "db" exist in fuzz-dispatch; "new" does not. */
        request("create-new", NSK_CMD_CREATE, "new", 0, -1, NULL);
        request("create-new-fd", NSK_CMD_CREATE, "new", web, NSK_PIN_FD, NULL);
        request("create-new-all-bind", NSK_CMD_CREATE, "new", NSK_TYPE_MASK_ALL, NSK_PIN_BIND,
                NULL);
        request("create-web-exists", NSK_CMD_CREATE, "web", web, NSK_PIN_FD, NULL);
        settings = every_setting();
        request("create-settings", NSK_CMD_CREATE, "new", NSK_TYPE_MASK_ALL, NSK_PIN_FD, &settings);
        request("get-web", NSK_CMD_GET, "web", 0, -1, NULL);
        request("get-db-net", NSK_CMD_GET, "db", NSK_TYPE_BIT(NSK_TYPE_NET), -1, NULL);
        request("get-nosuch", NSK_CMD_GET, "nosuch", 0, -1, NULL);
        request("list", NSK_CMD_LIST, NULL, 0, -1, NULL);
        request("show-web", NSK_CMD_SHOW, "web", 0, -1, NULL);
        request("show-db", NSK_CMD_SHOW, "db", 0, -1, NULL);
        /* The longest name a request may carry: UID/NAME. */
        request("show-full-name", NSK_CMD_SHOW,
                "4294967294/nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", 0,
                -1, NULL);
        request("release-web", NSK_CMD_RELEASE, "web", 0, -1, NULL);
        request("release-nosuch", NSK_CMD_RELEASE, "nosuch", 0, -1, NULL);
        request("monitor", NSK_CMD_MONITOR, NULL, 0, -1, NULL);
        adopt("adopt-paths", NULL);
        adopt("adopt-pid", "1");

        /* As uid 4242, whose subordinate ids are 100000-165535. */
        settings = (struct nsk_settings) {
                .n_uid_map = 2,
                .uid_map = { { 0, 4242, 1 }, { 1, 100000, 65536 } },
                .n_gid_map = 1,
                .gid_map = { { 0, 4242, 1 } },
                .setgroups_deny = true,
        };
        request_as("user-create-maps", 7, NSK_CMD_CREATE, "mine",
                   NSK_TYPE_BIT(NSK_TYPE_USER) | NSK_TYPE_BIT(NSK_TYPE_NET), NSK_PIN_FD, &settings);
        request_as("user-create-no-userns", 7, NSK_CMD_CREATE, "mine", web, NSK_PIN_FD, NULL);
        settings.uid_map[0] = (struct nsk_idmap) { 0, 0, 1 };
        request_as("user-create-root-map", 7, NSK_CMD_CREATE, "mine",
                   NSK_TYPE_BIT(NSK_TYPE_USER) | NSK_TYPE_BIT(NSK_TYPE_NET), NSK_PIN_FD, &settings);
        request_as("user-list", 7, NSK_CMD_LIST, NULL, 0, -1, NULL);
        request_as("user-get-web", 7, NSK_CMD_GET, "web", 0, -1, NULL);
        request_as("user-show-web", 7, NSK_CMD_SHOW, "web", 0, -1, NULL);
        request_as("user-release-web", 7, NSK_CMD_RELEASE, "web", 0, -1, NULL);
        reply_seeds();
        return 0;
}
