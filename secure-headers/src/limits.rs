//! Bounds on untrusted input: messages to build from or verify against, and DER structures.

use serde::{Deserialize, Serialize};

/// Limits applied to every parse. Hitting one is an [`Error::LimitExceeded`](crate::Error)
/// naming it, never a truncation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest header block (everything before the first empty line), in bytes.
    pub max_header_bytes: usize,
    /// Most header fields in a header block.
    pub max_header_fields: usize,
    /// Longest single header field, folding included, in bytes.
    pub max_field_bytes: usize,
    /// Most fields in one SecureHeaderFields structure.
    pub max_secured_fields: usize,
    /// Largest DER encoding accepted by the decoder, in bytes.
    pub max_der_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_header_bytes: 1 << 20,
            max_header_fields: 1000,
            max_field_bytes: 64 << 10,
            max_secured_fields: 1000,
            max_der_bytes: 1 << 20,
        }
    }
}

/// Which limit was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_header_bytes`].
    HeaderBytes,
    /// [`Limits::max_header_fields`].
    HeaderFields,
    /// [`Limits::max_field_bytes`].
    FieldBytes,
    /// [`Limits::max_secured_fields`].
    SecuredFields,
    /// [`Limits::max_der_bytes`].
    DerBytes,
}

impl Limit {
    /// The limit's name as policy files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Limit::HeaderBytes => "max_header_bytes",
            Limit::HeaderFields => "max_header_fields",
            Limit::FieldBytes => "max_field_bytes",
            Limit::SecuredFields => "max_secured_fields",
            Limit::DerBytes => "max_der_bytes",
        }
    }
}
