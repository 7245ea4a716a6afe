use crate::abi::{aloft_buffer, aloft_bytes};
use std::panic::catch_unwind;
use std::ptr;

/// A buffer the host releases with this crate's `release`: a `Box<[u8]>` freed by Rust's allocator. Empty
/// bytes give an empty buffer with nothing to release (in poll's `state` that means "keep the current one").
pub fn owned_buffer(bytes: Vec<u8>) -> aloft_buffer {
    if bytes.is_empty() {
        return aloft_buffer::EMPTY;
    }
    let boxed: Box<[u8]> = bytes.into_boxed_slice();
    let len = boxed.len();
    let data = Box::into_raw(boxed) as *const u8;
    aloft_buffer { data, len, release: Some(release_boxed_slice), private_data: ptr::null_mut() }
}

/// [thread-safe] Called exactly once by the receiver: rebuilds the Box, drops it, marks the buffer released.
unsafe extern "C" fn release_boxed_slice(this: *mut aloft_buffer) {
    let _ = catch_unwind(|| {
        // SAFETY: the host passes the buffer this crate made (or NULL).
        let Some(b) = (unsafe { this.as_mut() }) else { return };
        if !b.data.is_null() {
            let slice = ptr::slice_from_raw_parts_mut(b.data as *mut u8, b.len);
            // SAFETY: data and len are those of the Box<[u8]> owned_buffer leaked.
            drop(unsafe { Box::from_raw(slice) });
        }
        b.data = ptr::null();
        b.len = 0;
        b.release = None;
    });
}

/// Borrowed bytes as a slice, valid for the call that received them. NULL (allowed with length 0) is empty.
pub fn borrowed<'a>(b: aloft_bytes) -> &'a [u8] {
    if b.data.is_null() || b.len == 0 {
        &[]
    } else {
        // SAFETY: the host guarantees data points at len readable bytes for the duration of the call.
        unsafe { std::slice::from_raw_parts(b.data, b.len) }
    }
}

/// Copies a buffer someone handed us (the host: a secret's error) into a String and releases it, once.
pub fn take_string(b: &mut aloft_buffer) -> String {
    let s = String::from_utf8_lossy(borrowed(aloft_bytes { data: b.data, len: b.len })).into_owned();
    if let Some(release) = b.release {
        // SAFETY: the producer's release, called exactly once; it sets release to None.
        unsafe { release(b) };
    }
    s
}
