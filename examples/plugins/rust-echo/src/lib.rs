//! An Aloft plugin in Rust, written against aloft_plugin.h (ABI 1.0) with no crates.
//!
//! Task type "rust-echo": every output the task declares is the input of the same name (a task that
//! declares no outputs succeeds with outputs `{}`). Task config (task.config in the task context):
//!   delay_ms        finish this long after submit; the deadline is the resource state, so a restarted
//!                   host re-attaches and the task still finishes on time.
//!   require_secret  a secret name: submit reads it through host->get_secret and fails with a user error
//!                   when the host does not hand it out. The value is used for nothing and never logged.
#![allow(non_camel_case_types)]

use std::collections::HashSet;
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

// ---------------------------------------------------------------------------------------------------
// The header, mirrored. Field order and types exactly as in aloft/*.h; #[repr(C)] gives the C layout.
// ---------------------------------------------------------------------------------------------------

// aloft/version.h
pub const ALOFT_ABI_MAJOR: u16 = 1;
pub const ALOFT_ABI_MINOR: u16 = 0;
pub const ALOFT_ENTRY_SYMBOL: &CStr = c"aloft_plugin_entry";

// aloft/error.h

pub type aloft_status = i32;
pub const ALOFT_OK: aloft_status = 0;
pub const ALOFT_ERROR: aloft_status = 1;

pub type aloft_error_kind = u32;
pub const ALOFT_ERROR_USER: aloft_error_kind = 1;
pub const ALOFT_ERROR_SYSTEM: aloft_error_kind = 2;

// aloft/host.h
pub type aloft_log_level = u32;
pub const ALOFT_LOG_TRACE: aloft_log_level = 0;
pub const ALOFT_LOG_DEBUG: aloft_log_level = 1;
pub const ALOFT_LOG_INFO: aloft_log_level = 2;
pub const ALOFT_LOG_WARNING: aloft_log_level = 3;
pub const ALOFT_LOG_ERROR: aloft_log_level = 4;

// aloft/task.h
pub type aloft_phase = u32;
pub const ALOFT_PHASE_QUEUED: aloft_phase = 1;
pub const ALOFT_PHASE_WAITING_FOR_RESOURCES: aloft_phase = 2;
pub const ALOFT_PHASE_INITIALIZING: aloft_phase = 3;
pub const ALOFT_PHASE_RUNNING: aloft_phase = 4;
pub const ALOFT_PHASE_SUCCEEDED: aloft_phase = 5;
pub const ALOFT_PHASE_FAILED: aloft_phase = 6;
pub const ALOFT_PHASE_ABORTED: aloft_phase = 7;

/// aloft/buffer.h: borrowed for the duration of one call.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct aloft_bytes {
    pub data: *const u8, // may be NULL when len == 0
    pub len: usize,
}

/// aloft/buffer.h: owned by the receiver, who calls release exactly once.
#[repr(C)]
pub struct aloft_buffer {
    pub data: *const u8, // may be NULL when len == 0
    pub len: usize,
    pub release: Option<unsafe extern "C" fn(this: *mut aloft_buffer)>,
    pub private_data: *mut c_void,
}

/// aloft/error.h
#[repr(C)]
pub struct aloft_error {
    pub struct_size: u32,
    pub kind: aloft_error_kind,
    pub retryable: u32, // 0 or 1
    pub reserved: u32,  // 0
    pub code: aloft_buffer,
    pub message: aloft_buffer,
}

/// aloft/host.h
#[repr(C)]
pub struct aloft_host {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub host_name: *const c_char,
    pub host_version: *const c_char,
    pub host_data: *mut c_void,
    pub log: Option<
        unsafe extern "C" fn(
            host: *const aloft_host,
            level: aloft_log_level,
            task_execution_id: *const c_char,
            message: *const c_char,
        ),
    >,
    pub get_secret: Option<
        unsafe extern "C" fn(
            host: *const aloft_host,
            name: *const c_char,
            value_out: *mut aloft_buffer,
            error_out: *mut aloft_error,
        ) -> aloft_status,
    >,
    pub request_poll: Option<unsafe extern "C" fn(host: *const aloft_host, task_execution_id: *const c_char)>,
    pub is_cancelled:
        Option<unsafe extern "C" fn(host: *const aloft_host, task_execution_id: *const c_char) -> i32>,
    pub get_extension:
        Option<unsafe extern "C" fn(host: *const aloft_host, extension_id: *const c_char) -> *const c_void>,
}

