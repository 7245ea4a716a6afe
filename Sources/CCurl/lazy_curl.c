// libcurl, loaded on first use: see include/shim.h. Each function Aloft calls is defined here under its
// libcurl name and forwards to the library's, resolved once (dlopen + dlsym under pthread_once). If the
// library cannot be loaded, every call fails the way libcurl reports failure (NULL handle, CURLE_FAILED_INIT)
// and aloft_curl_load_error says why.
#define _GNU_SOURCE
#include "shim.h"
#include "lazy_library.h"
#include <pthread.h>

static const char *const library = "libcurl.so.4";

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} fn;
static char failure[512];
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *const names[] = {
        "curl_global_init", "curl_easy_init", "curl_easy_cleanup", "curl_easy_reset", "curl_easy_perform",
        "curl_easy_strerror", "curl_easy_setopt", "curl_easy_getinfo", "curl_slist_append", "curl_slist_free_all",
    };
    void **const slots[] = {
        (void **)&fn.global_init, (void **)&fn.easy_init, (void **)&fn.easy_cleanup, (void **)&fn.easy_reset,
        (void **)&fn.easy_perform, (void **)&fn.easy_strerror, (void **)&fn.easy_setopt, (void **)&fn.easy_getinfo,
        (void **)&fn.slist_append, (void **)&fn.slist_free_all,
    };
    _Static_assert(sizeof names / sizeof *names == sizeof slots / sizeof *slots, "one slot per name");
    loaded = aloft_lazy_library_open(
        library, "libcurl, needed for HTTP", names, slots, sizeof names / sizeof *names, failure, sizeof failure);
}

static int ready(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *aloft_curl_load_error(void) { return ready() ? NULL : failure; }

CURLcode curl_global_init(long flags) { return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT; }
CURL *curl_easy_init(void) { return ready() ? fn.easy_init() : NULL; }
void curl_easy_cleanup(CURL *h) {
    if (ready()) fn.easy_cleanup(h);
}
void curl_easy_reset(CURL *h) {
    if (ready()) fn.easy_reset(h);
}
CURLcode curl_easy_perform(CURL *h) { return ready() ? fn.easy_perform(h) : CURLE_FAILED_INIT; }
const char *curl_easy_strerror(CURLcode code) { return ready() ? fn.easy_strerror(code) : failure; }
struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s) {
    return ready() ? fn.slist_append(list, s) : NULL;
}
void curl_slist_free_all(struct curl_slist *list) {
    if (ready()) fn.slist_free_all(list);
}

#define SETTER(name, type)                                                                                       \
    CURLcode name(CURL *h, CURLoption o, type v) { return ready() ? fn.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
SETTER(aloft_curl_set_string, const char *)
SETTER(aloft_curl_set_long, long)
SETTER(aloft_curl_set_pointer, void *)
SETTER(aloft_curl_set_large, curl_off_t)
SETTER(aloft_curl_set_slist, struct curl_slist *)
SETTER(aloft_curl_set_data_fn, aloft_curl_data_fn)
#undef SETTER

long aloft_curl_response_code(CURL *h) {
    long code = 0;
    if (ready()) fn.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
