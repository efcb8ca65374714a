/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test tool: a client that sends nskeeperd whatever its arguments say,
 * malformed messages and stray fds included, and prints what comes back.
 *
 *   nsk-raw SOCKET OP...      runs the OPs on one connection
 *   nsk-raw SOCKET -          reads OPs from stdin, one line at a time
 *                             ("ready" after each line), for a client that
 *                             stays connected while a test does other things
 *
 * Building a message (one at a time; "hdr" starts the next):
 *   hdr VERSION CMD ID FLAGS   the 16-byte header (length filled in at send)
 *   len N                      write N into the length field instead
 *   str TYPE TEXT              string attribute (padded)
 *   u32 TYPE N                 u32 attribute
 *   hex TYPE HEX               attribute with these bytes ("-" for none)
 *   long TYPE N                string attribute of N times 'a'
 *   attr TYPE LENFIELD HEX     attribute header saying LENFIELD, then HEX
 *                              (or "-"), unpadded: a length that can lie
 *   raw HEX                    a message of just these bytes ("-": none)
 *   bytes HEX                  append these bytes to the message
 *   fill N                     N bytes of 'a'
 *   fds N [PATH [PER]]         attach N fds of PATH (/dev/null) to the next
 *                              send, PER fds per control message (all in one)
 * Talking:
 *   send                       send the message
 *   repeat N                   send it N times (stops at a send error)
 *   flood N                    send it up to N times without blocking, until
 *                              the socket takes no more; prints "flooded K"
 *   recv                       read one datagram and print it
 *   replies                    read and print until a reply without MORE
 *   drain MS                   read until end of stream or MS ms of silence;
 *                              prints a count of replies, then "eof" if it came
 *   sleep MS
 *
 * Output, one line per datagram read:
 *   reply cmd=C id=I flags=0xF errno=E sets=S fds=N [message=TEXT]
 *   undecodable size=N: ERROR    eof    recv error: ERROR    send error: ERROR
 * Exit status: 0, 1 if it cannot connect, 2 on a usage error. */

#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fdpass.h"
#include "proto.h"
#include "util.h"

#define MSG_BUF (NSK_MSG_MAX * 4) /* room for oversized messages */
#define FDS_MAX 253               /* SCM_MAX_FD */

static int sock = -EBADF;
static uint8_t msg[MSG_BUF];
static size_t msg_len;
static bool len_forced;
static uint32_t len_field;
static int fds[FDS_MAX];
static size_t n_fds, fds_per_cmsg;

static _Noreturn void usage(const char *why)
{
        fprintf(stderr, "nsk-raw: %s (see the top of tests/nsk-raw.c)\n", why);
        exit(2);
}

static unsigned long number(const char *s)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 0);
        if (errno || !*s || *end)
                usage("not a number");
        return v;
}

static void append(const void *data, size_t n)
{
        if (n > sizeof(msg) - msg_len)
                usage("message too large for nsk-raw");
        if (n > 0)
                memcpy(msg + msg_len, data, n);
        msg_len += n;
}

static void append_hex(const char *hex)
{
        size_t n = strlen(hex);

        if (streq(hex, "-"))
                return;
        if (n % 2)
                usage("odd number of hex digits");
        for (size_t i = 0; i < n; i += 2) {
                char byte[3] = { hex[i], hex[i + 1], 0 };
                char *end;
                uint8_t b = (uint8_t) strtoul(byte, &end, 16);

                if (*end)
                        usage("bad hex digit");
                append(&b, 1);
        }
}

static void pad(void)
{
        static const uint8_t zero[3];

        append(zero, (4 - msg_len % 4) % 4);
}

static void attr_header(unsigned long type, unsigned long len)
{
        uint16_t h[2] = { (uint16_t) type, (uint16_t) len };

        append(h, sizeof(h));
}

static void attr_fill(unsigned long type, size_t n)
{
        attr_header(type, n);
        for (size_t i = 0; i < n; i++)
                append("a", 1);
        pad();
}

static void set_fds(size_t n, const char *path, size_t per)
{
        close_many(fds, n_fds);
        n_fds = 0;
        if (n > FDS_MAX)
                usage("at most 253 fds");
        for (; n_fds < n; n_fds++) {
                fds[n_fds] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[n_fds] < 0) {
                        fprintf(stderr, "nsk-raw: %s: %m\n", path);
                        exit(1);
                }
        }
        fds_per_cmsg = per ? per : n;
}

/* 0, or -1 after printing the error; with MSG_DONTWAIT in flags, -2
 * (and nothing printed) when the socket is full. */
