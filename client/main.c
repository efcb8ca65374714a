/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl: global options, the command table, and the helpers the
 * commands share (ctl.h). */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "ctl.h"

static const struct ctl_command *const commands[] = {
        &ctl_cmd_create,  &ctl_cmd_join, &ctl_cmd_run,   &ctl_cmd_list,    &ctl_cmd_show,
        &ctl_cmd_release, &ctl_cmd_path, &ctl_cmd_adopt, &ctl_cmd_monitor,
};

static const char *socket_path;

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] COMMAND [ARG...]\n"
               "Create, join and release namespace sets kept by nskeeperd.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                printf("  %s %s\n      %s\n", commands[i]->name, commands[i]->args,
                       commands[i]->summary);
        printf("\n"
               "Options:\n"
               "  -s, --socket PATH   nskeeperd's control socket (default: $NSKEEPER_SOCKET,\n"
               "                      else " NSK_SOCKET_DEFAULT ")\n"
               "  -h, --help          show this help; COMMAND --help shows a command's\n"
               "  -V, --version       show the version\n"
               "\n"
               "Types: net, uts, ipc, mnt, cgroup, pid, user, time; "
               "all: every type the kernel has.\n"
               "Pins: 'bind' (default) mounts each namespace on a file under the daemon's\n"
               "runtime directory and survives a daemon restart; 'fd' keeps only an open fd\n"
               "in the daemon and ends when the daemon stops.\n"
               "\n"
               "Exit status: 0 success, 1 the request failed, 2 usage error; join exits\n"
               "with its command's status (126: cannot run it, 127: not found).\n");
}

int ctl_usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "nskeeperctl: %s%s", cmd ? cmd : "", cmd ? ": " : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'nskeeperctl %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
        return CTL_EXIT_USAGE;
}

int ctl_bad_option(const char *cmd, char **argv)
{
        return ctl_usage_error(cmd, "unknown option or missing argument: '%s'", argv[optind - 1]);
}

