/* One plugin (task type "misbehave") whose every task misbehaves as its config says, for the isolation
 * tests: {"do": "ok" | "segfault" | "abort" | "exit3" | "alloc" | "hang_submit" | "hang_poll" | "garbage_outputs"
 * | "wild_outputs" | "secret"}. "secret" reads the secret "token", logs its value (the host must redact it)
 * and fails the submit when it is missing; "secret_poll" reads it in poll instead and fails the task when it is
 * missing (a re-attached task polls without a submit in that host). Everything happens in submit unless the name says poll or outputs. A task that survives
 * succeeds with outputs {"x": 7} after `polls` polls ("polls": N in the config, default 1). */
#define _POSIX_C_SOURCE 200809L
#include <aloft_plugin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const aloft_host *g_host;

static void forever(void) {
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
}

static void release(aloft_buffer *b) {
    free((void *)b->data);
    b->data = NULL;
    b->len = 0;
    b->release = NULL;
}

static aloft_buffer bytes(const char *text) {
    size_t n = strlen(text);
    char *data = malloc(n ? n : 1);
    memcpy(data, text, n);
    aloft_buffer b = {(const uint8_t *)data, n, release, NULL};
    return b;
}

/* Whether the task context's config says "do": what. The context is canonical JSON: no spaces. */
static int does(const aloft_task *t, const char *what) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"do\":\"%s\"", what);
    size_t n = strlen(needle);
    if (t->context.len < n) return 0;
    for (size_t i = 0; i + n <= t->context.len; i++)
        if (memcmp(t->context.data + i, needle, n) == 0) return 1;
    return 0;
}

static aloft_status m_init(const aloft_plugin *p, aloft_bytes c, void **i, aloft_error *e) {
    (void)p; (void)c; (void)e;
    *i = NULL;
    return ALOFT_OK;
}

static aloft_status m_submit(void *i, const aloft_task *t, aloft_buffer *s, aloft_error *e) {
    (void)i;
    if (does(t, "segfault")) *(volatile int *)(uintptr_t)8 = 1;
    if (does(t, "abort")) abort();
    if (does(t, "exit3")) exit(3);
    if (does(t, "hang_submit")) forever();
    if (does(t, "alloc")) {
        for (;;) {
            size_t n = 64u << 20;
            char *p = malloc(n);
            if (!p) abort(); /* what most code does when memory runs out: nothing sensible */
            memset(p, 1, n);
        }
    }
    if (does(t, "secret")) {
        aloft_buffer value = {0};
        aloft_error err = {.struct_size = sizeof(aloft_error)};
        if (g_host->get_secret(g_host, "token", &value, &err) != ALOFT_OK) {
            if (err.code.release) err.code.release(&err.code);
            if (err.message.release) err.message.release(&err.message);
            e->kind = ALOFT_ERROR_USER;
            e->code = bytes("NoToken");
            e->message = bytes("the secret token is not available");
            return ALOFT_ERROR;
        }
        char line[256];
        snprintf(line, sizeof line, "token is %.*s", (int)(value.len < 200 ? value.len : 200), (const char *)value.data);
        g_host->log(g_host, ALOFT_LOG_INFO, t->task_execution_id, line);
        if (value.release) value.release(&value);
    }
    *s = bytes("0");
    return ALOFT_OK;
}

static aloft_status m_poll(void *i, const aloft_task *t, aloft_poll_result *r) {
    (void)i;
    if (does(t, "hang_poll")) forever();
    if (does(t, "secret_poll")) {
        aloft_buffer value = {0};
        aloft_error err = {.struct_size = sizeof(aloft_error)};
        if (g_host->get_secret(g_host, "token", &value, &err) != ALOFT_OK) {
            if (err.code.release) err.code.release(&err.code);
            if (err.message.release) err.message.release(&err.message);
            r->phase = ALOFT_PHASE_FAILED;
            r->error.kind = ALOFT_ERROR_USER;
            r->error.code = bytes("NoToken");
            r->error.message = bytes("the secret token is not available");
            return ALOFT_OK;
        }
        if (value.release) value.release(&value);
    }
    int polls = (int)(t->state.len ? t->state.data[0] - '0' : 0) + 1;
    int wanted = 1;
    for (int n = 2; n <= 9; n++) {
        char needle[32];
        snprintf(needle, sizeof needle, "\"polls\":%d", n);
        size_t k = strlen(needle);
        for (size_t j = 0; j + k <= t->context.len; j++)
            if (memcmp(t->context.data + j, needle, k) == 0) wanted = n;
    }
    if (polls < wanted) {
        char state[2] = {(char)('0' + polls), 0};
        r->state = bytes(state);
        r->phase = ALOFT_PHASE_RUNNING;
        r->poll_after_ms = 50;
        return ALOFT_OK;
    }
    r->phase = ALOFT_PHASE_SUCCEEDED;
    if (does(t, "garbage_outputs")) {
        r->outputs = bytes("\x01\x02 not a literal map");
    } else if (does(t, "wild_outputs")) {
        aloft_buffer wild = {(const uint8_t *)(uintptr_t)16, 4096, NULL, NULL};
        r->outputs = wild;
    } else {
        r->outputs = bytes("{\"x\":{\"integer\":7}}");
    }
    return ALOFT_OK;
}

static aloft_status m_abort(void *i, const aloft_task *t, aloft_error *e) { (void)i; (void)t; (void)e; return ALOFT_OK; }

static const char *const types[] = {"misbehave", NULL};

static const aloft_plugin plugin = {
    .struct_size = sizeof(aloft_plugin),
    .abi_major = ALOFT_ABI_MAJOR,
    .abi_minor = ALOFT_ABI_MINOR,
    .id = "fixture.misbehaving",
    .version = "0.0.1",
    .task_types = types,
    .init = m_init,
    .submit = m_submit,
    .poll = m_poll,
    .abort = m_abort,
};

ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host) {
    g_host = host;
    return &plugin;
}
