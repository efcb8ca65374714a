/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A message builder for the codec tests, independent of the writer under
 * test, so that malformed messages can be made byte by byte. Include it
 * after cmocka.h. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "attr.h"

struct mb {
        uint8_t b[NSK_MSG_MAX + 64];
        size_t len;
};

static inline void mb_set16(struct mb *m, size_t off, uint16_t v)
{
        memcpy(m->b + off, &v, sizeof(v));
}

static inline void mb_set32(struct mb *m, size_t off, uint32_t v)
{
        memcpy(m->b + off, &v, sizeof(v));
}

/* Header with len 0; mb_done() fills it in. */
static inline void mb_hdr(struct mb *m, uint16_t version, uint16_t cmd, uint32_t id, uint32_t flags)
{
        memset(m, 0, sizeof(*m));
        mb_set16(m, 0, version);
        mb_set16(m, 2, cmd);
        mb_set32(m, 4, id);
        mb_set32(m, 8, flags);
        m->len = NSK_HDR_SIZE;
}

/* An attribute whose length field says len_field while data_len bytes
 * follow, padded to 4 bytes if pad. */
static inline void mb_raw(struct mb *m, uint16_t type, uint16_t len_field, const void *data,
                          size_t data_len, bool pad)
{
        assert_true(m->len + 4 + data_len + 3 <= sizeof(m->b));
        mb_set16(m, m->len, type);
        mb_set16(m, m->len + 2, len_field);
        m->len += 4;
        if (data_len > 0)
                memcpy(m->b + m->len, data, data_len);
        m->len += data_len;
        if (pad)
                while (m->len % 4)
                        m->b[m->len++] = 0;
}

static inline void mb_attr(struct mb *m, uint16_t type, const void *data, size_t len)
{
        mb_raw(m, type, (uint16_t) len, data, len, true);
}

static inline void mb_u32(struct mb *m, uint16_t type, uint32_t v)
{
        mb_attr(m, type, &v, sizeof(v));
}

static inline void mb_u64(struct mb *m, uint16_t type, uint64_t v)
{
        mb_attr(m, type, &v, sizeof(v));
}

static inline void mb_str(struct mb *m, uint16_t type, const char *s)
{
        mb_attr(m, type, s, strlen(s));
}

static inline size_t mb_nest(struct mb *m, uint16_t type)
{
        size_t start = m->len;

        mb_raw(m, type, 0, NULL, 0, true);
        return start;
}

static inline void mb_nest_end(struct mb *m, size_t start)
{
        mb_set16(m, start + 2, (uint16_t) (m->len - start - 4));
}

/* Sets the header's len to the message size and returns it. */
static inline size_t mb_done(struct mb *m)
{
        mb_set32(m, 12, (uint32_t) m->len);
        return m->len;
}
