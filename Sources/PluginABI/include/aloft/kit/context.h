/*
 * aloft/kit/context.h — OPTIONAL helper, not part of the ABI contract: read the task context document
 * (docs/plugin-abi.md, section 9) and the task's inputs as typed values (section 8).
 *
 *   aloft_kit_context ctx;
 *   if (aloft_kit_context_read(task, &ctx) != ALOFT_KIT_OK) return aloft_kit_error(error, ...);
 *   int64_t times;  double ratio;  int loud;  char name[256];
 *   aloft_kit_input_integer(&ctx, "times", &times);              // {"integer": 3}
 *   aloft_kit_input_float(&ctx, "ratio", &ratio);                // {"float": 0.5}, "NaN", "Infinity"
 *   aloft_kit_input_boolean(&ctx, "loud", &loud);                // {"boolean": true}
 *   aloft_kit_input_string(&ctx, "name", name, sizeof name, NULL); // {"string": "..."}, escapes decoded
 *   aloft_kit_config_integer(&ctx, "delay_ms", &delay);          // task.config.delay_ms, plain JSON
 *
 * Each returns ALOFT_KIT_OK, ALOFT_KIT_MISSING (no such input), ALOFT_KIT_WRONG_KIND (another kind of
 * literal, e.g. {"none": null} for an optional input left empty) or ALOFT_KIT_MALFORMED. Other kinds
 * (datetime, blob, list, ...) are read with aloft_kit_input and the span functions of json.h. Everything is
 * borrowed from the task: valid during the call only. Unknown keys are ignored everywhere.
 */
#ifndef ALOFT_KIT_CONTEXT_H
#define ALOFT_KIT_CONTEXT_H

#include <math.h>

#include "../task.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aloft_kit_context {
    const char *task_execution_id; /* the task's, NUL-terminated (also the external job name to use) */
    uint32_t attempt;
    aloft_kit_span document; /* the whole context document */
    aloft_kit_span inputs;   /* the literal map of inputs */
    aloft_kit_span config;   /* task.config: the task's own JSON for this plugin ({} when absent) */
    aloft_kit_span outputs;  /* task.interface.outputs: the declared output types ({} when none) */
} aloft_kit_context;

typedef enum aloft_kit_kind {
    ALOFT_KIT_KIND_NONE = 0,
    ALOFT_KIT_KIND_INTEGER,
    ALOFT_KIT_KIND_FLOAT,
    ALOFT_KIT_KIND_STRING,
    ALOFT_KIT_KIND_BOOLEAN,
    ALOFT_KIT_KIND_OTHER /* datetime, duration, binary, struct, blob, dataset, list, map, enum: see `name` */
} aloft_kit_kind;

/* One literal: {"<kind>": <value>}. */
typedef struct aloft_kit_literal {
    aloft_kit_kind kind;
    aloft_kit_span name;    /* the kind's name as written, e.g. integer, blob (no quotes) */
    aloft_kit_span value;   /* the JSON inside, e.g. 3 or {"uri": ...} */
    aloft_kit_span literal; /* the whole literal, to copy into outputs as it is */
} aloft_kit_literal;

/* The members of the context's "task" that the kit reads: config, and interface.outputs (first of each wins). */
static inline aloft_kit_result aloft_kit_context_read_task(aloft_kit_span task, aloft_kit_context *ctx) {
    const char *cursor = NULL;
    aloft_kit_span key, value;
    aloft_kit_result r;
    int have_config = 0, have_interface = 0;
    while ((r = aloft_kit_json_next_member(task, &cursor, &key, &value)) == ALOFT_KIT_OK) {
        if (!have_config && aloft_kit_json_is(key, "config")) {
            ctx->config = value;
            have_config = 1;
        } else if (!have_interface && aloft_kit_json_is(key, "interface")) {
            have_interface = 1;
            aloft_kit_result o = aloft_kit_json_get(value, "outputs", &ctx->outputs);
            if (o == ALOFT_KIT_MALFORMED) return o;
        }
    }
    return r == ALOFT_KIT_MISSING ? ALOFT_KIT_OK : r;
}

