//! Inputs to path validation: purpose and RFC 5280 §6.1.1 initial settings.

use const_oid::ObjectIdentifier;

/// Why validation is wanted: decides the leaf keyUsage/EKU checks (RFC 8550 §4.4.2, §4.4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Verifying a signature: keyUsage, when present, must have digitalSignature or
    /// nonRepudiation.
    Signing,
    /// Encrypting to the certificate: keyUsage, when present, must have keyEncipherment or
    /// keyAgreement.
    Encryption,
}

/// Settings for [`validate_path`](super::validate_path).
#[derive(Debug, Clone)]
pub struct PathOptions {
    /// Validation time in unix seconds (RFC 5280 §6.1.1 (b)). Zero is treated as one second
    /// past the epoch, because certval reads zero as "skip validity checks".
    pub time: u64,
    /// Purpose the leaf will be used for.
    pub purpose: Purpose,
    /// user-initial-policy-set (RFC 5280 §6.1.1 (c)); empty means anyPolicy.
    pub initial_policy_set: Vec<ObjectIdentifier>,
    /// initial-explicit-policy (RFC 5280 §6.1.1 (f)).
    pub initial_explicit_policy: bool,
    /// initial-policy-mapping-inhibit (RFC 5280 §6.1.1 (e)).
    pub initial_policy_mapping_inhibit: bool,
    /// initial-any-policy-inhibit (RFC 5280 §6.1.1 (g)).
    pub initial_any_policy_inhibit: bool,
    /// Accept SHA-1 based certificate and CRL signatures. Default false: a certificate signed
    /// with SHA-1 fails with `UnsupportedAlgorithm` and a SHA-1 signed CRL is ignored.
    pub allow_sha1: bool,
    /// DER CRLs available offline (used only when `check_revocation` is set).
    pub crls: Vec<Vec<u8>>,
    /// Check revocation against `crls` (offline only; nothing is fetched). Default false.
    /// When set, every certificate below the anchor needs a current CRL from its issuer among
    /// `crls`, or the path fails with `RevocationUnknown`. certval does not handle delta CRLs,
    /// indirect CRLs, CRLs partitioned by reason, or CRLs signed by another key of the issuer.
    pub check_revocation: bool,
}

impl PathOptions {
    /// Options for validating at `time` (unix seconds) for `purpose`, everything else default:
    /// anyPolicy, no explicit policy, mapping and anyPolicy allowed, no SHA-1, no revocation.
    pub fn at(time: u64, purpose: Purpose) -> Self {
        PathOptions {
            time,
            purpose,
            initial_policy_set: Vec::new(),
            initial_explicit_policy: false,
            initial_policy_mapping_inhibit: false,
            initial_any_policy_inhibit: false,
            allow_sha1: false,
            crls: Vec::new(),
            check_revocation: false,
        }
    }
}
