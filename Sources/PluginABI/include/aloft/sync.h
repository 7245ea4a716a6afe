/*
 * aloft/sync.h — the synchronous tier (ABI 1.1): a task type the plugin completes within one call.
 *
 * Some task types need no remote job: they map inputs to outputs in well under the call budget (an echo, a
 * lookup, a small transform), like Flyte's synchronous agents. For those, submit/poll/finalize is three calls
 * and two stored states for nothing. A plugin names them in aloft_plugin.sync_task_types and implements
 * aloft_plugin.run_sync; the host then makes exactly one call per attempt of such a task:
 *
 *     run_sync(task) ──► outputs (ALOFT_OK)  or  error (ALOFT_ERROR)
 *
 * and never calls submit, poll, abort or finalize for it.
 *
 * The contract:
 *  - [host:per-task]: on a host-owned thread (the plugin's pool, the task's lane), never overlapping another
 *    call of the same task_execution_id, within the call budget. A call that overruns fails the attempt with a
 *    system error (plugin-call-overran) and counts towards quarantine, exactly like any other call: in
 *    process the thread is abandoned to the plugin; with isolation: process the runner is killed.
 *  - No resource state: task->state is always empty, and there is nothing to abort or finalize. Release
 *    everything the call acquired before it returns.
 *  - Idempotent per task_execution_id: the host stores that the call is in flight before it makes it; a host
 *    that died during the call calls again with the same id when the execution resumes (once; a second death
 *    in the same attempt fails the attempt). The same id must give the same outputs, and any side effect must
 *    happen at most once per id.
 *  - On ALOFT_OK set *outputs_out to the task's outputs, a literal map (Aloft Literal JSON), or leave it empty
 *    when the interface has no outputs. The host checks them against the interface and stores them before
 *    anything outside the process sees them (the cache, an asynchronous downstream task, events). The next
 *    synchronous task of a chain on the same plugin may be called first: the rule above (same id, same
 *    outputs) makes a node the host runs again after a crash hand it the same inputs.
 *  - On ALOFT_ERROR fill *error_out. The attempt fails with that error: a retryable one starts a new attempt
 *    (a new task_execution_id) within the task's retry budget for its kind (user or system); a permanent one
 *    fails the node. The host does not call again within the attempt.
 *  - is_cancelled() turns 1 when the task is cancelled during the call; return early if the work is long.
 *  - Secrets the task declares may be read with get_secret during the call.
 *
 * Borrowed: task and everything it points to, for the call. Owned by the host after return: *outputs_out and
 * the buffers of *error_out (released with their own release function).
 */
#ifndef ALOFT_SYNC_H
#define ALOFT_SYNC_H

#include "buffer.h"
#include "error.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The function a plugin puts in aloft_plugin.run_sync. */
typedef aloft_status (*aloft_sync_fn)(void *instance, const aloft_task *task, aloft_buffer *outputs_out,
                                      aloft_error *error_out);

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_SYNC_H */
