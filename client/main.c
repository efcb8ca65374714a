/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl: global options, the command table, and the helpers the
 * commands share (ctl.h). */

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "ctl.h"

static const struct ctl_command ctl_cmd_help;

static const struct ctl_command *const commands[] = {
        &ctl_cmd_create,   &ctl_cmd_join,  &ctl_cmd_run,  &ctl_cmd_list,  &ctl_cmd_show,
        &ctl_cmd_release,  &ctl_cmd_check, &ctl_cmd_path, &ctl_cmd_adopt, &ctl_cmd_monitor,
        &ctl_cmd_identify, &ctl_cmd_pids,  &ctl_cmd_help,
};

static const char *socket_path;

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] COMMAND [ARG...]\n"
               "Create, join and release namespace sets kept by nskeeperd.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                printf("  %s %s\n      %s%s%s%s\n", commands[i]->name, commands[i]->args,
                       commands[i]->summary, commands[i]->alias ? " (also: " : "",
                       commands[i]->alias ? commands[i]->alias : "", commands[i]->alias ? ")" : "");
        printf("\n"
               "Options:\n"
               "  -s, --socket PATH   nskeeperd's control socket (default: $NSKEEPER_SOCKET,\n"
               "                      else " NSK_SOCKET_DEFAULT "); --socket may also\n"
               "                      follow the command\n"
               "  -h, --help          show this help; COMMAND --help shows a command's\n"
               "  -V, --version       show the version\n"
               "\n"
               "Types: net, uts, ipc, mnt, cgroup, pid, user, time; "
               "all: every type the kernel has.\n"
               "Pins: 'bind' (default) mounts each namespace on a file under the daemon's\n"
               "runtime directory and survives a daemon restart; 'fd' keeps only an open fd\n"
               "in the daemon and ends when the daemon stops.\n"
               "\n"
               "Exit status: 0 success, 1 the request failed, 2 usage error; join and run\n"
               "exit with their command's status (126: cannot run it, 127: not found).\n");
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
        /* join and run take a command: its options are not theirs. */
        bool runs = cmd && (streq(cmd, "join") || streq(cmd, "run"));

        return ctl_usage_error(cmd, "unknown option or missing argument: '%s'%s", argv[optind - 1],
                               runs ? " (a command and its options go after --)" : "");
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

/* What to do next, where there is something to say: chosen by what was
 * asked and the daemon's reason, not by the errno alone. "not found" and
 * "already exists" are the daemon's words for a set it lacks or has
 * (PROTOCOL.md, errors). */
static const char *hint(const char *cmd, int error, const char *reason)
{
        bool names_a_set = !streq(cmd, "create") && !streq(cmd, "adopt");

        switch (error) {
        case -ENOENT:
                return names_a_set && streq(reason, "not found")
                               ? " ('nskeeperctl list' shows the sets)"
                               : "";
        case -EEXIST:
                if (strstr(reason, "ip netns"))
                        return " (choose another name, or remove that one with 'ip netns delete')";
                return streq(reason, "already exists")
                               ? " (choose another name, or release that set first)"
                               : "";
        case -EDQUOT:
                return " (release sets you no longer need)";
        default:
                return "";
        }
}

static int report(const char *cmd, const char *name, const char *reason, const char *what_next)
{
        if (name)
                return ctl_fail("%s '%s': %s%s", cmd, name, reason, what_next);
        return ctl_fail("%s: %s%s", cmd, reason, what_next);
}

int ctl_request_failed(const char *cmd, const char *name, const struct nsk_client *c, int error)
{
        const char *reason = nsk_client_error(c);

        return report(cmd, name, reason, hint(cmd, error, reason));
}

struct nsk_client *ctl_connect(const char *cmd, const char *name)
{
        struct nsk_client *c = NULL;
        int r;

