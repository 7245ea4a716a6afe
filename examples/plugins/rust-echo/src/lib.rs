//! An Aloft plugin in Rust, on the bindings crate `aloft-plugin` (sdk/rust/aloft-plugin, ABI 1.1).
//!
//! Task type "rust-echo-sync" (the synchronous tier, ABI 1.1, aloft/sync.h): the same echo in one run_sync
//! call, no resource state, nothing to abort or finalize. Idempotent per task execution id (it has no side
//! effect), so the host may call it again after a crash.
//!
//! Task type "rust-echo": every output the task declares is the input of the same name (a task that
//! declares no outputs succeeds with outputs `{}`). Task config (task.config in the task context):
//!   delay_ms        finish this long after submit; the deadline is the resource state, so a restarted
//!                   host re-attaches and the task still finishes on time.
//!   require_secret  a secret name: submit reads it through host->get_secret and fails with a user error
//!                   when the host does not hand it out. The value is used for nothing and never logged.

// `::aloft_plugin` is the crate; plain `aloft_plugin` is the descriptor struct the glob brings in.
use ::aloft_plugin::abi::*;
use ::aloft_plugin::{borrowed, guard, host, json, owned_buffer, Context, Descriptor, Failure, Outputs, TaskTypes};
use std::collections::HashSet;
use std::ffi::{c_void, CStr};
use std::panic::catch_unwind;
use std::ptr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

// The descriptor: static, valid until the process exits (plugins are never unloaded).

static TASK_TYPES: TaskTypes<3> = TaskTypes([c"rust-echo".as_ptr(), c"rust-echo-sync".as_ptr(), ptr::null()]);
// ABI 1.1: the task types served by run_sync, each also in TASK_TYPES.
static SYNC_TASK_TYPES: TaskTypes<2> = TaskTypes([c"rust-echo-sync".as_ptr(), ptr::null()]);

static DESCRIPTOR: Descriptor = Descriptor(aloft_plugin {
    struct_size: std::mem::size_of::<aloft_plugin>() as u32,
    abi_major: ALOFT_ABI_MAJOR,
    abi_minor: ALOFT_ABI_MINOR,
    id: c"example.rust-echo".as_ptr(),
    version: c"0.1.0".as_ptr(),
    description: c"Rust sketch: outputs are the inputs of the same name".as_ptr(),
    task_types: TASK_TYPES.as_ptr(),
    init: Some(plugin_init),
    shutdown: Some(plugin_shutdown),
    submit: Some(plugin_submit),
    poll: Some(plugin_poll),
    abort: Some(plugin_abort),
    finalize: Some(plugin_finalize),
    get_extension: None, // no extensions
    sync_task_types: SYNC_TASK_TYPES.as_ptr(),
    run_sync: Some(plugin_run_sync),
});

// The exports. Every one catches panics (`guard`, `catch_unwind`): a panic unwinding out of an extern "C"
// function aborts the whole host process.

/// [host:exclusive] The one exported symbol. No work here: return the static descriptor, or NULL to decline.
///
/// # Safety
/// `host` is NULL or points to the host's table, valid until the process exits (aloft/entry.h).
#[no_mangle]
pub unsafe extern "C" fn aloft_plugin_entry(host: *const aloft_host) -> *const aloft_plugin {
    catch_unwind(|| {
        let h = match unsafe { host.as_ref() } {
            Some(h) if h.abi_major == ALOFT_ABI_MAJOR => h,
            _ => return ptr::null(),
        };
        host::install(h);
        DESCRIPTOR.as_ptr()
    })
    .unwrap_or(ptr::null())
}

/// The plugin's instance: shared by all tasks, so everything in it is thread-safe.
struct Instance {
    aborted: Mutex<HashSet<String>>,
}

fn instance<'a>(instance: *mut c_void) -> &'a Instance {
    unsafe { &*(instance as *const Instance) }
}

fn id_of(task: &aloft_task) -> String {
    unsafe { CStr::from_ptr(task.task_execution_id) }.to_string_lossy().into_owned()
}

/// [host:exclusive] config is the plugin's JSON object from aloft.yaml ("{}" when none).
unsafe extern "C" fn plugin_init(
    _plugin: *const aloft_plugin,
    config: aloft_bytes,
    instance_out: *mut *mut c_void,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "init", || {
        // Validate the config here and say exactly what is wrong: init's message is the refusal reason.
        if json::members(borrowed(config)).is_none() {
            return Err(Failure::user("BadConfig", "plugin config must be a JSON object"));
        }
        let instance = Box::new(Instance { aborted: Mutex::new(HashSet::new()) });
        unsafe { *instance_out = Box::into_raw(instance) as *mut c_void };
        Ok(())
    })
}

/// [host:exclusive] Last call of all: free the instance.
unsafe extern "C" fn plugin_shutdown(instance: *mut c_void) {
    let _ = catch_unwind(|| {
        if !instance.is_null() {
            drop(unsafe { Box::from_raw(instance as *mut Instance) });
        }
    });
}

