use crate::abi::{aloft_error, aloft_error_kind, aloft_status, ALOFT_ERROR, ALOFT_ERROR_SYSTEM, ALOFT_ERROR_USER, ALOFT_OK};
use crate::buffer::owned_buffer;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// An error for the host: user or system, retryable or not, a short code and a message (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: aloft_error_kind,
    pub retryable: bool,
    pub code: String,
    pub message: String,
}

impl Failure {
    /// The user's task, inputs or configuration is wrong; not retryable.
    pub fn user(code: &str, message: &str) -> Failure {
        Failure { kind: ALOFT_ERROR_USER, retryable: false, code: code.into(), message: message.into() }
    }

    /// The platform failed; not retryable (see `retryable`).
    pub fn system(code: &str, message: &str) -> Failure {
        Failure { kind: ALOFT_ERROR_SYSTEM, retryable: false, code: code.into(), message: message.into() }
    }

    pub fn retryable(mut self) -> Failure {
        self.retryable = true;
        self
    }

    /// Fills the host's aloft_error, only when its struct_size has room for one (the host sets it).
    ///
    /// # Safety
    /// `out` is NULL or points to the aloft_error the host passed to this call.
    pub unsafe fn write(self, out: *mut aloft_error) {
        // SAFETY: per the contract above.
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

/// Runs one call the host made: Ok -> `ALOFT_OK`; Err or a panic -> `ALOFT_ERROR` with `*error_out` filled.
/// A panic's payload is kept out of the message (it could hold anything, even a secret).
///
/// # Safety
/// `error_out` is NULL or the aloft_error the host passed to the call being guarded.
pub unsafe fn guard(error_out: *mut aloft_error, call: &str, body: impl FnOnce() -> Result<(), Failure>) -> aloft_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return ALOFT_OK,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::system("Panic", &format!("the plugin panicked in {call}")),
    };
    // SAFETY: error_out is what the host passed to the call being guarded.
    unsafe { failure.write(error_out) };
    ALOFT_ERROR
}
