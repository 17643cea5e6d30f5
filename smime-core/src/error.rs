//! The crate's error type: input that cannot be processed at all. A signature or chain that
//! does not verify is not an error: it is an entry of the [`SmimeReport`](crate::SmimeReport).

use crate::limits::Limit;

/// Everything that stops signing or verification from producing a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A limit of [`Limits`](crate::Limits) was hit.
    #[error("{} exceeded: {actual} > {max}", .limit.name())]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// The configured maximum.
        max: usize,
        /// What the input had (a lower bound when counting stopped early).
        actual: usize,
    },
    /// A private key could not be read.
    #[error("private key: {reason}")]
    Key {
        /// What is wrong.
        reason: String,
    },
    /// A certificate could not be read, or lacks what the operation needs.
    #[error("certificate: {reason}")]
    Certificate {
        /// What is wrong.
        reason: String,
    },
    /// The private key is not the key of the signer's certificate.
    #[error("the private key does not belong to the certificate of {subject}")]
    KeyMismatch {
        /// The certificate's subject.
        subject: String,
    },
    /// The key cannot sign with the requested algorithm.
    #[error("unsupported algorithm: {what}")]
    UnsupportedAlgorithm {
        /// What was asked for.
        what: String,
    },
    /// The key backend failed to sign.
    #[error("signing failed: {reason}")]
    Signing {
        /// What the backend said.
        reason: String,
    },
    /// No signer was given.
    #[error("no signer given")]
    NoSigner,
    /// The CMS structure is not valid BER/DER of what RFC 5652 defines.
    #[error("malformed {what}{}: {reason}", .offset.map(|o| format!(" at byte {o}")).unwrap_or_default())]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// Byte offset in the structure's encoding, when known.
        offset: Option<usize>,
        /// What the decoder found.
        reason: String,
    },
    /// The ContentInfo holds something other than SignedData.
    #[error("the CMS object is {content_type}, not signed-data")]
    NotSignedData {
        /// The content type found.
        content_type: String,
    },
    /// The message is not an S/MIME signed message, or its MIME structure is broken.
    #[error("MIME: {reason}")]
    Mime {
        /// What is wrong, and where.
        reason: String,
    },
    /// The policy secures a field the S/MIME wrapping must rewrite.
    #[error("field {field:?} cannot be secured: {reason}")]
    CannotSecure {
        /// The field name.
        field: String,
        /// Why.
        reason: String,
    },
    /// The secure-headers layer refused the input or the policy.
    #[error(transparent)]
    Headers(#[from] secure_headers::Error),
    /// A bug: an invariant of this crate did not hold.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl From<der::Error> for Error {
    /// Errors encoding our own structures (the input was already checked).
    fn from(e: der::Error) -> Error {
        Error::Malformed {
            what: "encoding",
            offset: None,
            reason: e.to_string(),
        }
    }
}

impl Error {
    /// A short stable code for bindings and logs (`limit-exceeded`, `malformed`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::LimitExceeded { .. } => "limit-exceeded",
            Error::Key { .. } => "key",
            Error::Certificate { .. } => "certificate",
            Error::KeyMismatch { .. } => "key-mismatch",
            Error::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            Error::Signing { .. } => "signing",
            Error::NoSigner => "no-signer",
            Error::Malformed { .. } => "malformed",
            Error::NotSignedData { .. } => "not-signed-data",
            Error::Mime { .. } => "mime",
            Error::CannotSecure { .. } => "cannot-secure",
            Error::Headers(_) => "headers",
            Error::Internal(_) => "internal",
        }
    }

    /// Whether the input (message, CMS) was at fault, as opposed to the configuration
    /// (keys, certificates, algorithms) or a bug.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::LimitExceeded { .. }
                | Error::Malformed { .. }
                | Error::NotSignedData { .. }
                | Error::Mime { .. }
                | Error::Headers(_)
        )
    }
}
