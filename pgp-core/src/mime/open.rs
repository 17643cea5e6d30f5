//! Opening a PGP/MIME message: decrypt, verify, compare protected header fields.

use std::fmt;

use serde::Serialize;

use super::build::{OBSCURED_SUBJECT, PROTECTED_FIELDS, push_crlf_lines};
use super::header::{self, Entity};
use super::parse::{MimeKind, body_parts, kind_of};
use crate::error::Error;
use crate::keys::Key;
use crate::limits::{Limit, check};
use crate::policy::PgpPolicy;
use crate::report::{DecryptionReport, VerificationReport};

/// How a protected header field compares with the one that arrived outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderStatus {
    /// The same value inside and outside.
    Match,
    /// Different values: the outer one was changed in transit (or by the sender's software).
    Differs,
    /// The outer value was deliberately hidden by the sender (RFC 9788 §4: `[...]` Subject of
    /// an encrypted message); the protected value is the real one.
    Obscured,
    /// The field is protected but absent outside.
    MissingOutside,
    /// The field is outside but not protected (added in transit, or not covered).
    Unprotected,
}

impl HeaderStatus {
    /// The status's name: `match`, `differs`, `obscured`, `missing-outside`, `unprotected`.
    pub fn name(self) -> &'static str {
        match self {
            HeaderStatus::Match => "match",
            HeaderStatus::Differs => "differs",
            HeaderStatus::Obscured => "obscured",
            HeaderStatus::MissingOutside => "missing-outside",
            HeaderStatus::Unprotected => "unprotected",
        }
    }
}

/// One header field compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderCheck {
    /// Field name as written in the protected part (or outside, for `unprotected`).
    pub name: String,
    /// Value in the protected part.
    pub protected: Option<String>,
    /// Value in the outer header.
    pub outer: Option<String>,
    /// How they compare.
    pub status: HeaderStatus,
}

/// What opening a PGP/MIME message found.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    /// What the outermost layer was.
    pub kind: crate::mime::MimeKind,
    /// The decryption, when the message was encrypted.
    pub decryption: Option<DecryptionReport>,
    /// Every signature found (inside the encryption, and of a nested `multipart/signed`).
    pub signatures: VerificationReport,
    /// The protected header fields compared with the outer ones (RFC 9788); empty when the
    /// protected part carries no header fields of the message.
    pub headers: Vec<HeaderCheck>,
    /// The protected MIME entity (header and body), as signed or as decrypted, CRLF.
    #[serde(skip)]
    pub content: Vec<u8>,
}

impl Opened {
    /// Whether the message was encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.decryption.is_some()
    }

    /// Whether the message carried at least one signature.
    pub fn is_signed(&self) -> bool {
        !self.signatures.signatures.is_empty()
    }

    /// Valid when the signatures are valid ([`VerificationReport::is_valid`]) and no protected
    /// header field differs from the one that arrived.
    pub fn is_valid(&self) -> bool {
        self.signatures.is_valid()
            && !self
                .headers
                .iter()
                .any(|h| h.status == HeaderStatus::Differs)
    }
}

impl fmt::Display for Opened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.decryption {
            // The decryption's own text lists the signatures inside it; `self.signatures` adds
            // those of a nested multipart/signed (RFC 3156 §6.1).
            writeln!(
                f,
                "decrypted with {} ({})",
                d.decrypted_with.as_deref().unwrap_or("an unknown key"),
                match d.protection {
                    crate::report::Protection::SeipdV1 => "SEIPD v1",
                    crate::report::Protection::SeipdV2 => "SEIPD v2",
                }
            )?;
        }
        write!(f, "{}", self.signatures)?;
        for h in &self.headers {
            if h.status != HeaderStatus::Match {
                write!(f, "\nheader {}: {}", h.name, h.status.name())?;
            }
        }
        Ok(())
    }
}

