/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for nsk_request_decode(): arbitrary bytes must be
 * refused cleanly or decoded into a request that encodes back to the
 * same request. */

#include "fuzz.h"
#include "util.h"

/* Settings attributes with their default value (an empty hostname,
 * LOOPBACK 1, ...) are not written back by the encoder, so only the
 * request's own attributes are compared bit for bit. */
#define OWN_ATTRS                                                                         \
        (NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES) | NSK_ATTR_BIT(NSK_A_PIN) | \
         NSK_ATTR_BIT(NSK_A_ADOPT_PID) | NSK_ATTR_BIT(NSK_A_ADOPT_PATH))

static void check_same(const struct nsk_request *a, const struct nsk_request *b)
{
        fuzz_assert(a->cmd == b->cmd);
        fuzz_assert(a->id == b->id);
        fuzz_assert((a->attrs & OWN_ATTRS) == (b->attrs & OWN_ATTRS));
        fuzz_assert(strcmp(a->name, b->name) == 0);
        fuzz_assert(a->types == b->types);
        fuzz_assert(a->pin == b->pin);
        fuzz_assert(settings_diff(&a->settings, &b->settings) == NULL);
        fuzz_assert(a->adopt_pid == b->adopt_pid);
        fuzz_assert(a->n_adopt_paths == b->n_adopt_paths);
        for (unsigned i = 0; i < a->n_adopt_paths; i++)
                fuzz_assert(strcmp(a->adopt_paths[i], b->adopt_paths[i]) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t buf[NSK_MSG_MAX], buf2[NSK_MSG_MAX];
        struct nsk_request req, again, third;
        int r, len, len2;

        r = nsk_request_decode(data, size, &req);
        if (r < 0) {
                /* Refused: nothing may be left allocated (nsk_request_done()
                 * twice must be harmless, as callers do it either way). */
                fuzz_assert(req.settings.sysctls == NULL && req.settings.n_sysctls == 0);
                nsk_request_done(&req);
                return 0;
        }

        fuzz_assert(size >= NSK_HDR_SIZE && size <= NSK_MSG_MAX);
        fuzz_assert(req.cmd > 0 && req.cmd < NSK_CMD_MAX);
        fuzz_assert_terminated(req.name);
        fuzz_assert(strlen(req.name) <= NSK_FULL_NAME_MAX); /* NAME or UID/NAME */
        fuzz_assert((req.types & ~NSK_TYPE_MASK_ALL) == 0);
        fuzz_assert(req.pin >= 0 && req.pin < NSK_PIN_MAX);
        fuzz_assert(req.settings.n_sysctls <= NSK_SYSCTL_MAX);
        fuzz_assert(req.settings.n_uid_map <= NSK_IDMAP_MAX);
        fuzz_assert(req.settings.n_gid_map <= NSK_IDMAP_MAX);
        fuzz_assert_terminated(req.settings.hostname);
        fuzz_assert_terminated(req.settings.domainname);
        for (unsigned i = 0; i < req.settings.n_sysctls; i++)
                fuzz_assert(strlen(req.settings.sysctls[i]) < NSK_SYSCTL_LEN);
        fuzz_assert(req.n_adopt_paths <= NSK_TYPE_MAX);
        for (unsigned i = 0; i < req.n_adopt_paths; i++)
                fuzz_assert(req.adopt_paths[i][0] == '/' &&
                            strlen(req.adopt_paths[i]) < NSK_PATH_MAX);

        /* The canonical encoding is never longer than what was decoded
         * (defaults are left out), so it always fits. */
        len = nsk_request_encode(&req, buf, sizeof(buf));
        fuzz_assert(len >= NSK_HDR_SIZE && (size_t) len <= size);
        r = nsk_request_decode(buf, (size_t) len, &again);
        fuzz_assert(r >= 0);
        check_same(&req, &again);

        /* ... and it is a fixed point. */
        len2 = nsk_request_encode(&again, buf2, sizeof(buf2));
        fuzz_assert(len2 == len && memcmp(buf, buf2, (size_t) len) == 0);
        r = nsk_request_decode(buf2, (size_t) len2, &third);
        fuzz_assert(r >= 0);
        check_same(&again, &third);

        nsk_request_done(&third);
        nsk_request_done(&again);
        nsk_request_done(&req);
        return 0;
}
