//! Bounds on what a received message may make us do.

use std::fmt;

/// Limits for parsing untrusted messages and CMS objects. Hitting one is an
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded), never a truncation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Most MIME parts in one message.
    pub max_mime_parts: usize,
    /// Deepest MIME nesting.
    pub max_mime_depth: usize,
    /// Most SignerInfos in one SignedData.
    pub max_signers: usize,
    /// Most certificates carried in one SignedData.
    pub max_certificates: usize,
    /// Most signed attributes in one SignerInfo.
    pub max_signed_attributes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_bytes: 64 << 20,
            max_mime_parts: 1000,
            max_mime_depth: 32,
            max_signers: 16,
            max_certificates: 64,
            max_signed_attributes: 64,
        }
    }
}

/// Which of the [`Limits`] was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_message_bytes`].
    MessageBytes,
    /// [`Limits::max_mime_parts`].
    MimeParts,
    /// [`Limits::max_mime_depth`].
    MimeDepth,
    /// [`Limits::max_signers`].
    Signers,
    /// [`Limits::max_certificates`].
    Certificates,
    /// [`Limits::max_signed_attributes`].
    SignedAttributes,
}

impl Limit {
    /// The limit's field name in [`Limits`] (and in the policy file).
    pub fn name(self) -> &'static str {
        match self {
            Limit::MessageBytes => "max_message_bytes",
            Limit::MimeParts => "max_mime_parts",
            Limit::MimeDepth => "max_mime_depth",
            Limit::Signers => "max_signers",
            Limit::Certificates => "max_certificates",
            Limit::SignedAttributes => "max_signed_attributes",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks `actual <= max`.
pub(crate) fn check(limit: Limit, max: usize, actual: usize) -> Result<(), crate::Error> {
    if actual > max {
        Err(crate::Error::LimitExceeded { limit, max, actual })
    } else {
        Ok(())
    }
}
