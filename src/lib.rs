//! # mailsec — mail security for MTAs, gateways and mail clients
//!
//! The facade over the mailsec crates: the one place that knows all of them, with one error type
//! ([`Error`]) whose [`ErrorKind`] tells a caller (an MTA, the `mailsec` command line, the C and
//! Python bindings) whether to bounce, defer or report.
//!
//! Capabilities available now:
//! - [`clientid`]: the SMTP CLIENTID extension (draft-storey-smtp-client-id-13): command syntax
//!   for servers and clients, EHLO keyword detection.
//!
//! ```
//! use mailsec::clientid::ClientIdCommand;
//! use mailsec::{Error, ErrorKind};
//!
//! let command = ClientIdCommand::parse(b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f")?;
//! assert_eq!(command.token().as_str(), "23bf83be-aad7-46aa-9e0f-39191ccf402f");
//!
//! let error: Error = ClientIdCommand::parse(b"CLIENTID MAC").unwrap_err().into();
//! assert_eq!(error.kind(), ErrorKind::BadInput);
//! assert_eq!(error.smtp_reply_code(), Some(501));
//! # Ok::<(), Error>(())
//! ```
#![forbid(unsafe_code)]

mod error;

pub use error::{Error, ErrorKind};

/// The SMTP CLIENTID extension (draft-storey-smtp-client-id-13), from the `clientid` crate.
pub mod clientid {
    pub use ::clientid::*;
}
