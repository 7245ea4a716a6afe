#define _GNU_SOURCE
#include "lazy_library.h"
#include <dlfcn.h>
#include <stdio.h>

int aloft_lazy_library_open(
    const char *library, const char *purpose, const char *const *names, void **const *slots, size_t count,
    char *failure, size_t size) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(failure, size, "cannot load %s (%s): %s", library, purpose, dlerror());
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        if ((*slots[i] = dlsym(handle, names[i])) == NULL) {
            snprintf(failure, size, "%s has no %s: %s", library, names[i], dlerror());
            return 0;
        }
    }
    return 1;
}
