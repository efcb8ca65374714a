/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark load generator: N requests to nskeeperd through libnskeeper,
 * from one client or from C concurrent clients (processes, each with its
 * own connection), timing each request.
 *
 *   nsk-load [-s SOCKET] [-c CLIENTS] [-n N] [-f FIRST] [-p PREFIX]
 *            [-t TYPES] [--pin bind|fd] [--no-loopback] [--progress]
 *            [--raw FILE] [--wait MS] create|release|show|get
 *
 * Works on the sets PREFIX<FIRST> ... PREFIX<FIRST+N-1>; client j takes
 * every C-th of them, starting at the j-th. Every client connects before
 * the clock starts. Prints one JSON object: per-request times and the
 * wall time from the start to the last reply, and the CPU time (user +
 * system) the clients used per request. --raw writes every
 * request's time (microseconds), one per line, in request order.
 * --wait: a client that cannot connect (no socket yet, or nobody
 * listening) tries again every 0.2 ms for up to MS milliseconds, so that
 * the bench can time a daemon's start to its first reply. */

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "nskeeper.h"
#include "stats.h"

enum op {
        OP_CREATE,
        OP_RELEASE,
        OP_SHOW,
        OP_GET,
        OP_MAX,
};

static const char *const op_names[OP_MAX] = {
        [OP_CREATE] = "create",
        [OP_RELEASE] = "release",
        [OP_SHOW] = "show",
        [OP_GET] = "get",
};

struct shared {
        atomic_uint done;
        atomic_uint failed;
        double end_us[256]; /* per client: when its last reply came */
        double lat_us[];    /* per request, in request order */
};

struct options {
        const char *socket;
        unsigned clients, n, first;
        const char *prefix;
        nsk_type_mask_t types;
        enum nsk_pin pin;
        struct nsk_settings settings;
        bool progress;
        const char *raw;
        unsigned wait_ms;
        enum op op;
};

static int one_request(struct nsk_client *c, const struct options *o, const char *name)
{
        int fds[NSK_TYPE_MAX], r;

        switch (o->op) {
        case OP_CREATE:
                return nsk_create(c, name, o->types, o->pin, &o->settings, NULL);
        case OP_RELEASE:
                return nsk_release(c, name);
        case OP_SHOW:
                return nsk_show(c, name, NULL);
        case OP_GET:
                r = nsk_get_fds(c, name, 0, fds, NULL);
                if (r >= 0)
                        close_many(fds, NSK_TYPE_MAX);
                return r;
        default:
                return -EINVAL;
        }
}

/* A daemon that is starting binds its socket before it has recovered its
 * sets and serves it: until the bind, connect() fails (ENOENT, or
 * ECONNREFUSED on the last daemon's socket file); after it, the request
 * waits in the backlog until the daemon answers. */
static int connect_wait(const struct options *o, struct nsk_client **ret)
{
        double deadline = stats_now_us() + o->wait_ms * 1000.0;

        for (;;) {
                int r = nsk_connect(o->socket, ret);

                if (r >= 0 || (r != -ENOENT && r != -ECONNREFUSED) || stats_now_us() >= deadline)
                        return r;
                *ret = nsk_client_free(*ret);
                (void) nanosleep(&(struct timespec) { .tv_nsec = 200 * 1000 }, NULL);
        }
}

/* One client: connect, say so on 'ready', wait for 'go' to close, then
 * do its share of the requests. */
_Noreturn static void client_main(const struct options *o, unsigned j, struct shared *sh, int ready,
                                  int go)
{
        struct nsk_client *c = NULL;
        char name[NSK_NAME_MAX + 1], byte = 1;

        if (connect_wait(o, &c) < 0) {
                fprintf(stderr, "nsk-load: client %u: %s\n", j, nsk_client_error(c));
                _exit(1);
        }
        if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 0)
                _exit(1);
        for (unsigned i = j; i < o->n; i += o->clients) {
                double t = stats_now_us();
                int r;

                snprintf(name, sizeof(name), "%s%u", o->prefix, o->first + i);
                r = one_request(c, o, name);
                sh->lat_us[i] = stats_now_us() - t;
                if (r < 0) {
                        fprintf(stderr, "nsk-load: %s '%s': %s\n", op_names[o->op], name,
                                nsk_client_error(c));
                        atomic_fetch_add(&sh->failed, 1);
                        _exit(1);
                }
                atomic_fetch_add(&sh->done, 1);
        }
        sh->end_us[j] = stats_now_us();
        nsk_client_free(c);
        _exit(0);
}

static void usage(void)
{
        fprintf(stderr,
                "Usage: nsk-load [-s SOCKET] [-c CLIENTS] [-n N] [-f FIRST] [-p PREFIX] [-t "
                "TYPES]\n"
                "                [--pin bind|fd] [--no-loopback] [--progress] [--raw FILE]\n"
                "                [--wait MS] create|release|show|get\n");
        exit(2);
}

