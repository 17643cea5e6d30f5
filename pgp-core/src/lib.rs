//! # pgp-core — OpenPGP and PGP/MIME
//!
//! Job: OpenPGP keys, signatures and encryption through sequoia-openpgp, and the MIME layer
//! sequoia leaves out: PGP/MIME messages (RFC 3156) built, verified and decrypted whole, with a
//! verification report per signature.
//!
//! Spec: RFC 9580 and RFC 4880 (OpenPGP), RFC 3156 (MIME Security with OpenPGP).
//!
//! Licence note: sequoia-openpgp is LGPL-2.0-or-later; the facade enables this crate only under
//! its `pgp` feature, so the default build carries no LGPL code.
//!
//! Status: not implemented yet. The crate has no API.
#![forbid(unsafe_code)]
