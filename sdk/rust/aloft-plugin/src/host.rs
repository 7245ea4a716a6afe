//! The host's callbacks (aloft/host.h), safe. `install` keeps the table the entry function received; it
//! stays valid until the process exits.
use crate::abi::{aloft_buffer, aloft_bytes, aloft_error, aloft_host, aloft_log_level, ALOFT_ERROR_SYSTEM, ALOFT_ERROR_USER, ALOFT_OK};
use crate::buffer::{borrowed, take_string};
use crate::failure::Failure;
use std::ffi::{CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

static HOST: AtomicPtr<aloft_host> = AtomicPtr::new(ptr::null_mut());

/// Keeps the host's table (call it from `aloft_plugin_entry`).
pub fn install(host: &'static aloft_host) {
    HOST.store(host as *const aloft_host as *mut aloft_host, Ordering::Release);
}

pub fn get() -> Option<&'static aloft_host> {
    // SAFETY: only a table handed to the entry function is stored; it lives until exit.
    unsafe { HOST.load(Ordering::Acquire).as_ref() }
}

/// One line through the host's logger, about one task or (None) the plugin.
pub fn log(level: aloft_log_level, task_execution_id: Option<&CStr>, message: &str) {
    let Some(h) = get() else { return };
    let Some(log) = h.log else { return };
    let Ok(text) = CString::new(message) else { return };
    let id = task_execution_id.map_or(ptr::null(), CStr::as_ptr);
    // SAFETY: a host callback with borrowed, NUL-terminated strings (or NULL for the id).
    unsafe { log(h, level, id, text.as_ptr()) };
}

/// Asks the host to poll the task soon (from any thread).
pub fn request_poll(task_execution_id: &CStr) {
    let Some(h) = get() else { return };
    if let Some(request_poll) = h.request_poll {
        // SAFETY: a host callback; the id is borrowed for the call.
        unsafe { request_poll(h, task_execution_id.as_ptr()) };
    }
}

/// True when the host wants the task gone.
pub fn is_cancelled(task_execution_id: &CStr) -> bool {
    let Some(h) = get() else { return false };
    // SAFETY: a host callback; the id is borrowed for the call.
    h.is_cancelled.map(|f| unsafe { f(h, task_execution_id.as_ptr()) } != 0).unwrap_or(false)
}

/// Reads a secret, lends its bytes to `use_secret` and releases it at once (the host wipes the bytes on
/// release). A secret the plugin may not read is an error like a missing one. Never log the value.
pub fn with_secret<T>(name: &str, use_secret: impl FnOnce(&[u8]) -> T) -> Result<T, Failure> {
    let h = get().ok_or_else(|| Failure::system("NoHost", "no host table"))?;
    let get_secret = h.get_secret.ok_or_else(|| Failure::system("NoSecrets", "the host offers no get_secret"))?;
    let name = CString::new(name).map_err(|_| Failure::user("BadConfig", "secret name contains NUL"))?;
    let mut value = aloft_buffer::EMPTY;
    let mut error = aloft_error {
        struct_size: std::mem::size_of::<aloft_error>() as u32, // the host writes the error only if this fits
        kind: 0,
        retryable: 0,
        reserved: 0,
        code: aloft_buffer::EMPTY,
        message: aloft_buffer::EMPTY,
    };
    // SAFETY: a host callback with a NUL-terminated name and our own out-parameters.
    let status = unsafe { get_secret(h, name.as_ptr(), &mut value, &mut error) };
    if status == ALOFT_OK {
        let result = use_secret(borrowed(aloft_bytes { data: value.data, len: value.len }));
        if let Some(release) = value.release {
            // SAFETY: the host's release, exactly once.
            unsafe { release(&mut value) };
        }
        return Ok(result);
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
