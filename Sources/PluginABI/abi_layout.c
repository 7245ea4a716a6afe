/* Compile-time checks that the v1 layout stays what docs/plugin-abi.md documents (LP64). */
#include "aloft_plugin.h"
#include <stddef.h>

#if defined(__LP64__)
_Static_assert(sizeof(aloft_bytes) == 16, "aloft_bytes layout");
_Static_assert(sizeof(aloft_buffer) == 32, "aloft_buffer layout");
_Static_assert(sizeof(aloft_error) == 80, "aloft_error layout");
_Static_assert(offsetof(aloft_task, task_execution_id) == 8, "aloft_task layout");
_Static_assert(sizeof(aloft_task) == 48, "aloft_task layout");
_Static_assert(offsetof(aloft_poll_result, state) == 16, "aloft_poll_result layout");
_Static_assert(sizeof(aloft_poll_result) == 192, "aloft_poll_result layout");
_Static_assert(offsetof(aloft_plugin, id) == 8, "aloft_plugin layout");
_Static_assert(offsetof(aloft_host, host_name) == 8, "aloft_host layout");
_Static_assert(sizeof(aloft_host) == 72, "aloft_host layout");
_Static_assert(ALOFT_PLUGIN_SIZE_1_0 == 96, "aloft_plugin 1.0 layout");
_Static_assert(offsetof(aloft_plugin, run_sync) == 104, "aloft_plugin 1.1 layout");
_Static_assert(sizeof(aloft_plugin) == 112, "aloft_plugin layout");
_Static_assert(sizeof(aloft_ext_task_logs) == 16, "aloft_ext_task_logs layout");
_Static_assert(sizeof(aloft_ext_task_check) == 16, "aloft_ext_task_check layout");
#endif