/// aloft/task.h
#[repr(C)]
pub struct aloft_task {
    pub struct_size: u32,
    pub attempt: u32,
    pub task_execution_id: *const c_char,
    pub context: aloft_bytes,
    pub state: aloft_bytes,
}

/// aloft/task.h
#[repr(C)]
pub struct aloft_poll_result {
    pub struct_size: u32,
    pub phase: aloft_phase,
    pub poll_after_ms: u32,
    pub reserved: u32,
    pub state: aloft_buffer,
    pub outputs: aloft_buffer,
    pub status_message: aloft_buffer,
    pub error: aloft_error,
}

type InitFn = unsafe extern "C" fn(
    *const aloft_plugin,
    aloft_bytes,
    *mut *mut c_void,
    *mut aloft_error,
) -> aloft_status;
type ShutdownFn = unsafe extern "C" fn(*mut c_void);
type SubmitFn =
    unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_buffer, *mut aloft_error) -> aloft_status;
type PollFn = unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_poll_result) -> aloft_status;
type TaskFn = unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_error) -> aloft_status;
type PluginExtensionFn = unsafe extern "C" fn(*const aloft_plugin, *const c_char) -> *const c_void;

/// aloft/plugin.h
#[repr(C)]
pub struct aloft_plugin {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub id: *const c_char,
    pub version: *const c_char,
    pub description: *const c_char,
    pub task_types: *const *const c_char, // NULL-terminated
    pub init: Option<InitFn>,
    pub shutdown: Option<ShutdownFn>,
    pub submit: Option<SubmitFn>,
    pub poll: Option<PollFn>,
    pub abort: Option<TaskFn>,
    pub finalize: Option<TaskFn>,
    pub get_extension: Option<PluginExtensionFn>,
}

/// aloft/entry.h
pub type aloft_plugin_entry_fn = unsafe extern "C" fn(host: *const aloft_host) -> *const aloft_plugin;

/// aloft/ext/task-logs.h: optional plugin extension "aloft.task-logs/1" (not offered by this sketch).
pub const ALOFT_EXT_TASK_LOGS: &CStr = c"aloft.task-logs/1";

#[repr(C)]
pub struct aloft_ext_task_logs {
    pub struct_size: u32,
    pub task_logs: Option<
        unsafe extern "C" fn(
            instance: *mut c_void,
            task: *const aloft_task,
            links_out: *mut aloft_buffer,
            error_out: *mut aloft_error,
        ) -> aloft_status,
    >,
}

// LP64 sizes (docs/plugin-abi.md, section 7): a mirror that drifts from the header fails to compile.
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<aloft_bytes>() == 16);
    assert!(std::mem::size_of::<aloft_buffer>() == 32);
    assert!(std::mem::size_of::<aloft_error>() == 80);
    assert!(std::mem::size_of::<aloft_host>() == 72);
    assert!(std::mem::size_of::<aloft_task>() == 48);
    assert!(std::mem::size_of::<aloft_poll_result>() == 192);
    assert!(std::mem::size_of::<aloft_plugin>() == 96);
    assert!(std::mem::size_of::<aloft_ext_task_logs>() == 16);
};

// ---------------------------------------------------------------------------------------------------
// The descriptor: static, valid until the process exits (plugins are never unloaded).
// ---------------------------------------------------------------------------------------------------

/// Raw pointers are not Sync; these point only at 'static, immutable data.
#[repr(transparent)]
struct Descriptor(aloft_plugin);
unsafe impl Sync for Descriptor {}

#[repr(transparent)]
struct TaskTypes([*const c_char; 2]);
unsafe impl Sync for TaskTypes {}

static TASK_TYPES: TaskTypes = TaskTypes([c"rust-echo".as_ptr(), ptr::null()]);

