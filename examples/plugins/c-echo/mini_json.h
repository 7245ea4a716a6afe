/*
 * mini_json.h — just enough JSON reading for a C plugin: find members, skip values, read integers and
 * booleans, all as spans of the borrowed input (no allocation, no copies). Part of the c-echo example;
 * copy it freely. Inputs are bounded by [p, end); every function returns NULL on malformed input.
 */
#ifndef MINI_JSON_H
#define MINI_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mj_span {
    const char *start; /* first byte of the value (or of the key, without quotes) */
    const char *end;   /* one past the last byte */
} mj_span;

static const char *mj_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Skips one string starting at the opening quote; returns the byte after the closing quote. */
static const char *mj_skip_string(const char *p, const char *end) {
    if (p >= end || *p != '"') return NULL;
    for (p++; p < end; p++) {
        if (*p == '\\') { p++; continue; }
        if (*p == '"') return p + 1;
    }
    return NULL;
}

/* Skips one value of any kind; returns the byte after it. Nesting is limited to 64 levels. */
static const char *mj_skip_value_depth(const char *p, const char *end, int depth) {
    p = mj_ws(p, end);
    if (p >= end || depth > 64) return NULL;
    if (*p == '"') return mj_skip_string(p, end);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = mj_ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                p = mj_skip_string(mj_ws(p, end), end);
                if (!p) return NULL;
                p = mj_ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p++;
            }
            p = mj_skip_value_depth(p, end, depth + 1);
            if (!p) return NULL;
            p = mj_ws(p, end);
            if (p >= end) return NULL;
            if (*p == ',') { p++; continue; }
            if (*p == close) return p + 1;
            return NULL;
        }
    }
    /* number, true, false, null */
    const char *start = p;
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') p++;
    return p > start ? p : NULL;
}

static const char *mj_skip_value(const char *p, const char *end) { return mj_skip_value_depth(p, end, 0); }

/* Iterates the members of the object `object`. Start with *cursor = NULL; returns 1 and sets key and value
 * for each member, 0 at the end, -1 on malformed input. Keys are raw (escapes not decoded). */
static int mj_next_member(mj_span object, const char **cursor, mj_span *key, mj_span *value) {
    const char *p = *cursor ? *cursor : mj_ws(object.start, object.end);
    const char *end = object.end;
    if (!*cursor) {
        if (p >= end || *p != '{') return -1;
        p = mj_ws(p + 1, end);
        if (p < end && *p == '}') { *cursor = p; return 0; }
    } else {
        p = mj_ws(p, end);
        if (p < end && *p == '}') return 0;
        if (p >= end || *p != ',') return -1;
        p = mj_ws(p + 1, end);
    }
    const char *key_end = mj_skip_string(p, end);
    if (!key_end) return -1;
    key->start = p + 1;
    key->end = key_end - 1;
    p = mj_ws(key_end, end);
    if (p >= end || *p != ':') return -1;
    p = mj_ws(p + 1, end);
    const char *value_end = mj_skip_value(p, end);
    if (!value_end) return -1;
    value->start = p;
    value->end = value_end;
    *cursor = value_end;
    return 1;
}

/* Finds member `name` of `object`. Returns 1 and sets *value when found, 0 when absent, -1 when malformed. */
static int mj_get(mj_span object, const char *name, mj_span *value) {
    const char *cursor = NULL;
    mj_span key;
    size_t len = strlen(name);
    int r;
    while ((r = mj_next_member(object, &cursor, &key, value)) == 1) {
        if ((size_t)(key.end - key.start) == len && memcmp(key.start, name, len) == 0) return 1;
    }
    return r;
}

/* Follows a path of member names, e.g. {"task", "config", "delay_ms", NULL}. */
static int mj_path(mj_span root, const char *const *names, mj_span *value) {
    mj_span at = root;
    for (; *names; names++) {
        int r = mj_get(at, *names, &at);
        if (r != 1) return r;
    }
    *value = at;
    return 1;
}

/* Reads an integer value; returns 1 on success. */
static int mj_int(mj_span v, int64_t *out) {
    const char *p = v.start;
    int negative = 0;
    int64_t n = 0;
    if (p < v.end && *p == '-') { negative = 1; p++; }
    if (p >= v.end) return 0;
    for (; p < v.end; p++) {
        if (*p < '0' || *p > '9') return 0;
        if (n > (INT64_MAX - 9) / 10) return 0;
        n = n * 10 + (*p - '0');
    }
    *out = negative ? -n : n;
    return 1;
}

/* 1 when the value is the literal `true`. */
static int mj_true(mj_span v) { return v.end - v.start == 4 && memcmp(v.start, "true", 4) == 0; }

/* 1 when the value is the JSON string `text` (no escapes). */
static int mj_string_is(mj_span v, const char *text) {
    size_t len = strlen(text);
    return (size_t)(v.end - v.start) == len + 2 && v.start[0] == '"' && memcmp(v.start + 1, text, len) == 0;
}

#endif /* MINI_JSON_H */
