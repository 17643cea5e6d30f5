//! # smime-core — CMS and S/MIME
//!
//! Job: sign and verify messages with CMS SignedData (RFC 5652) carrying the SecureHeaderFields
//! attribute built by `secure-headers`, wrap them as S/MIME 4.0 messages (RFC 8551), encrypt and
//! decrypt, and validate the signer's certificate path (RFC 5280, RFC 8550).
//!
//! Spec: RFC 5652, RFC 8551, RFC 8550, RFC 5035, RFC 7508 (draft-cailleux-secure-headers-05 §4.5).
//!
//! Status: not implemented yet. The crate has no API.
#![forbid(unsafe_code)]