static DESCRIPTOR: Descriptor = Descriptor(aloft_plugin {
    struct_size: std::mem::size_of::<aloft_plugin>() as u32,
    abi_major: ALOFT_ABI_MAJOR,
    abi_minor: ALOFT_ABI_MINOR,
    id: c"example.rust-echo".as_ptr(),
    version: c"0.1.0".as_ptr(),
    description: c"Rust sketch: outputs are the inputs of the same name".as_ptr(),
    task_types: &TASK_TYPES.0 as *const [*const c_char; 2] as *const *const c_char,
    init: Some(plugin_init),
    shutdown: Some(plugin_shutdown),
    submit: Some(plugin_submit),
    poll: Some(plugin_poll),
    abort: Some(plugin_abort),
    finalize: Some(plugin_finalize),
    get_extension: None, // no extensions
});

/// The host's callback table: valid until the process exits.
static HOST: AtomicPtr<aloft_host> = AtomicPtr::new(ptr::null_mut());

fn host() -> Option<&'static aloft_host> {
    unsafe { HOST.load(Ordering::Acquire).as_ref() }
}

// ---------------------------------------------------------------------------------------------------
// The exports. Every one catches panics: a panic unwinding out of an extern "C" function aborts the
// whole host process.
// ---------------------------------------------------------------------------------------------------

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
        HOST.store(h as *const aloft_host as *mut aloft_host, Ordering::Release);
        &DESCRIPTOR.0 as *const aloft_plugin
    })
    .unwrap_or(ptr::null())
}

/// The plugin's instance: shared by all tasks, so everything in it is thread-safe.
struct Instance {
    aborted: Mutex<HashSet<String>>,
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
        let task = unsafe { &*task };
        let context = borrowed(task.context);
        if let Some(name) =
            json::path(context, &["task", "config", "require_secret"]).and_then(json::plain_string)
        {
            check_secret(name)?;
        }
        let delay = match json::path(context, &["task", "config", "delay_ms"]) {
            None => 0,
            Some(v) => json::int(v)
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
    instance: *mut c_void,
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
            return Err(Failure::system(
                "SmallPollResult",
                "host's aloft_poll_result is smaller than ABI 1.0's",
            ));
        }
        let instance = unsafe { &*(instance as *const Instance) };
        let task = unsafe { &*task };
        let id = unsafe { CStr::from_ptr(task.task_execution_id) }.to_string_lossy().into_owned();
        if instance.aborted.lock().unwrap_or_else(|e| e.into_inner()).contains(&id) {
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
        match echo_outputs(borrowed(task.context)) {
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
    instance: *mut c_void,
    task: *const aloft_task,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "abort", || {
        let instance = unsafe { &*(instance as *const Instance) };
        let task = unsafe { &*task };
        let id = unsafe { CStr::from_ptr(task.task_execution_id) }.to_string_lossy().into_owned();
        instance.aborted.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
        log(ALOFT_LOG_INFO, task.task_execution_id, "aborted");
        Ok(())
    })
}

/// [host:per-task] Exactly once per submitted task, last: forget what we kept about it.
unsafe extern "C" fn plugin_finalize(
    instance: *mut c_void,
    task: *const aloft_task,
    error_out: *mut aloft_error,
) -> aloft_status {
    guard(error_out, "finalize", || {
        let instance = unsafe { &*(instance as *const Instance) };
        let task = unsafe { &*task };
        let id = unsafe { CStr::from_ptr(task.task_execution_id) }.to_string_lossy().into_owned();
        instance.aborted.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------------
// Errors, panics and buffers.
// ---------------------------------------------------------------------------------------------------

struct Failure {
    kind: aloft_error_kind,
    retryable: bool,
    code: String,
    message: String, // never a secret
}

impl Failure {
    fn user(code: &str, message: &str) -> Failure {
        Failure { kind: ALOFT_ERROR_USER, retryable: false, code: code.into(), message: message.into() }
    }
    fn system(code: &str, message: &str) -> Failure {
        Failure { kind: ALOFT_ERROR_SYSTEM, retryable: false, code: code.into(), message: message.into() }
    }

    /// Fills the host's aloft_error: only when it is at least as large as ours (the host sets struct_size).
    unsafe fn write(self, out: *mut aloft_error) {
        let Some(e) = (unsafe { out.as_mut() }) else { return };
        if (e.struct_size as usize) < std::mem::size_of::<aloft_error>() {
            return;
        }
        e.kind = self.kind;
        e.retryable = self.retryable as u32;
        e.code = owned_buffer(self.code.into_bytes());
        e.message = owned_buffer(self.message.into_bytes());
    }
}

/// Runs one call: Ok -> ALOFT_OK; Err or a panic -> ALOFT_ERROR with *error_out filled.
fn guard(
    error_out: *mut aloft_error,
    call: &str,
    body: impl FnOnce() -> Result<(), Failure>,
) -> aloft_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return ALOFT_OK,
        Ok(Err(failure)) => failure,
        // The payload could hold anything (even a secret): keep it out of the message.
        Err(_) => Failure::system("Panic", &format!("the plugin panicked in {call}")),
    };
    unsafe { failure.write(error_out) };
    ALOFT_ERROR
}

/// A buffer the host releases with our release: a Box<[u8]> freed by Rust's allocator.
fn owned_buffer(bytes: Vec<u8>) -> aloft_buffer {
    if bytes.is_empty() {
        // Nothing to release. (In poll's state field this means "keep the current state".)
        return aloft_buffer { data: ptr::null(), len: 0, release: None, private_data: ptr::null_mut() };
    }
    let boxed: Box<[u8]> = bytes.into_boxed_slice();
    let len = boxed.len();
    let data = Box::into_raw(boxed) as *const u8;
    aloft_buffer { data, len, release: Some(release_boxed_slice), private_data: ptr::null_mut() }
}

/// [thread-safe] Called exactly once by the receiver. Rebuilds the Box and drops it, then marks the buffer
/// released.
unsafe extern "C" fn release_boxed_slice(this: *mut aloft_buffer) {
    let _ = catch_unwind(|| {
        let Some(b) = (unsafe { this.as_mut() }) else { return };
        if !b.data.is_null() {
            let slice = ptr::slice_from_raw_parts_mut(b.data as *mut u8, b.len);
            drop(unsafe { Box::from_raw(slice) });
        }
        b.data = ptr::null();
        b.len = 0;
        b.release = None;
    });
}

fn borrowed<'a>(b: aloft_bytes) -> &'a [u8] {
    if b.data.is_null() || b.len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(b.data, b.len) }
    }
}

