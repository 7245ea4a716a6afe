/*
 * aloft/kit.h — the OPTIONAL C kit for plugin authors: header-only helpers over the ABI, so a C plugin need
 * not hand-roll JSON or buffers. Nothing here is part of the ABI contract (that is aloft_plugin.h alone); a
 * plugin may use any part of it, or none. docs/plugin-abi.md, "Writing a plugin", shows it in use.
 *
 *   aloft/kit/buffer.h   owned buffers from malloc'd memory (aloft_kit_buffer_copy, _string, _adopt)
 *   aloft/kit/error.h    fill an aloft_error (aloft_kit_error, aloft_kit_errorf)
 *   aloft/kit/json.h     span-based JSON reading, no allocation
 *   aloft/kit/context.h  the task context: execution id, inputs as typed values, task config
 *   aloft/kit/outputs.h  the literal map of outputs poll returns
 *
 * Build with the flags `aloft plugins sdk --cflags` prints (or `pkg-config --cflags aloft-plugin`).
 */
#ifndef ALOFT_KIT_H
#define ALOFT_KIT_H

#include "../aloft_plugin.h"
#include "kit/buffer.h"
#include "kit/error.h"
#include "kit/json.h"
#include "kit/context.h"
#include "kit/outputs.h"

#endif /* ALOFT_KIT_H */
