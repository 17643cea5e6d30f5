//! Building SignedData (RFC 5652 §5) with one or more signers, each carrying the same signed
//! attributes apart from its own certificate binding (draft §4.5.1, RFC 4853).

use std::collections::BTreeMap;

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode};
use secure_headers::{Profile, SecureHeaderFields};
use x509_cert::attr::Attribute;

use crate::algorithm::DigestAlgorithm;
use crate::attributes;
use crate::certificate::{self, SignerIdentifierKind};
use crate::digest;
use crate::error::Error;
use crate::oid;
use crate::signer::Signer;

/// The content and options of one signing operation.
#[derive(Clone, Debug)]
pub struct SignRequest<'a> {
    /// The bytes to sign: the canonical MIME entity (RFC 8551 §3.1.1).
    pub content: &'a [u8],
    /// Whether the content is left out of the SignedData (detached, for multipart/signed).
    pub detached: bool,
    /// signingTime, in seconds since the Unix epoch.
    pub signing_time: u64,
    /// The SecureHeaderFields to carry, with the wire profile to encode them in.
    pub secure_header_fields: Option<(&'a SecureHeaderFields, Profile)>,
}

/// Signs `request.content` with every signer; returns the DER of the ContentInfo.
pub fn sign_content(request: &SignRequest<'_>, signers: &[Signer]) -> Result<Vec<u8>, Error> {
    if signers.is_empty() {
        return Err(Error::NoSigner);
    }
    // One digest per algorithm, whatever the number of signers using it.
    let mut digests: BTreeMap<DigestAlgorithm, Vec<u8>> = BTreeMap::new();
    for signer in signers {
        let alg = signer.key().algorithm().digest();
        digests
            .entry(alg)
            .or_insert_with(|| digest::digest(alg, request.content));
    }
    // draft §4.5.1 step 5 / RFC 4853: the attribute is built once, so every signer carries
    // the identical SecureHeaderFields.
    let shf = request
        .secure_header_fields
        .map(|(fields, profile)| attributes::secure_header_fields(fields, profile))
        .transpose()?;

    let mut signer_infos = Vec::with_capacity(signers.len());
    let mut digest_algorithms = SetOfVec::new();
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    let mut cert_set = SetOfVec::new();
    for signer in signers {
        let algorithm = signer.key().algorithm();
        let digest_alg = algorithm.digest();
        let message_digest = digests.get(&digest_alg).ok_or(Error::Internal("digest"))?;
        let mut signed: Vec<Attribute> = vec![
            attributes::content_type(oid::ID_DATA)?,
            attributes::signing_time(request.signing_time)?,
            attributes::message_digest(message_digest)?,
            attributes::smime_capabilities()?,
            attributes::signing_certificate_v2(signer.certificate())?,
        ];
        if let Some(attr) = &shf {
            signed.push(attr.clone());
        }
        // RFC 5652 §5.4: the signature is over the DER of the SET OF attributes.
        let signed_attrs = SetOfVec::try_from(signed)?;
        let to_be_signed = signed_attrs.to_der()?;
        let signature = signer.key().sign(&to_be_signed)?;
        // RFC 5652 §5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.
        let version = match signer.identifier() {
            SignerIdentifierKind::IssuerAndSerialNumber => CmsVersion::V1,
            SignerIdentifierKind::SubjectKeyIdentifier => CmsVersion::V3,
        };
        signer_infos.push(SignerInfo {
            version,
            sid: certificate::signer_identifier(signer.certificate(), signer.identifier())?,
            digest_alg: digest_alg.identifier(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: algorithm.identifier()?,
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        });
        // RFC 5652 §5.1: digestAlgorithms lists every SignerInfo's digest algorithm.
        if !digest_algorithms
            .iter()
            .any(|d: &spki::AlgorithmIdentifierOwned| d.oid == digest_alg.oid())
        {
            digest_algorithms.insert(digest_alg.identifier())?;
        }
        for cert in std::iter::once(signer.certificate()).chain(signer.chain()) {
            let der = cert.to_der()?;
            if !certificates.contains(&der) {
                certificates.push(der);
                cert_set.insert(CertificateChoices::Certificate(cert.clone()))?;
            }
        }
    }
    // RFC 5652 §5.1: version 3 when any SignerInfo is version 3, else 1 (we carry only
    // X.509 certificates, no attribute certificates or other revocation formats, and id-data).
    let version = if signer_infos.iter().any(|s| s.version == CmsVersion::V3) {
        CmsVersion::V3
    } else {
        CmsVersion::V1
    };
    let econtent = if request.detached {
        None
    } else {
        Some(Any::encode_from(&OctetString::new(request.content)?)?)
    };
    let signed_data = SignedData {
        version,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::ID_DATA,
            econtent,
        },
        certificates: Some(CertificateSet(cert_set)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(signer_infos)?),
    };
    let content_info = ContentInfo {
        content_type: oid::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    Ok(content_info.to_der()?)
}
