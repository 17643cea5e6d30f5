//! Verification and decryption reports: what was checked, and what held.

use std::fmt;

use serde::Serialize;

/// What became of one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureVerdict {
    /// The signature is correct, made by a key valid under the policy at signing time.
    Good,
    /// The signature does not match the data (altered data or signature).
    Bad,
    /// No certificate given for the issuer: the signature could not be checked.
    UnknownSigner,
    /// The signing key was not valid when the signature was made (expired, revoked, not
    /// bound, not signing-capable).
    KeyInvalid,
    /// The policy rejects the signature (a SHA-1 or MD5 hash, a too-weak algorithm).
    Rejected,
    /// The signature packet is malformed or of an unknown version.
    Malformed,
}

impl SignatureVerdict {
    /// The verdict's name: `good`, `bad`, `unknown-signer`, `key-invalid`, `rejected`,
    /// `malformed`.
    pub fn name(self) -> &'static str {
        match self {
            SignatureVerdict::Good => "good",
            SignatureVerdict::Bad => "bad",
            SignatureVerdict::UnknownSigner => "unknown-signer",
            SignatureVerdict::KeyInvalid => "key-invalid",
            SignatureVerdict::Rejected => "rejected",
            SignatureVerdict::Malformed => "malformed",
        }
    }
}

/// What was checked of one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// The issuer named by the signature: a fingerprint when it carries one, else a key ID.
    pub issuer: Option<String>,
    /// Fingerprint of the certificate whose key made the signature, when known.
    pub signer_cert: Option<String>,
    /// Fingerprint of the (sub)key that made the signature, when known.
    pub signing_key: Option<String>,
    /// The signer's primary user ID, when known.
    pub signer_user_id: Option<String>,
    /// Whether the signing key is valid under the policy at the signature's creation time
    /// (`None` when the key is unknown).
    pub key_valid: Option<bool>,
    /// Signature creation time, seconds since the Unix epoch.
    pub created: Option<u64>,
    /// Hash algorithm, as RFC 9580 names it (`SHA256`).
    pub hash_algorithm: String,
    /// Public-key algorithm of the signature (`EdDSA`, `RSA`…).
    pub public_key_algorithm: String,
    /// The verdict.
    pub verdict: SignatureVerdict,
    /// Why, when the verdict is not good.
    pub detail: Option<String>,
}

/// Every signature found, and what became of each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    /// One entry per signature, in message order.
    pub signatures: Vec<SignatureReport>,
}

impl VerificationReport {
    /// Valid when at least one signature is good and none is bad, rejected or malformed.
    /// Signatures by unknown signers (or by keys no longer valid) do not invalidate a message
    /// that also carries a good signature: the reader sees them in the report.
    pub fn is_valid(&self) -> bool {
        self.signatures
            .iter()
            .any(|s| s.verdict == SignatureVerdict::Good)
            && !self.signatures.iter().any(|s| {
                matches!(
                    s.verdict,
                    SignatureVerdict::Bad
                        | SignatureVerdict::Rejected
                        | SignatureVerdict::Malformed
                )
            })
    }

    /// The fingerprints of the certificates that made good signatures.
    pub fn good_signers(&self) -> Vec<&str> {
        self.signatures
            .iter()
            .filter(|s| s.verdict == SignatureVerdict::Good)
            .filter_map(|s| s.signer_cert.as_deref())
            .collect()
    }
}

impl fmt::Display for VerificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.signatures.is_empty() {
            return write!(f, "no signature");
        }
        for (i, s) in self.signatures.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "signature {}: {} by {} ({}, {})",
                i + 1,
                s.verdict.name(),
                s.signer_user_id
                    .as_deref()
                    .or(s.signer_cert.as_deref())
                    .or(s.issuer.as_deref())
                    .unwrap_or("unknown issuer"),
                s.public_key_algorithm,
                s.hash_algorithm
            )?;
            if let Some(detail) = &s.detail {
                write!(f, ": {detail}")?;
            }
        }
        Ok(())
    }
}

/// How the encrypted data was protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protection {
    /// Symmetrically Encrypted and Integrity Protected Data, version 1 (CFB + MDC, RFC 4880).
    SeipdV1,
    /// SEIPD version 2 (AEAD, RFC 9580 §5.13.2).
    SeipdV2,
}

/// What was checked while decrypting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecryptionReport {
    /// The key IDs (or fingerprints) the message was encrypted to.
    pub recipients: Vec<String>,
    /// Fingerprint of the (sub)key that decrypted the session key.
    pub decrypted_with: Option<String>,
    /// Fingerprint of the certificate that subkey belongs to.
    pub decrypted_with_cert: Option<String>,
    /// Symmetric cipher of the data, as sequoia names it (`AES-256`).
    pub symmetric_algorithm: Option<String>,
    /// AEAD mode for SEIPD v2 (`OCB`), `None` for v1.
    pub aead_algorithm: Option<String>,
    /// Integrity protection of the data. Unprotected (SED) data is refused with
    /// [`Error::Unprotected`](crate::Error::Unprotected), so there is always one here.
    pub protection: Protection,
    /// Whether the data was compressed inside the encryption.
    pub compressed: bool,
    /// The signatures found inside the encryption (sign-then-encrypt), checked.
    pub signatures: VerificationReport,
}

impl fmt::Display for DecryptionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "decrypted with {} ({}, {})",
            self.decrypted_with.as_deref().unwrap_or("an unknown key"),
            self.symmetric_algorithm
                .as_deref()
                .unwrap_or("unknown cipher"),
            match self.protection {
                Protection::SeipdV1 => "SEIPD v1",
                Protection::SeipdV2 => "SEIPD v2",
            }
        )?;
        if !self.signatures.signatures.is_empty() {
            write!(f, "\n{}", self.signatures)?;
        }
        Ok(())
    }
}