// ---------------------------------------------------------------------------------------------------
// Host callbacks.
// ---------------------------------------------------------------------------------------------------

fn log(level: aloft_log_level, task_execution_id: *const c_char, message: &str) {
    let Some(h) = host() else { return };
    let Some(log) = h.log else { return };
    let Ok(text) = CString::new(message) else { return };
    unsafe { log(h, level, task_execution_id, text.as_ptr()) };
}

/// Reads a secret and lets go of it at once. A buffer the host hands out is ours to release, exactly once;
/// the host wipes the bytes on release.
fn check_secret(name: &[u8]) -> Result<(), Failure> {
    let h = host().ok_or_else(|| Failure::system("NoHost", "no host table"))?;
    let get_secret =
        h.get_secret.ok_or_else(|| Failure::system("NoSecrets", "the host offers no get_secret"))?;
    let name = CString::new(name).map_err(|_| Failure::user("BadConfig", "secret name contains NUL"))?;
    let mut value = aloft_buffer { data: ptr::null(), len: 0, release: None, private_data: ptr::null_mut() };
    let mut error = aloft_error {
        struct_size: std::mem::size_of::<aloft_error>() as u32, // the host writes the error only if this fits
        kind: 0,
        retryable: 0,
        reserved: 0,
        code: aloft_buffer { data: ptr::null(), len: 0, release: None, private_data: ptr::null_mut() },
        message: aloft_buffer { data: ptr::null(), len: 0, release: None, private_data: ptr::null_mut() },
    };
    let status = unsafe { get_secret(h, name.as_ptr(), &mut value, &mut error) };
    if status == ALOFT_OK {
        let _secret: &[u8] = borrowed(aloft_bytes { data: value.data, len: value.len });
        // ... use the secret here; never log it, never put it in an error message ...
        if let Some(release) = value.release {
            unsafe { release(&mut value) };
        }
        return Ok(());
    }
    let code = take_string(&mut error.code);
    let message = take_string(&mut error.message);
    Err(Failure {
        kind: if error.kind == ALOFT_ERROR_SYSTEM { ALOFT_ERROR_SYSTEM } else { ALOFT_ERROR_USER },
        retryable: error.retryable != 0,
        code: if code.is_empty() { "SecretNotFound".into() } else { code },
        message: if message.is_empty() { "secret not available".into() } else { message },
    })
}

