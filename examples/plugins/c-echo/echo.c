/*
 * c-echo — an Aloft plugin in plain C, written against aloft_plugin.h and the optional C kit (aloft/kit.h).
 *
 * Task types "echo" and "sleep": every output the task declares is the input of the same name.
 * Task type "c-echo-sync" (the synchronous tier, ABI 1.1, aloft/sync.h): the same echo in one run_sync call,
 * no resource state, nothing to abort or finalize; of the config below it honours fail and fail_until_attempt.
 * It has no side effect, so it is idempotent per task execution id as the tier requires.
 * Task config (task.config in the task context), all optional:
 *   delay_ms            finish this long after submit. The deadline is the resource state, so a host that
 *                       restarts re-attaches and the task still finishes on time.
 *   wake                true: a helper thread calls host->request_poll when the delay is over, so the host
 *                       need not poll on a timer.
 *   block_ms            block inside each poll call this long (checking is_cancelled): to exercise the
 *                       host's call budget.
 *   submit_block_ms     block inside submit this long, NOT checking is_cancelled, like a remote API call that
 *                       cannot be interrupted: to exercise a cancellation that comes while submit runs.
 *   fail                "user" or "system": fail instead of echoing.
 *   fail_until_attempt  fail only while the attempt is below this.
 *   fail_while_file     "/path": fail (a user error) while this file exists; for recover demos.
 *   submit_fail_times   N: the first N submits of each task execution fail with a retryable system error
 *                       (a throttled API), to exercise the host's submit retries.
 * Plugin config (init), optional:
 *   fail_init  "message": init fails with that message.
 *   journal    "/path": append "submit <task_execution_id>" (every submit, failed ones too, on entry),
 *              "abort <task_execution_id> <state>" and "finalize <task_execution_id>" lines to this file (for
 *              tests and demos: shows across host restarts which tasks were submitted, aborted with which
 *              state, and finalized, and how often).
 *
 * Build:  cc -std=c11 -O2 -shared -fPIC -fvisibility=hidden $(aloft plugins sdk --cflags) \
 *            echo.c -o libc_echo.so -lpthread
 */
#define _POSIX_C_SOURCE 200809L
#include <aloft_plugin.h>
#include <aloft/kit.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const aloft_host *g_host; /* set by the entry function; lives until exit */
static char g_journal[1024];      /* set by init; empty: no journal */

/* Every buffer we hand out is malloc'd and freed by the kit's release (aloft/kit/buffer.h); errors are
 * written with aloft_kit_error, which fills the host's aloft_error only when its struct_size has room. */

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- aborted tasks: a small thread-safe set of execution ids ---- */

typedef struct aborted_id {
    struct aborted_id *next;
    char id[64];
} aborted_id;

static pthread_mutex_t g_aborted_lock = PTHREAD_MUTEX_INITIALIZER;
static aborted_id *g_aborted;

static int is_aborted(const char *id) {
    pthread_mutex_lock(&g_aborted_lock);
    int found = 0;
    for (aborted_id *a = g_aborted; a; a = a->next) if (strcmp(a->id, id) == 0) { found = 1; break; }
    pthread_mutex_unlock(&g_aborted_lock);
    return found;
}

static void mark_aborted(const char *id) {
    if (is_aborted(id)) return; /* idempotent */
    aborted_id *a = calloc(1, sizeof *a);
    if (!a) return;
    snprintf(a->id, sizeof a->id, "%s", id);
    pthread_mutex_lock(&g_aborted_lock);
    a->next = g_aborted;
    g_aborted = a;
    pthread_mutex_unlock(&g_aborted_lock);
}

static void forget_aborted(const char *id) {
    pthread_mutex_lock(&g_aborted_lock);
    for (aborted_id **p = &g_aborted; *p; p = &(*p)->next) {
        if (strcmp((*p)->id, id) == 0) { aborted_id *gone = *p; *p = gone->next; free(gone); break; }
    }
    pthread_mutex_unlock(&g_aborted_lock);
}

static void journal_line(const char *what, const char *id, const char *detail) {
    if (!g_journal[0]) return;
    FILE *f = fopen(g_journal, "a");
    if (!f) return;
    if (detail) fprintf(f, "%s %s %s\n", what, id, detail);
    else fprintf(f, "%s %s\n", what, id);
    fclose(f);
}

