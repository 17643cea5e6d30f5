//! The crate's error type: what was wrong with the input, and where.

use crate::limits::Limit;
use crate::model::ValueDefect;
use crate::profile::Profile;

/// Everything that can go wrong building, encoding or decoding a SecureHeaderFields structure,
/// or rewriting a message.
///
/// Verification does not fail on a mismatch: mismatches are entries of the
/// [`VerificationReport`](crate::VerificationReport). Errors are for input that cannot be
/// processed at all.
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
    /// A secured field cannot be carried by the wire profile (e.g. a non-ASCII value or a tab
    /// under the draft-05 profile, or an 8-bit non-UTF-8 value under RFC 7508).
    #[error("field {field:?} cannot be secured under the {profile} profile: {defect}")]
    Unrepresentable {
        /// The field name as it appears in the message.
        field: String,
        /// The profile that cannot carry it.
        profile: Profile,
        /// What is wrong with the value.
        defect: ValueDefect,
    },
    /// A field name is not a VisibleString without ":" (draft §4.1 HeaderFieldName).
    #[error("field name {name:?} is not a valid header field name: {reason}")]
    InvalidFieldName {
        /// The name, lossily decoded.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The policy selects no field that the message carries: `HeaderFields` has SIZE (1..MAX).
    #[error("no header field to secure: the message carries none of the policy's fields")]
    NothingToSecure,
    /// The DER is not a SecureHeaderFields structure.
    #[error("malformed SecureHeaderFields at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset into the input where the problem was found.
        offset: usize,
        /// What was expected or wrong.
        reason: String,
    },
    /// A HeaderField carries a status outside duplicated(0), deleted(1), modified(2).
    #[error("field #{index} ({name:?}) has unknown status {value}")]
    UnknownStatus {
        /// Zero-based index in HeaderFields.
        index: usize,
        /// The field name.
        name: String,
        /// The status found.
        value: i64,
    },
    /// The canonicalization algorithm is neither simple(0) nor relaxed(1).
    #[error("unknown canonicalization algorithm {value}")]
    UnknownAlgorithm {
        /// The ENUMERATED value found (saturated at u64::MAX).
        value: u64,
    },
    /// The attribute identifier is not one of an accepted profile.
    #[error(
        "attribute {oid} is not an accepted SecureHeaderFields identifier (accepted: {accepted})"
    )]
    ProfileNotAccepted {
        /// The identifier found.
        oid: String,
        /// The accepted profiles, comma-separated.
        accepted: String,
    },
    /// The attribute carries zero or several values; RFC 5652 §11 signed attributes of this
    /// type carry exactly one.
    #[error("the attribute must carry exactly one value, found {count}")]
    AttributeValueCount {
        /// How many values were found.
        count: usize,
    },
    /// A `modified` field has no replacement value in the policy (§4.6.1 step 1.3).
    #[error("field {field:?} is modified but the policy has no replacement value for it")]
    NoReplacement {
        /// The field name.
        field: String,
    },
}

impl Error {
    /// A stable identifier of the variant, for bindings and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Error::LimitExceeded { .. } => "limit-exceeded",
            Error::Unrepresentable { .. } => "unrepresentable",
            Error::InvalidFieldName { .. } => "invalid-field-name",
            Error::NothingToSecure => "nothing-to-secure",
            Error::Malformed { .. } => "malformed",
            Error::UnknownStatus { .. } => "unknown-status",
            Error::UnknownAlgorithm { .. } => "unknown-algorithm",
            Error::ProfileNotAccepted { .. } => "profile-not-accepted",
            Error::AttributeValueCount { .. } => "attribute-value-count",
            Error::NoReplacement { .. } => "no-replacement",
        }
    }

    /// The header field the error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Unrepresentable { field, .. } | Error::NoReplacement { field } => Some(field),
            Error::InvalidFieldName { name, .. } | Error::UnknownStatus { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The byte offset into the input the error refers to, when there is one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Error::Malformed { offset, .. } => Some(*offset),
            _ => None,
        }
    }
}
