//! Verifying a signed message (draft §4.5.2 step 1 with RFC 5652 §5.6, then the header check
//! of steps 2–7 by `secure-headers`), with the signer's certificate path (RFC 5280 §6) and
//! address (RFC 8550 §3).

use std::collections::BTreeMap;

use cms::cert::CertificateChoices;
use der::Encode;
use mail_parser::MessageParser;
use secure_headers::{Policy, PolicySpec, Profile, SecureHeaderFields};
use x509_cert::Certificate;

use crate::algorithm::DigestAlgorithm;
use crate::attributes;
use crate::certificate;
use crate::digest;
use crate::error::Error;
use crate::limits::{Limit, Limits, check};
use crate::mime::SignedForm;
use crate::mime::received::signed_parts;
use crate::oid;
use crate::path::{PathOptions, Purpose, TrustAnchors, validate_path};
use crate::received::{self, ReceivedSignedData, ReceivedSignerInfo};
use crate::report::{
    AddressMatch, ChainOutcome, HeadersOutcome, SignatureFailure, SignatureVerdict, SignerIdentity,
    SignerReport, SmimeReport,
};
use crate::verify_key::{self, PublicKey};

/// What verification checks against.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The trust anchors signer certificates must chain to.
    pub trust: TrustAnchors,
    /// Further certificates: intermediates, and signer certificates the message does not carry.
    pub certificates: Vec<Certificate>,
    /// Validation time in seconds since the Unix epoch; `None` is now.
    pub time: Option<u64>,
    /// Accept SHA-1 in signatures and certificates (legacy mail only; RFC 8551 §2.1 says
    /// receiving agents SHOULD NOT accept it). Off by default.
    pub allow_sha1: bool,
    /// The secure-headers policy (mandatory fields, accepted profiles, limits). `None`
    /// compares whatever fields the signature secures, both wire profiles accepted.
    pub secure_headers: Option<Policy>,
    /// Revocation lists (DER) checked when `check_revocation` is set.
    pub crls: Vec<Vec<u8>>,
    /// Check certificates against `crls`.
    pub check_revocation: bool,
    /// Bounds on the input.
    pub limits: Limits,
}

impl VerifyOptions {
    /// Options with these trust anchors and every default.
    pub fn new(trust: TrustAnchors) -> VerifyOptions {
        VerifyOptions {
            trust,
            certificates: Vec::new(),
            time: None,
            allow_sha1: false,
            secure_headers: None,
            crls: Vec::new(),
            check_revocation: false,
            limits: Limits::default(),
        }
    }
}

/// Verifies a signed message: multipart/signed or application/pkcs7-mime signed-data.
///
/// Fails only when the message or its CMS object cannot be read; every finding about
/// signatures, certificates, addresses and header fields is an entry of the report.
pub fn verify_message(message: &[u8], options: &VerifyOptions) -> Result<SmimeReport, Error> {
    let parts = signed_parts(message, &options.limits)?;
    let sd = received::signed_data(&parts.cms)?;
    let econtent = received::encapsulated_content(&sd);
    let content = match (&parts.detached_content, &econtent) {
        (Some(range), None) => Content::Text(&message[range.clone()]),
        (None, Some(bytes)) => Content::Exact(bytes),
        (Some(_), Some(_)) => {
            return Err(Error::Mime {
                reason: "multipart/signed carries a signature with encapsulated content".into(),
            });
        }
        (None, None) => {
            return Err(Error::Mime {
                reason: "application/pkcs7-mime signed-data without content (detached signature)"
                    .into(),
            });
        }
    };
    let addresses = sender_addresses(message);
    let (signers, shf_der) = verify_signers(&sd, &content, Some(&addresses), options)?;
    let headers = headers_outcome(&shf_der, Some(message), options)?;
    Ok(SmimeReport {
        form: parts.form,
        signers,
        headers,
    })
}

/// Verifies a bare CMS ContentInfo holding SignedData (DER or BER), outside any message:
/// with `detached_content` when the signature is detached, or the encapsulated content.
///
/// There is no From to compare, so each signer's address is
/// [`AddressMatch::NoMessage`]; a SecureHeaderFields attribute is decoded (and
/// [`HeadersOutcome::Unchecked`]) but there is no header to check it against.
pub fn verify_signed_data(
    cms: &[u8],
    detached_content: Option<&[u8]>,
    options: &VerifyOptions,
) -> Result<SmimeReport, Error> {
    let sd = received::signed_data(cms)?;
    let econtent = received::encapsulated_content(&sd);
    let (form, content) = match (detached_content, &econtent) {
        (Some(bytes), None) => (SignedForm::Detached, Content::Exact(bytes)),
        (None, Some(bytes)) => (SignedForm::Opaque, Content::Exact(bytes)),
        (Some(_), Some(_)) => {
            return Err(Error::Mime {
                reason: "detached content given, but the SignedData encapsulates its content"
                    .into(),
            });
        }
        (None, None) => {
            return Err(Error::Mime {
                reason: "the SignedData is detached: its content must be supplied".into(),
            });
        }
    };
    let (signers, shf_der) = verify_signers(&sd, &content, None, options)?;
    let headers = headers_outcome(&shf_der, None, options)?;
    Ok(SmimeReport {
        form,
        signers,
        headers,
    })
}

