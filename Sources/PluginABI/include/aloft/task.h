/*
 * aloft/task.h — one task execution as the host hands it to a plugin, and what poll reports back.
 *
 * Lifecycle of one task execution (one attempt of one node):
 *
 *     submit ──► poll ─► poll ─► ... ─► terminal phase ──► finalize
 *        │          └──────── abort (any time after submit; idempotent) ──┘
 *
 *  - submit starts the work and returns an opaque resource state (bytes) that the host stores durably
 *    BEFORE it does anything else. After a crash the host never re-submits a task whose state it stored: it
 *    polls again with the stored state ("re-attach").
 *  - submit must be idempotent: if the host crashed between submit and storing the state, it submits again
 *    with the same task_execution_id. Use that id as the external job name so the second submit finds the
 *    first job instead of starting another. The two submits may even overlap, from two hosts (one stood
 *    still past its lease and woke mid-submit while the other took the execution over): make the look for
 *    the job and its start one step (a name that cannot be created twice, or a lock).
 *  - poll reports the phase; it may return an updated state (stored before the host acts on the result).
 *  - abort stops the work. Idempotent: aborting something already finished or gone is ALOFT_OK.
 *  - finalize is called once per attempt that called submit (whatever submit returned), after the terminal
 *    phase or abort; release what submit acquired (temporary files, connections). It is called even when
 *    abort failed. After a host crash it may be called again for the same attempt: make it idempotent.
 */
#ifndef ALOFT_TASK_H
#define ALOFT_TASK_H

#include <stdint.h>
#include "buffer.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * BORROWED by the plugin for the duration of one call; everything it points to too.
 *  task_execution_id  deterministic per (project, domain, execution, node, attempt): lowercase [a-z0-9-],
 *                     starts with a letter, at most 63 bytes, NUL-terminated. Safe as a Kubernetes name,
 *                     a SageMaker or BigQuery job name, a container name.
 *  context            the task context document (Aloft Literal JSON, see docs/plugin-abi.md): the task
 *                     template with its interface and plugin config, the typed inputs, the output location,
 *                     the execution ids and the attempt number. The same bytes for every call of one task.
 *  state              the resource state the plugin returned from submit or the last poll that changed it;
 *                     empty (len 0) in submit.
 */
typedef struct aloft_task {
    uint32_t struct_size;
    uint32_t attempt; /* 0-based attempt number, also in context */
    const char *task_execution_id;
    aloft_bytes context;
    aloft_bytes state;
} aloft_task;

typedef uint32_t aloft_phase;
#define ALOFT_PHASE_QUEUED 1                /* accepted, not started */
#define ALOFT_PHASE_WAITING_FOR_RESOURCES 2 /* blocked on quota or capacity */
#define ALOFT_PHASE_INITIALIZING 3          /* starting: pulling an image, scheduling a pod */
#define ALOFT_PHASE_RUNNING 4
#define ALOFT_PHASE_SUCCEEDED 5 /* terminal; outputs set */
#define ALOFT_PHASE_FAILED 6    /* terminal; error set */
#define ALOFT_PHASE_ABORTED 7   /* terminal; stopped by abort() or by someone outside Aloft */

/*
 * Filled by poll. The host zeroes it and sets struct_size (the size the host knows) before the call; the
 * plugin writes only fields that fit within struct_size. Every buffer the plugin sets is released by the
 * host.
 *  phase          required.
 *  poll_after_ms  hint: poll again no sooner than this (0 = host's default backoff). The host may poll
 *                 earlier (request_poll, shutdown) or later (rate limits).
 *  state          a new resource state, or left empty (data NULL, len 0) to keep the current one.
 *  outputs        with ALOFT_PHASE_SUCCEEDED: a literal map (Aloft Literal JSON) of the task's outputs.
 *                 Empty is allowed only when the interface has no outputs.
 *  status_message optional one-line UTF-8 status for people ("Training - Downloading data").
 *  error          with ALOFT_PHASE_FAILED: what went wrong (kind, retryable, code, message).
 */
typedef struct aloft_poll_result {
    uint32_t struct_size;
    aloft_phase phase;
    uint32_t poll_after_ms;
    uint32_t reserved; /* 0 */
    aloft_buffer state;
    aloft_buffer outputs;
    aloft_buffer status_message;
    aloft_error error;
} aloft_poll_result;

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_TASK_H */
