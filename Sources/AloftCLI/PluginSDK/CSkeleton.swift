/// A C plugin project on the header and the optional C kit: `make` builds it.
struct CSkeleton {
    let names: Names
    let layout: SDKLayout

    var files: [String: String] {
        [
            "plugin.c": source,
            "Makefile": makefile,
            "workflow.yaml": skeletonWorkflow(names),
            "README.md": skeletonReadme(
                names, language: "C", build: "make", library: "lib\(names.snake).so",
                extra: """

                    `ALOFT_CFLAGS` in the Makefile is what `aloft plugins sdk --cflags` printed when this project was made;
                    run `make ALOFT_CFLAGS="$(aloft plugins sdk --cflags)"` (or use `pkg-config --cflags aloft-plugin`) if
                    aloft has moved.

                    """),
        ]
    }

    var makefile: String {
        """
        # Builds the \(names.name) plugin: `make` -> lib\(names.snake).so
        # ALOFT_CFLAGS: what `aloft plugins sdk --cflags` printed when this project was made.
        ALOFT_CFLAGS ?= \(layout.cflags)
        CC ?= cc
        CFLAGS ?= -std=c11 -O2 -Wall -Wextra -Werror

        lib\(names.snake).so: plugin.c
        \t$(CC) $(CFLAGS) -shared -fPIC -fvisibility=hidden $(ALOFT_CFLAGS) plugin.c -o $@

        clean:
        \trm -f lib\(names.snake).so

        .PHONY: clean

        """
    }

    var source: String {
        """
        /*
         * \(names.name) — an Aloft task plugin in C (made by `aloft plugins new`).
         *
         * Task type "\(names.name)": every output the task declares is the input of the same name. Replace submit
         * and poll with your backend: submit starts the work and returns a state (a job name, an id) from which
         * poll, perhaps in a restarted host, can observe it. docs/plugin-abi.md is the contract; aloft/kit.h
         * (optional) reads the task context and writes outputs.
         */
        #include <aloft_plugin.h>
        #include <aloft/kit.h>

        #include <stdio.h>

        static aloft_status plugin_init(const aloft_plugin *plugin, aloft_bytes config, void **instance_out, aloft_error *error) {
            (void)plugin;
            /* config: the plugin's section of aloft.yaml as a JSON object. Validate it and say what is wrong. */
            aloft_kit_span root = aloft_kit_span_of(config.data, config.len), key, value;
            const char *cursor = NULL;
            if (config.len > 0 && aloft_kit_json_next_member(root, &cursor, &key, &value) == ALOFT_KIT_MALFORMED)
                return aloft_kit_error(error, ALOFT_ERROR_USER, 0, "BadConfig", "the plugin config must be a JSON object");
            *instance_out = NULL;
            return ALOFT_OK;
        }

        /* Starts the task. Idempotent: the same task_execution_id may come again after a host crash. */
        static aloft_status plugin_submit(void *instance, const aloft_task *task, aloft_buffer *state_out, aloft_error *error) {
            (void)instance;
            aloft_kit_context ctx;
            if (aloft_kit_context_read(task, &ctx) != ALOFT_KIT_OK)
                return aloft_kit_error(error, ALOFT_ERROR_SYSTEM, 0, "BadContext", "the task context could not be read");
            /* A real backend starts a job named ctx.task_execution_id here. */
            *state_out = aloft_kit_buffer_string(ctx.task_execution_id);
            return ALOFT_OK;
        }

        /* Reports the task's phase without blocking; on success, the outputs. */
        static aloft_status plugin_poll(void *instance, const aloft_task *task, aloft_poll_result *result) {
            (void)instance;
            aloft_kit_context ctx;
            if (aloft_kit_context_read(task, &ctx) != ALOFT_KIT_OK)
                return aloft_kit_error(&result->error, ALOFT_ERROR_SYSTEM, 0, "BadContext", "the task context could not be read");
            aloft_kit_outputs outputs = ALOFT_KIT_OUTPUTS_INIT;
            const char *cursor = NULL;
            aloft_kit_span name, type;
            while (aloft_kit_json_next_member(ctx.outputs, &cursor, &name, &type) == ALOFT_KIT_OK) {
                char key[256];
                aloft_kit_literal input;
                snprintf(key, sizeof key, "%.*s", (int)aloft_kit_span_len(name), name.start);
                if (aloft_kit_input(&ctx, key, &input) != ALOFT_KIT_OK) {
                    aloft_kit_outputs_discard(&outputs);
                    result->phase = ALOFT_PHASE_FAILED; /* the task failed; the call did not */
                    aloft_kit_errorf(&result->error, ALOFT_ERROR_USER, 0, "NoSuchInput", "output \\"%s\\" has no input of the same name", key);
                    return ALOFT_OK;
                }
                aloft_kit_outputs_literal(&outputs, key, input.literal);
            }
            if (aloft_kit_outputs_finish(&outputs, &result->outputs) != ALOFT_KIT_OK)
                return aloft_kit_error(&result->error, ALOFT_ERROR_SYSTEM, 1, "NoMemory", "out of memory");
            result->phase = ALOFT_PHASE_SUCCEEDED;
            return ALOFT_OK;
        }

        /* Stops the task; ALOFT_OK when it is already gone. */
        static aloft_status plugin_abort(void *instance, const aloft_task *task, aloft_error *error) {
            (void)instance, (void)task, (void)error;
            return ALOFT_OK;
        }

        /* Releases what submit acquired; once per submitted attempt, perhaps again after a crash. */
        static aloft_status plugin_finalize(void *instance, const aloft_task *task, aloft_error *error) {
            (void)instance, (void)task, (void)error;
            return ALOFT_OK;
        }

        static const char *const task_types[] = {"\(names.name)", NULL};

        static const aloft_plugin descriptor = {
            .struct_size = sizeof(aloft_plugin),
            .abi_major = ALOFT_ABI_MAJOR,
            .abi_minor = ALOFT_ABI_MINOR,
            .id = "\(names.pluginID)",
            .version = "0.1.0",
            .description = "\(names.name): outputs are the inputs of the same name",
            .task_types = task_types,
            .init = plugin_init,
            .shutdown = NULL,
            .submit = plugin_submit,
            .poll = plugin_poll,
            .abort = plugin_abort,
            .finalize = plugin_finalize,
            .get_extension = NULL,
        };

        ALOFT_EXPORT const aloft_plugin *aloft_plugin_entry(const aloft_host *host) {
            if (!host || host->abi_major != ALOFT_ABI_MAJOR) return NULL;
            return &descriptor;
        }

        """
    }
}
