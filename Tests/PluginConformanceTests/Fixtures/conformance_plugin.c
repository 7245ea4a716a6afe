/*
 * A small plugin for `aloft plugins check`'s tests: task type "conform", the default interface (input x:
 * integer, output x: integer; the output is the input). Built without defines it follows every rule of
 * docs/plugin-abi.md; each -D breaks exactly one:
 *   NOT_IDEMPOTENT        every submit starts a new job, even for a task execution id it has seen
 *   NO_REATTACH           the job lives in this process's memory only: a fresh instance cannot poll it
 *   ABORT_NOT_IDEMPOTENT  abort fails for a task that already finished or was already aborted
 *   FINALIZE_DOUBLE_FREE  the second finalize of a task frees its memory again (and the process aborts)
 *   WRONG_OUTPUTS         outputs of the wrong type, and one the interface does not declare
 *   HANG_POLL             poll never returns
 *   NOT_THREAD_SAFE       tasks share one variable: tasks running at once see each other's input
 */
#define _POSIX_C_SOURCE 200809L
#include <aloft_plugin.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const aloft_host *g_host;

static void release_malloced(aloft_buffer *self) {
    free((void *)self->data);
    self->data = NULL;
    self->len = 0;
    self->release = NULL;
}

static aloft_buffer buffer_string(const char *s) {
    aloft_buffer b = {0};
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1);
    if (!copy) return b;
    memcpy(copy, s, len);
    b.data = (const uint8_t *)copy;
    b.len = len;
    b.release = release_malloced;
    return b;
}

static aloft_status fail(aloft_error *error, aloft_error_kind kind, const char *code, const char *message) {
    if (error && error->struct_size >= sizeof(aloft_error)) {
        error->kind = kind;
        error->retryable = 0;
        error->code = buffer_string(code);
        error->message = buffer_string(message);
    }
    return ALOFT_ERROR;
}

/* The input x, read from the canonical context ("inputs":{"x":{"integer":N}}). */
static int input_x(const aloft_task *task, int64_t *x) {
    char *text = malloc(task->context.len + 1);
    if (!text) return 0;
    memcpy(text, task->context.data, task->context.len);
    text[task->context.len] = 0;
    const char *key = "\"inputs\":{\"x\":{\"integer\":";
    char *at = strstr(text, key);
    int found = at != NULL;
    if (found) *x = strtoll(at + strlen(key), NULL, 10);
    free(text);
    return found;
}

/* ---- what the plugin remembers about tasks, by task execution id ---- */

typedef struct entry {
    char id[64];
    int used, aborted, finished;
    int64_t x;     /* NO_REATTACH: the job's input, in memory only */
    char *scratch; /* what submit acquired and finalize releases */
    int released;
} entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static entry g_entries[512];

/* The entry of `id` (created when `create`); call with g_lock held. */
static entry *find(const char *id, int create) {
    entry *free_slot = NULL;
    for (size_t i = 0; i < sizeof g_entries / sizeof g_entries[0]; i++) {
        if (g_entries[i].used && strcmp(g_entries[i].id, id) == 0) return &g_entries[i];
        if (!g_entries[i].used && !free_slot) free_slot = &g_entries[i];
    }
    if (!create || !free_slot) return NULL;
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->used = 1;
    snprintf(free_slot->id, sizeof free_slot->id, "%s", id);
    return free_slot;
}

#ifdef NOT_IDEMPOTENT
static int64_t g_jobs;
#endif
#ifdef NOT_THREAD_SAFE
static int64_t g_last_x;
#endif

/* ---- the plugin functions ---- */

static aloft_status p_init(const aloft_plugin *p, aloft_bytes config, void **instance, aloft_error *error) {
    (void)p; (void)config; (void)error;
    *instance = NULL;
    return ALOFT_OK;
}

static aloft_status p_submit(void *instance, const aloft_task *task, aloft_buffer *state_out, aloft_error *error) {
    (void)instance;
    int64_t x;
    if (!input_x(task, &x)) return fail(error, ALOFT_ERROR_USER, "NoInput", "the task has no integer input x");
    pthread_mutex_lock(&g_lock);
    entry *e = find(task->task_execution_id, 1);
    if (e && !e->scratch && !e->released) e->scratch = malloc(64);
    if (e) e->x = x;
#ifdef NOT_IDEMPOTENT
    x += 1000 * ++g_jobs; /* a new job, with its own result, for every submit */
#endif
#ifdef NOT_THREAD_SAFE
    g_last_x = x;
#endif
    pthread_mutex_unlock(&g_lock);
    if (!e) return fail(error, ALOFT_ERROR_SYSTEM, "Full", "too many tasks at once");
    char state[64];
#ifdef NO_REATTACH
    snprintf(state, sizeof state, "in-memory");
#else
    snprintf(state, sizeof state, "job:%" PRId64, x);
#endif
    *state_out = buffer_string(state);
    return ALOFT_OK;
}

