//! RSASSA-PSS parameters (RFC 4055 §3.1, as used in CMS by RFC 4056 §2).

use der::asn1::AnyRef;
use rsa::pkcs1::{RsaPssParams, TrailerField};
use spki::AlgorithmIdentifier;

use crate::algorithm::DigestAlgorithm;
use crate::error::Error;
use crate::oid;

/// The parameters we sign with: hash = MGF1 hash, salt as long as the hash (RFC 8702 §3.1
/// recommends this for SHA-2; OpenSSL and Outlook do the same).
pub(crate) fn params_for(digest: DigestAlgorithm) -> Result<RsaPssParams<AnyRef<'static>>, Error> {
    let salt_len = u8::try_from(digest.output_len()).map_err(|_| Error::Internal("salt length"))?;
    Ok(match digest {
        DigestAlgorithm::Sha256 => RsaPssParams::new::<sha2::Sha256>(salt_len),
        DigestAlgorithm::Sha384 => RsaPssParams::new::<sha2::Sha384>(salt_len),
        DigestAlgorithm::Sha512 => RsaPssParams::new::<sha2::Sha512>(salt_len),
        DigestAlgorithm::Sha1 => return Err(Error::Internal("PSS with SHA-1 is never produced")),
    })
}

/// What a received RSASSA-PSS-params says: the hash and the salt length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PssParameters {
    pub(crate) digest: DigestAlgorithm,
    pub(crate) salt_len: usize,
}

/// Reads RSASSA-PSS-params. Absent parameters mean the RFC 4055 defaults (SHA-1, MGF1-SHA-1,
/// 20-byte salt). Only MGF1 with the same hash as the message hash is supported, and the
/// trailer field must be 1 (RFC 4055 §3.1: "MUST be 1").
pub(crate) fn parse(parameters: Option<&der::Any>) -> Result<PssParameters, String> {
    let Some(parameters) = parameters else {
        return Ok(PssParameters {
            digest: DigestAlgorithm::Sha1,
            salt_len: 20,
        });
    };
    let params: RsaPssParams<der::Any> = parameters
        .decode_as()
        .map_err(|e| format!("RSASSA-PSS-params: {e}"))?;
    let digest = DigestAlgorithm::from_oid(&params.hash.oid)
        .ok_or_else(|| format!("RSASSA-PSS hash {} is not supported", params.hash.oid))?;
    if params.mask_gen.oid != oid::ID_MGF1 {
        return Err(format!(
            "mask generation {} is not MGF1",
            params.mask_gen.oid
        ));
    }
    let mgf_hash: Option<&AlgorithmIdentifier<der::Any>> = params.mask_gen.parameters.as_ref();
    let mgf_digest = mgf_hash
        .map(|h| DigestAlgorithm::from_oid(&h.oid))
        .unwrap_or(Some(DigestAlgorithm::Sha1));
    if mgf_digest != Some(digest) {
        return Err("MGF1 hash differs from the message hash".into());
    }
    if params.trailer_field != TrailerField::BC {
        return Err("trailer field is not 1".into());
    }
    Ok(PssParameters {
        digest,
        salt_len: usize::from(params.salt_len),
    })
}