/// Copies a host-owned buffer into a String and releases it.
fn take_string(b: &mut aloft_buffer) -> String {
    let s = String::from_utf8_lossy(borrowed(aloft_bytes { data: b.data, len: b.len })).into_owned();
    if let Some(release) = b.release {
        unsafe { release(b) };
    }
    s
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------------
// The echo: outputs = {"name": <the input literal of the same name>} for each declared output.
// ---------------------------------------------------------------------------------------------------

fn echo_outputs(context: &[u8]) -> Result<Vec<u8>, String> {
    let declared = json::path(context, &["task", "interface", "outputs"])
        .ok_or("task context has no task.interface.outputs")?;
    let inputs = json::path(context, &["inputs"]).ok_or("task context has no inputs")?;
    let mut out = Vec::with_capacity(inputs.len() + 2);
    out.push(b'{');
    for (i, (name, _type)) in
        json::members(declared).ok_or("malformed task.interface.outputs")?.into_iter().enumerate()
    {
        // name is the raw key (escapes not decoded); the host's canonical writer escapes only '"', '\' and
        // control characters, so raw keys compare equal between the interface and the inputs.
        let value = json::get(inputs, name).ok_or_else(|| {
            format!("rust-echo: output \"{}\" has no input of the same name", String::from_utf8_lossy(name))
        })?;
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(name);
        out.extend_from_slice(b"\":");
        out.extend_from_slice(value); // the literal exactly as the host encoded it
    }
    out.push(b'}');
    Ok(out)
}

/// Just enough JSON reading: spans of the borrowed input, no allocation for values.
mod json {
    pub fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// b[i] is the opening quote; returns the index after the closing quote.
    fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }

    /// Returns the index after the value starting at (or after whitespace from) i.
    pub fn skip_value(b: &[u8], i: usize, depth: u32) -> Option<usize> {
        let mut i = ws(b, i);
        if depth > 256 {
            return None;
        }
        match *b.get(i)? {
            b'"' => skip_string(b, i),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                i = ws(b, i + 1);
                if b.get(i) == Some(&close) {
                    return Some(i + 1);
                }
                loop {
                    if open == b'{' {
                        i = skip_string(b, ws(b, i))?;
                        i = ws(b, i);
                        if b.get(i) != Some(&b':') {
                            return None;
                        }
                        i += 1;
                    }
                    i = ws(b, skip_value(b, i, depth + 1)?);
                    match *b.get(i)? {
                        b',' => i += 1,
                        c if c == close => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            _ => {
                let start = i;
                while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                (i > start).then_some(i)
            }
        }
    }

    /// The members of an object: (raw key without quotes, value span). None when malformed.
    pub fn members(obj: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
        let mut out = Vec::new();
        let mut i = ws(obj, 0);
        if obj.get(i) != Some(&b'{') {
            return None;
        }
        i = ws(obj, i + 1);
        if obj.get(i) == Some(&b'}') {
            return Some(out);
        }
        loop {
            let key_end = skip_string(obj, i)?;
            let key = &obj[i + 1..key_end - 1];
            i = ws(obj, key_end);
            if obj.get(i) != Some(&b':') {
                return None;
            }
            let start = ws(obj, i + 1);
            let end = skip_value(obj, start, 0)?;
            out.push((key, &obj[start..end]));
            i = ws(obj, end);
            match *obj.get(i)? {
                b',' => i = ws(obj, i + 1),
                b'}' => return Some(out),
                _ => return None,
            }
        }
    }

    pub fn get<'a>(obj: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
        members(obj)?.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn path<'a>(root: &'a [u8], keys: &[&str]) -> Option<&'a [u8]> {
        keys.iter().try_fold(root, |at, k| get(at, k.as_bytes()))
    }

    pub fn int(v: &[u8]) -> Option<i64> {
        std::str::from_utf8(v).ok()?.parse().ok()
    }

    /// The contents of a JSON string without escapes, e.g. "db-password".
    pub fn plain_string(v: &[u8]) -> Option<&[u8]> {
        (v.len() >= 2 && v[0] == b'"' && v[v.len() - 1] == b'"' && !v[1..v.len() - 1].contains(&b'\\'))
            .then(|| &v[1..v.len() - 1])
    }
}
