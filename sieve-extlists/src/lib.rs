//! # sieve-extlists — Sieve with externally stored lists
//!
//! A Sieve interpreter (RFC 5228) whose headline is RFC 6134 externally stored lists
//! (`:list`, `redirect :list`, `valid_ext_list`), with the list backends an MTA needs:
//! in memory, a directory of list files, and an embedded SQLite store.
//!
//! A script is compiled once into a [`Script`] (line:column errors for anything wrong) and
//! evaluated many times, from any number of threads, against a message, an envelope and a
//! [`ListResolver`]. Evaluation returns the [`Action`]s for the host to carry out; it never
//! delivers or sends anything itself. A list backend that is temporarily down ends the
//! evaluation with [`Error::Defer`] (RFC 6134 §3: like failing to fetch the script).
//!
//! ```
//! use sieve_extlists::{Action, Context, ListType, MemoryLists, Script};
//!
//! let script = Script::compile(r#"
//!     require ["envelope", "extlists", "fileinto"];
//!     if envelope :list "from" ":addrbook:default" { fileinto "friends"; }
//! "#)?;
//! let mut lists = MemoryLists::new();
//! lists.insert(":addrbook:default", ListType::Address, ["*@example.org"])?;
//!
//! let message = b"From: Alice <alice@example.org>\r\nSubject: hi\r\n\r\nhello\r\n";
//! let context = Context::new(&lists).with_envelope(Some("Alice@Example.org"), Some("me@example.com"));
//! let outcome = script.evaluate(message, &context)?;
//! assert!(matches!(&outcome.actions[..], [Action::Fileinto { mailbox, .. }] if mailbox == "friends"));
//! # Ok::<(), sieve_extlists::Error>(())
//! ```
//!
//! Spec: RFC 5228 and RFC 6134, with the extensions listed in [`CAPABILITIES`].
#![forbid(unsafe_code)]

mod action;
mod context;
mod error;
mod limits;
pub mod lists;

pub use action::{Action, Outcome, TraceEvent};
pub use context::{Clock, Context, Envelope, ScoreSource};
pub use error::{CompileError, CompileErrorKind, Error, ListError, Position};
pub use limits::Limits;
#[cfg(feature = "sqlite")]
pub use lists::SqliteLists;
pub use lists::{DirectoryLists, ListInfo, MemoryLists};
pub use lists::{
    Enumeration, ListMatch, ListName, ListNameError, ListResolver, ListType, NoLists,
    extlists_capability,
};
mod compile;
#[cfg(test)]
mod conformance;
mod eval;
mod lexer;
mod parser;
mod program;
mod script;
pub use compile::CAPABILITIES;
pub use script::Script;

/// The ManageSieve `SIEVE` capability value (RFC 5804 §1.7): the supported extensions,
/// space-separated.
pub fn sieve_capability() -> String {
    CAPABILITIES.join(" ")
}
