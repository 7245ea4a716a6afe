/* libpq, loaded on first use: see include/shim.h. Each function Aloft calls is defined here under its libpq
   name and forwards to the library's, resolved once (dlopen + dlsym under pthread_once). If the library
   cannot be loaded, a connection fails (PQconnectdbParams returns NULL, PQstatus says CONNECTION_BAD) and
   aloft_libpq_load_error says why; nothing else is called without a connection. */
#define _GNU_SOURCE
#include "shim.h"
#include "lazy_library.h"
#include <pthread.h>

static const char *const library = "libpq.so.5";

static struct {
    PGconn *(*connectdbParams)(const char *const *, const char *const *, int);
    ConnStatusType (*status)(const PGconn *);
    void (*finish)(PGconn *);
    void (*reset)(PGconn *);
    char *(*errorMessage)(const PGconn *);
    PGresult *(*exec)(PGconn *, const char *);
    PGresult *(*prepare)(PGconn *, const char *, const char *, int, const Oid *);
    PGresult *(*execPrepared)(PGconn *, const char *, int, const char *const *, const int *, const int *, int);
    void (*clear)(PGresult *);
    ExecStatusType (*resultStatus)(const PGresult *);
    char *(*resultErrorMessage)(const PGresult *);
    char *(*resultErrorField)(const PGresult *, int);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getisnull)(const PGresult *, int, int);
    char *(*cmdTuples)(PGresult *);
} fn;
static char failure[512];
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *const names[] = {
        "PQconnectdbParams", "PQstatus", "PQfinish", "PQreset", "PQerrorMessage", "PQexec", "PQprepare",
        "PQexecPrepared", "PQclear", "PQresultStatus", "PQresultErrorMessage", "PQresultErrorField", "PQntuples",
        "PQnfields", "PQgetvalue", "PQgetisnull", "PQcmdTuples",
    };
    void **const slots[] = {
        (void **)&fn.connectdbParams, (void **)&fn.status, (void **)&fn.finish, (void **)&fn.reset,
        (void **)&fn.errorMessage, (void **)&fn.exec, (void **)&fn.prepare, (void **)&fn.execPrepared,
        (void **)&fn.clear, (void **)&fn.resultStatus, (void **)&fn.resultErrorMessage,
        (void **)&fn.resultErrorField, (void **)&fn.ntuples, (void **)&fn.nfields, (void **)&fn.getvalue,
        (void **)&fn.getisnull, (void **)&fn.cmdTuples,
    };
    _Static_assert(sizeof names / sizeof *names == sizeof slots / sizeof *slots, "one slot per name");
    loaded = aloft_lazy_library_open(
        library, "libpq, needed for PostgreSQL", names, slots, sizeof names / sizeof *names, failure,
        sizeof failure);
}

static int ready(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *aloft_libpq_load_error(void) { return ready() ? NULL : failure; }

PGconn *PQconnectdbParams(const char *const *keywords, const char *const *values, int expand) {
    return ready() ? fn.connectdbParams(keywords, values, expand) : NULL;
}
ConnStatusType PQstatus(const PGconn *c) { return ready() && c != NULL ? fn.status(c) : CONNECTION_BAD; }
void PQfinish(PGconn *c) {
    if (ready()) fn.finish(c);
}
void PQreset(PGconn *c) {
    if (ready()) fn.reset(c);
}
char *PQerrorMessage(const PGconn *c) { return ready() ? fn.errorMessage(c) : failure; }
PGresult *PQexec(PGconn *c, const char *q) { return ready() ? fn.exec(c, q) : NULL; }
PGresult *PQprepare(PGconn *c, const char *name, const char *q, int n, const Oid *types) {
    return ready() ? fn.prepare(c, name, q, n, types) : NULL;
}
PGresult *PQexecPrepared(
    PGconn *c, const char *name, int n, const char *const *values, const int *lengths, const int *formats, int format) {
    return ready() ? fn.execPrepared(c, name, n, values, lengths, formats, format) : NULL;
}
void PQclear(PGresult *r) {
    if (ready()) fn.clear(r);
}
ExecStatusType PQresultStatus(const PGresult *r) { return ready() ? fn.resultStatus(r) : PGRES_FATAL_ERROR; }
char *PQresultErrorMessage(const PGresult *r) { return ready() ? fn.resultErrorMessage(r) : failure; }
char *PQresultErrorField(const PGresult *r, int code) { return ready() ? fn.resultErrorField(r, code) : NULL; }
int PQntuples(const PGresult *r) { return ready() ? fn.ntuples(r) : 0; }
int PQnfields(const PGresult *r) { return ready() ? fn.nfields(r) : 0; }
char *PQgetvalue(const PGresult *r, int row, int column) { return ready() ? fn.getvalue(r, row, column) : NULL; }
int PQgetisnull(const PGresult *r, int row, int column) { return ready() ? fn.getisnull(r, row, column) : 1; }
char *PQcmdTuples(PGresult *r) { return ready() ? fn.cmdTuples(r) : failure; }
