//! Result codes, and the text for each.

use std::ffi::c_char;

use facade::clientid::{EhloError, SyntaxError};

use crate::boundary::ffi_boundary;
use crate::handle::write_out;

/// What a mailsec function did: `MAILSEC_RESULT_OK`, or why it failed.
///
/// Codes are stable; new ones may be added. Codes 1000–1099 are CLIENTID command syntax errors
/// (draft-storey-smtp-client-id-13 §5), answered with 501 (or 500 for
/// `MAILSEC_RESULT_CLIENTID_NOT_CLIENTID`); 1100–1199 are EHLO reply errors.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullParameter = 1,
    /// mailsec panicked; this is a bug, please report it.
    Panic = 2,
    /// The caller's buffer is too small for the output.
    InsufficientSize = 3,
    /// A flags argument holds bits this version does not know.
    InvalidFlags = 4,
    /// A CLIENTID syntax error of a kind this version has no code for.
    ClientidSyntax = 1000,
    /// The CLIENTID input is empty.
    ClientidEmpty = 1001,
    /// The line's verb is not CLIENTID (answer 500).
    ClientidNotClientid = 1002,
    /// The client-id-type is missing.
    ClientidMissingType = 1003,
    /// The client-id-token is missing.
    ClientidMissingToken = 1004,
    /// The client-id-type is longer than 16 characters.
    ClientidTypeTooLong = 1005,
    /// The client-id-token is longer than 128 characters.
    ClientidTokenTooLong = 1006,
    /// A character the grammar does not allow where it stands.
    ClientidBadCharacter = 1007,
    /// A byte outside US-ASCII.
    ClientidNonAscii = 1008,
    /// More than two arguments.
    ClientidExtraArgument = 1009,
    /// The EHLO reply is malformed.
    EhloMalformed = 1100,
    /// EHLO was not answered with 250.
    EhloNotAccepted = 1101,
    /// The EHLO reply exceeds a size or line limit.
    EhloTooLarge = 1102,
}

impl mailsec_result {
    const ALL: [mailsec_result; 18] = [
        mailsec_result::Ok,
        mailsec_result::NullParameter,
        mailsec_result::Panic,
        mailsec_result::InsufficientSize,
        mailsec_result::InvalidFlags,
        mailsec_result::ClientidSyntax,
        mailsec_result::ClientidEmpty,
        mailsec_result::ClientidNotClientid,
        mailsec_result::ClientidMissingType,
        mailsec_result::ClientidMissingToken,
        mailsec_result::ClientidTypeTooLong,
        mailsec_result::ClientidTokenTooLong,
        mailsec_result::ClientidBadCharacter,
        mailsec_result::ClientidNonAscii,
        mailsec_result::ClientidExtraArgument,
        mailsec_result::EhloMalformed,
        mailsec_result::EhloNotAccepted,
        mailsec_result::EhloTooLarge,
    ];

    /// The code for a raw value from C, if it is one.
    fn from_raw(raw: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as u32 == raw)
    }

    fn text(self) -> &'static str {
        match self {
            mailsec_result::Ok => "success",
            mailsec_result::NullParameter => "a required pointer argument was NULL",
            mailsec_result::Panic => "internal error: mailsec panicked (a bug)",
            mailsec_result::InsufficientSize => "the output buffer is too small",
            mailsec_result::InvalidFlags => "unknown bits in a flags argument",
            mailsec_result::ClientidSyntax => "CLIENTID command syntax error",
            mailsec_result::ClientidEmpty => "empty CLIENTID input",
            mailsec_result::ClientidNotClientid => "not a CLIENTID command",
            mailsec_result::ClientidMissingType => "client-id-type missing",
            mailsec_result::ClientidMissingToken => "client-id-token missing",
            mailsec_result::ClientidTypeTooLong => "client-id-type longer than 16 characters",
            mailsec_result::ClientidTokenTooLong => "client-id-token longer than 128 characters",
            mailsec_result::ClientidBadCharacter => "character not allowed in CLIENTID command",
            mailsec_result::ClientidNonAscii => "non-ASCII byte in CLIENTID command",
            mailsec_result::ClientidExtraArgument => "extra argument after client-id-token",
            mailsec_result::EhloMalformed => "malformed EHLO reply",
            mailsec_result::EhloNotAccepted => "EHLO was not answered with 250",
            mailsec_result::EhloTooLarge => "EHLO reply exceeds a limit",
        }
    }
}

impl From<&SyntaxError> for mailsec_result {
    fn from(error: &SyntaxError) -> Self {
        match error {
            SyntaxError::Empty => mailsec_result::ClientidEmpty,
            SyntaxError::NotClientId => mailsec_result::ClientidNotClientid,
            SyntaxError::MissingType { .. } => mailsec_result::ClientidMissingType,
            SyntaxError::MissingToken { .. } => mailsec_result::ClientidMissingToken,
            SyntaxError::TypeTooLong { .. } => mailsec_result::ClientidTypeTooLong,
            SyntaxError::TokenTooLong { .. } => mailsec_result::ClientidTokenTooLong,
            SyntaxError::BadCharacter { .. } => mailsec_result::ClientidBadCharacter,
            SyntaxError::NonAscii { .. } => mailsec_result::ClientidNonAscii,
            SyntaxError::ExtraArgument { .. } => mailsec_result::ClientidExtraArgument,
            _ => mailsec_result::ClientidSyntax,
        }
    }
}

impl From<&EhloError> for mailsec_result {
    fn from(error: &EhloError) -> Self {
        match error {
            EhloError::NotAccepted { .. } => mailsec_result::EhloNotAccepted,
            EhloError::TooLarge { .. } | EhloError::TooManyLines { .. } => {
                mailsec_result::EhloTooLarge
            }
            _ => mailsec_result::EhloMalformed,
        }
    }
}

/// Writes the text for result code `result` into `buf` (at most `len` bytes, truncated if longer,
/// not NUL-terminated) and its length into `*out_n`. Unknown codes get a text saying so.
///
/// # Safety
/// `buf` is valid for writes of `len` bytes; `out_n` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_error(
    result: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) {
    ffi_boundary! {
        let text = match mailsec_result::from_raw(result) {
            Some(code) => code.text(),
            None => "unknown mailsec result code",
        };
        let n = if buf.is_null() { 0 } else { text.len().min(len) };
        if n > 0 {
            // SAFETY: `buf` is non-NULL and valid for `len` >= `n` bytes by the caller's contract;
            // the static text cannot overlap it.
            unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n) };
        }
        // SAFETY: `out_n` is NULL or valid for a write by the caller's contract.
        unsafe { write_out(out_n, n) };
    }
}
