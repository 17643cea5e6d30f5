//! Variable-size byte outputs (DER encodings, rewritten messages, report text and JSON): one
//! Rust allocation handed to C, read in place and released with `mailsec_bytes_free`.

use std::ptr;

use crate::boundary::ffi_boundary;
use crate::handle::{Castable, borrow_handle, free_handle};

/// Bytes produced by mailsec: read them with `mailsec_bytes_data` and `mailsec_bytes_len`,
/// release them with `mailsec_bytes_free` (never with C's `free`).
pub struct mailsec_bytes {
    _private: [u8; 0],
}

impl Castable for mailsec_bytes {
    type RustType = Vec<u8>;
}

/// The first of `mailsec_bytes_len(bytes)` bytes. Valid until `bytes` is freed; never NULL for a
/// live handle (even when the length is 0), NULL if `bytes` is NULL. The bytes are not
/// NUL-terminated.
///
/// # Safety
/// `bytes` is NULL or a live bytes handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_bytes_data(bytes: *const mailsec_bytes) -> *const u8 {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { borrow_handle(bytes) } {
            Some(bytes) => bytes.as_ptr(),
            None => ptr::null(),
        }
    }
}

/// The number of bytes; 0 if `bytes` is NULL.
///
/// # Safety
/// `bytes` is NULL or a live bytes handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_bytes_len(bytes: *const mailsec_bytes) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(bytes) }.map_or(0, Vec::len)
    }
}

/// Releases bytes. NULL is ignored.
///
/// # Safety
/// `bytes` is NULL or a live bytes handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_bytes_free(bytes: *mut mailsec_bytes) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(bytes) }
    }
}
