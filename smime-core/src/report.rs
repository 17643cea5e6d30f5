//! What verification found: per signer, and for the secured header fields (draft §4.5.2).

use std::fmt;

use secure_headers::VerificationReport;

use crate::algorithm::DigestAlgorithm;
use crate::mime::SignedForm;
use crate::path::PathReport;

/// The result of verifying a signed message. [`is_valid`](Self::is_valid) is derived from it.
///
/// Serializes (serde) with a top-level `"valid"` and a per-signer `"valid"`.
#[derive(Clone, Debug)]
pub struct SmimeReport {
    /// Detached (multipart/signed) or opaque (application/pkcs7-mime).
    pub form: SignedForm,
    /// One entry per SignerInfo, in the order received.
    pub signers: Vec<SignerReport>,
    /// What the SecureHeaderFields say about the message's header.
    pub headers: HeadersOutcome,
}

/// The identity of a signer, from its certificate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignerIdentity {
    /// Certificate subject (RFC 4514).
    pub subject: String,
    /// Certificate issuer (RFC 4514).
    pub issuer: String,
    /// Serial number, hexadecimal.
    pub serial: String,
    /// The e-mail addresses the certificate vouches for (RFC 8550 §3).
    pub email_addresses: Vec<String>,
}

/// One SignerInfo's outcome.
#[derive(Clone, Debug)]
pub struct SignerReport {
    /// The signer's certificate, when it was found.
    pub identity: Option<SignerIdentity>,
    /// How the SignerInfo named its certificate, for when it was not found.
    pub signer_id: String,
    /// The signature scheme (`rsa-pkcs1-sha256`, `ecdsa-sha256`, `ed25519`, …), or the
    /// identifier when unsupported.
    pub algorithm: String,
    /// The message digest algorithm, when known.
    pub digest: Option<DigestAlgorithm>,
    /// signingTime, seconds since the Unix epoch (RFC 5652 §11.3).
    pub signing_time: Option<u64>,
    /// The signature check (RFC 5652 §5.6).
    pub signature: SignatureVerdict,
    /// The certificate path check (RFC 5280 §6), or why it was not done.
    pub chain: ChainOutcome,
    /// Whether the message's From/Sender matches the certificate (RFC 8550 §3).
    pub address: AddressMatch,
    /// Whether this SignerInfo carries a SecureHeaderFields attribute.
    pub secures_headers: bool,
}

impl SignerReport {
    /// Signature, chain and address all hold.
    pub fn is_valid(&self) -> bool {
        self.signature == SignatureVerdict::Valid
            && matches!(&self.chain, ChainOutcome::Checked(p) if p.is_valid())
            && matches!(
                self.address,
                AddressMatch::Matched { .. } | AddressMatch::NoMessage
            )
    }
}

/// The outcome of the signature check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum SignatureVerdict {
    /// messageDigest, contentType and the signature all check.
    Valid,
    /// Something does not.
    Invalid {
        /// Which check failed.
        reason: SignatureFailure,
        /// Details for a person.
        detail: String,
    },
}

/// Which signature check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureFailure {
    /// The signer's certificate is neither in the message nor supplied.
    CertificateNotFound,
    /// The digest or signature algorithm is not supported (or SHA-1, not allowed).
    UnsupportedAlgorithm,
    /// A required signed attribute is missing (RFC 5652 §5.3: contentType, messageDigest).
    MissingAttribute,
    /// A signed attribute is malformed or repeated.
    MalformedAttribute,
    /// The content's digest differs from messageDigest: the content was changed.
    DigestMismatch,
    /// contentType differs from the eContentType (RFC 5652 §11.1).
    ContentTypeMismatch,
    /// signingCertificateV2 names another certificate (RFC 5035 §5.4).
    CertificateBindingMismatch,
    /// The signature does not verify with the certificate's key.
    BadSignature,
}

impl SignatureFailure {
    /// The snake_case name, as in the JSON report (`digest_mismatch`, `bad_signature`, …).
    pub fn name(self) -> &'static str {
        match self {
            SignatureFailure::CertificateNotFound => "certificate_not_found",
            SignatureFailure::UnsupportedAlgorithm => "unsupported_algorithm",
            SignatureFailure::MissingAttribute => "missing_attribute",
            SignatureFailure::MalformedAttribute => "malformed_attribute",
            SignatureFailure::DigestMismatch => "digest_mismatch",
            SignatureFailure::ContentTypeMismatch => "content_type_mismatch",
            SignatureFailure::CertificateBindingMismatch => "certificate_binding_mismatch",
            SignatureFailure::BadSignature => "bad_signature",
        }
    }
}

