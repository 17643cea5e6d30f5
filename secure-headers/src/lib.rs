//! # secure-headers — the SecureHeaderFields signed attribute
//!
//! Job: decide which header fields of a message are protected by an S/MIME signature, in which
//! canonical form, and tell a receiver what holds for each of them. Carries no cryptography:
//! `smime-core` signs and verifies the bytes this crate produces.
//!
//! Spec: RFC 7508 (Securing Header Fields with S/MIME), the published form of
//! draft-cailleux-secure-headers-05; header canonicalization from RFC 6376 §3.4.1–§3.4.2.
//!
//! Status: not implemented yet. The crate has no API.
#![forbid(unsafe_code)]
