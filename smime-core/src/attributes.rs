//! The signed attributes (RFC 5652 §5.3, §11): what we put in a SignerInfo, and what we read
//! back from a received one.

use cms::signed_data::SignedAttributes;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use secure_headers::{Profile, SecureHeaderFields};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use crate::algorithm::DigestAlgorithm;
use crate::digest;
use crate::error::Error;
use crate::ess::{
    EssCertIdV2, IssuerSerial, SigningCertificateV2, SmimeCapabilities, SmimeCapability,
};
use crate::oid;

fn attribute(oid: const_oid::ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// contentType (RFC 5652 §11.1): MUST be present when there are signed attributes.
pub(crate) fn content_type(content_type: const_oid::ObjectIdentifier) -> Result<Attribute, Error> {
    attribute(oid::ID_CONTENT_TYPE, Any::encode_from(&content_type)?)
}

/// messageDigest (RFC 5652 §11.2).
pub(crate) fn message_digest(digest: &[u8]) -> Result<Attribute, Error> {
    attribute(
        oid::ID_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(digest)?)?,
    )
}

/// signingTime (RFC 5652 §11.3): UTCTime from 1950 to 2049, GeneralizedTime otherwise.
pub(crate) fn signing_time(unix_seconds: u64) -> Result<Attribute, Error> {
    let when = der::DateTime::from_unix_duration(std::time::Duration::from_secs(unix_seconds))?;
    let time = if when.year() < 2050 {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(when)?)
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(when))
    };
    attribute(oid::ID_SIGNING_TIME, Any::encode_from(&time)?)
}

/// SMIMECapabilities (RFC 8551 §2.5.2): the content encryption algorithms we decrypt, most
/// preferred first (RFC 8551 §2.7: AES-GCM before AES-CBC).
pub(crate) fn smime_capabilities() -> Result<Attribute, Error> {
    let caps: SmimeCapabilities = [
        oid::AES256_GCM,
        oid::AES128_GCM,
        oid::AES256_CBC,
        oid::AES128_CBC,
    ]
    .into_iter()
    .map(|capability_id| SmimeCapability {
        capability_id,
        parameters: None,
    })
    .collect();
    attribute(oid::ID_SMIME_CAPABILITIES, Any::encode_from(&caps)?)
}

/// signingCertificateV2 (RFC 5035 §5.4.1): binds the signature to the signer's certificate,
/// so that a certificate with the same key cannot be substituted. SHA-256 (the DEFAULT, so
/// the hashAlgorithm is omitted) with issuerSerial.
pub(crate) fn signing_certificate_v2(cert: &Certificate) -> Result<Attribute, Error> {
    let hash = digest::digest(DigestAlgorithm::Sha256, &cert.to_der()?);
    let id = EssCertIdV2 {
        hash_algorithm: None,
        cert_hash: OctetString::new(hash)?,
        issuer_serial: Some(IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(
                cert.tbs_certificate().issuer().clone(),
            )],
            serial_number: cert.tbs_certificate().serial_number().clone(),
        }),
    };
    let value = SigningCertificateV2 {
        certs: vec![id],
        policies: None,
    };
    attribute(oid::ID_AA_SIGNING_CERTIFICATE_V2, Any::encode_from(&value)?)
}

/// SecureHeaderFields (draft §4.5.1 step 5, RFC 7508 §3) encoded by `secure-headers`.
pub(crate) fn secure_header_fields(
    fields: &SecureHeaderFields,
    profile: Profile,
) -> Result<Attribute, Error> {
    Ok(Attribute::from_der(&fields.to_attribute_der(profile)?)?)
}