        r = nsk_connect(socket_path, &c);
        if (r < 0) {
                /* The socket refused us: only root and --group may connect. */
                report(cmd, name, nsk_client_error(c),
                       r == -EACCES ? " (as root, or as a member of the group "
                                      "nskeeperd runs with --group)"
                                    : "");
                nsk_client_free(c);
                return NULL;
        }
        return c;
}

int ctl_check_name(const char *cmd, const char *name)
{
        if (name_full_is_valid(name))
                return 0;
        if (strchr(name, '/'))
                return ctl_fail("%s: invalid set name '%s': UID/NAME names the set NAME of user "
                                "UID, a number of 1 or more (root's sets take no UID/)",
                                cmd, name);
        return ctl_fail("%s: invalid set name '%s': use 1-%d characters of A-Z a-z 0-9 _ . -, "
                        "not starting with '.' or '-' (or UID/NAME for another user's set)",
                        cmd, name, NSK_NAME_MAX);
}

bool ctl_types_have_all(const char *list)
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
        r = nsk_type_mask_from_list(list, ctl_types_have_all(list) ? nsk_type_mask_supported() : 0,
                                    ret, &bad, &bad_len);
        if (r == -ENOTUNIQ)
                return ctl_fail("%s '%s': namespace type '%.*s' given twice", cmd, name,
                                (int) bad_len, bad);
        if (r < 0)
                return ctl_fail("%s '%s': unknown namespace type '%.*s' (known: net, uts, ipc, "
                                "mnt, cgroup, pid, user, time, all)",
                                cmd, name, (int) bad_len, bad);
        return 0;
}

int ctl_check_name_types(const char *cmd, const char *name, const char *types_arg,
                         nsk_type_mask_t *ret_types)
{
        int r;

        *ret_types = 0;
        r = ctl_check_name(cmd, name);
        if (r != 0)
                return r;
        /* "all" is every type the set has: none in particular. */
        if (types_arg && !streq(types_arg, "all"))
                return ctl_parse_types(cmd, name, types_arg, ret_types);
        return 0;
}

int ctl_get_fds(const char *cmd, const char *name, const char *types_arg, int ret_fds[NSK_TYPE_MAX],
                struct nsk_set_info *ret_set)
{
        nsk_type_mask_t types;
        struct nsk_client *cl;
        int r;

