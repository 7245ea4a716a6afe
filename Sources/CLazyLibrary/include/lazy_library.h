// Loading a C library when first used (CCurl, CLibPQ): one dlopen and the symbols a target calls, resolved
// once. Thread-safe when called under pthread_once, as those targets do.
#ifndef ALOFT_LAZY_LIBRARY_H
#define ALOFT_LAZY_LIBRARY_H
#include <stddef.h>

/// Opens `library` (RTLD_NOW | RTLD_LOCAL: its symbols stay out of the process's global scope) and stores the
/// address of each of the `count` symbols `names` lists through `slots` (each the address of a function
/// pointer). Returns 1 when all are resolved; 0 otherwise, with why (naming the file, and `purpose`: what it
/// is needed for) in `failure`, `size` bytes at most.
int aloft_lazy_library_open(
    const char *library, const char *purpose, const char *const *names, void **const *slots, size_t count,
    char *failure, size_t size);
#endif
