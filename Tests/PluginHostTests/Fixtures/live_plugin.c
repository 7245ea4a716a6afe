/* A plugin dropped into a running host's plugin directory (the live plugin directory tests): id
 * "fixture.live", version LIVE_VERSION (an integer, default 1) as "LIVE_VERSION.0.0", task type "live".
 * A task succeeds at its first poll with one output, "version": the version of the library that ran it.
 * Task config hold_while_file "/path": the task keeps running while that file exists (a task in flight). */
#define _POSIX_C_SOURCE 200809L
#include <aloft_plugin.h>
#include <aloft/kit.h>

#include <unistd.h>

#ifndef LIVE_VERSION
#define LIVE_VERSION 1
#endif
#define LIVE_STRING(x) #x
#define LIVE_VERSION_STRING(x) LIVE_STRING(x) ".0.0"

static aloft_status live_init(const aloft_plugin *p, aloft_bytes c, void **instance, aloft_error *e) {
    (void)p; (void)c; (void)e;
    *instance = NULL;
    return ALOFT_OK;
}

static aloft_status live_submit(void *i, const aloft_task *t, aloft_buffer *state, aloft_error *e) {
    (void)i; (void)t; (void)e;
    *state = aloft_kit_buffer_string("submitted");
    return ALOFT_OK;
}

static int held(const aloft_task *t) {
    aloft_kit_context ctx;
    aloft_kit_span v;
    char path[1024];
    if (aloft_kit_context_read(t, &ctx) != ALOFT_KIT_OK || aloft_kit_config(&ctx, "hold_while_file", &v) != ALOFT_KIT_OK)
        return 0;
    return aloft_kit_json_string(v, path, sizeof path, NULL) == ALOFT_KIT_OK && access(path, F_OK) == 0;
}

static aloft_status live_poll(void *i, const aloft_task *t, aloft_poll_result *result) {
    (void)i;
    if (held(t)) {
        result->phase = ALOFT_PHASE_RUNNING;
        result->poll_after_ms = 50;
        return ALOFT_OK;
    }
    aloft_kit_outputs out = ALOFT_KIT_OUTPUTS_INIT;
    aloft_kit_outputs_string(&out, "version", LIVE_VERSION_STRING(LIVE_VERSION));
    if (aloft_kit_outputs_finish(&out, &result->outputs) != ALOFT_KIT_OK) return ALOFT_ERROR;
    result->phase = ALOFT_PHASE_SUCCEEDED;
    return ALOFT_OK;
}

static aloft_status live_abort(void *i, const aloft_task *t, aloft_error *e) { (void)i; (void)t; (void)e; return ALOFT_OK; }

static const char *const live_types[] = {"live", NULL};

static const aloft_plugin live_plugin = {
    .struct_size = sizeof(aloft_plugin),
    .abi_major = ALOFT_ABI_MAJOR,
    .abi_minor = ALOFT_ABI_MINOR,
    .id = "fixture.live",
    .version = LIVE_VERSION_STRING(LIVE_VERSION),
    .description = "test fixture: dropped into a running host",
    .task_types = live_types,
    .init = live_init,
    .submit = live_submit,
    .poll = live_poll,
    .abort = live_abort,
};

ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host) {
    (void)host;
    return &live_plugin;
}
