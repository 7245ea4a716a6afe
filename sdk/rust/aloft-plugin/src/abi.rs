//! The header, mirrored: `aloft/*.h` of ABI 1.1 as `#[repr(C)]` types. Field order and types exactly as in
//! the C header; a mirror that drifts from the LP64 sizes of docs/plugin-abi.md (section 7) fails to compile.
#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void, CStr};

// aloft/version.h
pub const ALOFT_ABI_MAJOR: u16 = 1;
pub const ALOFT_ABI_MINOR: u16 = 1;
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

pub type InitFn = unsafe extern "C" fn(
    *const aloft_plugin,
    aloft_bytes,
    *mut *mut c_void,
    *mut aloft_error,
) -> aloft_status;
pub type ShutdownFn = unsafe extern "C" fn(*mut c_void);
pub type SubmitFn =
    unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_buffer, *mut aloft_error) -> aloft_status;
pub type PollFn = unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_poll_result) -> aloft_status;
pub type TaskFn = unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_error) -> aloft_status;
pub type PluginExtensionFn = unsafe extern "C" fn(*const aloft_plugin, *const c_char) -> *const c_void;
/// aloft/sync.h (ABI 1.1): `run_sync(instance, task, outputs_out, error_out)`.
pub type SyncFn =
    unsafe extern "C" fn(*mut c_void, *const aloft_task, *mut aloft_buffer, *mut aloft_error) -> aloft_status;

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
    // ABI 1.1, the synchronous tier (aloft/sync.h): read by the host only when struct_size covers them.
    pub sync_task_types: *const *const c_char, // NULL-terminated subset of task_types; NULL: none
    pub run_sync: Option<SyncFn>,
}

/// `ALOFT_PLUGIN_SIZE_1_0`: the size of an ABI 1.0 descriptor, where the 1.1 fields begin.
pub const ALOFT_PLUGIN_SIZE_1_0: usize = std::mem::offset_of!(aloft_plugin, sync_task_types);

/// aloft/entry.h
pub type aloft_plugin_entry_fn = unsafe extern "C" fn(host: *const aloft_host) -> *const aloft_plugin;

/// aloft/ext/task-logs.h: optional plugin extension "aloft.task-logs/1".
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

/// aloft/ext/task-check.h: optional plugin extension "aloft.task-check/1".
pub const ALOFT_EXT_TASK_CHECK: &CStr = c"aloft.task-check/1";

#[repr(C)]
pub struct aloft_ext_task_check {
    pub struct_size: u32,
    pub check_task: Option<
        unsafe extern "C" fn(
            instance: *mut c_void,
            task_template: aloft_bytes,
            problems_out: *mut aloft_buffer,
            error_out: *mut aloft_error,
        ) -> aloft_status,
    >,
}

impl aloft_buffer {
    /// Nothing to release: data NULL, length 0, release NULL.
    pub const EMPTY: aloft_buffer =
        aloft_buffer { data: std::ptr::null(), len: 0, release: None, private_data: std::ptr::null_mut() };
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
    assert!(ALOFT_PLUGIN_SIZE_1_0 == 96);
    assert!(std::mem::size_of::<aloft_plugin>() == 112);
    assert!(std::mem::size_of::<aloft_ext_task_logs>() == 16);
    assert!(std::mem::size_of::<aloft_ext_task_check>() == 16);
};
