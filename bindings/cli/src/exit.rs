//! Exit codes, and how a facade error becomes one.

use std::process::ExitCode;

use facade::{Error, ErrorKind};

/// A check answered no, or a verification failed.
pub const NEGATIVE: u8 = 1;
/// EX_DATAERR: the input is malformed.
pub const DATA_ERROR: u8 = 65;
/// EX_TEMPFAIL: try again later.
pub const TEMPORARY_FAILURE: u8 = 75;
/// EX_IOERR: reading input or writing output failed.
pub const IO_ERROR: u8 = 74;

/// The exit code for a facade error, by its kind.
pub fn for_error(error: &Error) -> ExitCode {
    ExitCode::from(match error.kind() {
        ErrorKind::BadInput => DATA_ERROR,
        ErrorKind::Io => IO_ERROR,
        // A broken policy is the operator's to fix: defer the message meanwhile.
        ErrorKind::Config => TEMPORARY_FAILURE,
        // A list backend that is down (RFC 6134 §3): the MTA defers the delivery.
        ErrorKind::Temporary => TEMPORARY_FAILURE,
        // A kind this build does not know yet: an MTA retries a temporary failure, which is
        // safer than bouncing the message.
        _ => TEMPORARY_FAILURE,
    })
}
