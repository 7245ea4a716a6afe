/* Plugins that are wrong in exactly one way each, selected with -D, for the refusal tests. */
#define _POSIX_C_SOURCE 200809L
#include <aloft_plugin.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Files that must never be loaded into the host: each kills, hangs or exits the process that loads it. */
__attribute__((unused)) static void forever(void) {
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
}
#ifdef CRASH_CONSTRUCTOR
__attribute__((constructor)) static void crash(void) { *(volatile int *)(uintptr_t)8 = 1; }
#endif
#ifdef HANG_CONSTRUCTOR
__attribute__((constructor)) static void hang(void) { forever(); }
#endif
#ifdef EXIT_CONSTRUCTOR
__attribute__((constructor)) static void leave(void) { exit(0); }
#endif

static aloft_status ok_init(const aloft_plugin *p, aloft_bytes c, void **i, aloft_error *e) {
    (void)p; (void)c; (void)e;
#ifdef SLOW_INIT
    struct timespec ts = {5, 0};
    nanosleep(&ts, NULL);
#endif
#ifdef HANG_INIT
    forever();
#endif
#ifdef CRASH_INIT
    abort();
#endif
    *i = NULL;
    return ALOFT_OK;
}
static aloft_status ok_submit(void *i, const aloft_task *t, aloft_buffer *s, aloft_error *e) {
    (void)i; (void)t; (void)s; (void)e;
#ifdef CRASH_SUBMIT
    *(volatile int *)(uintptr_t)8 = 1;
#endif
    return ALOFT_OK;
}
static aloft_status ok_poll(void *i, const aloft_task *t, aloft_poll_result *r) {
    (void)i; (void)t;
#ifdef HANG_POLL
    forever(); /* never looks at is_cancelled */
#endif
    r->phase = ALOFT_PHASE_SUCCEEDED;
    return ALOFT_OK;
}
static aloft_status ok_abort(void *i, const aloft_task *t, aloft_error *e) { (void)i; (void)t; (void)e; return ALOFT_OK; }

#ifdef NO_TYPES
static const char *const types[] = {NULL};
#else
static const char *const types[] = {"fixture", NULL};
#endif

#ifdef ABI_1_0
/* A plugin built against ABI 1.0: its descriptor ends where 1.1 appends sync_task_types and run_sync. Junk
 * follows it in memory, so a host that read past struct_size would find non-NULL "1.1 fields". */
static const struct {
    aloft_plugin plugin;
} v10 = {{
    .struct_size = ALOFT_PLUGIN_SIZE_1_0,
    .abi_major = 1,
    .abi_minor = 0,
    .id = "fixture.v10",
    .version = "0.0.1",
    .task_types = types,
    .init = ok_init,
    .submit = ok_submit,
    .poll = ok_poll,
    .abort = ok_abort,
    .get_extension = NULL,
    .sync_task_types = (const char *const *)(uintptr_t)0xdead0001,
    .run_sync = (aloft_sync_fn)(uintptr_t)0xdead0002,
}};
#define plugin v10.plugin
#else
static const aloft_plugin plugin = {
    .struct_size = sizeof(aloft_plugin),
#ifdef MAJOR_2
    .abi_major = 2,
#else
    .abi_major = ALOFT_ABI_MAJOR,
#endif
#ifdef MINOR_NEWER
    .abi_minor = ALOFT_ABI_MINOR + 1,
#else
    .abi_minor = ALOFT_ABI_MINOR,
#endif
#ifdef BAD_ID
    .id = "Has Spaces",
#elif defined(BAD_POINTERS)
    .id = (const char *)(uintptr_t)16,
#else
    .id = "fixture.bad",
#endif
    .version = "0.0.1",
    .task_types = types,
    .init = ok_init,
    .submit = ok_submit,
    .poll = ok_poll,
    .abort = ok_abort,
};
#endif

#ifdef UNDEFINED_SYMBOL
extern int aloft_fixture_symbol_that_does_not_exist(void);
int use_it(void) { return aloft_fixture_symbol_that_does_not_exist(); }
#endif

#if defined(DATA_ENTRY)
/* The entry symbol is data: calling it jumps into memory that is not code. */
ALOFT_EXPORT const unsigned char aloft_plugin_entry[64] = {0};
const aloft_plugin *keep_plugin(void) { return &plugin; }
#elif !defined(NO_ENTRY)
ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host) {
    (void)host;
#ifdef NULL_DESCRIPTOR
    (void)plugin;
    return NULL;
#else
    return &plugin;
#endif
}
#else
ALOFT_EXPORT const aloft_plugin *some_other_function(void) { return &plugin; }
#endif
