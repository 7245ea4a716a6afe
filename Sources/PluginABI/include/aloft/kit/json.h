/*
 * aloft/kit/json.h — OPTIONAL helper, not part of the ABI contract: just enough JSON reading for a plugin.
 *
 * Values are spans of the borrowed input (no allocation, no copies): find members, follow paths, iterate an
 * object, read integers, floats, booleans and strings (escapes decoded into your buffer). Malformed input is
 * reported, never read past its end. Keys are compared as raw bytes: the host's canonical JSON escapes only
 * '"', '\' and control characters, so plain names match. Nesting is limited to 256 levels, as in the host.
 */
#ifndef ALOFT_KIT_JSON_H
#define ALOFT_KIT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aloft_kit_result {
    ALOFT_KIT_OK = 0,
    ALOFT_KIT_MISSING = 1,    /* no such member, input or config key */
    ALOFT_KIT_WRONG_KIND = 2, /* present, but of another kind (e.g. a string where an integer was asked for) */
    ALOFT_KIT_MALFORMED = 3,  /* not the JSON (or literal) it should be */
    ALOFT_KIT_TOO_SMALL = 4,  /* the caller's buffer cannot hold the string; *len_out says what it needs */
    ALOFT_KIT_NO_MEMORY = 5
} aloft_kit_result;

typedef struct aloft_kit_span {
    const char *start; /* first byte (of a value; of a key, after its opening quote) */
    const char *end;   /* one past the last byte */
} aloft_kit_span;

static inline aloft_kit_span aloft_kit_span_of(const void *data, size_t len) {
    aloft_kit_span s;
    s.start = (const char *)data;
    s.end = data ? (const char *)data + len : (const char *)data;
    return s;
}

static inline size_t aloft_kit_span_len(aloft_kit_span s) { return (size_t)(s.end - s.start); }

static inline const char *aloft_kit_json_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* p at the opening quote; returns the byte after the closing quote, or NULL. The next '"' found by memchr closes
 * the string unless an odd run of backslashes escapes it (a task context's long strings, its output prefix and
 * ids, were read byte by byte on every call). */
static inline const char *aloft_kit_json_skip_string(const char *p, const char *end) {
    if (p >= end || *p != '"') return NULL;
    for (p++; p < end;) {
        const char *quote = (const char *)memchr(p, '"', (size_t)(end - p));
        if (!quote) return NULL;
        const char *run = quote;
        while (run > p && run[-1] == '\\') run--;
        if (((quote - run) & 1) == 0) return quote + 1;
        p = quote + 1;
    }
    return NULL;
}

static inline const char *aloft_kit_json_skip_depth(const char *p, const char *end, int depth) {
    p = aloft_kit_json_ws(p, end);
    if (p >= end || depth > 256) return NULL;
    if (*p == '"') return aloft_kit_json_skip_string(p, end);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = aloft_kit_json_ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                p = aloft_kit_json_skip_string(aloft_kit_json_ws(p, end), end);
                if (!p) return NULL;
                p = aloft_kit_json_ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p++;
            }
            p = aloft_kit_json_skip_depth(p, end, depth + 1);
            if (!p) return NULL;
            p = aloft_kit_json_ws(p, end);
            if (p >= end) return NULL;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == close) return p + 1;
            return NULL;
        }
    }
    const char *start = p; /* a number, true, false or null */
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') p++;
    return p > start ? p : NULL;
}

/* Returns the byte after the value that starts at (or after whitespace from) p; NULL when malformed. */
static inline const char *aloft_kit_json_skip(const char *p, const char *end) { return aloft_kit_json_skip_depth(p, end, 0); }

/* Iterates the members of an object. Start with *cursor = NULL. ALOFT_KIT_OK for each member (key without
 * its quotes, escapes not decoded; value as a span), ALOFT_KIT_MISSING at the end, ALOFT_KIT_MALFORMED. */
