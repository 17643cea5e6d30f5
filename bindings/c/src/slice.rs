//! Byte slices across the boundary: inputs as `(pointer, length)` pairs, borrowed strings out.

use std::ffi::{CStr, c_char};
use std::slice;

/// A borrowed string handed to C: `len` bytes at `data`, not NUL-terminated. It stays valid as
/// long as the object it was taken from.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_str {
    /// First byte; never NULL (an empty string points to a static empty buffer).
    pub data: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

impl mailsec_str {
    pub(crate) fn empty() -> Self {
        Self::borrow("")
    }

    pub(crate) fn borrow(s: &str) -> Self {
        mailsec_str {
            data: s.as_ptr().cast::<c_char>(),
            len: s.len(),
        }
    }
}

/// Borrows `len` bytes at `data` as a slice; NULL is accepted only with length 0.
///
/// # Safety
/// If `len` > 0, `data` is valid for reads of `len` bytes for the lifetime `'a`.
pub(crate) unsafe fn input_bytes<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if data.is_null() {
        return None;
    }
    // SAFETY: non-NULL and valid for `len` bytes by the caller's contract.
    Some(unsafe { slice::from_raw_parts(data, len) })
}

/// Borrows an array of `len` values at `data` (an array of handle pointers, say); NULL is accepted
/// only with length 0.
///
/// # Safety
/// If `len` > 0, `data` is valid for reads of `len` values of `T` for the lifetime `'a`.
pub(crate) unsafe fn input_array<'a, T>(data: *const T, len: usize) -> Option<&'a [T]> {
    if len == 0 {
        return Some(&[]);
    }
    if data.is_null() {
        return None;
    }
    // SAFETY: non-NULL and valid for `len` values by the caller's contract.
    Some(unsafe { slice::from_raw_parts(data, len) })
}

/// Borrows a NUL-terminated C string as UTF-8: `Ok(None)` for NULL, `Err(())` when it is not
/// UTF-8.
///
/// # Safety
/// `s` is NULL or points to a NUL-terminated string valid for reads for the lifetime `'a`.
pub(crate) unsafe fn input_c_str<'a>(s: *const c_char) -> Result<Option<&'a str>, ()> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(s) };
    s.to_str().map(Some).map_err(|_| ())
}

/// Copies `bytes` into a caller's buffer of `len` bytes; `false` if it does not fit.
///
/// # Safety
/// `buf` is valid for writes of `len` bytes (it may be NULL only if `len` is 0).
pub(crate) unsafe fn copy_out(bytes: &[u8], buf: *mut u8, len: usize) -> bool {
    if bytes.len() > len || (buf.is_null() && !bytes.is_empty()) {
        return false;
    }
    if !bytes.is_empty() {
        // SAFETY: `buf` is non-NULL and valid for `len` >= `bytes.len()` bytes; a Rust slice and a
        // caller's buffer cannot overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, bytes.len()) };
    }
    true
}
