/*
 * aloft/version.h — the ABI version and how it is checked.
 *
 * Aloft plugin ABI v1. Part of the only contract between Aloft and its plugins; see docs/plugin-abi.md.
 *
 * Rules:
 *  - A plugin is built against one ABI version (ALOFT_ABI_MAJOR.ALOFT_ABI_MINOR) and reports it in its
 *    descriptor. The host refuses a plugin whose major differs from its own, and a plugin whose minor is
 *    newer than its own (the plugin may rely on fields the host does not know).
 *  - Minor versions only append: new fields at the end of structs (every struct starts with struct_size),
 *    new enum values, new extension ids. Existing fields never move or change meaning.
 *  - An older plugin in a newer host is fine: the host reads only the first struct_size bytes of a
 *    plugin's struct, and writes only the fields that fit in the struct_size the plugin declared.
 */
#ifndef ALOFT_VERSION_H
#define ALOFT_VERSION_H

#define ALOFT_ABI_MAJOR 1
#define ALOFT_ABI_MINOR 1

/* The name of the one symbol a plugin exports (see aloft/entry.h). */
#define ALOFT_ENTRY_SYMBOL "aloft_plugin_entry"

#if defined(_WIN32)
#define ALOFT_EXPORT __declspec(dllexport)
#else
#define ALOFT_EXPORT __attribute__((visibility("default")))
#endif

#endif /* ALOFT_VERSION_H */