/// Each signer's SecureHeaderFields attribute (DER), when it carries one.
type PerSignerAttribute = Vec<Option<Vec<u8>>>;

/// Every SignerInfo of `sd`, and each one's SecureHeaderFields attribute.
fn verify_signers(
    sd: &ReceivedSignedData,
    content: &Content<'_>,
    addresses: Option<&[String]>,
    options: &VerifyOptions,
) -> Result<(Vec<SignerReport>, PerSignerAttribute), Error> {
    check(
        Limit::Signers,
        options.limits.max_signers,
        sd.signer_infos.len(),
    )?;
    let carried = carried_certificates(sd, &options.limits)?;
    let time = options.time.unwrap_or_else(crate::sign_message::now);
    let mut candidates = carried;
    candidates.extend(options.certificates.iter().cloned());
    let mut path_options = PathOptions::at(time, Purpose::Signing);
    path_options.allow_sha1 = options.allow_sha1;
    path_options.crls = options.crls.clone();
    path_options.check_revocation = options.check_revocation;

    let mut digests = BTreeMap::new();
    let mut signers = Vec::with_capacity(sd.signer_infos.len());
    let mut shf_der = Vec::with_capacity(sd.signer_infos.len());
    for si in sd.signer_infos.iter() {
        let (report, shf) = verify_signer(
            si,
            sd,
            content,
            &candidates,
            &mut digests,
            options,
            &path_options,
            addresses,
        )?;
        signers.push(report);
        shf_der.push(shf);
    }
    Ok((signers, shf_der))
}

/// The signed content: the received MIME entity (canonicalized to CRLF for digesting,
/// RFC 8551 §3.1.1) or the encapsulated octets (digested exactly).
enum Content<'a> {
    Text(&'a [u8]),
    Exact(&'a [u8]),
}

impl Content<'_> {
    fn digest(&self, alg: DigestAlgorithm) -> Vec<u8> {
        match self {
            Content::Text(bytes) => digest::digest_crlf(alg, bytes),
            Content::Exact(bytes) => digest::digest(alg, bytes),
        }
    }

    fn canonical(&self) -> Vec<u8> {
        match self {
            Content::Text(bytes) if digest::has_bare_lf(bytes) => {
                crate::mime::wrap::with_line_ending(bytes, b"\r\n")
            }
            Content::Text(bytes) | Content::Exact(bytes) => bytes.to_vec(),
        }
    }
}

fn carried_certificates(
    sd: &ReceivedSignedData,
    limits: &Limits,
) -> Result<Vec<Certificate>, Error> {
    let Some(set) = &sd.certificates else {
        return Ok(Vec::new());
    };
    check(Limit::Certificates, limits.max_certificates, set.0.len())?;
    Ok(set
        .0
        .iter()
        .filter_map(|c| match c {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            _ => None,
        })
        .collect())
}

/// The From and Sender addresses (RFC 8550 §3).
fn sender_addresses(message: &[u8]) -> Vec<String> {
    let Some(parsed) = MessageParser::default().parse_headers(message) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for list in [parsed.from(), parsed.sender()].into_iter().flatten() {
        for addr in list.iter() {
            if let Some(a) = addr.address() {
                out.push(a.to_string());
            }
        }
    }
    out
}

fn invalid(reason: SignatureFailure, detail: impl Into<String>) -> SignatureVerdict {
    SignatureVerdict::Invalid {
        reason,
        detail: detail.into(),
    }
}

