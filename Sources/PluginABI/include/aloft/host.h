/*
 * aloft/host.h — what the host offers a plugin: a table of callbacks.
 *
 * The host passes a pointer to one aloft_host to the entry function. The table and every string in it live
 * until the process exits: a plugin may keep the pointer. Every callback is [thread-safe]: a plugin may call
 * it from any thread, including threads it created, at any time after the entry function returned.
 * Callbacks never call back into the plugin, so they may be called while a plugin holds its own locks.
 *
 * Check struct_size before using a callback added in a later minor version: a callback at byte offset O of
 * size S exists only if O + S <= host->struct_size.
 */
#ifndef ALOFT_HOST_H
#define ALOFT_HOST_H

#include <stdint.h>
#include "buffer.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t aloft_log_level;
#define ALOFT_LOG_TRACE 0
#define ALOFT_LOG_DEBUG 1
#define ALOFT_LOG_INFO 2
#define ALOFT_LOG_WARNING 3
#define ALOFT_LOG_ERROR 4

typedef struct aloft_host aloft_host;

struct aloft_host {
    uint32_t struct_size;   /* sizeof(aloft_host) as the host was built */
    uint16_t abi_major;     /* the host's ALOFT_ABI_MAJOR */
    uint16_t abi_minor;     /* the host's ALOFT_ABI_MINOR */
    const char *host_name;    /* "aloft", NUL-terminated UTF-8 */
    const char *host_version; /* e.g. "0.1.0" */
    void *host_data;          /* the host's; plugins never touch it */

    /*
     * [thread-safe] Write a log line through the host's logger.
     * task_execution_id: the task the line is about, or NULL. message: UTF-8, NUL-terminated.
     * Both are borrowed for the call. Never log secrets.
     */
    void (*log)(const aloft_host *host, aloft_log_level level, const char *task_execution_id,
                const char *message);

    /*
     * [thread-safe, may block briefly] Look up the secret called name (NUL-terminated, borrowed; not NULL).
     * value_out and error_out are the plugin's: zero *error_out and set error_out->struct_size =
     * sizeof(aloft_error) before the call, or the host cannot say why a lookup failed.
     * On ALOFT_OK *value_out holds the secret's bytes, owned by the plugin: it must call
     * value_out->release(value_out) as soon as it has used them (the host wipes the memory on release).
     * On ALOFT_ERROR *error_out says why (e.g. code "SecretNotFound"); the plugin releases its buffers.
     * The host decides which secrets a plugin may read; a denied secret reads as not found.
     */
    aloft_status (*get_secret)(const aloft_host *host, const char *name, aloft_buffer *value_out,
                               aloft_error *error_out);

    /*
     * [thread-safe, non-blocking] Ask the host to poll task_execution_id soon, ahead of the poll_after_ms
     * hint the plugin gave. Use it when an external event says the task changed (a process exited, a watch
     * fired). Spurious or repeated calls are harmless; an unknown id is ignored.
     */
    void (*request_poll)(const aloft_host *host, const char *task_execution_id);

    /*
     * [thread-safe, non-blocking] 1 once the host wants the task gone (the user aborted the execution, the
     * task's timeout expired, abort() was called), else 0. A plugin doing long work inside a call checks it
     * and returns early; the host follows with abort(). (A timeout is noticed between calls; a single call is
     * bounded by its call budget.)
     * 2 once the host is going away and cannot wait (the user interrupted it a second time): an abort() that
     * is waiting out a grace period (a process given time to stop after SIGTERM) stops waiting and kills at
     * once. Earlier hosts answered only 0 or 1: treat any nonzero value as cancelled.
     */
    int32_t (*is_cancelled)(const aloft_host *host, const char *task_execution_id);

    /*
     * [thread-safe] The host's extension with this versioned id (e.g. "aloft.host.foo/1"), or NULL when the
     * host does not offer it. The returned pointer lives until the process exits.
     */
    const void *(*get_extension)(const aloft_host *host, const char *extension_id);
};

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_HOST_H */