/// Opens `message`: decrypts with `keys` (unlocked secret keys) when encrypted, verifies every
/// signature against `certs`, and compares the protected header fields with the outer ones.
/// A message that is neither signed nor encrypted with PGP/MIME is an error.
///
/// Nesting is followed as RFC 3156 §6 allows: a `multipart/signed` inside the encryption
/// (§6.1) is verified too, and its signed part becomes the content.
pub fn open(
    message: &[u8],
    keys: &[Key],
    certs: &[Key],
    policy: &PgpPolicy,
) -> Result<Opened, Error> {
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        message.len(),
    )?;
    let outer = header::split(message, &policy.limits)?;
    let kind = kind_of(&outer.content_type());
    let mut opened = Opened {
        kind,
        decryption: None,
        signatures: VerificationReport::default(),
        headers: Vec::new(),
        content: Vec::new(),
    };
    let mut hp_cipher = false;
    let mut content = match kind {
        MimeKind::Other => {
            return Err(Error::mime(
                "not a PGP/MIME message: Content-Type is neither multipart/signed with \
                 protocol application/pgp-signature nor multipart/encrypted with protocol \
                 application/pgp-encrypted (RFC 3156 §4, §5)",
                0,
            ));
        }
        MimeKind::Signed => {
            let (content, report) = verify_signed(message, &outer, certs, policy)?;
            opened.signatures = report;
            content
        }
        MimeKind::Encrypted => {
            hp_cipher = true;
            let decrypted = decrypt_encrypted(message, &outer, keys, certs, policy)?;
            opened.signatures = decrypted.report.signatures.clone();
            opened.decryption = Some(decrypted.report);
            decrypted.content
        }
    };
    // RFC 3156 §6.1: signed, then encrypted as a whole.
    if kind == MimeKind::Encrypted {
        let inner = header::split(&content, &policy.limits)?;
        if kind_of(&inner.content_type()) == MimeKind::Signed {
            let (signed, report) = verify_signed(&content, &inner, certs, policy)?;
            opened.signatures.signatures.extend(report.signatures);
            content = signed;
        }
    }
    let protected = header::split(&content, &policy.limits)?;
    opened.headers = compare_headers(&outer, &protected, hp_cipher);
    opened.content = content;
    Ok(opened)
}

/// Verifies a `multipart/signed` entity (RFC 3156 §5); returns the signed part in canonical
/// form and the report.
fn verify_signed(
    bytes: &[u8],
    entity: &Entity<'_>,
    certs: &[Key],
    policy: &PgpPolicy,
) -> Result<(Vec<u8>, VerificationReport), Error> {
    let ct = entity.content_type();
    let boundary = ct.param("boundary").unwrap_or_default().to_string();
    let parts = body_parts(bytes, entity, &boundary, &policy.limits)?;
    let [signed, signature] = parts.as_slice() else {
        return Err(Error::mime(
            format!(
                "multipart/signed has {} body parts, not 2 (RFC 1847 §2.1)",
                parts.len()
            ),
            entity.body_offset,
        ));
    };
    let sig_bytes = &bytes[signature.range.clone()];
    let sig_entity = header::split(sig_bytes, &policy.limits)?;
    if !sig_entity.content_type().is("application", "pgp-signature") {
        return Err(Error::mime(
            "the second part of multipart/signed is not application/pgp-signature (RFC 3156 §5)",
            signature.range.start,
        ));
    }
    let sig = header::decoded_body(sig_bytes, signature.range.start)?;
    // RFC 3156 §5: the signed data is the first part in canonical form, CRLF line endings,
    // whatever the local storage made of them.
    let mut canonical = Vec::with_capacity(signed.range.len() + 64);
    push_crlf_lines(&mut canonical, &bytes[signed.range.clone()]);
    let report = crate::verify::verify_detached(&canonical, &sig, certs, policy)?;
    Ok((canonical, report))
}

