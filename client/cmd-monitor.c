/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl monitor [--json]: one line (or JSON object) per event, as
 * they happen, like ip-netns(8) monitor, each with its time. */

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "ctl.h"
#include "output.h"

static int print_event(enum nsk_event e, const struct nsk_set_info *s, void *userdata)
{
        bool json = *(bool *) userdata;
        char when[48];
        struct timespec ts;

        /* The daemon sends an event as it happens and we read it at once:
         * the time we receive it is the time of the event, unless the
         * reader of our output falls behind. */
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                ts = (struct timespec) {};
        output_format_time((uint64_t) ts.tv_sec, ts.tv_nsec / 1000, when, sizeof(when));
        if (json) {
                printf("{\"event\":\"%s\",\"time\":%lld.%06ld,\"time_utc\":\"%s\",\"set\":",
                       nsk_event_name(e), (long long) ts.tv_sec, ts.tv_nsec / 1000, when);
                output_set_json(stdout, s, NULL);
                puts("}");
        } else {
                char types[64], full[NSK_FULL_NAME_MAX + 1], nets[NSK_MESSAGE_MAX];

                output_types(s, types, sizeof(types));
                output_networks(s, nets, sizeof(nets));
                printf("%s %s %s%s%s%s%s%s%s\n", when, nsk_event_name(e), output_full_name(s, full),
                       types[0] ? " " : "", types, nets[0] ? " networks " : "", nets,
                       s->state_reason[0] ? ": " : "", s->state_reason);
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
