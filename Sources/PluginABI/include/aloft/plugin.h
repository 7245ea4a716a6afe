/*
 * aloft/plugin.h — the plugin descriptor: identity, the task types it serves, and its functions.
 *
 * Threads. The host calls a plugin only from threads it owns (never from a language runtime's shared
 * pool). The tags used below:
 *   [host:exclusive]  no other call into this plugin runs at the same time (init, shutdown).
 *   [host:per-task]   calls for one task_execution_id never overlap and come in lifecycle order; calls for
 *                     different tasks may run at the same time on different threads, so the plugin's
 *                     shared state must be thread-safe.
 *   [thread-safe]     may be called from any thread at any time.
 * Every call has a time budget set by the host (seconds, configurable). A call that overruns is reported,
 * the task fails with a system error, and the thread is abandoned to the plugin; a plugin that overruns
 * repeatedly is quarantined. Do long work outside calls: start it in submit, observe it in poll.
 *
 * Memory. Inputs are borrowed for the call (aloft_task and everything in it). Buffers a plugin returns are
 * released by the host with the buffer's own release. The descriptor and every string and array it points
 * to must stay valid until the process exits (a static struct is the natural choice): plugins are never
 * unloaded.
 */
#ifndef ALOFT_PLUGIN_H
#define ALOFT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include "buffer.h"
#include "error.h"
#include "host.h"
#include "sync.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aloft_plugin aloft_plugin;

struct aloft_plugin {
    uint32_t struct_size; /* sizeof(aloft_plugin) as the plugin was built */
    uint16_t abi_major;   /* ALOFT_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;   /* ALOFT_ABI_MINOR the plugin was built against */

    /* Reverse-DNS id, unique among loaded plugins, [a-z0-9._-], at most 128 bytes, e.g. "com.example.echo". */
    const char *id;
    /* The plugin's own version, semantic versioning recommended, e.g. "1.2.0". */
    const char *version;
    /* One line for people. May be NULL. */
    const char *description;
    /* The task types this plugin serves, NULL-terminated, e.g. {"echo", "sleep", NULL}. At least one.
     * Each [a-z0-9_-]+. Which plugin actually serves a type is the host's routing decision. */
    const char *const *task_types;

    /*
     * [host:exclusive] Called once, before any task call, when the plugin is enabled. config is the
     * plugin's configuration from the host's config file as a JSON object (UTF-8; "{}" when none), borrowed.
     * On ALOFT_OK set *instance_out (any pointer, may be NULL); the host passes it to every later call.
     * On ALOFT_ERROR fill *error_out: the plugin is refused with that message and never called again.
     * Validate the config here and say exactly what is wrong with it.
     */
    aloft_status (*init)(const aloft_plugin *plugin, aloft_bytes config, void **instance_out,
                         aloft_error *error_out);

    /*
     * [host:exclusive] Called at most once, at host shutdown, after every task call returned. Release the
     * instance. No call follows. Must not fail; may be NULL.
     */
    void (*shutdown)(void *instance);

    /*
     * [host:per-task] Start the task. task->state is empty. On ALOFT_OK set *state_out to the resource
     * state (any bytes, at most 1 MiB; may be empty) that later calls will receive. On ALOFT_ERROR fill
     * *error_out. A retryable error makes the host call submit again after a backoff with the same
     * task_execution_id (up to 10 tries in a row); after that, or after a permanent error, the attempt has
     * failed: the host finalizes it and, within the task's retry budget, starts a new attempt (a new
     * task_execution_id). Idempotent per task_execution_id: see aloft/task.h.
     * Cancelled while submit runs (an abort, Ctrl-C): is_cancelled turns 1, and the host still waits for
     * submit, up to the call budget, and then calls abort with the state it returned, so what submit started
     * can be stopped. Return an error instead when nothing was started.
     */
    aloft_status (*submit)(void *instance, const aloft_task *task, aloft_buffer *state_out,
                           aloft_error *error_out);

    /*
     * [host:per-task] Observe the task. On ALOFT_OK fill *result (phase required). ALOFT_ERROR means the
     * state could not be observed this time (fill result->error): retryable errors are polled again with
     * backoff (up to 10 in a row, and never past the task's timeout); permanent ones fail the attempt.
     * Must not block on the task itself.
     */
    aloft_status (*poll)(void *instance, const aloft_task *task, aloft_poll_result *result);

    /*
     * [host:per-task] Stop the task. Idempotent; ALOFT_OK when it is already finished or gone. The host
     * may poll afterwards to see it reach ALOFT_PHASE_ABORTED, and always finalizes. task->state is the
     * latest state the host holds: empty when submit failed. After a submit that overran its budget, abort
     * and finalize wait for it to return and get the state it returned late (in a runner process, which
     * the overrun kills, they get an empty state).
     */
    aloft_status (*abort)(void *instance, const aloft_task *task, aloft_error *error_out);

    /*
     * [host:per-task] Called last for every attempt that called submit, whatever submit returned. Release
     * what submit acquired. The host calls it once; after a host crash it may be called again for the same
     * attempt, so make it idempotent. May be NULL when there is nothing to release.
     */
    aloft_status (*finalize)(void *instance, const aloft_task *task, aloft_error *error_out);

    /*
     * [thread-safe] The plugin's extension with this versioned id (see aloft/ext/), or NULL. The returned
     * pointer lives until the process exits. May be NULL (no extensions).
     */
    const void *(*get_extension)(const aloft_plugin *plugin, const char *extension_id);

    /* ---- ABI 1.1: the synchronous tier. A 1.0 plugin's struct_size ends before here (ALOFT_PLUGIN_SIZE_1_0):
     * the host reads these fields only when struct_size covers them, and treats them as NULL otherwise. ---- */

    /* The task types this plugin completes within one call, NULL-terminated; each must also be in task_types.
     * NULL or empty: none (every type goes through submit/poll/finalize). A synchronous type maps inputs to
     * outputs with no resource state, and is idempotent per task_execution_id. See aloft/sync.h. */
    const char *const *sync_task_types;

    /* [host:per-task] Runs one task of a synchronous type to its end, within the call budget. Required when
     * sync_task_types names a type; never called otherwise. See aloft/sync.h for the contract. */
    aloft_sync_fn run_sync;
};

/* sizeof(aloft_plugin) as an ABI 1.0 plugin was built (96 on LP64): the smallest struct_size a 1.x host accepts. */
#define ALOFT_PLUGIN_SIZE_1_0 offsetof(aloft_plugin, sync_task_types)

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_PLUGIN_H */