static void journal(const char *what, const char *id) { journal_line(what, id, NULL); }

/* ---- submit attempts per task execution, for submit_fail_times ---- */

typedef struct submit_count {
    struct submit_count *next;
    char id[64];
    int64_t count;
} submit_count;

static pthread_mutex_t g_counts_lock = PTHREAD_MUTEX_INITIALIZER;
static submit_count *g_counts;

static void forget_submits(const char *id) {
    pthread_mutex_lock(&g_counts_lock);
    for (submit_count **p = &g_counts; *p; p = &(*p)->next) {
        if (strcmp((*p)->id, id) == 0) { submit_count *gone = *p; *p = gone->next; free(gone); break; }
    }
    pthread_mutex_unlock(&g_counts_lock);
}

static int64_t count_submit(const char *id) {
    pthread_mutex_lock(&g_counts_lock);
    submit_count *c = g_counts;
    while (c && strcmp(c->id, id) != 0) c = c->next;
    if (!c && (c = calloc(1, sizeof *c)) != NULL) {
        snprintf(c->id, sizeof c->id, "%s", id);
        c->next = g_counts;
        g_counts = c;
    }
    int64_t n = c ? ++c->count : 1;
    pthread_mutex_unlock(&g_counts_lock);
    return n;
}

/* ---- reading the task context ---- */

static aloft_kit_context context_of(const aloft_task *task) {
    aloft_kit_context ctx;
    aloft_kit_context_read(task, &ctx); /* a malformed document reads as no config and no inputs */
    return ctx;
}

static int64_t config_int(const aloft_task *task, const char *name, int64_t fallback) {
    aloft_kit_context ctx = context_of(task);
    int64_t n;
    return aloft_kit_config_integer(&ctx, name, &n) == ALOFT_KIT_OK ? n : fallback;
}

static int config_value(const aloft_task *task, const char *name, aloft_kit_span *v) {
    aloft_kit_context ctx = context_of(task);
    return aloft_kit_config(&ctx, name, v) == ALOFT_KIT_OK;
}

/* ---- the plugin functions ---- */

static aloft_status echo_init(const aloft_plugin *plugin, aloft_bytes config, void **instance_out, aloft_error *error) {
    (void)plugin;
    aloft_kit_span root = aloft_kit_span_of(config.data, config.len);
    aloft_kit_span v;
    if (config.len > 0 && aloft_kit_json_get(root, "fail_init", &v) == ALOFT_KIT_OK) {
        return aloft_kit_errorf(error, ALOFT_ERROR_USER, 0, "InitRefused", "refusing to start: %.*s", (int)aloft_kit_span_len(v), v.start);
    }
    if (config.len > 0 && aloft_kit_json_get(root, "journal", &v) == ALOFT_KIT_OK) {
        aloft_kit_json_string(v, g_journal, sizeof g_journal, NULL);
    }
    *instance_out = NULL; /* all state is global: one instance */
    return ALOFT_OK;
}

typedef struct wake_request {
    int64_t delay_ms;
    char id[64];
} wake_request;

static void *wake_later(void *arg) {
    wake_request *w = arg;
    sleep_ms(w->delay_ms);
    g_host->request_poll(g_host, w->id);
    free(w);
    return NULL;
}

static aloft_status echo_submit(void *instance, const aloft_task *task, aloft_buffer *state_out, aloft_error *error) {
    (void)instance;
    int64_t delay = config_int(task, "delay_ms", 0);
    if (delay < 0) return aloft_kit_error(error, ALOFT_ERROR_USER, 0, "BadConfig", "task config delay_ms must be >= 0");
    journal("submit", task->task_execution_id);
    int64_t block = config_int(task, "submit_block_ms", 0);
    if (block > 0) sleep_ms(block);
    /* Counted only for tasks that ask to fail: a list of every task ever seen would make submit O(n). */
    int64_t fail_times = config_int(task, "submit_fail_times", 0);
    if (fail_times > 0 && count_submit(task->task_execution_id) <= fail_times) {
        return aloft_kit_error(error, ALOFT_ERROR_SYSTEM, 1, "Throttled", "echo: submit throttled on purpose");
    }
    char state[32];
    snprintf(state, sizeof state, "%lld", (long long)(now_ms() + delay));
    *state_out = aloft_kit_buffer_string(state);

    aloft_kit_span wake;
    if (delay > 0 && config_value(task, "wake", &wake) && aloft_kit_json_is(wake, "true")) {
        wake_request *w = calloc(1, sizeof *w);
        pthread_t thread;
        pthread_attr_t attr;
        if (w) {
            w->delay_ms = delay;
            snprintf(w->id, sizeof w->id, "%s", task->task_execution_id);
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            if (pthread_create(&thread, &attr, wake_later, w) != 0) free(w);
            pthread_attr_destroy(&attr);
        }
    }
    return ALOFT_OK;
}