int ctl_fail(const char *fmt, ...)
{
        va_list ap;

        fputs("nskeeperctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return CTL_EXIT_FAILED;
}

/* What to do next, for the errors where there is something to say. */
static const char *hint(int error)
{
        switch (error) {
        case -ENOENT:
                return " ('nskeeperctl list' shows the sets)";
        case -EEXIST:
                return " (choose another name, or release that set first)";
        case -EACCES:
        case -EPERM:
                return " (as root, or as a member of the group nskeeperd runs with --group)";
        case -EDQUOT:
                return " (release sets you no longer need)";
        default:
                return "";
        }
}

int ctl_request_failed(const char *cmd, const char *name, const struct nsk_client *c, int error)
{
        if (name)
                return ctl_fail("%s '%s': %s%s", cmd, name, nsk_client_error(c), hint(error));
        return ctl_fail("%s: %s%s", cmd, nsk_client_error(c), hint(error));
}

struct nsk_client *ctl_connect(const char *cmd, const char *name)
{
        struct nsk_client *c = NULL;
        int r;

        r = nsk_connect(socket_path, &c);
        if (r < 0) {
                /* ENOENT here is the socket, not a set: the message says so. */
                ctl_request_failed(cmd, name, c, r == -ENOENT ? 0 : r);
                nsk_client_free(c);
                return NULL;
        }
        return c;
}

int ctl_check_name(const char *cmd, const char *name)
{
        if (name_full_is_valid(name))
                return 0;
        return ctl_fail("%s: invalid set name '%s': use 1-%d characters of A-Z a-z 0-9 _ . -, "
                        "not starting with '.' or '-' (or UID/NAME for another user's set)",
                        cmd, name, NSK_NAME_MAX);
}

/* Whether one of the items of a -t LIST is "all". */
static bool list_names_all(const char *list)
{
        for (const char *p = list;;) {
                size_t n = strcspn(p, ",");

                if (n == 3 && memcmp(p, "all", 3) == 0)
                        return true;
                if (p[n] == '\0')
                        return false;
                p += n + 1;
        }
}

int ctl_parse_types(const char *cmd, const char *name, const char *list, nsk_type_mask_t *ret)
{
        const char *bad = NULL;
        size_t bad_len = 0;
        int r;

        /* What the kernel offers is asked of /proc (a path lookup per
         * type): only when the list needs it, not for "-t net". */
        r = nsk_type_mask_from_list(list, list_names_all(list) ? nsk_type_mask_supported() : 0, ret,
                                    &bad, &bad_len);
        if (r == -ENOTUNIQ)
                return ctl_fail("%s '%s': namespace type '%.*s' given twice", cmd, name,
                                (int) bad_len, bad);
        if (r < 0)
                return ctl_fail("%s '%s': unknown namespace type '%.*s' (known: net, uts, ipc, "
                                "mnt, cgroup, pid, user, time, all)",
                                cmd, name, (int) bad_len, bad);
        return 0;
}

int ctl_get_fds(const char *cmd, const char *name, const char *types_arg, int ret_fds[NSK_TYPE_MAX],
                struct nsk_set_info *ret_set)
{
        nsk_type_mask_t types = 0;
        struct nsk_client *cl;
        int r;

        r = ctl_check_name(cmd, name);
        if (r != 0)
                return r;
        /* "all" is every type the set has: ask for none in particular. */
        if (types_arg && !streq(types_arg, "all")) {
                r = ctl_parse_types(cmd, name, types_arg, &types);
                if (r != 0)
                        return r;
        }
        cl = ctl_connect(cmd, name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_get_fds(cl, name, types, ret_fds, ret_set);
        if (r < 0)
                ctl_request_failed(cmd, name, cl, r);
        nsk_client_free(cl);
        return r < 0 ? CTL_EXIT_FAILED : 0;
}

int ctl_show(const char *cmd, const char *name, struct nsk_set_info *ret_set)
{
        struct nsk_client *cl;
        int r;

        cl = ctl_connect(cmd, name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_show(cl, name, ret_set);
        if (r < 0)
                ctl_request_failed(cmd, name, cl, r);
        nsk_client_free(cl);
        return r < 0 ? CTL_EXIT_FAILED : 0;
}

int ctl_exec(const char *cmd, const char *name, char **argv)
{
        int r;

        execvp(argv[0], argv);
        r = errno;
        ctl_fail("%s '%s': cannot run '%s': %s", cmd, name, argv[0], strerror(r));
        /* As env(1): 127 when the command is not there, 126 when it is but
         * cannot be run. */
        return r == ENOENT ? 127 : 126;
}

static void command_help(const struct ctl_command *cmd, bool json)
{
        printf("Usage: nskeeperctl [--socket PATH] %s %s\n%s\n\n", cmd->name, cmd->args,
               cmd->summary);
        if (json)
                printf("      --json   print JSON instead of text (fields: nskeeperctl(1))\n");
        printf("  -h, --help     show this help\n");
}

int ctl_simple_args(const struct ctl_command *cmd, int argc, char **argv, bool *json,
                    unsigned n_args)
{
        static const struct option longopts[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0)
                switch (c) {
                case 'j':
                        if (!json)
                                return ctl_usage_error(cmd->name, "unknown option '--json'");
                        *json = true;
                        break;
                case 'h':
                        command_help(cmd, json != NULL);
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option(cmd->name, argv);
                }
        if ((unsigned) (argc - optind) < n_args)
                return ctl_usage_error(cmd->name, "missing argument (%s)", cmd->args);
        if ((unsigned) (argc - optind) > n_args)
                return ctl_usage_error(cmd->name, "unexpected argument '%s'",
                                       argv[optind + n_args]);
        return -1;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        int c;

        /* Our own messages name the command; getopt's would not. */
        opterr = 0;
        /* '+': stop at the command; what follows is the command's. */
        while ((c = getopt_long(argc, argv, "+s:hV", longopts, NULL)) >= 0)
                switch (c) {
                case 's':
                        socket_path = optarg;
                        break;
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                case 'V':
                        printf("nskeeperctl %s\n", PACKAGE_VERSION);
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option(NULL, argv);
                }

        if (optind >= argc)
                return ctl_usage_error(NULL, "missing command");

        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(argv[optind], commands[i]->name)) {
                        argc -= optind;
                        argv += optind;
                        optind = 0; /* restart getopt for the command's own options */
                        return commands[i]->run(argc, argv);
                }
        return ctl_usage_error(NULL, "unknown command '%s'", argv[optind]);
}
