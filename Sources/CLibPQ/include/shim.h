#ifndef ALOFT_CLIBPQ_SHIM_H
#define ALOFT_CLIBPQ_SHIM_H
/* libpq, PostgreSQL's C client (Debian: libpq-dev), loaded when first used (lazy_pq.c): `aloft` does not link
   it, so the libraries it pulls in (Kerberos, LDAP, GnuTLS, ...) cost nothing to a command on the embedded
   SQLite store (issue 18: start-up). The functions Aloft calls keep their libpq names. */
#include <postgresql/libpq-fe.h>

/* Why libpq could not be loaded (the library's file and the loader's message), or NULL once it is loaded.
   Loads it if it was not yet. Thread-safe. */
const char *aloft_libpq_load_error(void);
#endif
