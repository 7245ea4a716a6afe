#ifndef ALOFT_CSQLITE_SHIM_H
#define ALOFT_CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import. */
static inline sqlite3_destructor_type aloft_sqlite_transient(void) { return SQLITE_TRANSIENT; }
/* sqlite3_db_config is variadic, which Swift cannot call: leave the write-ahead log for the next opener instead
   of checkpointing it (three fsyncs and two unlinks) when the last connection closes. */
static inline int aloft_sqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
/* sqlite3_config is variadic too. Without the allocator's statistics (which nothing here reads), SQLite's every
   malloc and free no longer takes its global memory mutex: the store's writer makes thousands a second. Only
   before SQLite is initialized (the first open); SQLITE_MISUSE, harmless, after. */
static inline int aloft_sqlite_no_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
#endif
