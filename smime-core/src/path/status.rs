//! Mapping of certval's statuses and errors onto [`PathFailure`].

use certval::{Error, PathValidationStatus as S};

use super::PathFailure;

/// The failure for a certval path validation status.
pub(crate) fn failure_for_status(status: S) -> PathFailure {
    match status {
        S::NameChainingFailure
        | S::MissingTrustAnchor
        | S::MissingTrustAnchorName
        | S::NoPathsFound => PathFailure::NoPathToTrustAnchor,
        S::SignatureVerificationFailure => PathFailure::BadSignature,
        S::InvalidNotBeforeDate => PathFailure::NotYetValid,
        S::InvalidNotAfterDate => PathFailure::Expired,
        S::MissingBasicConstraints | S::InvalidBasicConstraints => PathFailure::NotACa,
        S::InvalidPathLength => PathFailure::PathLengthExceeded,
        S::InvalidKeyUsage => PathFailure::KeyUsage,
        S::NullPolicySet | S::InvalidPolicyMapping => PathFailure::Policy,
        S::NameConstraintsViolation => PathFailure::NameConstraints,
        S::UnprocessedCriticalExtension => PathFailure::UnknownCriticalExtension,
        S::EncodingError | S::MissingCertificate | S::SelfSignedEndIdentity => {
            PathFailure::InvalidCertificate
        }
        S::CertificateRevoked
        | S::CertificateRevokedEndEntity
        | S::CertificateRevokedIntermediateCa
        | S::CertificateOnHold
        | S::CertificateBlocklisted => PathFailure::Revoked,
        S::RevocationStatusNotDetermined | S::StatusCheckReliedOnStaleCrl => {
            PathFailure::RevocationUnknown
        }
        S::InsufficientKeySize => PathFailure::WeakKey,
        // Valid/NotYetValidated cannot accompany an error; the rest have no closer match.
        S::Valid
        | S::NotYetValidated
        | S::Misconfiguration
        | S::TrustAnchorConstraintsMismatch
        | S::ProcessingLimitExceeded => PathFailure::Other,
        _ => PathFailure::Other,
    }
}

/// The failure for an error returned by certval, preferring the status it recorded.
pub(crate) fn failure_for_error(error: &Error, recorded: Option<S>) -> PathFailure {
    match (error, recorded) {
        (Error::PathValidation(status), _) => failure_for_status(*status),
        (_, Some(status)) if status != S::NotYetValidated && status != S::Valid => {
            failure_for_status(status)
        }
        (Error::Asn1Error(_) | Error::ParseError, _) => PathFailure::InvalidCertificate,
        (Error::NotFound, _) => PathFailure::NoPathToTrustAnchor,
        _ => PathFailure::Other,
    }
}