        r = ctl_check_name_types(cmd, name, types_arg, &types);
        if (r != 0)
                return r;
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

int ctl_list(const char *cmd, struct nsk_set_info **ret, size_t *ret_n)
{
        struct nsk_client *cl;
        int r;

        cl = ctl_connect(cmd, NULL);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_list(cl, ret, ret_n);
        if (r < 0)
                ctl_request_failed(cmd, NULL, cl, r);
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

/* The help of a command without options of its own, in the form of the
 * others: its summary as a sentence, the options in one column. */
static void command_help(const struct ctl_command *cmd, bool json)
{
        printf("Usage: nskeeperctl [--socket PATH] %s %s\n%c%s.\n\n", cmd->name, cmd->args,
               toupper((unsigned char) cmd->summary[0]), cmd->summary + 1);
        if (json)
                printf("  -J, --json     print JSON instead of text (fields: nskeeperctl(1))\n");
        printf("  -h, --help     show this help\n");
}

int ctl_simple_args(const struct ctl_command *cmd, int argc, char **argv, bool *json,
                    unsigned n_args)
{
        return ctl_simple_args_range(cmd, argc, argv, json, n_args, n_args);
}

int ctl_simple_args_range(const struct ctl_command *cmd, int argc, char **argv, bool *json,
                          unsigned min_args, unsigned max_args)
{
        static const struct option longopts[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        /* -J as lsns(8) and list have it. */
        while ((c = getopt_long(argc, argv, "Jh", longopts, NULL)) >= 0)
                switch (c) {
                case 'j':
                case 'J':
                        if (!json)
                                return ctl_usage_error(cmd->name, "unknown option '%s'",
                                                       c == 'J' ? "-J" : "--json");
                        *json = true;
                        break;
                case 'h':
                        command_help(cmd, json != NULL);
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option(cmd->name, argv);
                }
        if ((unsigned) (argc - optind) < min_args)
                return ctl_usage_error(cmd->name, "missing argument (%s)", cmd->args);
        if ((unsigned) (argc - optind) > max_args)
                return ctl_usage_error(cmd->name, "unexpected argument '%s'",
                                       argv[optind + max_args]);
        return -1;
}

static const struct ctl_command *find_command(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(name, commands[i]->name) ||
                    (commands[i]->alias && streq(name, commands[i]->alias)))
                        return commands[i];
        return NULL;
}

/* help [COMMAND]: the same as --help, or as COMMAND --help. */
static int run_help(int argc, char **argv)
{
        const struct ctl_command *cmd;
        char *args[3];

        if (argc > 2)
                return ctl_usage_error("help", "unexpected argument '%s'", argv[2]);
        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
                help();
                return CTL_EXIT_OK;
        }
        cmd = find_command(argv[1]);
        if (!cmd)
                return ctl_usage_error("help", "unknown command '%s'", argv[1]);
        args[0] = argv[1];
        args[1] = (char *) "--help";
        args[2] = NULL;
        optind = 0;
        return cmd->run(2, args);
}

static const struct ctl_command ctl_cmd_help = {
        .name = "help",
        .args = "[COMMAND]",
        .summary = "show this help, or COMMAND's (as COMMAND --help)",
        .run = run_help,
};

/* Does word name one of cmd's options that take the next word? */
static bool takes_value(const struct ctl_command *cmd, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = cmd->value_options; p && *p;) {
                size_t k = strcspn(p, " ");

                if (k == n && memcmp(p, word, n) == 0)
                        return true;
                p += k + (p[k] == ' ');
        }
        return false;
}

/* Takes "--socket PATH" and "--socket=PATH" out of a command's arguments
 * (argv[0] is the command), so that the option may follow the command
 * too. Not "-s": that letter stays free for commands. The search ends at
 * "--" and, for join and run, where the COMMAND they run begins (the
 * second word that is neither an option nor an option's value), so a
 * --socket of that COMMAND is left alone. Returns -1 to go on, or the
 * exit status of a usage error. */
static int take_socket_option(const struct ctl_command *cmd, int *argc, char **argv)
{
        unsigned positional = 0;
        int i, j;

        for (i = j = 1; i < *argc; i++) {
                const char *a = argv[i];

                if (streq(a, "--"))
                        break;
                if (streq(a, "--socket")) {
                        if (i + 1 >= *argc)
                                return ctl_usage_error(cmd->name, "option '--socket' needs a PATH");
                        socket_path = argv[++i];
                        continue;
                }
                if (strncmp(a, "--socket=", 9) == 0) {
                        socket_path = a + 9;
                        continue;
                }
                if (a[0] == '-' && a[1] != '\0') {
                        argv[j++] = argv[i];
                        if (takes_value(cmd, a) && i + 1 < *argc)
                                argv[j++] = argv[++i];
                        continue;
                }
                if (cmd->value_options && positional++ == 1)
                        break;
                argv[j++] = argv[i];
        }
        while (i < *argc)
                argv[j++] = argv[i++];
        argv[j] = NULL;
        *argc = j;
        return -1;
}

int main(int argc, char **argv)
{
        const struct ctl_command *cmd;
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

        cmd = find_command(argv[optind]);
        if (!cmd)
                return ctl_usage_error(NULL, "unknown command '%s'", argv[optind]);
        argc -= optind;
        argv += optind;
        c = take_socket_option(cmd, &argc, argv);
        if (c >= 0)
                return c;
        optind = 0; /* restart getopt for the command's own options */
        return cmd->run(argc, argv);
}
