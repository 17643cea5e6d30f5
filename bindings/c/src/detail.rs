//! Error details for parsers of untrusted input: where the input broke, the SMTP reply a server
//! gives for it, and the full message, so C callers log what Rust and Python callers see.

use std::ffi::c_char;

use crate::handle::write_out;

/// Capacity of `mailsec_error_detail::message`, including its terminating NUL.
pub const MAILSEC_DETAIL_MESSAGE_LEN: usize = 192;

/// What a parser found wrong with its input. Filled on failure when the caller passes a non-NULL
/// pointer; on success it is left untouched.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_error_detail {
    /// Byte offset in the input where the error was found (0 when it has none).
    pub offset: usize,
    /// The SMTP reply code a server answers with (501, 500…), or 0 when none applies.
    pub smtp_reply_code: u16,
    /// The full error message, NUL-terminated (truncated to fit).
    pub message: [c_char; MAILSEC_DETAIL_MESSAGE_LEN],
}

impl mailsec_error_detail {
    pub(crate) fn new(offset: usize, smtp_reply_code: u16, message: &str) -> Self {
        let mut detail = mailsec_error_detail {
            offset,
            smtp_reply_code,
            message: [0; MAILSEC_DETAIL_MESSAGE_LEN],
        };
        let bytes = message.as_bytes();
        let n = bytes.len().min(MAILSEC_DETAIL_MESSAGE_LEN - 1);
        for (slot, &byte) in detail.message.iter_mut().zip(&bytes[..n]) {
            *slot = byte as c_char;
        }
        detail
    }

    /// Stores the detail through `out` unless it is NULL.
    ///
    /// # Safety
    /// `out` is NULL or valid for a write.
    pub(crate) unsafe fn store(self, out: *mut mailsec_error_detail) {
        // SAFETY: forwarded from the caller's contract.
        unsafe { write_out(out, self) };
    }
}