/// Decrypts a `multipart/encrypted` entity (RFC 3156 §4).
fn decrypt_encrypted(
    bytes: &[u8],
    entity: &Entity<'_>,
    keys: &[Key],
    certs: &[Key],
    policy: &PgpPolicy,
) -> Result<crate::decrypt::Decrypted, Error> {
    let ct = entity.content_type();
    let boundary = ct.param("boundary").unwrap_or_default().to_string();
    let parts = body_parts(bytes, entity, &boundary, &policy.limits)?;
    let [control, data] = parts.as_slice() else {
        return Err(Error::mime(
            format!(
                "multipart/encrypted has {} body parts, not 2 (RFC 3156 §4)",
                parts.len()
            ),
            entity.body_offset,
        ));
    };
    let control_bytes = &bytes[control.range.clone()];
    let control_entity = header::split(control_bytes, &policy.limits)?;
    if !control_entity
        .content_type()
        .is("application", "pgp-encrypted")
    {
        return Err(Error::mime(
            "the first part of multipart/encrypted is not application/pgp-encrypted (RFC 3156 §4)",
            control.range.start,
        ));
    }
    // RFC 3156 §4: the control part "MUST contain" Version: 1.
    let version_ok = control_entity
        .body
        .split(|b| *b == b'\n')
        .any(|l| header::trim_line_ending(l).eq_ignore_ascii_case(b"Version: 1"));
    if !version_ok {
        return Err(Error::mime(
            "the application/pgp-encrypted part does not say \"Version: 1\" (RFC 3156 §4)",
            control.range.start,
        ));
    }
    let data_bytes = &bytes[data.range.clone()];
    let data_entity = header::split(data_bytes, &policy.limits)?;
    if !data_entity.content_type().is("application", "octet-stream") {
        return Err(Error::mime(
            "the second part of multipart/encrypted is not application/octet-stream (RFC 3156 §4)",
            data.range.start,
        ));
    }
    let ciphertext = header::decoded_body(data_bytes, data.range.start)?;
    crate::decrypt::decrypt(&ciphertext, keys, certs, policy)
}

/// Compares the protected header fields with the outer ones (RFC 9788 §4.3): what a reader
/// should believe is the protected value; the comparison tells whether anything changed.
fn compare_headers(
    outer: &Entity<'_>,
    protected: &Entity<'_>,
    hp_cipher: bool,
) -> Vec<HeaderCheck> {
    let is_protectable = |name: &str| {
        PROTECTED_FIELDS
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
    };
    let inner_fields: Vec<_> = protected
        .fields
        .iter()
        .filter(|f| is_protectable(f.name))
        .collect();
    if inner_fields.is_empty() {
        // The sender protected no header field (a client without header protection).
        return Vec::new();
    }
    let mut checks = Vec::new();
    // A field may occur more than once (two Received-like Comments, or a repeated To): the
    // n-th protected occurrence is compared with the n-th outer occurrence of the same name.
    let mut occurrence: Vec<(String, usize)> = Vec::new();
    for field in &inner_fields {
        let name = field.name.to_ascii_lowercase();
        let n = match occurrence.iter_mut().find(|(k, _)| *k == name) {
            Some((_, count)) => {
                *count += 1;
                *count - 1
            }
            None => {
                occurrence.push((name, 1));
                0
            }
        };
        let inner_value = field.normalized_value();
        let outer_value = outer
            .fields
            .iter()
            .filter(|f| f.is(field.name))
            .nth(n)
            .map(|f| f.normalized_value());
        let status = match &outer_value {
            None => HeaderStatus::MissingOutside,
            Some(v) if *v == inner_value => HeaderStatus::Match,
            Some(v) if hp_cipher && field.is("subject") && v == OBSCURED_SUBJECT => {
                HeaderStatus::Obscured
            }
            Some(_) => HeaderStatus::Differs,
        };
        checks.push(HeaderCheck {
            name: field.name.to_string(),
            protected: Some(inner_value),
            outer: outer_value,
            status,
        });
    }
    for field in &outer.fields {
        if is_protectable(field.name) && protected.field(field.name).is_none() {
            checks.push(HeaderCheck {
                name: field.name.to_string(),
                protected: None,
                outer: Some(field.normalized_value()),
                status: HeaderStatus::Unprotected,
            });
        }
    }
    checks
}