fn describe_sid(sid: &cms::signed_data::SignerIdentifier) -> String {
    match sid {
        cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(ias) => {
            format!("issuer {} serial {}", ias.issuer, ias.serial_number)
        }
        cms::signed_data::SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("subjectKeyIdentifier {}", hex_string(ski.0.as_bytes()))
        }
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 5652 §5.6 for one SignerInfo, plus its certificate path and address.
#[allow(clippy::too_many_arguments)]
fn verify_signer(
    si: &ReceivedSignerInfo,
    sd: &ReceivedSignedData,
    content: &Content<'_>,
    candidates: &[Certificate],
    digests: &mut BTreeMap<DigestAlgorithm, Vec<u8>>,
    options: &VerifyOptions,
    path_options: &PathOptions,
    addresses: Option<&[String]>,
) -> Result<(SignerReport, Option<Vec<u8>>), Error> {
    let cert = candidates
        .iter()
        .find(|c| certificate::identifies(&si.sid, c));
    let identity = cert.map(|c| SignerIdentity {
        subject: certificate::subject(c),
        issuer: c.tbs_certificate().issuer().to_string(),
        serial: hex_string(c.tbs_certificate().serial_number().as_bytes()),
        email_addresses: certificate::email_addresses(c),
    });
    let digest_alg = DigestAlgorithm::from_oid(&si.digest_alg.oid);
    let scheme = digest_alg.map(|d| verify_key::scheme(&si.signature_algorithm, d));
    let algorithm = match (&scheme, cert) {
        (Some(Ok(s)), Some(c)) => {
            match PublicKey::from_spki(c.tbs_certificate().subject_public_key_info()) {
                Ok(key) => verify_key::report_name(*s, &key),
                Err(_) => s.name(),
            }
        }
        (Some(Ok(s)), None) => s.name(),
        _ => si.signature_algorithm.oid.to_string(),
    };
    let attrs = si
        .signed_attrs
        .as_ref()
        .map(|sa| attributes::read(&sa.attributes));
    if let Some(sa) = &si.signed_attrs {
        check(
            Limit::SignedAttributes,
            options.limits.max_signed_attributes,
            sa.attributes.len(),
        )?;
    }
    let shf = attrs
        .as_ref()
        .and_then(|a| a.secure_header_fields.first().cloned());

    let signature = (|| {
        let Some(digest_alg) = digest_alg else {
            return invalid(
                SignatureFailure::UnsupportedAlgorithm,
                format!("digest algorithm {} is not supported", si.digest_alg.oid),
            );
        };
        let scheme = match scheme {
            Some(Ok(s)) => s,
            Some(Err(e)) => return invalid(SignatureFailure::UnsupportedAlgorithm, e),
            None => return invalid(SignatureFailure::UnsupportedAlgorithm, "unknown digest"),
        };
        if !options.allow_sha1 && (digest_alg == DigestAlgorithm::Sha1 || scheme.uses_sha1()) {
            return invalid(
                SignatureFailure::UnsupportedAlgorithm,
                "SHA-1 is not accepted (RFC 8551 §2.1); allow it explicitly for legacy mail",
            );
        }
        let Some(cert) = cert else {
            return invalid(
                SignatureFailure::CertificateNotFound,
                format!("no certificate for {}", describe_sid(&si.sid)),
            );
        };
        let key = match PublicKey::from_spki(cert.tbs_certificate().subject_public_key_info()) {
            Ok(k) => k,
            Err(e) => return invalid(SignatureFailure::UnsupportedAlgorithm, e),
        };
        let content_digest = digests
            .entry(digest_alg)
            .or_insert_with(|| content.digest(digest_alg))
            .clone();
        let message: Vec<u8> = match (&si.signed_attrs, &attrs) {
            (Some(sa), Some(a)) => {
                if let Some(defect) = a.defects.first() {
                    return invalid(SignatureFailure::MalformedAttribute, defect.clone());
                }
                // RFC 5652 §5.3: with signed attributes, contentType and messageDigest MUST
                // be present.
                let Some(content_type) = a.content_type else {
                    return invalid(SignatureFailure::MissingAttribute, "contentType is missing");
                };
                let Some(message_digest) = &a.message_digest else {
                    return invalid(
                        SignatureFailure::MissingAttribute,
                        "messageDigest is missing",
                    );
                };
                // RFC 5652 §11.1: contentType MUST equal eContentType.
                if content_type != sd.encap_content_info.econtent_type {
                    return invalid(
                        SignatureFailure::ContentTypeMismatch,
                        format!(
                            "contentType {content_type} differs from eContentType {}",
                            sd.encap_content_info.econtent_type
                        ),
                    );
                }
                if *message_digest != content_digest {
                    return invalid(
                        SignatureFailure::DigestMismatch,
                        "the signed content was changed: its digest differs from messageDigest",
                    );
                }
                // RFC 5035 §5.4: the first ESSCertIDv2 identifies the signer's certificate.
                if let Some((hash_alg, hash)) = a.signing_certificate_hashes.first() {
                    let matches = hash_alg.is_some_and(|alg| {
                        cert.to_der()
                            .is_ok_and(|der| digest::digest(alg, &der) == *hash)
                    });
                    if !matches {
                        return invalid(
                            SignatureFailure::CertificateBindingMismatch,
                            "signingCertificateV2 names another certificate than the one found",
                        );
                    }
                }
                sa.message.clone()
            }
            _ => {
                // RFC 5652 §5.3: without signed attributes the content type must be id-data,
                // and the signature is over the content itself.
                if sd.encap_content_info.econtent_type != oid::ID_DATA {
                    return invalid(
                        SignatureFailure::MissingAttribute,
                        "signed attributes are required for a content type other than id-data",
                    );
                }
                content.canonical()
            }
        };
        match key.verify(scheme, &message, si.signature.as_bytes()) {
            Ok(()) => SignatureVerdict::Valid,
            Err(e) => invalid(SignatureFailure::BadSignature, e),
        }
    })();

    let chain = match cert {
        Some(cert) => ChainOutcome::Checked(validate_path(
            cert,
            candidates,
            &options.trust,
            path_options,
        )),
        None => ChainOutcome::NotChecked,
    };
    let address = match (cert, addresses) {
        (_, None) => AddressMatch::NoMessage,
        (None, Some(_)) => AddressMatch::NotChecked,
        (Some(cert), Some(addresses)) => {
            let in_cert = certificate::email_addresses(cert);
            match addresses
                .iter()
                .find(|a| in_cert.iter().any(|c| certificate::same_address(c, a)))
            {
                Some(a) => AddressMatch::Matched { address: a.clone() },
                None => AddressMatch::Mismatch {
                    message: addresses.to_vec(),
                    certificate: in_cert,
                },
            }
        }
    };
    let report = SignerReport {
        identity,
        signer_id: describe_sid(&si.sid),
        algorithm,
        digest: digest_alg,
        signing_time: attrs.as_ref().and_then(|a| a.signing_time),
        signature,
        chain,
        address,
        secures_headers: shf.is_some(),
    };
    Ok((report, shf))
}

/// draft §4.5.1 (all signers carry the same structure) and §4.5.2 steps 2–7.
fn headers_outcome(
    per_signer: &[Option<Vec<u8>>],
    message: Option<&[u8]>,
    options: &VerifyOptions,
) -> Result<HeadersOutcome, Error> {
    let default_limits = secure_headers::Limits::default();
    let (accepted, limits): (&[Profile], &secure_headers::Limits) = match &options.secure_headers {
        Some(p) => (p.accepted_profiles(), p.limits()),
        None => (&[Profile::Rfc7508, Profile::Draft05], &default_limits),
    };
    let mut decoded: Vec<Option<SecureHeaderFields>> = Vec::with_capacity(per_signer.len());
    for der in per_signer {
        match der {
            None => decoded.push(None),
            Some(der) => match SecureHeaderFields::from_attribute_der(der, accepted, limits) {
                Ok((_, shf)) => decoded.push(Some(shf)),
                Err(e) => {
                    return Ok(HeadersOutcome::Malformed {
                        reason: e.to_string(),
                    });
                }
            },
        }
    }
    let refs: Vec<Option<&SecureHeaderFields>> = decoded.iter().map(Option::as_ref).collect();
    let agreement = secure_headers::signers_agree(&refs);
    if !agreement.is_consistent() {
        return Ok(HeadersOutcome::SignersDisagree);
    }
    let Some(shf) = agreement
        .reference
        .and_then(|i| refs.get(i).copied().flatten())
    else {
        return Ok(HeadersOutcome::NotSecured {
            mandatory: options
                .secure_headers
                .as_ref()
                .map(|p| p.mandatory().to_vec())
                .unwrap_or_default(),
        });
    };
    let Some(message) = message else {
        return Ok(HeadersOutcome::Unchecked(shf.clone()));
    };
    let report = match &options.secure_headers {
        Some(policy) => secure_headers::verify(shf, message, policy)?,
        None => {
            // Without a policy: compare what the signature secures, nothing mandatory.
            let mut fields: Vec<String> = Vec::new();
            for f in &shf.fields {
                let name = f.name.trim().to_string();
                if !fields.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                    fields.push(name);
                }
            }
            let spec = PolicySpec {
                fields,
                accept: Some(vec![Profile::Rfc7508, Profile::Draft05]),
                ..PolicySpec::default()
            };
            match Policy::try_from(spec) {
                Ok(policy) => secure_headers::verify(shf, message, &policy)?,
                Err(e) => {
                    return Ok(HeadersOutcome::Malformed {
                        reason: e.to_string(),
                    });
                }
            }
        }
    };
    Ok(HeadersOutcome::Checked(report))
}
