/*
 * kit_probe — drives the C kit (aloft/kit.h) outside any host: reads a task context document on stdin, reads
 * every input with the typed reader of its kind and writes it back with the typed writer (other kinds are
 * copied as they are), and adds what the kit answered for a few awkward questions. Prints the literal map.
 */
#include <aloft_plugin.h>
#include <aloft/kit.h>

#include <stdio.h>

static char document[1 << 16];

int main(void) {
    size_t len = fread(document, 1, sizeof document, stdin);
    aloft_task task = {sizeof(aloft_task), 2, "probe-1-n-2-abc", {(const uint8_t *)document, len}, {NULL, 0}};
    aloft_kit_context ctx;
    if (aloft_kit_context_read(&task, &ctx) != ALOFT_KIT_OK) return 2;

    aloft_kit_outputs out = ALOFT_KIT_OUTPUTS_INIT;
    const char *cursor = NULL;
    aloft_kit_span key, value;
    while (aloft_kit_json_next_member(ctx.inputs, &cursor, &key, &value) == ALOFT_KIT_OK) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)aloft_kit_span_len(key), key.start);
        aloft_kit_literal literal;
        if (aloft_kit_input(&ctx, name, &literal) != ALOFT_KIT_OK) return 3;
        int64_t i;
        double f;
        int b;
        char s[256];
        size_t n;
        switch (literal.kind) {
        case ALOFT_KIT_KIND_INTEGER:
            if (aloft_kit_input_integer(&ctx, name, &i) != ALOFT_KIT_OK) return 4;
            aloft_kit_outputs_integer(&out, name, i);
            break;
        case ALOFT_KIT_KIND_FLOAT:
            if (aloft_kit_input_float(&ctx, name, &f) != ALOFT_KIT_OK) return 5;
            aloft_kit_outputs_float(&out, name, f);
            break;
        case ALOFT_KIT_KIND_STRING:
            if (aloft_kit_input_string(&ctx, name, s, sizeof s, &n) != ALOFT_KIT_OK) return 6;
            aloft_kit_outputs_string_n(&out, name, s, n);
            break;
        case ALOFT_KIT_KIND_BOOLEAN:
            if (aloft_kit_input_boolean(&ctx, name, &b) != ALOFT_KIT_OK) return 7;
            aloft_kit_outputs_boolean(&out, name, b);
            break;
        case ALOFT_KIT_KIND_NONE:
            aloft_kit_outputs_none(&out, name);
            break;
        default:
            aloft_kit_outputs_literal(&out, name, literal.literal);
        }
    }

    int64_t i = 0;
    char tiny[2];
    size_t needed = 0;
    aloft_kit_outputs_integer(&out, "_missing", aloft_kit_input_integer(&ctx, "no-such-input", &i));
    aloft_kit_outputs_integer(&out, "_wrong_kind", aloft_kit_input_integer(&ctx, "s", &i));
    aloft_kit_outputs_integer(&out, "_too_small", aloft_kit_input_string(&ctx, "s", tiny, sizeof tiny, &needed));
    aloft_kit_outputs_integer(&out, "_needed", (int64_t)needed);
    aloft_kit_outputs_integer(&out, "_config_delay", aloft_kit_config_integer(&ctx, "delay_ms", &i) == ALOFT_KIT_OK ? i : -1);
    aloft_kit_outputs_string(&out, "_id", ctx.task_execution_id);

    aloft_error error = {sizeof(aloft_error), 0, 0, 0, {0}, {0}};
    aloft_status status = aloft_kit_errorf(&error, ALOFT_ERROR_USER, 1, "Bad", "input %s is %d", "x", 42);
    aloft_kit_outputs_integer(&out, "_error_status", status);
    aloft_kit_outputs_string_n(&out, "_error_code", (const char *)error.code.data, error.code.len);
    aloft_kit_outputs_string_n(&out, "_error_message", (const char *)error.message.data, error.message.len);
    error.code.release(&error.code);
    error.message.release(&error.message);
    aloft_kit_outputs_boolean(&out, "_released", error.code.release == NULL && error.code.data == NULL && error.message.len == 0);
    aloft_error small = {8, 0, 0, 0, {0}, {0}}; /* a host whose aloft_error is smaller: nothing written */
    aloft_kit_error(&small, ALOFT_ERROR_USER, 0, "X", "y");
    aloft_kit_outputs_boolean(&out, "_small_error_untouched", small.kind == 0 && small.code.release == NULL);
    aloft_buffer empty = aloft_kit_buffer_copy("x", 0);
    aloft_kit_outputs_boolean(&out, "_empty_buffer", empty.data == NULL && empty.release == NULL);

    aloft_buffer map;
    if (aloft_kit_outputs_finish(&out, &map) != ALOFT_KIT_OK) return 8;
    fwrite(map.data, 1, map.len, stdout);
    map.release(&map);
    return map.release == NULL ? 0 : 9;
}
