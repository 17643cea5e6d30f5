//! Limits on untrusted input: every parser of this crate checks them and reports the one hit.

use std::fmt;

/// Which limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Limit {
    /// Size of an input (message, key, signature) in octets.
    InputBytes,
    /// Size of the data a message decrypts or decompresses to (a compression bomb stops here).
    OutputBytes,
    /// Number of recipients of one encryption.
    Recipients,
    /// Number of certificates in one key block.
    Certificates,
    /// MIME nesting depth.
    MimeDepth,
    /// Number of MIME parts in one message.
    MimeParts,
    /// Number of header fields in one MIME header.
    HeaderFields,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::InputBytes => "input_bytes",
            Limit::OutputBytes => "output_bytes",
            Limit::Recipients => "recipients",
            Limit::Certificates => "certificates",
            Limit::MimeDepth => "mime_depth",
            Limit::MimeParts => "mime_parts",
            Limit::HeaderFields => "header_fields",
        })
    }
}

/// The limits, with defaults that suit mail: a 64 MiB message is larger than any MTA accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest input in octets. Default 64 MiB.
    pub max_input_bytes: usize,
    /// Largest decrypted or decompressed output in octets. Default 64 MiB.
    pub max_output_bytes: usize,
    /// Most recipients of one encryption. Default 1,000.
    pub max_recipients: usize,
    /// Most certificates read from one key block. Default 10,000.
    pub max_certificates: usize,
    /// Deepest MIME nesting followed. Default 20.
    pub max_mime_depth: usize,
    /// Most MIME parts in one message. Default 1,000.
    pub max_mime_parts: usize,
    /// Most header fields in one MIME header. Default 1,000.
    pub max_header_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 << 20,
            max_output_bytes: 64 << 20,
            max_recipients: 1_000,
            max_certificates: 10_000,
            max_mime_depth: 20,
            max_mime_parts: 1_000,
            max_header_fields: 1_000,
        }
    }
}

/// Fails with [`Error::Limit`](crate::Error::Limit) when `actual > max`.
pub(crate) fn check(limit: Limit, max: usize, actual: usize) -> Result<(), crate::Error> {
    if actual > max {
        return Err(crate::Error::Limit { limit, max, actual });
    }
    Ok(())
}