/* Reads the document's members in one pass (a plugin's every call reads its context: each member is skipped
 * once, not once per field looked up). */
static inline aloft_kit_result aloft_kit_context_read(const aloft_task *task, aloft_kit_context *ctx) {
    static const char empty_object[] = "{}";
    memset(ctx, 0, sizeof *ctx);
    if (!task) return ALOFT_KIT_MALFORMED;
    ctx->task_execution_id = task->task_execution_id;
    ctx->attempt = task->attempt;
    ctx->document = aloft_kit_span_of(task->context.data, task->context.len);
    ctx->config = ctx->outputs = aloft_kit_span_of(empty_object, 2);
    const char *cursor = NULL;
    aloft_kit_span key, value;
    aloft_kit_result r;
    int have_inputs = 0, have_task = 0;
    while ((r = aloft_kit_json_next_member(ctx->document, &cursor, &key, &value)) == ALOFT_KIT_OK) {
        if (!have_inputs && aloft_kit_json_is(key, "inputs")) {
            ctx->inputs = value;
            have_inputs = 1;
        } else if (!have_task && aloft_kit_json_is(key, "task")) {
            have_task = 1;
            if (aloft_kit_context_read_task(value, ctx) != ALOFT_KIT_OK) return ALOFT_KIT_MALFORMED;
        }
    }
    if (r != ALOFT_KIT_MISSING || !have_inputs) return ALOFT_KIT_MALFORMED;
    return ALOFT_KIT_OK;
}

/* Reads a literal (any JSON value that is one). */
static inline aloft_kit_result aloft_kit_literal_read(aloft_kit_span json, aloft_kit_literal *out) {
    const char *cursor = NULL;
    aloft_kit_span key, value, extra;
    if (aloft_kit_json_next_member(json, &cursor, &key, &value) != ALOFT_KIT_OK) return ALOFT_KIT_MALFORMED;
    if (aloft_kit_json_next_member(json, &cursor, &extra, &extra) != ALOFT_KIT_MISSING) return ALOFT_KIT_MALFORMED;
    static const struct { const char *name; aloft_kit_kind kind; } kinds[] = {
        {"none", ALOFT_KIT_KIND_NONE},     {"integer", ALOFT_KIT_KIND_INTEGER}, {"float", ALOFT_KIT_KIND_FLOAT},
        {"string", ALOFT_KIT_KIND_STRING}, {"boolean", ALOFT_KIT_KIND_BOOLEAN},
    };
    out->kind = ALOFT_KIT_KIND_OTHER;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t len = strlen(kinds[i].name);
        if (aloft_kit_span_len(key) == len && memcmp(key.start, kinds[i].name, len) == 0) out->kind = kinds[i].kind;
    }
    out->name = key;
    out->value = value;
    out->literal.start = aloft_kit_json_ws(json.start, json.end);
    out->literal.end = cursor;
    while (out->literal.end < json.end && *out->literal.end != '}') out->literal.end++;
    if (out->literal.end < json.end) out->literal.end++;
    return ALOFT_KIT_OK;
}

/* The input `name` as a literal of any kind. */
static inline aloft_kit_result aloft_kit_input(const aloft_kit_context *ctx, const char *name, aloft_kit_literal *out) {
    aloft_kit_span json;
    aloft_kit_result r = aloft_kit_json_get(ctx->inputs, name, &json);
    if (r != ALOFT_KIT_OK) return r;
    return aloft_kit_literal_read(json, out);
}

static inline aloft_kit_result aloft_kit_input_of_kind(const aloft_kit_context *ctx, const char *name, aloft_kit_kind kind,
                                                       aloft_kit_literal *out) {
    aloft_kit_result r = aloft_kit_input(ctx, name, out);
    if (r != ALOFT_KIT_OK) return r;
    return out->kind == kind ? ALOFT_KIT_OK : ALOFT_KIT_WRONG_KIND;
}

