/*
 * aloft/kit/buffer.h — OPTIONAL helper, not part of the ABI contract: the one way to make an owned
 * aloft_buffer from malloc'd memory. The C example, the Swift kit and the host all use it.
 *
 *   aloft_kit_buffer_copy(data, len)  a malloc'd copy of len bytes, released with free() by
 *                                     aloft_kit_buffer_release. len 0 (or a failed malloc) gives an empty
 *                                     buffer: data NULL, release NULL, nothing to release.
 *   aloft_kit_buffer_string(s)        the bytes of a NUL-terminated string, without the NUL.
 *   aloft_kit_buffer_adopt(data, len) takes over a block you malloc'd yourself (no copy).
 *
 * Static inline: every plugin gets its own copy, so a buffer is always freed by the allocator of the library
 * that made it (docs/plugin-abi.md, section 5).
 */
#ifndef ALOFT_KIT_BUFFER_H
#define ALOFT_KIT_BUFFER_H

#include <stdlib.h>
#include <string.h>

#include "../buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* [thread-safe] The release of every buffer made here: free(), then the buffer reads as released. */
static inline void aloft_kit_buffer_release(aloft_buffer *self) {
    if (!self) return;
    free((void *)self->data);
    self->data = NULL;
    self->len = 0;
    self->release = NULL;
}

static inline aloft_buffer aloft_kit_buffer_adopt(void *data, size_t len) {
    aloft_buffer b;
    memset(&b, 0, sizeof b);
    if (!data) return b;
    b.data = (const uint8_t *)data;
    b.len = len;
    b.release = aloft_kit_buffer_release;
    return b;
}

static inline aloft_buffer aloft_kit_buffer_copy(const void *data, size_t len) {
    aloft_buffer b;
    memset(&b, 0, sizeof b);
    if (len == 0 || !data) return b;
    void *copy = malloc(len);
    if (!copy) return b;
    memcpy(copy, data, len);
    return aloft_kit_buffer_adopt(copy, len);
}

static inline aloft_buffer aloft_kit_buffer_string(const char *s) {
    return aloft_kit_buffer_copy(s, s ? strlen(s) : 0);
}

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_KIT_BUFFER_H */
