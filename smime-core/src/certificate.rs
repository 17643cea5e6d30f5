//! What we read from certificates: loading, the e-mail addresses a certificate vouches for
//! (RFC 8550 §3), and how a SignerIdentifier names one (RFC 5652 §5.3).

use cms::cert::IssuerAndSerialNumber;
use cms::signed_data::SignerIdentifier;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{SubjectAltName, SubjectKeyIdentifier};

use crate::error::Error;
use crate::oid;

/// id-on-SmtpUTF8Mailbox, RFC 8398 §3 (internationalized addresses in subjectAltName).
const ID_ON_SMTP_UTF8_MAILBOX: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.8.9");

/// Reads certificates from PEM (every `CERTIFICATE` block; other blocks and text around them,
/// such as the comments of a CA bundle, are skipped) or from one DER certificate.
pub fn load_certificates(input: &[u8]) -> Result<Vec<Certificate>, Error> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"-----END ";
    if memchr::memmem::find(input, BEGIN).is_none() {
        return Certificate::from_der(input)
            .map(|c| vec![c])
            .map_err(|e| Error::Certificate {
                reason: format!("neither PEM nor a DER certificate: {e}"),
            });
    }
    let mut certs = Vec::new();
    let mut rest = input;
    while let Some(start) = memchr::memmem::find(rest, BEGIN) {
        let block = &rest[start..];
        // The block runs to the end of its END line (RFC 7468 §2).
        let end = memchr::memmem::find(block, END)
            .and_then(|e| {
                memchr::memchr(b'\n', &block[e..])
                    .map(|n| e + n + 1)
                    .or(Some(block.len()))
            })
            .ok_or_else(|| Error::Certificate {
                reason: "a PEM block has no END line".into(),
            })?;
        let (label, der) = der::pem::decode_vec(&block[..end]).map_err(|e| Error::Certificate {
            reason: format!("PEM block #{}: {e}", certs.len() + 1),
        })?;
        if label == "CERTIFICATE" {
            certs.push(Certificate::from_der(&der).map_err(|e| Error::Certificate {
                reason: format!("certificate #{}: {e}", certs.len() + 1),
            })?);
        }
        rest = &block[end..];
    }
    if certs.is_empty() {
        return Err(Error::Certificate {
            reason: "no CERTIFICATE block in the PEM input".into(),
        });
    }
    Ok(certs)
}

/// The e-mail addresses a certificate binds its key to: rfc822Name and SmtpUTF8Mailbox entries
/// of subjectAltName (RFC 8550 §3, RFC 8398), then PKCS #9 emailAddress attributes of the
/// subject name (RFC 8550 §3: receiving agents MUST recognize both).
pub fn email_addresses(cert: &Certificate) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() {
        for name in san.0 {
            match name {
                GeneralName::Rfc822Name(addr) => found.push(addr.to_string()),
                GeneralName::OtherName(other) if other.type_id == ID_ON_SMTP_UTF8_MAILBOX => {
                    if let Ok(s) = other.value.decode_as::<der::asn1::Utf8StringRef<'_>>() {
                        found.push(s.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    for atv in cert.tbs_certificate().subject().iter() {
        if atv.oid == oid::EMAIL_ADDRESS
            && let Ok(s) = atv.value.decode_as::<der::asn1::Ia5StringRef<'_>>()
        {
            found.push(s.to_string());
        }
    }
    found
}

/// Whether `address` is one the certificate vouches for: the local part compared exactly,
/// the domain case-insensitively (RFC 5321 §2.4, RFC 8550 §3 leaves the comparison to
/// RFC 5280 §7.5: domain parts are case-insensitive).
pub fn certificate_matches_address(cert: &Certificate, address: &str) -> bool {
    email_addresses(cert)
        .iter()
        .any(|listed| same_address(listed, address))
}

pub(crate) fn same_address(a: &str, b: &str) -> bool {
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((la, da)), Some((lb, db))) => la == lb && da.eq_ignore_ascii_case(db),
        _ => false,
    }
}

/// The subjectKeyIdentifier extension value, if present.
pub fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    match cert
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
    {
        Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
        _ => None,
    }
}

/// The subject name as an RFC 4514 string.
pub fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate().subject().to_string()
}

/// The SignerIdentifier that names `cert` (RFC 5652 §5.3).
pub(crate) fn signer_identifier(
    cert: &Certificate,
    kind: SignerIdentifierKind,
) -> Result<SignerIdentifier, Error> {
    match kind {
        SignerIdentifierKind::IssuerAndSerialNumber => Ok(SignerIdentifier::IssuerAndSerialNumber(
            IssuerAndSerialNumber {
                issuer: cert.tbs_certificate().issuer().clone(),
                serial_number: cert.tbs_certificate().serial_number().clone(),
            },
        )),
        SignerIdentifierKind::SubjectKeyIdentifier => {
            let ski = subject_key_identifier(cert).ok_or_else(|| Error::Certificate {
                reason: "the signer certificate has no subjectKeyIdentifier extension".into(),
            })?;
            Ok(SignerIdentifier::SubjectKeyIdentifier(
                x509_cert::ext::pkix::SubjectKeyIdentifier(der::asn1::OctetString::new(ski)?),
            ))
        }
    }
}

/// Whether `sid` names `cert`.
pub(crate) fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let tbs = cert.tbs_certificate();
            // Names compared as DER: RFC 5280 §7.1 comparison rules matter for chains, not
            // for finding a certificate its own issuer wrote.
            tbs.serial_number() == &ias.serial_number
                && tbs.issuer().to_der().ok() == ias.issuer.to_der().ok()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            subject_key_identifier(cert).as_deref() == Some(ski.0.as_bytes())
        }
    }
}

/// How a SignerInfo names its certificate (RFC 5652 §5.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignerIdentifierKind {
    /// issuerAndSerialNumber (SignerInfo version 1): what every S/MIME client reads.
    #[default]
    IssuerAndSerialNumber,
    /// subjectKeyIdentifier (SignerInfo version 3).
    SubjectKeyIdentifier,
}
