/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl's command table and what the commands share. */
#pragma once

#include "nskeeper.h"
#include "proto.h"
#include "util.h"

/* Exit statuses (join returns its command's own). */
enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILED = 1,
        CTL_EXIT_USAGE = 2,
};

struct ctl_command {
        const char *name;
        const char *args;    /* synopsis after the name */
        const char *summary; /* one line for --help */
        int (*run)(int argc, char **argv);
        const char *alias; /* another name for it, or NULL */
        /* For a command that runs a COMMAND after NAME (join, run): its
         * options that take the next word as their value, space
         * separated, so that main.c can tell where COMMAND starts when it
         * looks for --socket after the command; NULL for the others. */
        const char *value_options;
};

extern const struct ctl_command ctl_cmd_create;
extern const struct ctl_command ctl_cmd_join;
extern const struct ctl_command ctl_cmd_list;
extern const struct ctl_command ctl_cmd_show;
extern const struct ctl_command ctl_cmd_release;
extern const struct ctl_command ctl_cmd_check;
extern const struct ctl_command ctl_cmd_path;
extern const struct ctl_command ctl_cmd_run;
extern const struct ctl_command ctl_cmd_adopt;
extern const struct ctl_command ctl_cmd_monitor;
extern const struct ctl_command ctl_cmd_identify;
extern const struct ctl_command ctl_cmd_pids;

/* Prints "nskeeperctl: CMD: <message>" and returns CTL_EXIT_USAGE. */
int ctl_usage_error(const char *cmd, const char *fmt, ...) _printf_(2, 3);
/* For getopt's '?': names the option that is unknown or lacks its
 * argument; returns CTL_EXIT_USAGE. */
int ctl_bad_option(const char *cmd, char **argv);
/* Prints "nskeeperctl: <message>" and returns CTL_EXIT_FAILED. */
int ctl_fail(const char *fmt, ...) _printf_(1, 2);

/* Prints "nskeeperctl: CMD 'NAME': <the client's error>" (or "CMD: ..."
 * without a name), with what to do next where error (-errno) suggests
 * it, and returns CTL_EXIT_FAILED. */
int ctl_request_failed(const char *cmd, const char *name, const struct nsk_client *c, int error);

/* Connects to the daemon (--socket or the default); on failure prints
 * why, naming cmd and set, and returns NULL. */
struct nsk_client *ctl_connect(const char *cmd, const char *name);

/* Checks NAME and a -t LIST (NULL or "all": *ret_types 0, every type
 * the set has). Returns 0, or the exit status after saying why. */
int ctl_check_name_types(const char *cmd, const char *name, const char *types_arg,
                         nsk_type_mask_t *ret_types);

/* Gets set NAME's namespace fds for join and run: checks NAME and the
 * -t LIST (NULL or "all": every type the set has), asks the daemon, and
 * fills ret_fds by enum nsk_type, -EBADF where none, and ret_set (if not
 * NULL; free it with nsk_set_info_done()). Returns 0, or the exit status
 * after saying why. */
int ctl_get_fds(const char *cmd, const char *name, const char *types_arg, int ret_fds[NSK_TYPE_MAX],
                struct nsk_set_info *ret_set);

/* Asks the daemon about set NAME (checked already) for show and path;
 * ret_set is then freed with nsk_set_info_done(). Returns 0, or the exit
 * status after saying why. */
int ctl_show(const char *cmd, const char *name, struct nsk_set_info *ret_set);

/* Asks the daemon for every set (nsk_list), for cmd; *ret is then freed
 * with nsk_sets_free(). Returns 0, or the exit status after saying why. */
int ctl_list(const char *cmd, struct nsk_set_info **ret, size_t *ret_n);

/* Runs argv in place of nskeeperctl; if that fails, says why and returns
 * the exit status to end with. */
int ctl_exec(const char *cmd, const char *name, char **argv);

/* Checks a set name given on the command line (exit status on failure, 0 if fine). */
int ctl_check_name(const char *cmd, const char *name);

/* Whether one of the items of a -t LIST is "all". */
bool ctl_types_have_all(const char *list);
/* Parses a -t LIST, where "all" means every type the kernel offers;
 * prints the error and returns CTL_EXIT_FAILED if bad. */
int ctl_parse_types(const char *cmd, const char *name, const char *list, nsk_type_mask_t *ret);

/* Standard option parsing for commands of the form CMD [--json] NAME...:
 * parses --json (if json is non-NULL) and -h, and checks that exactly
 * n_args positional arguments are there. Returns -1 to go on (the
 * arguments are argv[optind...]), or an exit status. */
int ctl_simple_args(const struct ctl_command *cmd, int argc, char **argv, bool *json,
                    unsigned n_args);
/* The same for min_args to max_args positional arguments. */
int ctl_simple_args_range(const struct ctl_command *cmd, int argc, char **argv, bool *json,
                          unsigned min_args, unsigned max_args);
