//! # sieve-extlists — Sieve with externally stored lists
//!
//! Job: compile Sieve scripts (RFC 5228) once, evaluate them per delivery across threads, and
//! resolve RFC 6134 externally stored lists (`:list`, `redirect :list`, `valid_ext_list`)
//! through pluggable list backends, returning the actions for the host to carry out.
//!
//! Spec: RFC 5228, RFC 6134, and the extensions the RFC 6134 examples use.
//!
//! Status: not implemented yet. The crate has no API.
#![forbid(unsafe_code)]
