//! OpenPGP and PGP/MIME (RFC 9580, RFC 4880, RFC 3156), from the `pgp-core` crate (facade
//! feature `pgp`; the program linking mailsec picks the backend with `crypto-nettle`).
//!
//! ```
//! use mailsec::pgp::{Key, KeyOptions, PgpPolicy, mime};
//!
//! let policy = PgpPolicy::new();
//! let (alice, _revocation) = Key::generate("alice@example.org", &KeyOptions::default())?;
//! let message = b"From: alice@example.org\r\nSubject: minutes\r\n\r\nAttached.\r\n";
//! let signed = mime::sign(message, &[alice.clone()], &policy)?;
//! let opened = mime::open(&signed, &[], &[alice.public()], &policy)?;
//! assert!(opened.is_valid(), "{opened}");
//! # Ok::<(), mailsec::Error>(())
//! ```

pub use ::pgp_core::*;
