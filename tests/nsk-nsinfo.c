/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test tool: for each path to a namespace (a pin or /proc/PID/ns/TYPE)
 * prints "TYPE INODE OWNER" where OWNER is the inode of the user
 * namespace that owns it (NS_GET_USERNS), and for a user namespace also
 * the uid that created it (NS_GET_OWNER_UID). ioctl_ns(2). */

#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>

#include "nstype.h"
#include "util.h"

static int show(const char *path)
{
        _cleanup_close_ int fd = -EBADF, owner = -EBADF;
        struct stat st, ost;
        enum nsk_type t;
        uid_t uid;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "nsk-nsinfo: %s: %m\n", path);
                return -1;
        }
        r = nsk_type_of_fd(fd, &t);
        if (r < 0) {
                fprintf(stderr, "nsk-nsinfo: %s: not a namespace: %s\n", path, strerror(-r));
                return -1;
        }
        owner = ioctl(fd, NS_GET_USERNS);
        if (owner < 0 || fstat(owner, &ost) < 0) {
                /* EPERM: owned by a user namespace outside ours. */
                printf("%s %llu -", nsk_type_name(t), (unsigned long long) st.st_ino);
        } else
                printf("%s %llu %llu", nsk_type_name(t), (unsigned long long) st.st_ino,
                       (unsigned long long) ost.st_ino);
        if (t == NSK_TYPE_USER && ioctl(fd, NS_GET_OWNER_UID, &uid) == 0)
                printf(" %u", (unsigned) uid);
        putchar('\n');
        return 0;
}

int main(int argc, char **argv)
{
        int ret = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: nsk-nsinfo PATH...\n");
                return 2;
        }
        for (int i = 1; i < argc; i++)
                if (show(argv[i]) < 0)
                        ret = 1;
        return ret;
}
