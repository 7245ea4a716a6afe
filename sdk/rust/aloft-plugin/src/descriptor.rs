use crate::abi::aloft_plugin;
use std::ffi::c_char;

/// The descriptor as a `static`: raw pointers are not `Sync`, so the struct is wrapped. It must point only at
/// `'static`, immutable data (C string literals, other statics, functions): the host reads it until exit.
#[repr(transparent)]
pub struct Descriptor(pub aloft_plugin);

// SAFETY: the descriptor and everything it points to are immutable and live as long as the process.
unsafe impl Sync for Descriptor {}

impl Descriptor {
    pub fn as_ptr(&'static self) -> *const aloft_plugin {
        &self.0
    }
}

/// The NULL-terminated task type array, e.g. `TaskTypes([c"echo".as_ptr(), std::ptr::null()])`.
#[repr(transparent)]
pub struct TaskTypes<const N: usize>(pub [*const c_char; N]);

// SAFETY: as for Descriptor: pointers to 'static C string literals.
unsafe impl<const N: usize> Sync for TaskTypes<N> {}

impl<const N: usize> TaskTypes<N> {
    pub const fn as_ptr(&'static self) -> *const *const c_char {
        self.0.as_ptr()
    }
}