impl fmt::Display for SignatureFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The certificate path outcome.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChainOutcome {
    /// The path was checked.
    Checked(PathReport),
    /// Not checked: no certificate to start from.
    NotChecked,
}

/// Whether the From/Sender address is one the signer's certificate vouches for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AddressMatch {
    /// This message address is in the certificate.
    Matched {
        /// The address.
        address: String,
    },
    /// None of the message's From/Sender addresses is in the certificate.
    Mismatch {
        /// The From and Sender addresses of the message.
        message: Vec<String>,
        /// The certificate's addresses.
        certificate: Vec<String>,
    },
    /// Not checked: no certificate.
    NotChecked,
    /// Not applicable: a bare CMS object was verified, outside any message.
    NoMessage,
}

/// What the SecureHeaderFields say (draft §4.5.2 steps 2–7).
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HeadersOutcome {
    /// No signer carries SecureHeaderFields: no header field is secured (draft §3: the
    /// message verifies as before). `mandatory` lists the fields the policy requires to be
    /// secured; when not empty, the message does not satisfy the policy.
    NotSecured {
        /// Fields the policy makes mandatory.
        mandatory: Vec<String>,
    },
    /// The signers carry different SecureHeaderFields (draft §4.5.1: it MUST be the same in
    /// each SignerInfo).
    SignersDisagree,
    /// A SecureHeaderFields attribute could not be decoded.
    Malformed {
        /// What secure-headers said.
        reason: String,
    },
    /// The structure was compared with the message's header.
    Checked(VerificationReport),
    /// A bare CMS object was verified: the structure was decoded (and agrees between
    /// signers) but there is no header to compare it with.
    Unchecked(secure_headers::SecureHeaderFields),
}

impl HeadersOutcome {
    /// Whether the header check holds.
    pub fn is_valid(&self) -> bool {
        match self {
            HeadersOutcome::NotSecured { mandatory } => mandatory.is_empty(),
            HeadersOutcome::SignersDisagree | HeadersOutcome::Malformed { .. } => false,
            HeadersOutcome::Checked(report) => report.is_valid(),
            HeadersOutcome::Unchecked(_) => true,
        }
    }
}

impl SmimeReport {
    /// Valid when there is a signer, every signer identity has a valid signature, and the
    /// header check holds.
    ///
    /// RFC 4853 §3: several SignerInfos from the same signer (e.g. one per algorithm) count
    /// as one signer, valid if one of them is; SignerInfos are grouped by certificate.
    pub fn is_valid(&self) -> bool {
        if self.signers.is_empty() || !self.headers.is_valid() {
            return false;
        }
        self.signers.iter().all(|signer| {
            signer.is_valid()
                || self
                    .signers
                    .iter()
                    .any(|other| other.is_valid() && same_identity(other, signer))
        })
    }

    /// Descriptions of everything that failed, one line each.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.signers.is_empty() {
            out.push("the message has no SignerInfo".to_string());
        }
        for (i, s) in self.signers.iter().enumerate() {
            let who = s
                .identity
                .as_ref()
                .map_or(s.signer_id.clone(), |id| id.subject.clone());
            if let SignatureVerdict::Invalid { reason, detail } = &s.signature {
                out.push(format!(
                    "signer {} ({who}): signature {reason:?}: {detail}",
                    i + 1
                ));
            }
            match &s.chain {
                ChainOutcome::Checked(p) if !p.is_valid() => out.push(format!(
                    "signer {} ({who}): certificate path: {}",
                    i + 1,
                    p.verdict
                )),
                ChainOutcome::NotChecked => out.push(format!(
                    "signer {} ({who}): certificate path not checked",
                    i + 1
                )),
                ChainOutcome::Checked(_) => {}
            }
            if let AddressMatch::Mismatch {
                message,
                certificate,
            } = &s.address
            {
                out.push(format!(
                    "signer {} ({who}): From/Sender {message:?} is not in the certificate ({certificate:?})",
                    i + 1
                ));
            }
        }
        match &self.headers {
            HeadersOutcome::NotSecured { mandatory } if !mandatory.is_empty() => out.push(format!(
                "no SecureHeaderFields, but the policy makes {mandatory:?} mandatory"
            )),
            HeadersOutcome::SignersDisagree => {
                out.push("signers carry different SecureHeaderFields".into())
            }
            HeadersOutcome::Malformed { reason } => {
                out.push(format!("SecureHeaderFields: {reason}"))
            }
            HeadersOutcome::Checked(r) => {
                out.extend(r.failures().map(|f| match &f.verdict {
                    secure_headers::Verdict::Mismatch(reason) => {
                        format!("secured header field {}: {reason}", f.name)
                    }
                    _ => format!("secured header field {}: missing from the message", f.name),
                }));
                out.extend(r.extra.iter().map(|e| {
                    format!(
                        "header field {} is in the message but not in the signature",
                        e.name
                    )
                }));
                out.extend(r.mandatory_missing.iter().map(|m| {
                    format!(
                        "mandatory header field {} is not secured by the signature",
                        m.name
                    )
                }));
            }
            HeadersOutcome::NotSecured { .. } | HeadersOutcome::Unchecked(_) => {}
        }
        out
    }
}

