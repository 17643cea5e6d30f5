//! Re-encoding of parsed certificates for certval without the RFC 5280 profile's rewriting.
//!
//! `x509_cert::Certificate` (profile `Rfc5280`) re-encodes a validity date that was encoded as
//! GeneralizedTime before 2050 as UTCTime (RFC 5280 §4.1.2.5). The signature covers the
//! original bytes, so certval would see a bad signature on such a certificate (PKITS 4.2.4).
//! Encoding the same fields with the `Raw` profile keeps every value as it was decoded.

use der::asn1::BitString;
use der::{Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::certificate::{Raw, Version};
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

/// TBSCertificate (RFC 5280 §4.1), field for field, with a `Raw` validity.
#[derive(Sequence)]
struct Tbs {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity<Raw>,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitString>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitString>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

/// Certificate (RFC 5280 §4.1).
#[derive(Sequence)]
struct Cert {
    tbs_certificate: Tbs,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// DER of `cert` with every field encoded as decoded.
pub(crate) fn original_der(cert: &Certificate) -> der::Result<Vec<u8>> {
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    Cert {
        tbs_certificate: Tbs {
            version: tbs.version(),
            serial_number: tbs.serial_number().clone(),
            signature: tbs.signature().clone(),
            issuer: tbs.issuer().clone(),
            validity: Validity::new(validity.not_before, validity.not_after),
            subject: tbs.subject().clone(),
            subject_public_key_info: tbs.subject_public_key_info().clone(),
            issuer_unique_id: tbs.issuer_unique_id().clone(),
            subject_unique_id: tbs.subject_unique_id().clone(),
            extensions: tbs.extensions().cloned(),
        },
        signature_algorithm: cert.signature_algorithm().clone(),
        signature: cert.signature().clone(),
    }
    .to_der()
}