static int do_send_flags(int flags)
{
        static union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * FDS_MAX) * 8];
        } control;
        struct iovec iov = { .iov_base = msg, .iov_len = msg_len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        int r = 0;

        if (msg_len >= NSK_HDR_SIZE) {
                uint32_t l = len_forced ? len_field : (uint32_t) msg_len;
                memcpy(msg + offsetof(struct nsk_hdr, len), &l, sizeof(l));
        }
        if (n_fds > 0) {
                struct cmsghdr *c;
                size_t done = 0, space = 0;

                memset(&control, 0, sizeof(control));
                for (size_t left = n_fds; left > 0;) {
                        size_t k = left < fds_per_cmsg ? left : fds_per_cmsg;
                        space += CMSG_SPACE(sizeof(int) * k);
                        left -= k;
                }
                if (space > sizeof(control))
                        usage("too many control messages");
                mh.msg_control = &control;
                mh.msg_controllen = space;
                for (c = CMSG_FIRSTHDR(&mh); c && done < n_fds; c = CMSG_NXTHDR(&mh, c)) {
                        size_t k = n_fds - done < fds_per_cmsg ? n_fds - done : fds_per_cmsg;

                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_RIGHTS;
                        c->cmsg_len = CMSG_LEN(sizeof(int) * k);
                        memcpy(CMSG_DATA(c), fds + done, sizeof(int) * k);
                        done += k;
                }
        }
        if (sendmsg(sock, &mh, MSG_NOSIGNAL | flags) < 0) {
                if (errno == EAGAIN && (flags & MSG_DONTWAIT))
                        r = -2;
                else {
                        printf("send error: %m\n");
                        r = -1;
                }
        }
        /* The fds went out (or not): either way they were for this send. */
        close_many(fds, n_fds);
        n_fds = 0;
        return r;
}

static int do_send(void)
{
        return do_send_flags(0);
}

/* Reads one datagram and prints it (unless quiet); 1 for a reply with
 * MORE, 0 for a final one, -1 at the end of the stream, -3 on an error,
 * -2 when nothing came within timeout_ms (if >= 0). */
static int do_recv(int timeout_ms, bool quiet)
{
        static uint8_t buf[NSK_MSG_MAX];
        int rfds[FDPASS_MAX];
        struct nsk_reply rep;
        size_t n;
        ssize_t k;
        int r;

        if (timeout_ms >= 0) {
                r = poll(&(struct pollfd) { .fd = sock, .events = POLLIN }, 1, timeout_ms);
                if (r == 0)
                        return -2;
        }
        k = fdpass_recv(sock, buf, sizeof(buf), rfds, FDPASS_MAX, &n);
        if (k == 0) {
                if (!quiet)
                        printf("eof\n");
                return -1;
        }
        if (k < 0) {
                printf("recv error: %s\n", strerror((int) -k));
                return -3;
        }
        close_many(rfds, n);
        r = nsk_reply_decode(buf, (size_t) k, &rep);
        if (r < 0) {
                printf("undecodable size=%zd: %s\n", k, strerror(-r));
                return 0;
        }
        r = rep.flags & NSK_F_MORE ? 1 : 0;
        if (quiet) {
                nsk_reply_done(&rep);
                return r;
        }
        printf("reply cmd=%u id=%u flags=%#x errno=%d sets=%zu fds=%zu", rep.cmd, rep.id, rep.flags,
               rep.error, rep.n_sets, n);
        if (rep.message[0])
                printf(" message=%s", rep.message);
        printf("\n");
        nsk_reply_done(&rep);
        return r;
}

static void do_drain(int ms)
{
        unsigned replies = 0, final = 0;
        int r;

        /* Quietly: a drain may read thousands of replies. */
        while ((r = do_recv(ms, true)) >= 0) {
                replies++;
                if (r == 0)
                        final++;
        }
        printf("drained replies=%u final=%u\n", replies, final);
        if (r == -1)
                printf("eof\n");
}

#define NEED(k)                                   \
        do {                                      \
                if (i + (k) >= argc)              \
                        usage("missing operand"); \
        } while (0)