/* outputs = {"name": <input literal>, ...} for each declared output, each literal copied as the host wrote it;
 * ALOFT_KIT_MISSING and a message when an output has no input of its name. */
static aloft_kit_result build_outputs(const aloft_kit_context *ctx, aloft_buffer *outputs, char *message,
                                      size_t message_len) {
    aloft_kit_outputs out = ALOFT_KIT_OUTPUTS_INIT;
    const char *cursor = NULL;
    aloft_kit_span name, type;
    while (aloft_kit_json_next_member(ctx->outputs, &cursor, &name, &type) == ALOFT_KIT_OK) {
        char key[256];
        aloft_kit_literal value;
        snprintf(key, sizeof key, "%.*s", (int)aloft_kit_span_len(name), name.start);
        if (aloft_kit_input(ctx, key, &value) != ALOFT_KIT_OK) {
            snprintf(message, message_len, "echo: output \"%s\" has no input of the same name", key);
            aloft_kit_outputs_discard(&out);
            return ALOFT_KIT_MISSING;
        }
        aloft_kit_outputs_literal(&out, key, value.literal);
    }
    if (aloft_kit_outputs_finish(&out, outputs) != ALOFT_KIT_OK) {
        snprintf(message, message_len, "echo: out of memory");
        return ALOFT_KIT_NO_MEMORY;
    }
    return ALOFT_KIT_OK;
}

/* The echo's failure on purpose (config "fail": "user" or "system", until "fail_until_attempt"), or none. */
static int injected_failure(const aloft_kit_context *ctx, aloft_error *error) {
    aloft_kit_span how;
    int64_t until = INT64_MAX;
    if (aloft_kit_config(ctx, "fail", &how) != ALOFT_KIT_OK) return 0;
    int64_t n;
    if (aloft_kit_config_integer(ctx, "fail_until_attempt", &n) == ALOFT_KIT_OK) until = n;
    if ((int64_t)ctx->attempt >= until) return 0;
    int system = aloft_kit_json_string_is(how, "system");
    aloft_kit_error(error, system ? ALOFT_ERROR_SYSTEM : ALOFT_ERROR_USER, 1, "Injected", "echo failed on purpose");
    return 1;
}

static aloft_status echo_poll(void *instance, const aloft_task *task, aloft_poll_result *result) {
    (void)instance;
    if (is_aborted(task->task_execution_id)) {
        result->phase = ALOFT_PHASE_ABORTED;
        return ALOFT_OK;
    }
    aloft_kit_context ctx;
    int readable = aloft_kit_context_read(task, &ctx) == ALOFT_KIT_OK; /* else: no config, no outputs */
    int64_t block = config_int(task, "block_ms", 0);
    for (int64_t waited = 0; waited < block; waited += 10) {
        if (g_host->is_cancelled(g_host, task->task_execution_id)) break;
        sleep_ms(10);
    }
    char state[32] = {0};
    size_t n = task->state.len < sizeof state - 1 ? task->state.len : sizeof state - 1;
    if (n > 0) memcpy(state, task->state.data, n); /* an empty state may have a NULL data pointer */
    int64_t deadline = strtoll(state, NULL, 10), now = now_ms();
    if (now < deadline) {
        result->phase = ALOFT_PHASE_RUNNING;
        result->poll_after_ms = (uint32_t)(deadline - now);
        result->status_message = aloft_kit_buffer_string("sleeping");
        return ALOFT_OK;
    }
    aloft_kit_span flag;
    char path[1024];
    if (config_value(task, "fail_while_file", &flag) && aloft_kit_json_string(flag, path, sizeof path, NULL) == ALOFT_KIT_OK) {
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            result->phase = ALOFT_PHASE_FAILED;
            aloft_kit_error(&result->error, ALOFT_ERROR_USER, 0, "FlagFile", "failing while the flag file exists");
            return ALOFT_OK;
        }
    }
    if (readable && injected_failure(&ctx, &result->error)) {
        result->phase = ALOFT_PHASE_FAILED;
        return ALOFT_OK;
    }
    char message[320] = "echo: the task context could not be read";
    if (!readable || build_outputs(&ctx, &result->outputs, message, sizeof message) != ALOFT_KIT_OK) {
        result->phase = ALOFT_PHASE_FAILED;
        aloft_kit_error(&result->error, ALOFT_ERROR_USER, 0, "NoSuchInput", message);
        return ALOFT_OK;
    }
    result->phase = ALOFT_PHASE_SUCCEEDED;
    return ALOFT_OK;
}

