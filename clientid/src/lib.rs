//! # clientid — the SMTP CLIENTID extension
//!
//! Job: everything an SMTP server or client needs to speak CLIENTID, the extension of
//! draft-storey-smtp-client-id-13 by which a client presents an identity token (a UUID, a licence
//! key, a device id) after TLS and before AUTH.
//!
//! What it holds:
//! - the command syntax (draft §4–§5) for servers and clients, and the client's reading of the
//!   EHLO keyword (draft §3): [`ClientIdCommand`], [`EhloReply`];
//! - the server's session rules (draft §3, §4): [`Session`] answers whether to advertise the
//!   keyword and how to reply to each CLIENTID command;
//! - the per-type handling flags (draft §7): [`Handling`], [`HandlingTable`];
//! - the heuristics applied at AUTH (draft §6): [`ClientIdPolicy`], [`PolicyEngine`],
//!   [`Decision`];
//! - history stores (draft §6.3): the [`HistoryStore`] trait and [`MemoryStore`]; identities are
//!   stored under a keyed hash of their token ([`TokenHasher`], draft §7, §9).
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
mod handling;
mod identity;
mod limits;
pub mod policy;
pub mod reply;
mod rule;
mod session;
pub mod store;

pub use command::{ClientIdCommand, ClientIdToken, ClientIdType};
pub use ehlo::{EhloExtension, EhloLimits, EhloReply};
pub use error::{
    EhloError, REPLY_COMMAND_UNRECOGNIZED, REPLY_SYNTAX_ERROR_IN_PARAMETERS, SyntaxError,
};
pub use handling::{Handling, HandlingFlag, HandlingTable, LogAudience};
pub use identity::{IdentityKey, TokenHasher, TokenStorage};
pub use limits::{ConnectionSlot, ConnectionTracker};
pub use policy::{
    Action, Alert, AuthAttempt, ClientIdPolicy, Decision, Finding, Heuristic, PolicyEngine,
    RefusalPoint, Verdict,
};
pub use reply::Reply;
pub use rule::{MAX_TOKEN_LEN, MAX_TYPE_LEN, Rule, Strictness, VERB};
pub use session::{AuthOutcome, Event, PresentedIdentity, Response, Session, SessionConfig};
pub use store::{HistoryStore, MemoryStore, StoreError};
