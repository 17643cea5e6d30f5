//! # pgp-core — OpenPGP and PGP/MIME
//!
//! OpenPGP keys, signatures and encryption through sequoia-openpgp, and the MIME layer
//! sequoia leaves out: PGP/MIME messages (RFC 3156) built, verified and decrypted whole, with
//! a report per signature and per decryption.
//!
//! Spec: RFC 9580 and RFC 4880 (OpenPGP), RFC 3156 (MIME Security with OpenPGP), RFC 9788
//! (header protection).
//!
//! ```
//! use pgp_core::{Key, KeyOptions, PgpPolicy, mime};
//!
//! let policy = PgpPolicy::new();
//! let (alice, _) = Key::generate("Alice <alice@example.org>", &KeyOptions::default())?;
//! let (bob, _) = Key::generate("Bob <bob@example.net>", &KeyOptions::default())?;
//! let message = b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\nHello Bob\r\n";
//!
//! // Alice signs and encrypts to Bob (and to herself, to read her sent mail).
//! let sealed = mime::encrypt(message, &[bob.public(), alice.public()], &[alice.clone()], &policy)?;
//!
//! // Bob decrypts and verifies.
//! let opened = mime::open(&sealed, &[bob], &[alice.public()], &policy)?;
//! assert!(opened.is_valid(), "{opened}");
//! assert!(opened.content.ends_with(b"Hello Bob\r\n"));
//! # Ok::<(), pgp_core::Error>(())
//! ```
//!
//! ## Cryptographic backend
//! The crate enables no sequoia backend itself: sequoia refuses a build with two, and only the
//! program that links everything knows which one it wants. The `crypto-nettle` feature (or
//! `crypto-openssl`) is re-exported for that program to choose. The mailsec bindings and
//! command line choose **Nettle**: it is sequoia's production default, constant-time where it
//! matters, and packaged by every distribution (`nettle-dev`). The RustCrypto backend is left
//! out on purpose: sequoia marks it experimental and not constant-time.
//!
//! Licence note: sequoia-openpgp is LGPL-2.0-or-later; the facade enables this crate only
//! under its `pgp` feature, so the default build carries no LGPL code.
#![forbid(unsafe_code)]

mod decrypt;
mod encrypt;
mod error;
mod helper;
mod keys;
mod keystore;
mod limits;
pub mod mime;
mod policy;
mod report;
mod sign;
mod verify;

pub use decrypt::{Decrypted, decrypt};
pub use encrypt::encrypt;
pub use error::Error;
pub use keys::{CipherSuite, Key, KeyOptions, KeyProfile, RevocationReason};
pub use keystore::KeyStore;
pub use limits::{Limit, Limits};
pub use policy::PgpPolicy;
pub use report::{
    DecryptionReport, Protection, SignatureReport, SignatureVerdict, VerificationReport,
};
pub use sign::{SignMode, sign};
pub use verify::{Verified, verify_detached, verify_inline};

/// sequoia-openpgp itself, for callers who need what this crate does not wrap.
pub use sequoia_openpgp as openpgp;
