import AloftCommandLine

/// A Rust plugin project on the bindings crate (a path dependency, no crates.io): `cargo build --release`.
struct RustSkeleton {
    let names: Names
    let crate: String

    init(names: Names, layout: SDKLayout) throws(CLIError) {
        guard let crate = layout.rustCrate else {
            throw CLIError("this aloft has no Rust bindings crate (sdk/rust/aloft-plugin)")
        }
        self.names = names
        self.crate = crate
    }

    var files: [String: String] {
        [
            "Cargo.toml": manifest,
            "src/lib.rs": source,
            "workflow.yaml": skeletonWorkflow(names),
            ".gitignore": "target/\n",
            "README.md": skeletonReadme(
                names, language: "Rust", build: "cargo build --release",
                library: "target/release/lib\(names.snake).so"),
        ]
    }

    var manifest: String {
        """
        [package]
        name = "\(names.name)"
        version = "0.1.0"
        edition = "2021"

        [lib]
        crate-type = ["cdylib"]  # a plain shared library: target/release/lib\(names.snake).so

        [dependencies]
        aloft-plugin = { path = "\(crate)" }  # the ABI's types and safe helpers; no other crates needed

        [profile.release]
        panic = "unwind"  # catch_unwind needs unwinding: with "abort" a panic would kill the host

        """
    }

    var source: String {
        """
        //! \(names.name): an Aloft task plugin in Rust (made by `aloft plugins new`).
        //!
        //! Task type "\(names.name)": every output the task declares is the input of the same name. Replace submit and
        //! poll with your backend: submit starts the work and returns a state (a job name, an id) from which poll,
        //! perhaps in a restarted host, can observe it. docs/plugin-abi.md is the contract.

        // `::aloft_plugin` is the crate; plain `aloft_plugin` is the descriptor struct the glob brings in.
        use ::aloft_plugin::abi::*;
        use ::aloft_plugin::{guard, host, owned_buffer, Context, Descriptor, Failure, Outputs, TaskTypes};
        use std::ffi::c_void;
        use std::panic::catch_unwind;
        use std::ptr;

        static TASK_TYPES: TaskTypes<2> = TaskTypes([c"\(names.name)".as_ptr(), ptr::null()]);

        static DESCRIPTOR: Descriptor = Descriptor(aloft_plugin {
            struct_size: std::mem::size_of::<aloft_plugin>() as u32,
            abi_major: ALOFT_ABI_MAJOR,
            abi_minor: ALOFT_ABI_MINOR,
            id: c"\(names.pluginID)".as_ptr(),
            version: c"0.1.0".as_ptr(),
            description: c"\(names.name): outputs are the inputs of the same name".as_ptr(),
            task_types: TASK_TYPES.as_ptr(),
            init: Some(plugin_init),
            shutdown: None,
            submit: Some(plugin_submit),
            poll: Some(plugin_poll),
            abort: Some(plugin_abort),
            finalize: Some(plugin_finalize),
            get_extension: None,
            // ABI 1.1: task types completed within one call (aloft/sync.h); none here.
            sync_task_types: ptr::null(),
            run_sync: None,
        });

        /// The one exported symbol: the static descriptor, or NULL for a host of another ABI major.
        ///
        /// # Safety
        /// `host` is NULL or points to the host's table, valid until the process exits.
        #[no_mangle]
        pub unsafe extern "C" fn aloft_plugin_entry(host: *const aloft_host) -> *const aloft_plugin {
            catch_unwind(|| match unsafe { host.as_ref() } {
                Some(h) if h.abi_major == ALOFT_ABI_MAJOR => {
                    host::install(h);
                    DESCRIPTOR.as_ptr()
                }
                _ => ptr::null(),
            })
            .unwrap_or(ptr::null())
        }

        unsafe extern "C" fn plugin_init(
            _plugin: *const aloft_plugin,
            config: aloft_bytes,
            instance_out: *mut *mut c_void,
            error_out: *mut aloft_error,
        ) -> aloft_status {
            guard(error_out, "init", || {
                // The plugin's section of aloft.yaml as a JSON object: validate it and say what is wrong.
                if ::aloft_plugin::json::members(::aloft_plugin::borrowed(config)).is_none() {
                    return Err(Failure::user("BadConfig", "the plugin config must be a JSON object"));
                }
                unsafe { *instance_out = ptr::null_mut() };
                Ok(())
            })
        }

        /// Starts the task. Idempotent: the same task_execution_id may come again after a host crash.
        unsafe extern "C" fn plugin_submit(
            _instance: *mut c_void,
            task: *const aloft_task,
            state_out: *mut aloft_buffer,
            error_out: *mut aloft_error,
        ) -> aloft_status {
            guard(error_out, "submit", || {
                let context = Context::read(unsafe { &*task })?;
                // A real backend starts a job named context.task_execution_id here.
                unsafe { *state_out = owned_buffer(context.task_execution_id.into_bytes()) };
                Ok(())
            })
        }

        /// Reports the task's phase without blocking; on success, the outputs.
        unsafe extern "C" fn plugin_poll(
            _instance: *mut c_void,
            task: *const aloft_task,
            result: *mut aloft_poll_result,
        ) -> aloft_status {
            if result.is_null() {
                return ALOFT_ERROR;
            }
            guard(unsafe { ptr::addr_of_mut!((*result).error) }, "poll", || {
                let r = unsafe { &mut *result };
                let context = Context::read(unsafe { &*task })?;
                let mut outputs = Outputs::new();
                for name in context.output_names() {
                    let name = String::from_utf8_lossy(name);
                    let Some(value) = context.input_json(&name) else {
                        // The task failed (the call did not): ALOFT_OK, phase FAILED, the error in the result.
                        r.phase = ALOFT_PHASE_FAILED;
                        let message = format!("output \\"{name}\\" has no input of the same name");
                        unsafe { Failure::user("NoSuchInput", &message).write(&mut r.error) };
                        return Ok(());
                    };
                    outputs.literal(&name, value);
                }
                r.phase = ALOFT_PHASE_SUCCEEDED;
                r.outputs = owned_buffer(outputs.finish());
                Ok(())
            })
        }

        /// Stops the task; succeeds when it is already gone.
        unsafe extern "C" fn plugin_abort(_instance: *mut c_void, _task: *const aloft_task, error_out: *mut aloft_error) -> aloft_status {
            guard(error_out, "abort", || Ok(()))
        }

        /// Releases what submit acquired; once per submitted attempt, perhaps again after a crash.
        unsafe extern "C" fn plugin_finalize(_instance: *mut c_void, _task: *const aloft_task, error_out: *mut aloft_error) -> aloft_status {
            guard(error_out, "finalize", || Ok(()))
        }

        """
    }
}
