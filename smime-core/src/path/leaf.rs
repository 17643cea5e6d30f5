//! S/MIME checks on the end-entity certificate, applied on top of certval's RFC 5280 result.
//!
//! certval can require keyUsage bits on the target, but only *all* of a given set, and its
//! target EKU check reports the same status as a keyUsage failure; RFC 8550 needs "either of"
//! bits and a distinct EKU verdict, so both checks live here.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ANY_EXTENDED_KEY_USAGE, ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_KP_EMAIL_PROTECTION,
};
use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};

use super::{PathFailure, Purpose};

/// Checks the leaf's keyUsage (RFC 8550 §4.4.2) and extendedKeyUsage (RFC 8550 §4.4.4) for
/// `purpose`. An absent extension places no restriction; one that is duplicated or does not
/// decode fails (RFC 5280 §4.2: an extension appears at most once).
pub(crate) fn check_leaf(leaf: &Certificate, purpose: Purpose) -> Result<(), PathFailure> {
    // RFC 8550 §4.4.2
    if let Some(value) = single_extension(leaf, &ID_CE_KEY_USAGE)? {
        let ku = KeyUsage::from_der(value).map_err(|_| PathFailure::InvalidCertificate)?;
        let permitted = match purpose {
            Purpose::Signing => ku.digital_signature() || ku.non_repudiation(),
            Purpose::Encryption => ku.key_encipherment() || ku.key_agreement(),
        };
        if !permitted {
            return Err(PathFailure::KeyUsage);
        }
    }

    // RFC 8550 §4.4.4: when present, EKU must contain emailProtection or anyExtendedKeyUsage.
    if let Some(value) = single_extension(leaf, &ID_CE_EXT_KEY_USAGE)? {
        let eku = ExtendedKeyUsage::from_der(value).map_err(|_| PathFailure::InvalidCertificate)?;
        let permitted = eku
            .0
            .iter()
            .any(|oid| *oid == ID_KP_EMAIL_PROTECTION || *oid == ANY_EXTENDED_KEY_USAGE);
        if !permitted {
            return Err(PathFailure::ExtendedKeyUsage);
        }
    }
    Ok(())
}

/// The value of the extension `oid`, if present exactly once.
fn single_extension<'a>(
    cert: &'a Certificate,
    oid: &ObjectIdentifier,
) -> Result<Option<&'a [u8]>, PathFailure> {
    let Some(extensions) = cert.tbs_certificate().extensions() else {
        return Ok(None);
    };
    let mut found = extensions.iter().filter(|e| e.extn_id == *oid);
    match (found.next(), found.next()) {
        (None, _) => Ok(None),
        (Some(ext), None) => Ok(Some(ext.extn_value.as_bytes())),
        (Some(_), Some(_)) => Err(PathFailure::InvalidCertificate),
    }
}