static inline aloft_kit_result aloft_kit_input_integer(const aloft_kit_context *ctx, const char *name, int64_t *out) {
    aloft_kit_literal l;
    aloft_kit_result r = aloft_kit_input_of_kind(ctx, name, ALOFT_KIT_KIND_INTEGER, &l);
    if (r != ALOFT_KIT_OK) return r;
    return aloft_kit_json_integer(l.value, out) == ALOFT_KIT_OK ? ALOFT_KIT_OK : ALOFT_KIT_MALFORMED;
}

/* A float: a number (an integer is accepted, as the host does) or "NaN", "Infinity", "-Infinity". */
static inline aloft_kit_result aloft_kit_input_float(const aloft_kit_context *ctx, const char *name, double *out) {
    aloft_kit_literal l;
    aloft_kit_result r = aloft_kit_input_of_kind(ctx, name, ALOFT_KIT_KIND_FLOAT, &l);
    if (r != ALOFT_KIT_OK) return r;
    if (aloft_kit_json_string_is(l.value, "NaN")) *out = NAN;
    else if (aloft_kit_json_string_is(l.value, "Infinity")) *out = INFINITY;
    else if (aloft_kit_json_string_is(l.value, "-Infinity")) *out = -INFINITY;
    else return aloft_kit_json_number(l.value, out) == ALOFT_KIT_OK ? ALOFT_KIT_OK : ALOFT_KIT_MALFORMED;
    return ALOFT_KIT_OK;
}

static inline aloft_kit_result aloft_kit_input_boolean(const aloft_kit_context *ctx, const char *name, int *out) {
    aloft_kit_literal l;
    aloft_kit_result r = aloft_kit_input_of_kind(ctx, name, ALOFT_KIT_KIND_BOOLEAN, &l);
    if (r != ALOFT_KIT_OK) return r;
    return aloft_kit_json_boolean(l.value, out) == ALOFT_KIT_OK ? ALOFT_KIT_OK : ALOFT_KIT_MALFORMED;
}

/* A string, escapes decoded, into buf (see aloft_kit_json_string for cap, *len_out and ALOFT_KIT_TOO_SMALL). */
static inline aloft_kit_result aloft_kit_input_string(const aloft_kit_context *ctx, const char *name, char *buf, size_t cap,
                                                      size_t *len_out) {
    aloft_kit_literal l;
    aloft_kit_result r = aloft_kit_input_of_kind(ctx, name, ALOFT_KIT_KIND_STRING, &l);
    if (r != ALOFT_KIT_OK) return r;
    r = aloft_kit_json_string(l.value, buf, cap, len_out);
    return r == ALOFT_KIT_WRONG_KIND ? ALOFT_KIT_MALFORMED : r;
}

/* task.config.<name> as raw JSON (config values are plain JSON, not literals). */
static inline aloft_kit_result aloft_kit_config(const aloft_kit_context *ctx, const char *name, aloft_kit_span *value) {
    return aloft_kit_json_get(ctx->config, name, value);
}

static inline aloft_kit_result aloft_kit_config_integer(const aloft_kit_context *ctx, const char *name, int64_t *out) {
    aloft_kit_span v;
    aloft_kit_result r = aloft_kit_config(ctx, name, &v);
    return r != ALOFT_KIT_OK ? r : aloft_kit_json_integer(v, out);
}

static inline aloft_kit_result aloft_kit_config_boolean(const aloft_kit_context *ctx, const char *name, int *out) {
    aloft_kit_span v;
    aloft_kit_result r = aloft_kit_config(ctx, name, &v);
    return r != ALOFT_KIT_OK ? r : aloft_kit_json_boolean(v, out);
}

static inline aloft_kit_result aloft_kit_config_string(const aloft_kit_context *ctx, const char *name, char *buf, size_t cap,
                                                       size_t *len_out) {
    aloft_kit_span v;
    aloft_kit_result r = aloft_kit_config(ctx, name, &v);
    return r != ALOFT_KIT_OK ? r : aloft_kit_json_string(v, buf, cap, len_out);
}

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_KIT_CONTEXT_H */
