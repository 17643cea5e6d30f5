//! # clientid — the SMTP CLIENTID extension
//!
//! Job: everything an SMTP server or client needs to speak CLIENTID, the extension of
//! draft-storey-smtp-client-id-13 by which a client presents an identity token (a UUID, a licence
//! key, a device id) after TLS and before AUTH.
//!
//! Status: the command syntax (draft §4–§5) for servers and clients, and the client's reading of
//! the EHLO keyword (draft §3). The server session rules, per-type handling flags, policy
//! heuristics and history stores (draft §6–§9) are not implemented yet.
//!
//! ```
//! use clientid::{ClientIdCommand, Strictness, SyntaxError};
//!
//! // Server side: a line as received (draft §8.1).
//! let command = ClientIdCommand::parse(b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n")?;
//! assert_eq!(command.client_type().as_str(), "UUID");
//! assert_eq!(command.token().as_str(), "23bf83be-aad7-46aa-9e0f-39191ccf402f");
//!
//! // A malformed command is answered with 501 (draft §4, §8.4), and the error says where.
//! let error = ClientIdCommand::parse(b"CLIENTID MAC").unwrap_err();
//! assert_eq!((error.reply_code(), error.offset()), (501, 12));
//!
//! // draft §7 names DEVICE_ID as a type, which the §5 grammar forbids: accepted only when lenient.
//! assert!(ClientIdCommand::parse(b"CLIENTID DEVICE_ID a1").is_err());
//! assert!(ClientIdCommand::parse_with(b"CLIENTID DEVICE_ID a1", Strictness::Lenient).is_ok());
//! # Ok::<(), SyntaxError>(())
//! ```
#![forbid(unsafe_code)]

mod command;
mod ehlo;
mod error;
mod rule;

pub use command::{ClientIdCommand, ClientIdToken, ClientIdType};
pub use ehlo::{EhloExtension, EhloLimits, EhloReply};
pub use error::{
    EhloError, REPLY_COMMAND_UNRECOGNIZED, REPLY_SYNTAX_ERROR_IN_PARAMETERS, SyntaxError,
};
pub use rule::{MAX_TOKEN_LEN, MAX_TYPE_LEN, Rule, Strictness, VERB};