fn same_identity(a: &SignerReport, b: &SignerReport) -> bool {
    match (&a.identity, &b.identity) {
        (Some(x), Some(y)) => x.issuer == y.issuer && x.serial == y.serial,
        _ => false,
    }
}

impl fmt::Display for SmimeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "S/MIME {} signature: {}",
            self.form.name(),
            if self.is_valid() { "VALID" } else { "INVALID" }
        )?;
        for (i, s) in self.signers.iter().enumerate() {
            let who = s
                .identity
                .as_ref()
                .map_or(s.signer_id.clone(), |id| id.subject.clone());
            writeln!(f, "signer {}: {who}", i + 1)?;
            writeln!(f, "  algorithm: {}", s.algorithm)?;
            if let Some(t) = s.signing_time {
                writeln!(f, "  signing time: {}", format_time(t))?;
            }
            match &s.signature {
                SignatureVerdict::Valid => writeln!(f, "  signature: valid")?,
                SignatureVerdict::Invalid { reason, detail } => {
                    writeln!(f, "  signature: INVALID ({reason}): {detail}")?
                }
            }
            match &s.chain {
                ChainOutcome::Checked(p) => writeln!(f, "  certificate path: {}", p.verdict)?,
                ChainOutcome::NotChecked => writeln!(f, "  certificate path: not checked")?,
            }
            match &s.address {
                AddressMatch::Matched { address } => writeln!(f, "  address: {address} matches")?,
                AddressMatch::Mismatch {
                    message,
                    certificate,
                } => writeln!(
                    f,
                    "  address: MISMATCH: message {message:?}, certificate {certificate:?}"
                )?,
                AddressMatch::NotChecked => writeln!(f, "  address: not checked")?,
                AddressMatch::NoMessage => {}
            }
        }
        match &self.headers {
            HeadersOutcome::NotSecured { mandatory } if mandatory.is_empty() => {
                writeln!(
                    f,
                    "secured header fields: none (the signature carries no SecureHeaderFields)"
                )
            }
            HeadersOutcome::NotSecured { mandatory } => writeln!(
                f,
                "secured header fields: none, but the policy makes {mandatory:?} mandatory"
            ),
            HeadersOutcome::SignersDisagree => {
                writeln!(
                    f,
                    "secured header fields: INVALID: the signers carry different SecureHeaderFields"
                )
            }
            HeadersOutcome::Malformed { reason } => {
                writeln!(f, "secured header fields: INVALID: {reason}")
            }
            HeadersOutcome::Checked(report) => write!(f, "{report}"),
            HeadersOutcome::Unchecked(shf) => {
                writeln!(f, "SecureHeaderFields (not compared, no message):")?;
                write!(f, "{shf}")
            }
        }
    }
}

/// RFC 3339 UTC time.
pub(crate) fn format_time(unix: u64) -> String {
    match der::DateTime::from_unix_duration(std::time::Duration::from_secs(unix)) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minutes(),
            t.seconds()
        ),
        Err(_) => unix.to_string(),
    }
}

impl serde::Serialize for SmimeReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("SmimeReport", 5)?;
        s.serialize_field("valid", &self.is_valid())?;
        s.serialize_field("form", &self.form)?;
        s.serialize_field("signers", &self.signers)?;
        s.serialize_field("headers", &self.headers)?;
        s.serialize_field("failures", &self.failures())?;
        s.end()
    }
}

impl serde::Serialize for SignerReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("SignerReport", 10)?;
        s.serialize_field("valid", &self.is_valid())?;
        s.serialize_field("identity", &self.identity)?;
        s.serialize_field("signer_id", &self.signer_id)?;
        s.serialize_field("algorithm", &self.algorithm)?;
        s.serialize_field("digest", &self.digest)?;
        s.serialize_field("signing_time", &self.signing_time)?;
        s.serialize_field("signature", &self.signature)?;
        s.serialize_field("chain", &self.chain)?;
        s.serialize_field("address", &self.address)?;
        s.serialize_field("secures_headers", &self.secures_headers)?;
        s.end()
    }
}
