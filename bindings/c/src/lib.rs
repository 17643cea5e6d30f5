//! # mailsec C API
//!
//! The C surface of mailsec, for MTAs and other C programs. Conventions (shared with rustls-ffi):
//!
//! - Every fallible function returns a `mailsec_result`; outputs go through out-parameters.
//!   `mailsec_error` turns a code into text. Parsers also fill an optional
//!   `mailsec_error_detail`: where the input broke, the SMTP reply to give, and a full message.
//! - Objects are opaque handles made by a constructor and released by their `_free` function;
//!   memory allocated by Rust is never released with C's `free`.
//! - Variable-size outputs (DER, rewritten messages, reports) come as a `mailsec_bytes` handle,
//!   read with `mailsec_bytes_data` and `mailsec_bytes_len`, released with `mailsec_bytes_free`.
//! - Byte inputs are `(const uint8_t *, size_t)` pairs and need not be NUL-terminated; a NULL
//!   pointer is allowed only with length 0.
//! - No panic crosses the boundary: every entry point catches it and returns
//!   `MAILSEC_RESULT_PANIC` (or a neutral value where the function returns no result code).
//!
//! The header, include/mailsec.h, is generated from this crate by cbindgen.
#![allow(non_camel_case_types)]

mod boundary;
mod bytes;
mod clientid;
mod clientid_session;
mod detail;
mod handle;
mod headers;
mod pgp;
mod result;
mod sieve;
mod slice;
mod smime;

pub use bytes::*;
pub use clientid::*;
pub use clientid_session::*;
pub use detail::*;
pub use headers::*;
pub use pgp::*;
pub use result::*;
pub use sieve::*;
pub use slice::*;
pub use smime::*;
