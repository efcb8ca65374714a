/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsk-cni add|del|check NETNS-PATH CONFDIR NAME IFNAME [RESULT-FILE]:
 * one CNI operation through daemon/cni-child.c, as the daemon will run
 * it, for tests/integration/cni.sh. The container id is the netns
 * path's last component. add prints the result (JSON) on stdout; del
 * and check take it from RESULT-FILE. Exit 0, or 1 with the message. */

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "cni-child.h"
#include "util.h"

static char *read_all(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        if (getdelim(&buf, &size, '\0', f) < 0)
                buf = mfree(buf);
        fclose(f);
        return buf;
}

int main(int argc, char **argv)
{
        static const char *const ops[CNI_OP_MAX] = { "add", "del", "check" };
        _cleanup_free_ char *cached = NULL, *result = NULL;
        struct cni_network *net = NULL;
        struct cni_child *c = NULL;
        struct cni_attachment a = {};
        enum cni_op op = CNI_OP_MAX;
        const char *id;
        char msg[1024];
        int r;

        if (argc < 6 || argc > 7) {
                fprintf(stderr, "usage: nsk-cni add|del|check NETNS-PATH CONFDIR NAME IFNAME "
                                "[RESULT-FILE]\n");
                return 2;
        }
        for (int i = 0; i < CNI_OP_MAX; i++)
                if (streq(argv[1], ops[i]))
                        op = (enum cni_op) i;
        if (op == CNI_OP_MAX) {
                fprintf(stderr, "nsk-cni: unknown operation %s\n", argv[1]);
                return 2;
        }
        if (argc == 7 && !(cached = read_all(argv[6]))) {
                fprintf(stderr, "nsk-cni: cannot read %s: %m\n", argv[6]);
                return 1;
        }
        id = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
        a = (struct cni_attachment) { .container_id = id, .netns = argv[2], .ifname = argv[5] };

        r = cni_network_find(argv[3], argv[4], &net, msg, sizeof(msg));
        if (r < 0) {
                fprintf(stderr, "nsk-cni: %s\n", msg);
                return 1;
        }
        r = cni_child_start(net, op, &a, NULL, cached, &c);
        net = cni_network_free(net);
        if (r < 0) {
                fprintf(stderr, "nsk-cni: cannot start the CNI child: %s\n", strerror(-r));
                return 1;
        }
        /* The daemon's event loop does this with an event on the fd. */
        while ((r = cni_child_read(c)) == 0)
                (void) poll(&(struct pollfd) { .fd = cni_child_fd(c), .events = POLLIN }, 1, -1);
        if (r > 0)
                r = cni_child_finish(c, &result, msg, sizeof(msg));
        else
                snprintf(msg, sizeof(msg), "reading the CNI child: %s", strerror(-r));
        c = cni_child_free(c);
        if (r < 0) {
                fprintf(stderr, "nsk-cni: %s %s: %s\n", ops[op], argv[4], msg);
                return 1;
        }
        if (result)
                printf("%s\n", result);
        return 0;
}