/// What a received SignerInfo's signed attributes say.
#[derive(Debug, Default)]
pub(crate) struct ReceivedAttributes {
    pub(crate) content_type: Option<const_oid::ObjectIdentifier>,
    pub(crate) message_digest: Option<Vec<u8>>,
    pub(crate) signing_time: Option<u64>,
    pub(crate) signing_certificate_hashes: Vec<(AlgorithmOrDefault, Vec<u8>)>,
    /// The DER of the SecureHeaderFields attribute (RFC 7508 or draft-05), if any.
    pub(crate) secure_header_fields: Vec<Vec<u8>>,
    /// Problems with single attributes (RFC 5652 §5.3: contentType, messageDigest and
    /// signingTime MUST NOT appear twice and have exactly one value).
    pub(crate) defects: Vec<String>,
}

/// The ESSCertIDv2 hash algorithm: a digest we know, or one we do not.
pub(crate) type AlgorithmOrDefault = Option<DigestAlgorithm>;

/// Reads the attributes we act on. Unknown attributes are ignored (RFC 5652 §5.3).
pub(crate) fn read(attrs: &SignedAttributes) -> ReceivedAttributes {
    let mut out = ReceivedAttributes::default();
    let single = |name: &str, attr: &Attribute, defects: &mut Vec<String>| -> Option<Any> {
        if attr.values.len() != 1 {
            defects.push(format!("{name} has {} values, not one", attr.values.len()));
            return None;
        }
        attr.values.iter().next().cloned()
    };
    for attr in attrs.iter() {
        let seen = attrs.iter().filter(|a| a.oid == attr.oid).count();
        match attr.oid {
            oid::ID_CONTENT_TYPE | oid::ID_MESSAGE_DIGEST | oid::ID_SIGNING_TIME if seen > 1 => {
                out.defects
                    .push(format!("attribute {} appears {seen} times", attr.oid));
            }
            oid::ID_CONTENT_TYPE => {
                if let Some(v) = single("contentType", attr, &mut out.defects) {
                    match v.decode_as::<const_oid::ObjectIdentifier>() {
                        Ok(ct) => out.content_type = Some(ct),
                        Err(e) => out.defects.push(format!("contentType: {e}")),
                    }
                }
            }
            oid::ID_MESSAGE_DIGEST => {
                if let Some(v) = single("messageDigest", attr, &mut out.defects) {
                    match v.decode_as::<OctetString>() {
                        Ok(d) => out.message_digest = Some(d.as_bytes().to_vec()),
                        Err(e) => out.defects.push(format!("messageDigest: {e}")),
                    }
                }
            }
            oid::ID_SIGNING_TIME => {
                if let Some(v) = single("signingTime", attr, &mut out.defects) {
                    match v.to_der().and_then(|d| Time::from_der(&d)) {
                        Ok(t) => out.signing_time = Some(t.to_unix_duration().as_secs()),
                        Err(e) => out.defects.push(format!("signingTime: {e}")),
                    }
                }
            }
            oid::ID_AA_SIGNING_CERTIFICATE_V2 => {
                if let Some(v) = single("signingCertificateV2", attr, &mut out.defects) {
                    match v.decode_as::<SigningCertificateV2>() {
                        Ok(sc) => {
                            for id in sc.certs {
                                out.signing_certificate_hashes.push((
                                    id.hash_algorithm
                                        .as_ref()
                                        .map_or(Some(DigestAlgorithm::Sha256), |h| {
                                            DigestAlgorithm::from_oid(&h.oid)
                                        }),
                                    id.cert_hash.as_bytes().to_vec(),
                                ));
                            }
                        }
                        Err(e) => out.defects.push(format!("signingCertificateV2: {e}")),
                    }
                }
            }
            o if o == secure_headers::oid::ID_AA_SECURE_HEADER_FIELDS
                || o == secure_headers::oid::ID_AA_SECURE_HEADER_FIELDS_DRAFT05 =>
            {
                match attr.to_der() {
                    Ok(der) => out.secure_header_fields.push(der),
                    Err(e) => out.defects.push(format!("SecureHeaderFields: {e}")),
                }
            }
            _ => {}
        }
    }
    out
}
