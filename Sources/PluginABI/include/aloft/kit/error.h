/*
 * aloft/kit/error.h — OPTIONAL helper, not part of the ABI contract: fill the aloft_error the host passed in.
 *
 *   return aloft_kit_error(error, ALOFT_ERROR_USER, 0, "BadConfig", "task config delay_ms must be >= 0");
 *   return aloft_kit_errorf(error, ALOFT_ERROR_SYSTEM, 1, "Unreachable", "GET %s: %d", url, status);
 *
 * Both write only when the host's struct_size has room for an aloft_error (docs/plugin-abi.md, section 6),
 * and return ALOFT_ERROR so a call can `return aloft_kit_error(...)`. In poll, a task that ran and failed
 * is reported with phase ALOFT_PHASE_FAILED, ALOFT_OK, and aloft_kit_error(&result->error, ...).
 * Never put a secret in a message.
 */
#ifndef ALOFT_KIT_ERROR_H
#define ALOFT_KIT_ERROR_H

#include <stdarg.h>
#include <stdio.h>

#include "../error.h"
#include "buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline aloft_status aloft_kit_error(aloft_error *error, aloft_error_kind kind, int retryable, const char *code,
                                           const char *message) {
    if (error && error->struct_size >= sizeof(aloft_error)) {
        if (error->code.release) error->code.release(&error->code);
        if (error->message.release) error->message.release(&error->message);
        error->kind = kind;
        error->retryable = retryable ? 1 : 0;
        error->code = aloft_kit_buffer_string(code);
        error->message = aloft_kit_buffer_string(message);
    }
    return ALOFT_ERROR;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 6)))
#endif
static inline aloft_status aloft_kit_errorf(aloft_error *error, aloft_error_kind kind, int retryable, const char *code,
                                            const char *format, ...) {
    char small[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0) return aloft_kit_error(error, kind, retryable, code, "(the message could not be formatted)");
    if ((size_t)n < sizeof small) return aloft_kit_error(error, kind, retryable, code, small);
    char *large = (char *)malloc((size_t)n + 1);
    if (!large) return aloft_kit_error(error, kind, retryable, code, small); /* truncated */
    va_start(args, format);
    vsnprintf(large, (size_t)n + 1, format, args);
    va_end(args);
    aloft_status status = aloft_kit_error(error, kind, retryable, code, large);
    free(large);
    return status;
}

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_KIT_ERROR_H */