static aloft_status echo_abort(void *instance, const aloft_task *task, aloft_error *error) {
    (void)instance;
    (void)error;
    mark_aborted(task->task_execution_id);
    char state[32] = {0};
    size_t n = task->state.len < sizeof state - 1 ? task->state.len : sizeof state - 1;
    if (n > 0) memcpy(state, task->state.data, n); /* the state submit returned: its deadline */
    journal_line("abort", task->task_execution_id, state);
    g_host->log(g_host, ALOFT_LOG_INFO, task->task_execution_id, "aborted");
    return ALOFT_OK;
}

static aloft_status echo_finalize(void *instance, const aloft_task *task, aloft_error *error) {
    (void)instance;
    (void)error;
    forget_aborted(task->task_execution_id);
    forget_submits(task->task_execution_id);
    journal("finalize", task->task_execution_id);
    return ALOFT_OK;
}

/* [host:per-task] ABI 1.1: one "c-echo-sync" task, start to end, on a host thread within the call budget. The
 * outputs (or the error) are the host's after return; a failure fails the attempt (retryable: a new attempt). */
static aloft_status echo_run_sync(void *instance, const aloft_task *task, aloft_buffer *outputs_out,
                                  aloft_error *error) {
    (void)instance;
    aloft_kit_context ctx; /* read once: the failure switches and the outputs come from the same pass */
    if (aloft_kit_context_read(task, &ctx) != ALOFT_KIT_OK) {
        aloft_kit_error(error, ALOFT_ERROR_USER, 0, "NoSuchInput", "echo: the task context could not be read");
        return ALOFT_ERROR;
    }
    if (injected_failure(&ctx, error)) return ALOFT_ERROR;
    char message[320] = "echo: outputs could not be built";
    if (build_outputs(&ctx, outputs_out, message, sizeof message) != ALOFT_KIT_OK) {
        aloft_kit_error(error, ALOFT_ERROR_USER, 0, "NoSuchInput", message);
        return ALOFT_ERROR;
    }
    return ALOFT_OK;
}

static const char *const echo_types[] = {"echo", "sleep", "c-echo-sync", NULL};
/* ABI 1.1: the types served by run_sync (each also in echo_types); "echo" and "sleep" stay asynchronous. */
static const char *const echo_sync_types[] = {"c-echo-sync", NULL};

static const aloft_plugin echo_plugin = {
    .struct_size = sizeof(aloft_plugin),
    .abi_major = ALOFT_ABI_MAJOR,
    .abi_minor = ALOFT_ABI_MINOR,
    .id = "example.c-echo",
    .version = "1.0.0",
    .description = "C example: outputs are the inputs of the same name",
    .task_types = echo_types,
    .init = echo_init,
    .shutdown = NULL,
    .submit = echo_submit,
    .poll = echo_poll,
    .abort = echo_abort,
    .finalize = echo_finalize,
    .get_extension = NULL,
    .sync_task_types = echo_sync_types,
    .run_sync = echo_run_sync,
};

ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host) {
    if (!host || host->abi_major != ALOFT_ABI_MAJOR) return NULL;
    g_host = host;
    return &echo_plugin;
}
