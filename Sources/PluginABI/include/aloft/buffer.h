/*
 * aloft/buffer.h — bytes that cross the ABI, borrowed or owned.
 *
 * Two shapes, and one ownership rule for each:
 *
 *  aloft_bytes   BORROWED. {data, len}. Valid only for the duration of the call that received it.
 *                Copy what you need to keep. Never free it. data may be NULL when len is 0.
 *
 *  aloft_buffer  OWNED BY THE RECEIVER. {data, len, release, private_data}, after the Arrow C data
 *                interface: whoever *receives* a buffer calls buffer->release(buffer) exactly once when done
 *                with it (the host for buffers a plugin returns; the plugin for buffers the host returns,
 *                e.g. a secret). release frees with the allocator of the side that produced the buffer, so
 *                neither side needs the other's malloc. release == NULL means "nothing to release" (a
 *                static or empty buffer, or already released). release must set buffer->release to NULL.
 *                release may be called from any thread.
 */
#ifndef ALOFT_BUFFER_H
#define ALOFT_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aloft_bytes {
    const uint8_t *data; /* may be NULL when len == 0 */
    size_t len;
} aloft_bytes;

typedef struct aloft_buffer {
    const uint8_t *data; /* may be NULL when len == 0 */
    size_t len;
    /* [thread-safe] Called exactly once by the receiver; frees data and private_data as the producer
     * sees fit, then sets self->release = NULL. NULL: nothing to release. */
    void (*release)(struct aloft_buffer *self);
    void *private_data; /* producer's bookkeeping; the receiver never touches it */
} aloft_buffer;

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_BUFFER_H */