static inline aloft_kit_result aloft_kit_json_next_member(aloft_kit_span object, const char **cursor, aloft_kit_span *key,
                                                          aloft_kit_span *value) {
    const char *end = object.end;
    const char *p = *cursor ? *cursor : aloft_kit_json_ws(object.start, end);
    if (!*cursor) {
        if (p >= end || *p != '{') return ALOFT_KIT_MALFORMED;
        p = aloft_kit_json_ws(p + 1, end);
        if (p < end && *p == '}') {
            *cursor = p;
            return ALOFT_KIT_MISSING;
        }
    } else {
        p = aloft_kit_json_ws(p, end);
        if (p < end && *p == '}') return ALOFT_KIT_MISSING;
        if (p >= end || *p != ',') return ALOFT_KIT_MALFORMED;
        p = aloft_kit_json_ws(p + 1, end);
    }
    const char *key_end = aloft_kit_json_skip_string(p, end);
    if (!key_end) return ALOFT_KIT_MALFORMED;
    key->start = p + 1;
    key->end = key_end - 1;
    p = aloft_kit_json_ws(key_end, end);
    if (p >= end || *p != ':') return ALOFT_KIT_MALFORMED;
    p = aloft_kit_json_ws(p + 1, end);
    const char *value_end = aloft_kit_json_skip(p, end);
    if (!value_end) return ALOFT_KIT_MALFORMED;
    value->start = p;
    value->end = value_end;
    *cursor = value_end;
    return ALOFT_KIT_OK;
}

/* Member `name` of an object: ALOFT_KIT_OK, ALOFT_KIT_MISSING or ALOFT_KIT_MALFORMED. */
static inline aloft_kit_result aloft_kit_json_get(aloft_kit_span object, const char *name, aloft_kit_span *value) {
    const char *cursor = NULL;
    aloft_kit_span key, v;
    size_t len = strlen(name);
    aloft_kit_result r;
    while ((r = aloft_kit_json_next_member(object, &cursor, &key, &v)) == ALOFT_KIT_OK) {
        if (aloft_kit_span_len(key) == len && memcmp(key.start, name, len) == 0) {
            *value = v;
            return ALOFT_KIT_OK;
        }
    }
    return r;
}

/* Follows member names, e.g. {"task", "config", "delay_ms", NULL}. */
static inline aloft_kit_result aloft_kit_json_path(aloft_kit_span root, const char *const *names, aloft_kit_span *value) {
    aloft_kit_span at = root;
    for (; *names; names++) {
        aloft_kit_result r = aloft_kit_json_get(at, *names, &at);
        if (r != ALOFT_KIT_OK) return r;
    }
    *value = at;
    return ALOFT_KIT_OK;
}

static inline int aloft_kit_json_is(aloft_kit_span v, const char *token) {
    size_t len = strlen(token);
    return aloft_kit_span_len(v) == len && memcmp(v.start, token, len) == 0;
}

/* An integer (int64, no fraction or exponent). */
static inline aloft_kit_result aloft_kit_json_integer(aloft_kit_span v, int64_t *out) {
    const char *p = v.start;
    int negative = 0;
    uint64_t n = 0;
    if (p < v.end && *p == '-') {
        negative = 1;
        p++;
    }
    if (p >= v.end) return ALOFT_KIT_WRONG_KIND;
    for (; p < v.end; p++) {
        if (*p < '0' || *p > '9') return ALOFT_KIT_WRONG_KIND;
        uint64_t digit = (uint64_t)(*p - '0');
        if (n > (UINT64_MAX - digit) / 10) return ALOFT_KIT_WRONG_KIND;
        n = n * 10 + digit;
    }
    if (n > (uint64_t)INT64_MAX + (uint64_t)negative) return ALOFT_KIT_WRONG_KIND; /* outside int64: a float */
    if (negative) *out = n == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)n;
    else *out = (int64_t)n;
    return ALOFT_KIT_OK;
}

/* A JSON number (an integer too), as a double. */
static inline aloft_kit_result aloft_kit_json_number(aloft_kit_span v, double *out) {
    char text[64];
    size_t len = aloft_kit_span_len(v);
    if (len == 0 || len >= sizeof text) return ALOFT_KIT_WRONG_KIND;
    if (!(v.start[0] == '-' || (v.start[0] >= '0' && v.start[0] <= '9'))) return ALOFT_KIT_WRONG_KIND;
    memcpy(text, v.start, len);
    text[len] = 0;
    char *stop = NULL;
    double d = strtod(text, &stop);
    if (stop != text + len) return ALOFT_KIT_WRONG_KIND;
    *out = d;
    return ALOFT_KIT_OK;
}

