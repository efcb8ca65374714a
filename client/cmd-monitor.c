/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl monitor [--json]: one line (or JSON object) per event, as
 * they happen, like ip-netns(8) monitor. */

#include <signal.h>
#include <stdio.h>

#include "ctl.h"
#include "output.h"

static int print_event(enum nsk_event e, const struct nsk_set_info *s, void *userdata)
{
        bool json = *(bool *) userdata;

        if (json) {
                printf("{\"event\":\"%s\",\"set\":", nsk_event_name(e));
                output_set_json(stdout, s, NULL);
                puts("}");
        } else {
                char types[64] = "", full[NSK_FULL_NAME_MAX + 1];
                nsk_type_mask_t mask = 0;

                for (unsigned i = 0; i < s->n_ns; i++)
                        mask |= NSK_TYPE_BIT(s->ns[i].type);
                nsk_type_mask_format(mask, types, sizeof(types));
                printf("%s %s%s%s%s%s\n", nsk_event_name(e), output_full_name(s, full),
                       types[0] ? " " : "", types, s->state_reason[0] ? ": " : "", s->state_reason);
        }
        /* Scripts read it through a pipe: each event as it comes. */
        return fflush(stdout) == 0 ? 0 : -EPIPE;
}

static int run(int argc, char **argv)
{
        struct nsk_client *cl;
        bool json = false;
        int r;

        r = ctl_simple_args(&ctl_cmd_monitor, argc, argv, &json, 0);
        if (r >= 0)
                return r;
        /* A reader that goes away (monitor | head -1) ends us quietly. */
        signal(SIGPIPE, SIG_IGN);
        cl = ctl_connect("monitor", NULL);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_monitor(cl, print_event, &json);
        if (r < 0 && r != -EPIPE)
                ctl_request_failed("monitor", NULL, cl, r);
        nsk_client_free(cl);
        return r == -EPIPE ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

const struct ctl_command ctl_cmd_monitor = {
        .name = "monitor",
        .args = "[--json]",
        .summary = "print events (created, released, adopted, dead, pin-missing) as they happen",
        .run = run,
};
