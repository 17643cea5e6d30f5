//! The crate's one error type. Each variant says what was wrong and, where it helps, where.

use crate::limits::Limit;

/// Any error of pgp-core.
///
/// A signature that does not verify is *not* an error: it is an entry in a
/// [`VerificationReport`](crate::VerificationReport). Errors are for input that cannot be
/// processed at all, keys that cannot do what was asked, and limits.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// OpenPGP data (a key, a message, a signature) is malformed.
    #[error("malformed OpenPGP {what}: {message}")]
    Malformed {
        /// What was being parsed: `key`, `message`, `signature`, `revocation`.
        what: &'static str,
        /// What the parser found wrong.
        message: String,
    },
    /// A MIME structure is not what RFC 3156 requires.
    #[error("PGP/MIME: {message} (at byte {offset})")]
    Mime {
        /// What is wrong.
        message: String,
        /// Byte offset in the message where the problem was found.
        offset: usize,
    },
    /// An input exceeds a configured limit.
    #[error("limit {limit} exceeded: {actual} > {max}")]
    Limit {
        /// Which limit.
        limit: Limit,
        /// The configured maximum.
        max: usize,
        /// What the input needed (or a lower bound of it).
        actual: usize,
    },
    /// The key has no secret key material usable for the operation.
    #[error("key {fingerprint} has no usable secret {purpose} key")]
    NoSecretKey {
        /// The certificate's fingerprint.
        fingerprint: String,
        /// `signing` or `decryption`.
        purpose: &'static str,
    },
    /// The certificate has no key valid for the operation under the policy (expired,
    /// revoked, missing, or using an algorithm the policy rejects).
    #[error("certificate {fingerprint} has no valid {purpose} key: {reason}")]
    NoValidKey {
        /// The certificate's fingerprint.
        fingerprint: String,
        /// `signing` or `encryption`.
        purpose: &'static str,
        /// Why (sequoia's explanation).
        reason: String,
    },
    /// The secret key is password-protected and no (correct) password was given.
    #[error("secret key {fingerprint} is locked: {message}")]
    Locked {
        /// The (sub)key's fingerprint.
        fingerprint: String,
        /// What failed.
        message: String,
    },
    /// None of the given secret keys can decrypt the message.
    #[error("no secret key can decrypt the message (encrypted to {recipients})")]
    NoDecryptionKey {
        /// The key IDs the message names as recipients, comma-separated.
        recipients: String,
    },
    /// The message uses the Symmetrically Encrypted Data packet (tag 9), which has no
    /// integrity protection (RFC 9580 §5.7: MUST NOT be decrypted without a warning; we refuse).
    #[error("message is encrypted without integrity protection (SED packet), refused")]
    Unprotected,
    /// An operation was asked with nothing to do it with (no recipients, no signers).
    #[error("{0}")]
    Usage(String),
    /// Signing or encryption failed inside the OpenPGP implementation.
    #[error("OpenPGP operation failed: {0}")]
    Crypto(String),
    /// The key store could not be read or written.
    #[error("key store {path}: {message}")]
    Store {
        /// The file or directory involved.
        path: String,
        /// The operating system's (or the parser's) message.
        message: String,
    },
}

impl Error {
    /// Whether the error comes from the input (a message, a key someone sent) rather than
    /// from configuration (our own keys, the store) or a failure of the machine.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::Malformed { .. }
                | Error::Mime { .. }
                | Error::Limit { .. }
                | Error::Unprotected
                | Error::NoDecryptionKey { .. }
        )
    }

    pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Malformed {
            what,
            message: format!("{e:#}"),
        }
    }

    pub(crate) fn crypto(e: impl std::fmt::Display) -> Self {
        Error::Crypto(format!("{e:#}"))
    }

    pub(crate) fn mime(message: impl Into<String>, offset: usize) -> Self {
        Error::Mime {
            message: message.into(),
            offset,
        }
    }
}