/// [host:per-task] Start the task; the state is the deadline in milliseconds since the epoch.
/// Idempotent: nothing external is created, so a repeated submit is harmless.
unsafe extern "C" fn plugin_submit(
    _instance: *mut c_void,
    task: *const aloft_task,
    state_out: *mut aloft_buffer,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "submit", || {
        let context = Context::read(unsafe { &*task })?;
        if let Some(name) = context.config_string("require_secret") {
            // Read and released at once; never logged, never put in a message.
            host::with_secret(&name, |_secret| ())?;
        }
        let delay = match context.config("delay_ms") {
            None => 0,
            Some(_) => context
                .config_integer("delay_ms")
                .filter(|d| *d >= 0)
                .ok_or_else(|| Failure::user("BadConfig", "task config delay_ms must be an integer >= 0"))?,
        };
        let deadline = now_ms().saturating_add(delay);
        unsafe { *state_out = owned_buffer(deadline.to_string().into_bytes()) };
        Ok(())
    })
}

/// [host:per-task] Observe the task. Never blocks on it.
unsafe extern "C" fn plugin_poll(
    instance_ptr: *mut c_void,
    task: *const aloft_task,
    result: *mut aloft_poll_result,
) -> aloft_status {
    if result.is_null() {
        return ALOFT_ERROR;
    }
    let error_out = unsafe { ptr::addr_of_mut!((*result).error) };
    guard(error_out, "poll", || {
        let r = unsafe { &mut *result };
        // The host zeroed *result and set struct_size to what it knows; write only what fits.
        if (r.struct_size as usize) < std::mem::size_of::<aloft_poll_result>() {
            return Err(Failure::system("SmallPollResult", "host's aloft_poll_result is smaller than ABI 1.0's"));
        }
        let task = unsafe { &*task };
        if instance(instance_ptr).aborted.lock().unwrap_or_else(|e| e.into_inner()).contains(&id_of(task)) {
            r.phase = ALOFT_PHASE_ABORTED;
            return Ok(());
        }
        let deadline = std::str::from_utf8(borrowed(task.state)).ok().and_then(|s| s.parse::<i64>().ok());
        let Some(deadline) = deadline else {
            return Err(Failure::system("BadState", "resource state is not a deadline"));
        };
        let now = now_ms();
        if now < deadline {
            r.phase = ALOFT_PHASE_RUNNING;
            r.poll_after_ms = u32::try_from(deadline - now).unwrap_or(u32::MAX);
            r.status_message = owned_buffer(b"sleeping".to_vec());
            return Ok(()); // state left empty: the host keeps the current one
        }
        match echo_outputs(&Context::read(task)?) {
            Ok(outputs) => {
                r.phase = ALOFT_PHASE_SUCCEEDED;
                r.outputs = owned_buffer(outputs); // "{}" when the task declares no outputs
            }
            Err(message) => {
                // The task ran and failed: ALOFT_OK with phase FAILED, the error in the result.
                r.phase = ALOFT_PHASE_FAILED;
                unsafe { Failure::user("NoSuchInput", &message).write(&mut r.error) };
            }
        }
        Ok(())
    })
}

/// [host:per-task] Stop the task. Idempotent.
unsafe extern "C" fn plugin_abort(
    instance_ptr: *mut c_void,
    task: *const aloft_task,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "abort", || {
        let task = unsafe { &*task };
        instance(instance_ptr).aborted.lock().unwrap_or_else(|e| e.into_inner()).insert(id_of(task));
        host::log(ALOFT_LOG_INFO, Some(unsafe { CStr::from_ptr(task.task_execution_id) }), "aborted");
        Ok(())
    })
}

/// [host:per-task] Exactly once per submitted task, last: forget what we kept about it.
unsafe extern "C" fn plugin_finalize(
    instance_ptr: *mut c_void,
    task: *const aloft_task,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "finalize", || {
        let task = unsafe { &*task };
        instance(instance_ptr).aborted.lock().unwrap_or_else(|e| e.into_inner()).remove(&id_of(task));
        Ok(())
    })
}

/// [host:per-task] ABI 1.1: one "rust-echo-sync" task, start to end, within the call budget. On success
/// the outputs (owned by the host from here); on failure the error fails the attempt.
unsafe extern "C" fn plugin_run_sync(
    _instance: *mut c_void,
    task: *const aloft_task,
    outputs_out: *mut aloft_buffer,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "run_sync", || {
        let context = Context::read(unsafe { &*task })?;
        let outputs = echo_outputs(&context).map_err(|m| Failure::user("NoSuchInput", &m))?;
        unsafe { *outputs_out = owned_buffer(outputs) };
        Ok(())
    })
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The echo: outputs = {"name": <the input literal of the same name>} for each declared output.
fn echo_outputs(context: &Context) -> Result<Vec<u8>, String> {
    let mut outputs = Outputs::new();
    for name in context.output_names() {
        let name = String::from_utf8_lossy(name);
        let value = context
            .input_json(&name)
            .ok_or_else(|| format!("rust-echo: output \"{name}\" has no input of the same name"))?;
        outputs.literal(&name, value); // the literal exactly as the host encoded it
    }
    Ok(outputs.finish())
}

