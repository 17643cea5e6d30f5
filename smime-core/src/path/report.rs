//! The outcome of a path validation: verdict, reason, and the path that was checked.

use core::fmt;

use serde::Serialize;
use x509_cert::Certificate;

/// Result of [`validate_path`](super::validate_path).
#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    /// Whether the path is valid and, if not, why.
    pub verdict: PathVerdict,
    /// The path that was checked (the valid one, or the best failing one), leaf first, anchor
    /// last. When no path to an anchor could be built it holds the leaf followed by the longest
    /// partial chain that was found, so the last entry names the certificate whose issuer is
    /// missing.
    pub path: Vec<CertificateSummary>,
}

impl PathReport {
    /// True when the verdict is [`PathVerdict::Valid`].
    pub fn is_valid(&self) -> bool {
        self.verdict == PathVerdict::Valid
    }
}

/// Identifies one certificate of a reported path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Subject distinguished name as an RFC 4514 string.
    pub subject: String,
    /// Issuer distinguished name as an RFC 4514 string.
    pub issuer: String,
    /// Serial number, lowercase hex of its DER content octets.
    pub serial: String,
}

impl CertificateSummary {
    /// Summarises a certificate for a report.
    pub(crate) fn of(cert: &Certificate) -> Self {
        let tbs = cert.tbs_certificate();
        let serial = tbs
            .serial_number()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        CertificateSummary {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial,
        }
    }
}

/// Whether the path is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum PathVerdict {
    /// A path from the leaf to a trust anchor passed every check.
    Valid,
    /// No path passed; `reason` explains the best failing one.
    Invalid {
        /// What went wrong.
        reason: PathFailure,
        /// Subject (RFC 4514) of the certificate at fault, when known.
        certificate: Option<String>,
    },
}

impl PathVerdict {
    /// Builds an [`PathVerdict::Invalid`] verdict.
    pub(crate) fn invalid(reason: PathFailure, certificate: Option<String>) -> Self {
        PathVerdict::Invalid {
            reason,
            certificate,
        }
    }
}

/// Why a path failed. Each variant names the RFC 5280 §6.1 / RFC 8550 §4.4 check that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PathFailure {
    /// No chain of the supplied certificates leads to a trust anchor (includes name chaining).
    NoPathToTrustAnchor,
    /// A certificate's notAfter is before the validation time (RFC 5280 §6.1.3 (a)(2)).
    Expired,
    /// A certificate's notBefore is after the validation time (RFC 5280 §6.1.3 (a)(2)).
    NotYetValid,
    /// A certificate signature does not verify (RFC 5280 §6.1.3 (a)(1)).
    BadSignature,
    /// An intermediate lacks basicConstraints cA=TRUE (RFC 5280 §6.1.4 (k)).
    NotACa,
    /// A pathLenConstraint was exceeded (RFC 5280 §6.1.4 (l), (m)).
    PathLengthExceeded,
    /// A keyUsage check failed: keyCertSign on a CA (RFC 5280 §6.1.4 (n)) or the leaf's usage
    /// for the purpose (RFC 8550 §4.4.2).
    KeyUsage,
    /// The leaf's extendedKeyUsage allows neither emailProtection nor anyExtendedKeyUsage
    /// (RFC 8550 §4.4.4).
    ExtendedKeyUsage,
    /// A name is outside the permitted or inside the excluded subtrees (RFC 5280 §6.1.3 (b), (c)).
    NameConstraints,
    /// Certificate policy processing failed (RFC 5280 §6.1.3 (d)–(f), §6.1.5 (g)).
    Policy,
    /// A certificate in the path is revoked (RFC 5280 §6.1.3 (a)(3)).
    Revoked,
    /// Revocation checking was requested but a status could not be determined from the CRLs
    /// supplied.
    RevocationUnknown,
    /// A critical extension was not recognised (RFC 5280 §6.1.4 (o), §6.1.5 (f)).
    UnknownCriticalExtension,
    /// A signature algorithm is not supported, or is disallowed (SHA-1 unless allowed).
    UnsupportedAlgorithm,
    /// An RSA key of a signing CA (or the anchor) is shorter than 2048 bits.
    WeakKey,
    /// A certificate is malformed (undecodable extension, mismatched algorithm fields, ...).
    InvalidCertificate,
    /// certval reported a status with no closer match here (for example a processing limit).
    Other,
}

impl fmt::Display for PathFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            PathFailure::NoPathToTrustAnchor => "no path to a trusted root",
            PathFailure::Expired => "certificate expired",
            PathFailure::NotYetValid => "certificate not yet valid",
            PathFailure::BadSignature => "certificate signature does not verify",
            PathFailure::NotACa => "issuer is not a CA",
            PathFailure::PathLengthExceeded => "path length constraint exceeded",
            PathFailure::KeyUsage => "key usage does not permit this use",
            PathFailure::ExtendedKeyUsage => "extended key usage does not permit email protection",
            PathFailure::NameConstraints => "name constraints violated",
            PathFailure::Policy => "certificate policy check failed",
            PathFailure::Revoked => "certificate revoked",
            PathFailure::RevocationUnknown => "revocation status unknown",
            PathFailure::UnknownCriticalExtension => "unknown critical extension",
            PathFailure::UnsupportedAlgorithm => "signature algorithm unsupported or not allowed",
            PathFailure::WeakKey => "CA key too short",
            PathFailure::InvalidCertificate => "malformed certificate",
            PathFailure::Other => "path validation failed",
        };
        f.write_str(text)
    }
}

impl fmt::Display for PathVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathVerdict::Valid => f.write_str("valid"),
            PathVerdict::Invalid {
                reason,
                certificate: Some(subject),
            } => write!(f, "invalid: {reason} ({subject})"),
            PathVerdict::Invalid {
                reason,
                certificate: None,
            } => write!(f, "invalid: {reason}"),
        }
    }
}
