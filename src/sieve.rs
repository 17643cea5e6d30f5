//! Sieve (RFC 5228) with externally stored lists (RFC 6134), from the `sieve-extlists` crate:
//! compile a script once, evaluate it per delivery from any thread, and get back the actions
//! for the MTA to carry out. Errors convert into [`crate::Error`]; a list backend that is down
//! has [`crate::ErrorKind::Temporary`], which an MTA answers by deferring the delivery.
//!
//! ```
//! use mailsec::sieve::{Action, Context, ListType, MemoryLists, Script};
//!
//! let script = Script::compile(r#"
//!     require ["extlists", "reject"];
//!     if address :list "from" "tag:example.com,2026:blocked" { reject "not from you"; }
//! "#)?;
//! let mut lists = MemoryLists::new();
//! lists.insert("tag:example.com,2026:blocked", ListType::Address, ["*@spam.example"])?;
//! let outcome = script.evaluate(b"From: x@spam.example\r\n\r\nbuy\r\n", &Context::new(&lists))?;
//! assert_eq!(outcome.actions, [Action::Reject { reason: "not from you".into() }]);
//! # Ok::<(), mailsec::Error>(())
//! ```

pub use ::sieve_extlists::*;
