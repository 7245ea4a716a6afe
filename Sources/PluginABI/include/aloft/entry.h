/*
 * aloft/entry.h — the one symbol a plugin exports.
 *
 *     ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host);
 *
 * [host:exclusive] Called once per process, right after the host loaded the library with
 * dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE). The host is never unloaded and neither is the plugin.
 *
 * Return the plugin's static descriptor, or NULL to decline (for instance when host->abi_major is not the
 * major the plugin was built for). Do no work here: no threads, no I/O, no allocation the plugin cannot
 * live without. Tools inspect plugins by calling only this function. Real start-up belongs in init().
 * host stays valid until the process exits; keep it to log, look up secrets and request polls.
 */
#ifndef ALOFT_ENTRY_H
#define ALOFT_ENTRY_H

#include "host.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef const aloft_plugin *(*aloft_plugin_entry_fn)(const aloft_host *host);

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_ENTRY_H */