static aloft_status p_poll(void *instance, const aloft_task *task, aloft_poll_result *result) {
    (void)instance;
#ifdef HANG_POLL
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
#endif
    int64_t x = 0;
    pthread_mutex_lock(&g_lock);
    entry *e = find(task->task_execution_id, 0);
    int aborted = e && e->aborted;
    if (e) e->finished = 1;
#ifdef NO_REATTACH
    int known = e != NULL;
    if (e) x = e->x;
#endif
#ifdef NOT_THREAD_SAFE
    x = g_last_x;
#endif
    pthread_mutex_unlock(&g_lock);
    if (aborted) {
        result->phase = ALOFT_PHASE_ABORTED;
        return ALOFT_OK;
    }
#ifdef NO_REATTACH
    if (!known) return fail(&result->error, ALOFT_ERROR_SYSTEM, "UnknownJob", "no such job in this process");
#elif !defined(NOT_THREAD_SAFE)
    char state[64] = {0};
    memcpy(state, task->state.data, task->state.len < sizeof state - 1 ? task->state.len : sizeof state - 1);
    if (strncmp(state, "job:", 4) != 0) return fail(&result->error, ALOFT_ERROR_SYSTEM, "BadState", "the state is not a job");
    x = strtoll(state + 4, NULL, 10);
#endif
    char outputs[128];
#ifdef WRONG_OUTPUTS
    snprintf(outputs, sizeof outputs, "{\"x\":{\"string\":\"%" PRId64 "\"},\"extra\":{\"integer\":1}}", x);
#else
    snprintf(outputs, sizeof outputs, "{\"x\":{\"integer\":%" PRId64 "}}", x);
#endif
    result->phase = ALOFT_PHASE_SUCCEEDED;
    result->outputs = buffer_string(outputs);
    return ALOFT_OK;
}

static aloft_status p_abort(void *instance, const aloft_task *task, aloft_error *error) {
    (void)instance;
    pthread_mutex_lock(&g_lock);
    entry *e = find(task->task_execution_id, 0);
#ifdef ABORT_NOT_IDEMPOTENT
    if (e && (e->aborted || e->finished)) {
        pthread_mutex_unlock(&g_lock);
        return fail(error, ALOFT_ERROR_USER, "NotRunning", "the task is not running");
    }
#else
    (void)error;
#endif
    if (e) e->aborted = 1;
    pthread_mutex_unlock(&g_lock);
    return ALOFT_OK;
}

static aloft_status p_finalize(void *instance, const aloft_task *task, aloft_error *error) {
    (void)instance;
    (void)error;
    pthread_mutex_lock(&g_lock);
    entry *e = find(task->task_execution_id, 0);
    if (e) {
#ifdef FINALIZE_DOUBLE_FREE
        /* Frees what submit acquired but forgets that it did: a second finalize frees it again. glibc would
         * usually notice and abort; this does so every time. */
        if (e->released) abort();
        free(e->scratch);
        e->released = 1;
#else
        free(e->scratch);
        e->used = 0;
#endif
    }
    pthread_mutex_unlock(&g_lock);
    return ALOFT_OK;
}

static const char *const types[] = {"conform", NULL};

static const aloft_plugin plugin = {
    .struct_size = sizeof(aloft_plugin),
    .abi_major = ALOFT_ABI_MAJOR,
    .abi_minor = ALOFT_ABI_MINOR,
    .id = "fixture.conformance",
    .version = "1.0.0",
    .description = "aloft plugins check test plugin",
    .task_types = types,
    .init = p_init,
    .submit = p_submit,
    .poll = p_poll,
    .abort = p_abort,
    .finalize = p_finalize,
};

ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host) {
    if (!host || host->abi_major != ALOFT_ABI_MAJOR) return NULL;
    g_host = host;
    return &plugin;
}
