/*
 * aloft/kit/outputs.h — OPTIONAL helper, not part of the ABI contract: write the literal map poll returns
 * with ALOFT_PHASE_SUCCEEDED (docs/plugin-abi.md, section 8).
 *
 *   aloft_kit_outputs out = ALOFT_KIT_OUTPUTS_INIT;
 *   aloft_kit_outputs_integer(&out, "times", 3);           // "times":{"integer":3}
 *   aloft_kit_outputs_float(&out, "ratio", 0.5);            // "ratio":{"float":0.5}; NaN and infinities as strings
 *   aloft_kit_outputs_string(&out, "greeting", "héllo");   // UTF-8, escaped as JSON needs
 *   aloft_kit_outputs_boolean(&out, "loud", 1);
 *   aloft_kit_outputs_none(&out, "note");                  // an optional output left empty
 *   aloft_kit_outputs_literal(&out, "copy", l.literal);    // any literal as JSON, e.g. an input's, verbatim
 *   if (aloft_kit_outputs_finish(&out, &result->outputs) != ALOFT_KIT_OK) ... // out of memory
 *
 * finish hands the map over as a malloc'd aloft_buffer the host releases (aloft_kit_buffer_release); with no
 * output written it is "{}". aloft_kit_outputs_discard frees an unfinished map. Names must be unique.
 */
#ifndef ALOFT_KIT_OUTPUTS_H
#define ALOFT_KIT_OUTPUTS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "buffer.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aloft_kit_outputs {
    char *data;
    size_t len, cap;
    int out_of_memory;
} aloft_kit_outputs;

#define ALOFT_KIT_OUTPUTS_INIT {NULL, 0, 0, 0}

static inline void aloft_kit_outputs_append(aloft_kit_outputs *o, const char *bytes, size_t n) {
    if (o->out_of_memory) return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap < o->len + n) cap *= 2;
        char *grown = (char *)realloc(o->data, cap);
        if (!grown) {
            o->out_of_memory = 1;
            return;
        }
        o->data = grown;
        o->cap = cap;
    }
    if (n) memcpy(o->data + o->len, bytes, n);
    o->len += n;
}

static inline void aloft_kit_outputs_text(aloft_kit_outputs *o, const char *s) { aloft_kit_outputs_append(o, s, strlen(s)); }

/* A JSON string: '"', '\' and control characters escaped, everything else (UTF-8) as it is. */
static inline void aloft_kit_outputs_quoted(aloft_kit_outputs *o, const char *s, size_t n) {
    aloft_kit_outputs_append(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        aloft_kit_outputs_append(o, s + run, i - run);
        char escaped[8];
        switch (c) {
        case '"': aloft_kit_outputs_text(o, "\\\""); break;
        case '\\': aloft_kit_outputs_text(o, "\\\\"); break;
        case '\n': aloft_kit_outputs_text(o, "\\n"); break;
        case '\r': aloft_kit_outputs_text(o, "\\r"); break;
        case '\t': aloft_kit_outputs_text(o, "\\t"); break;
        default:
            snprintf(escaped, sizeof escaped, "\\u%04x", c);
            aloft_kit_outputs_text(o, escaped);
        }
        run = i + 1;
    }
    aloft_kit_outputs_append(o, s + run, n - run);
    aloft_kit_outputs_append(o, "\"", 1);
}

/* `"name":{"kind":` — the caller writes the value and the closing brace. */
static inline void aloft_kit_outputs_open(aloft_kit_outputs *o, const char *name, const char *kind) {
    aloft_kit_outputs_append(o, o->len == 0 ? "{" : ",", 1);
    aloft_kit_outputs_quoted(o, name, strlen(name));
    aloft_kit_outputs_text(o, ":{\"");
    aloft_kit_outputs_text(o, kind);
    aloft_kit_outputs_text(o, "\":");
}

static inline void aloft_kit_outputs_integer(aloft_kit_outputs *o, const char *name, int64_t value) {
    char text[32];
    snprintf(text, sizeof text, "%lld}", (long long)value);
    aloft_kit_outputs_open(o, name, "integer");
    aloft_kit_outputs_text(o, text);
}

/* The shortest decimal form that reads back as the same double; always with '.' or an exponent. */
static inline void aloft_kit_outputs_float(aloft_kit_outputs *o, const char *name, double value) {
    char text[40];
    aloft_kit_outputs_open(o, name, "float");
    if (isnan(value)) {
        aloft_kit_outputs_text(o, "\"NaN\"}");
        return;
    }
    if (isinf(value)) {
        aloft_kit_outputs_text(o, value > 0 ? "\"Infinity\"}" : "\"-Infinity\"}");
        return;
    }
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, value);
        if (strtod(text, NULL) == value) break;
    }
    if (!strpbrk(text, ".eE")) strcat(text, ".0");
    aloft_kit_outputs_text(o, text);
    aloft_kit_outputs_text(o, "}");
}

static inline void aloft_kit_outputs_string_n(aloft_kit_outputs *o, const char *name, const char *utf8, size_t len) {
    aloft_kit_outputs_open(o, name, "string");
    aloft_kit_outputs_quoted(o, utf8, len);
    aloft_kit_outputs_text(o, "}");
}

static inline void aloft_kit_outputs_string(aloft_kit_outputs *o, const char *name, const char *utf8) {
    aloft_kit_outputs_string_n(o, name, utf8, strlen(utf8));
}

static inline void aloft_kit_outputs_boolean(aloft_kit_outputs *o, const char *name, int value) {
    aloft_kit_outputs_open(o, name, "boolean");
    aloft_kit_outputs_text(o, value ? "true}" : "false}");
}

static inline void aloft_kit_outputs_none(aloft_kit_outputs *o, const char *name) {
    aloft_kit_outputs_open(o, name, "none");
    aloft_kit_outputs_text(o, "null}");
}

/* Any literal, given as its JSON (e.g. aloft_kit_literal.literal of an input), copied byte for byte. */
static inline void aloft_kit_outputs_literal(aloft_kit_outputs *o, const char *name, aloft_kit_span literal) {
    aloft_kit_outputs_append(o, o->len == 0 ? "{" : ",", 1);
    aloft_kit_outputs_quoted(o, name, strlen(name));
    aloft_kit_outputs_append(o, ":", 1);
    aloft_kit_outputs_append(o, literal.start, aloft_kit_span_len(literal));
}

static inline void aloft_kit_outputs_discard(aloft_kit_outputs *o) {
    free(o->data);
    o->data = NULL;
    o->len = o->cap = 0;
    o->out_of_memory = 0;
}

/* Closes the map and moves it into *out (released by the host). ALOFT_KIT_NO_MEMORY: nothing was moved. */
static inline aloft_kit_result aloft_kit_outputs_finish(aloft_kit_outputs *o, aloft_buffer *out) {
    aloft_kit_outputs_append(o, o->len == 0 ? "{}" : "}", o->len == 0 ? 2 : 1);
    if (o->out_of_memory) {
        aloft_kit_outputs_discard(o);
        return ALOFT_KIT_NO_MEMORY;
    }
    *out = aloft_kit_buffer_adopt(o->data, o->len);
    o->data = NULL;
    o->len = o->cap = 0;
    return ALOFT_KIT_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_KIT_OUTPUTS_H */