static void run_ops(int argc, char **argv)
{
        for (int i = 0; i < argc; i++) {
                const char *op = argv[i];

                if (streq(op, "hdr")) {
                        struct nsk_hdr h;

                        NEED(4);
                        h = (struct nsk_hdr) {
                                .version = (uint16_t) number(argv[i + 1]),
                                .cmd = (uint16_t) number(argv[i + 2]),
                                .id = (uint32_t) number(argv[i + 3]),
                                .flags = (uint32_t) number(argv[i + 4]),
                        };
                        msg_len = 0;
                        len_forced = false;
                        append(&h, sizeof(h));
                        i += 4;
                } else if (streq(op, "len")) {
                        NEED(1);
                        len_forced = true;
                        len_field = (uint32_t) number(argv[++i]);
                } else if (streq(op, "str")) {
                        NEED(2);
                        attr_header(number(argv[i + 1]), strlen(argv[i + 2]));
                        append(argv[i + 2], strlen(argv[i + 2]));
                        pad();
                        i += 2;
                } else if (streq(op, "u32")) {
                        uint32_t v;

                        NEED(2);
                        v = (uint32_t) number(argv[i + 2]);
                        attr_header(number(argv[i + 1]), sizeof(v));
                        append(&v, sizeof(v));
                        i += 2;
                } else if (streq(op, "hex")) {
                        size_t n;

                        NEED(2);
                        n = streq(argv[i + 2], "-") ? 0 : strlen(argv[i + 2]) / 2;
                        attr_header(number(argv[i + 1]), n);
                        append_hex(argv[i + 2]);
                        pad();
                        i += 2;
                } else if (streq(op, "long")) {
                        NEED(2);
                        attr_fill(number(argv[i + 1]), number(argv[i + 2]));
                        i += 2;
                } else if (streq(op, "attr")) {
                        NEED(3);
                        attr_header(number(argv[i + 1]), number(argv[i + 2]));
                        append_hex(argv[i + 3]);
                        i += 3;
                } else if (streq(op, "raw")) {
                        NEED(1);
                        msg_len = 0;
                        len_forced = false;
                        append_hex(argv[++i]);
                } else if (streq(op, "bytes")) {
                        NEED(1);
                        append_hex(argv[++i]);
                } else if (streq(op, "fill")) {
                        size_t n;

                        NEED(1);
                        n = number(argv[++i]);
                        for (size_t k = 0; k < n; k++)
                                append("a", 1);
                } else if (streq(op, "fds")) {
                        const char *path = "/dev/null";
                        size_t n, per = 0;

                        NEED(1);
                        n = number(argv[++i]);
                        if (i + 1 < argc && argv[i + 1][0] == '/')
                                path = argv[++i];
                        if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
                                per = number(argv[++i]);
                        set_fds(n, path, per);
                } else if (streq(op, "send"))
                        (void) do_send();
                else if (streq(op, "repeat")) {
                        unsigned long n;

                        NEED(1);
                        n = number(argv[++i]);
                        for (unsigned long k = 0; k < n && do_send() == 0; k++)
                                ;
                } else if (streq(op, "flood")) {
                        unsigned long n, k;

                        NEED(1);
                        n = number(argv[++i]);
                        for (k = 0; k < n && do_send_flags(MSG_DONTWAIT) == 0; k++)
                                ;
                        printf("flooded %lu\n", k);
                } else if (streq(op, "recv"))
                        (void) do_recv(-1, false);
                else if (streq(op, "replies")) {
                        while (do_recv(-1, false) > 0)
                                ;
                } else if (streq(op, "drain")) {
                        NEED(1);
                        do_drain((int) number(argv[++i]));
                } else if (streq(op, "sleep")) {
                        NEED(1);
                        fflush(stdout);
                        usleep((useconds_t) number(argv[++i]) * 1000);
                } else
                        usage("unknown operation");
                fflush(stdout);
        }
}

/* One line of stdin at a time, split at blanks. */
static void run_stdin(void)
{
        char line[4096];

        printf("ready\n");
        fflush(stdout);
        while (fgets(line, sizeof(line), stdin)) {
                char *argv[256];
                int argc = 0;

                for (char *tok = strtok(line, " \t\n"); tok && argc < 256;
                     tok = strtok(NULL, " \t\n"))
                        argv[argc++] = tok;
                run_ops(argc, argv);
                printf("ready\n");
                fflush(stdout);
        }
}

int main(int argc, char **argv)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (argc < 2)
                usage("usage: nsk-raw SOCKET OP... | nsk-raw SOCKET -");
        if (strlen(argv[1]) >= sizeof(sa.sun_path))
                usage("socket path too long");
        strcpy(sa.sun_path, argv[1]);
        sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (sock < 0 || connect(sock, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                printf("connect error: %m\n");
                return 1;
        }
        if (argc == 3 && streq(argv[2], "-"))
                run_stdin();
        else
                run_ops(argc - 2, argv + 2);
        close_many(fds, n_fds);
        safe_close(sock);
        return 0;
}