static inline aloft_kit_result aloft_kit_json_boolean(aloft_kit_span v, int *out) {
    if (aloft_kit_json_is(v, "true")) *out = 1;
    else if (aloft_kit_json_is(v, "false")) *out = 0;
    else return ALOFT_KIT_WRONG_KIND;
    return ALOFT_KIT_OK;
}

static inline int aloft_kit_json_hex4(const char *p, const char *end, uint32_t *out) {
    uint32_t n = 0;
    if (end - p < 4) return 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0')
                     : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
                                            : 16u;
        if (d == 16u) return 0;
        n = n * 16 + d;
    }
    *out = n;
    return 1;
}

/* A JSON string, escapes decoded, as UTF-8 into buf (NUL-terminated when it fits; may be NULL with cap 0).
 * *len_out (may be NULL) is the decoded length without the NUL, also when ALOFT_KIT_TOO_SMALL says buf
 * needs len + 1 bytes. */
static inline aloft_kit_result aloft_kit_json_string(aloft_kit_span v, char *buf, size_t cap, size_t *len_out) {
    if (aloft_kit_span_len(v) < 2 || v.start[0] != '"' || v.end[-1] != '"') return ALOFT_KIT_WRONG_KIND;
    const char *p = v.start + 1, *end = v.end - 1;
    size_t n = 0;
#define ALOFT_KIT_PUT(byte)                       \
    do {                                          \
        if (n + 1 < cap) buf[n] = (char)(byte);   \
        n++;                                      \
    } while (0)
    while (p < end) {
        if (*p != '\\') {
            ALOFT_KIT_PUT(*p);
            p++;
            continue;
        }
        if (++p >= end) return ALOFT_KIT_MALFORMED;
        char e = *p++;
        uint32_t cp;
        switch (e) {
        case '"': ALOFT_KIT_PUT('"'); continue;
        case '\\': ALOFT_KIT_PUT('\\'); continue;
        case '/': ALOFT_KIT_PUT('/'); continue;
        case 'b': ALOFT_KIT_PUT('\b'); continue;
        case 'f': ALOFT_KIT_PUT('\f'); continue;
        case 'n': ALOFT_KIT_PUT('\n'); continue;
        case 'r': ALOFT_KIT_PUT('\r'); continue;
        case 't': ALOFT_KIT_PUT('\t'); continue;
        case 'u': break;
        default: return ALOFT_KIT_MALFORMED;
        }
        if (!aloft_kit_json_hex4(p, end, &cp)) return ALOFT_KIT_MALFORMED;
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high surrogate: its low half must follow */
            uint32_t low;
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !aloft_kit_json_hex4(p + 2, end, &low) || low < 0xDC00 || low > 0xDFFF)
                return ALOFT_KIT_MALFORMED;
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return ALOFT_KIT_MALFORMED;
        }
        if (cp < 0x80) {
            ALOFT_KIT_PUT(cp);
        } else if (cp < 0x800) {
            ALOFT_KIT_PUT(0xC0 | (cp >> 6));
            ALOFT_KIT_PUT(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            ALOFT_KIT_PUT(0xE0 | (cp >> 12));
            ALOFT_KIT_PUT(0x80 | ((cp >> 6) & 0x3F));
            ALOFT_KIT_PUT(0x80 | (cp & 0x3F));
        } else {
            ALOFT_KIT_PUT(0xF0 | (cp >> 18));
            ALOFT_KIT_PUT(0x80 | ((cp >> 12) & 0x3F));
            ALOFT_KIT_PUT(0x80 | ((cp >> 6) & 0x3F));
            ALOFT_KIT_PUT(0x80 | (cp & 0x3F));
        }
    }
#undef ALOFT_KIT_PUT
    if (len_out) *len_out = n;
    if (n + 1 > cap) return ALOFT_KIT_TOO_SMALL;
    buf[n] = 0;
    return ALOFT_KIT_OK;
}

/* 1 when the value is the JSON string `text` exactly (no escapes in it). */
static inline int aloft_kit_json_string_is(aloft_kit_span v, const char *text) {
    size_t len = strlen(text);
    return aloft_kit_span_len(v) == len + 2 && v.start[0] == '"' && v.end[-1] == '"' && memcmp(v.start + 1, text, len) == 0;
}

#ifdef __cplusplus
}
#endif

#endif /* ALOFT_KIT_JSON_H */
