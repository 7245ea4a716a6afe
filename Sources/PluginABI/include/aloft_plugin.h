/*
 * aloft_plugin.h — the Aloft plugin ABI, v1. Include this one header.
 *
 * The whole contract between Aloft and a plugin: docs/plugin-abi.md explains it with a complete example.
 * One concept per header:
 *   aloft/version.h        ABI version, entry symbol name, export macro
 *   aloft/buffer.h         borrowed bytes and owned buffers (who frees what)
 *   aloft/error.h          status codes; errors: user vs system, retryable vs permanent
 *   aloft/host.h           callbacks the host offers (log, secrets, poll-me-soon, cancellation, extensions)
 *   aloft/task.h           one task execution; phases; the poll result
 *   aloft/sync.h           the synchronous tier (ABI 1.1): a task completed within one call
 *   aloft/plugin.h         the descriptor: id, task types, init/shutdown/submit/poll/abort/finalize, run_sync
 *   aloft/entry.h          the exported entry function
 *   aloft/ext/task-logs.h  optional extension "aloft.task-logs/1"
 *   aloft/ext/task-check.h optional extension "aloft.task-check/1"
 */
#ifndef ALOFT_PLUGIN_ABI_H
#define ALOFT_PLUGIN_ABI_H

#include "aloft/version.h"
#include "aloft/buffer.h"
#include "aloft/error.h"
#include "aloft/host.h"
#include "aloft/task.h"
#include "aloft/sync.h"
#include "aloft/plugin.h"
#include "aloft/entry.h"
#include "aloft/ext/task-logs.h"
#include "aloft/ext/task-check.h"

#endif /* ALOFT_PLUGIN_ABI_H */