static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "clients", required_argument, NULL, 'c' },
                { "count", required_argument, NULL, 'n' },
                { "first", required_argument, NULL, 'f' },
                { "prefix", required_argument, NULL, 'p' },
                { "types", required_argument, NULL, 't' },
                { "pin", required_argument, NULL, 'P' },
                { "no-loopback", no_argument, NULL, 'L' },
                { "progress", no_argument, NULL, 'g' },
                { "raw", required_argument, NULL, 'r' },
                { "wait", required_argument, NULL, 'w' },
                {},
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "s:c:n:f:p:t:", longopts, NULL)) >= 0)
                switch (c) {
                case 's':
                        o->socket = optarg;
                        break;
                case 'c':
                        o->clients = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'n':
                        o->n = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'f':
                        o->first = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'p':
                        o->prefix = optarg;
                        break;
                case 't':
                        r = nsk_type_mask_from_list(optarg, nsk_type_mask_supported(), &o->types,
                                                    NULL, NULL);
                        if (r < 0) {
                                fprintf(stderr, "nsk-load: bad type list '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'P':
                        r = nsk_pin_from_name(optarg);
                        if (r < 0) {
                                fprintf(stderr, "nsk-load: bad pin '%s'\n", optarg);
                                return -1;
                        }
                        o->pin = r;
                        break;
                case 'L':
                        o->settings.no_loopback = true;
                        break;
                case 'g':
                        o->progress = true;
                        break;
                case 'r':
                        o->raw = optarg;
                        break;
                case 'w':
                        o->wait_ms = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                default:
                        return -1;
                }
        if (optind + 1 != argc || o->clients == 0 || o->clients > 256 || o->n == 0)
                return -1;
        for (o->op = 0; o->op < OP_MAX; o->op++)
                if (streq(argv[optind], op_names[o->op]))
                        return 0;
        return -1;
}

/* User + system time of the reaped clients. */
static double children_cpu_us(void)
{
        struct rusage ru;

        getrusage(RUSAGE_CHILDREN, &ru);
        return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
               (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int write_raw(const char *path, const double *lat, unsigned n)
{
        FILE *f = fopen(path, "we");

        if (!f) {
                fprintf(stderr, "nsk-load: %s: %m\n", path);
                return -1;
        }
        for (unsigned i = 0; i < n; i++)
                fprintf(f, "%.1f\n", lat[i]);
        return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
        struct options o = { .clients = 1, .n = 100, .prefix = "bench-", .pin = NSK_PIN_BIND };
        int ready[2], go[2], rc = 0, status;
        size_t size;
        struct shared *sh;
        unsigned alive, last_report = 0;
        double t0, end = 0, *sorted;
        pid_t pid;

        if (parse_args(argc, argv, &o) < 0)
                usage();
        if (o.clients > o.n)
                o.clients = o.n;

        size = sizeof(*sh) + o.n * sizeof(double);
        sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED || pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
                fprintf(stderr, "nsk-load: %m\n");
                return 1;
        }

        for (unsigned j = 0; j < o.clients; j++) {
                pid = fork();
                if (pid < 0) {
                        fprintf(stderr, "nsk-load: fork: %m\n");
                        return 1;
                }
                if (pid == 0) {
                        close(ready[0]);
                        close(go[1]);
                        client_main(&o, j, sh, ready[1], go[0]);
                }
        }
        close(ready[1]);
        close(go[0]);
        /* All connected (or dead: then read() sees EOF early). */
        for (unsigned j = 0; j < o.clients; j++) {
                char byte;
                if (read(ready[0], &byte, 1) != 1)
                        break;
        }
        t0 = stats_now_us();
        close(go[1]);

        /* Without --progress, block: the bench times a restart from outside
         * up to this program's exit, which a poll would delay. */
        for (alive = o.clients; alive > 0;) {
                pid = waitpid(-1, &status, o.progress ? WNOHANG : 0);
                if (pid < 0)
                        break;
                if (pid > 0) {
                        alive--;
                        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                                rc = 1;
                        continue;
                }
                if (o.progress) {
                        unsigned done = atomic_load(&sh->done);
                        while (o.n >= 1000 && done >= last_report + o.n / 10) {
                                last_report += o.n / 10;
                                stats_progress(op_names[o.op], last_report, o.n);
                        }
                }
                (void) nanosleep(&(struct timespec) { .tv_nsec = 20 * 1000 * 1000 }, NULL);
        }
        if (rc != 0 || atomic_load(&sh->failed) > 0) {
                fprintf(stderr, "nsk-load: %s failed (%u of %u done)\n", op_names[o.op],
                        atomic_load(&sh->done), o.n);
                return 1;
        }
        for (unsigned j = 0; j < o.clients; j++)
                if (sh->end_us[j] > end)
                        end = sh->end_us[j];

        if (o.raw && write_raw(o.raw, sh->lat_us, o.n) < 0)
                return 1;
        sorted = malloc(o.n * sizeof(double));
        if (!sorted)
                return 1;
        memcpy(sorted, sh->lat_us, o.n * sizeof(double));
        printf("{\"tool\":\"nsk-load\",\"clients\":%u,\"n\":%u,\"client_cpu_us\":%.1f,", o.clients,
               o.n, children_cpu_us() / o.n);
        stats_print_json(stdout, op_names[o.op], sorted, o.n, end - t0);
        printf("}\n");
        free(sorted);
        return 0;
}
