/*
 * aloft/error.h — status codes and errors.
 *
 * Every plugin function returns an aloft_status. ALOFT_OK means the call did what it says. ALOFT_ERROR
 * means the call itself failed; the plugin then fills the aloft_error the host passed in.
 *
 * A task that ran and failed is NOT a failed call: poll returns ALOFT_OK with phase ALOFT_PHASE_FAILED and
 * the error in the poll result. A failed *call* (ALOFT_ERROR from submit, or from poll because the remote
 * API could not be reached) is judged by the same error fields.
 *
 * The two axes of an error:
 *   kind       ALOFT_ERROR_USER   — the user's task, inputs or configuration is wrong (bad SQL, exit 1,
 *                                   a validation error). Counted against the task's user retry budget.
 *              ALOFT_ERROR_SYSTEM — the platform failed (network, throttling, a node died). Counted
 *                                   against the separate system retry budget.
 *   retryable  1 — trying again (poll again, or a new attempt) may succeed; 0 — it never will.
 */
#ifndef ALOFT_ERROR_H
#define ALOFT_ERROR_H

#include <stdint.h>
#include "buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t aloft_status;
#define ALOFT_OK 0
#define ALOFT_ERROR 1

typedef uint32_t aloft_error_kind;
#define ALOFT_ERROR_USER 1
#define ALOFT_ERROR_SYSTEM 2

/*
 * Filled by the plugin, owned by the host afterwards. The host zeroes it and sets struct_size before the
 * call; a plugin writes only fields that fit within struct_size.
 *  code     short machine-readable code, UTF-8, e.g. "ValidationException", "ExitCode1". May be empty.
 *  message  human-readable UTF-8 message. Must never contain a secret.
 * The host releases code and message.
 */
typedef struct aloft_error {
    uint32_t struct_size;
    aloft_error_kind kind;
    uint32_t retryable; /* 0 or 1 */
    uint32_t reserved;  /* 0 */
    aloft_buffer code;
    aloft_buffer message;
} aloft_error;

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_ERROR_H */
