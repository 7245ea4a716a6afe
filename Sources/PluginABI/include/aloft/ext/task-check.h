/*
 * aloft/ext/task-check.h — plugin extension "aloft.task-check/1": a task's declaration checked at compile time.
 *
 * Optional. A plugin that can tell a bad task declaration before anything runs (an unknown backend, a
 * setting of the wrong kind, a query placeholder that names no input, an input type its backend cannot
 * take) returns a pointer to a static aloft_ext_task_check from get_extension(plugin, ALOFT_EXT_TASK_CHECK),
 * looked up once after init. The host calls it for every task of that plugin's types while a spec is
 * compiled (`aloft compile`, `run`, `register`) and reports each problem at its place in the spec file
 * (file:line:column), beside the compiler's own errors. Nothing has been submitted then.
 */
#ifndef ALOFT_EXT_TASK_CHECK_H
#define ALOFT_EXT_TASK_CHECK_H

#include <stdint.h>
#include "../buffer.h"
#include "../error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ALOFT_EXT_TASK_CHECK "aloft.task-check/1"

typedef struct aloft_ext_task_check {
    uint32_t struct_size;
    /*
     * [thread-safe] Check one task. template is the task template as the plugin later receives it in the
     * task context's "task" member (Aloft Literal JSON: name, version, type, interface, config, secrets,
     * ...), borrowed for the call. Must not start anything; reading local files the task names is fine.
     *
     * On ALOFT_OK, fill *problems_out with a JSON array (UTF-8), released by the host, of
     *   {"path": [KEY_OR_INDEX, ...], "message": string}
     * where path leads from the template's root to the offending value (strings are object keys, integers
     * array indexes; e.g. ["config", "spark_conf", "spark.executor.memory"]); leave it empty, or write [],
     * when the task is fine. ALOFT_ERROR (fill *error_out) means the check itself could not be done; the
     * host reports that at the task's place and the spec does not compile.
     */
    aloft_status (*check_task)(void *instance, aloft_bytes task_template, aloft_buffer *problems_out,
                               aloft_error *error_out);
} aloft_ext_task_check;

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_EXT_TASK_CHECK_H */
