/*
 * aloft/ext/task-logs.h — plugin extension "aloft.task-logs/1": where a task's logs are.
 *
 * Optional. A plugin that has logs for people (local log files, a console URL, a Spark UI) returns a
 * pointer to a static aloft_ext_task_logs from get_extension(plugin, ALOFT_EXT_TASK_LOGS), looked up once
 * after init. The host asks for the links right after each successful submit, records them with the
 * attempt, and shows them to people (`aloft executions show`).
 */
#ifndef ALOFT_EXT_TASK_LOGS_H
#define ALOFT_EXT_TASK_LOGS_H

#include <stdint.h>
#include "../buffer.h"
#include "../error.h"
#include "../task.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ALOFT_EXT_TASK_LOGS "aloft.task-logs/1"

typedef struct aloft_ext_task_logs {
    uint32_t struct_size;
    /*
     * [host:per-task] Fill *links_out with a JSON array of {"name": string, "uri": string} objects
     * (UTF-8; e.g. [{"name":"stdout","uri":"file:///.../stdout.log"}]), released by the host. May be
     * called any time after submit, also after finalize.
     */
    aloft_status (*task_logs)(void *instance, const aloft_task *task, aloft_buffer *links_out,
                              aloft_error *error_out);
} aloft_ext_task_logs;

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_EXT_TASK_LOGS_H */
