//! Certificate path validation for S/MIME signer and recipient certificates
//! (RFC 5280 §6, RFC 8550 §4.4), on top of the `certval` crate.
//!
//! [`validate_path`] builds candidate paths from the leaf to a trust anchor by name chaining
//! (`builder`), refuses disallowed signature algorithms (`algorithms`), has certval run
//! RFC 5280 basic path validation and, optionally, offline CRL checking on each (`engine`),
//! and applies the RFC 8550 leaf keyUsage/EKU rules to the first path that passes (`leaf`).
//! It never fails: every outcome is a [`PathReport`].

mod algorithms;
mod anchors;
mod builder;
mod encoding;
mod engine;
mod leaf;
mod options;
mod report;
mod status;

use certval::{PDVCertificate, PDVTrustAnchorChoice};
use x509_cert::Certificate;

pub use anchors::TrustAnchors;
pub use options::{PathOptions, Purpose};
pub use report::{CertificateSummary, PathFailure, PathReport, PathVerdict};

use builder::Chain;
use engine::Engine;

/// Validate `leaf` to one of `anchors`, building the path from `candidates`
/// (certificates carried in the message + intermediates supplied by the user).
///
/// Every path that name-chains to an anchor is tried, most plausible first; the first valid
/// one wins. Otherwise the report describes the most informative failure (a failure other
/// than a bad signature, which usually just means a wrong issuer candidate, is preferred).
pub fn validate_path(
    leaf: &Certificate,
    candidates: &[Certificate],
    anchors: &TrustAnchors,
    options: &PathOptions,
) -> PathReport {
    let leaf_subject = leaf.tbs_certificate().subject().to_string();
    let Some(leaf_pdv) = to_pdv(leaf) else {
        return failed(
            PathFailure::InvalidCertificate,
            Some(leaf_subject),
            vec![leaf],
        );
    };

    // Anchors certval can take, with their certificates for reporting.
    let (anchor_certs, anchor_pdvs): (Vec<Certificate>, Vec<PDVTrustAnchorChoice>) = anchors
        .certificates()
        .iter()
        .filter_map(|c| {
            let der = encoding::original_der(c).ok()?;
            let anchor = PDVTrustAnchorChoice::try_from(der.as_slice()).ok()?;
            Some((c.clone(), anchor))
        })
        .unzip();

    // Intermediates: distinct, neither the leaf nor an anchor, and decodable by certval.
    let mut pool: Vec<Certificate> = Vec::new();
    let mut pool_pdvs: Vec<PDVCertificate> = Vec::new();
    for cert in candidates {
        if cert == leaf || anchor_certs.contains(cert) || pool.contains(cert) {
            continue;
        }
        if let Some(pdv) = to_pdv(cert) {
            pool.push(cert.clone());
            pool_pdvs.push(pdv);
        }
    }

    let engine = match Engine::new(&anchor_pdvs, options) {
        Ok(engine) => engine,
        Err(reason) => return failed(reason, None, vec![leaf]),
    };

    let built = builder::build(leaf, &pool, &anchor_certs);
    if built.chains.is_empty() {
        let mut path = vec![leaf];
        path.extend(built.dead_end.iter().filter_map(|i| pool.get(*i)));
        let stuck = path
            .last()
            .map(|c| c.tbs_certificate().subject().to_string());
        return failed(PathFailure::NoPathToTrustAnchor, stuck, path);
    }

    let mut best: Option<(u8, PathReport)> = None;
    for chain in &built.chains {
        let (Some(anchor_cert), Some(anchor_pdv)) = (
            anchor_certs.get(chain.anchor),
            anchor_pdvs.get(chain.anchor),
        ) else {
            continue;
        };
        let certs = chain_certificates(leaf, &pool, anchor_cert, chain);
        match check_chain(
            &engine, options, &certs, &leaf_pdv, &pool_pdvs, anchor_pdv, chain,
        ) {
            Ok(()) => {
                let summaries = certs.iter().map(|c| CertificateSummary::of(c)).collect();
                // RFC 8550 §4.4.2, §4.4.4
                let verdict = match leaf::check_leaf(leaf, options.purpose) {
                    Ok(()) => PathVerdict::Valid,
                    Err(reason) => PathVerdict::invalid(reason, Some(leaf_subject)),
                };
                return PathReport {
                    verdict,
                    path: summaries,
                };
            }
            Err((reason, at_fault)) => {
                let rank = u8::from(reason != PathFailure::BadSignature);
                if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                    let subject = at_fault.map(|c| c.tbs_certificate().subject().to_string());
                    best = Some((rank, failed(reason, subject, certs)));
                }
            }
        }
    }
    match best {
        Some((_, report)) => report,
        None => failed(
            PathFailure::NoPathToTrustAnchor,
            Some(leaf_subject),
            vec![leaf],
        ),
    }
}

/// The certificates of `chain`, leaf first, anchor last.
fn chain_certificates<'a>(
    leaf: &'a Certificate,
    pool: &'a [Certificate],
    anchor: &'a Certificate,
    chain: &Chain,
) -> Vec<&'a Certificate> {
    let mut certs = vec![leaf];
    certs.extend(chain.intermediates.iter().filter_map(|i| pool.get(*i)));
    certs.push(anchor);
    certs
}

/// Checks one chain; on failure returns the reason and the certificate at fault, if known.
/// `certs` is the chain leaf first, anchor last.
fn check_chain<'a>(
    engine: &Engine,
    options: &PathOptions,
    certs: &[&'a Certificate],
    leaf_pdv: &PDVCertificate,
    pool_pdvs: &[PDVCertificate],
    anchor_pdv: &PDVTrustAnchorChoice,
    chain: &Chain,
) -> Result<(), (PathFailure, Option<&'a Certificate>)> {
    // Every signature certval will verify: leaf and intermediates, not the anchor's own.
    let signed = certs.len().saturating_sub(1);
    if let Some(refused) = certs
        .iter()
        .take(signed)
        .find(|c| !algorithms::is_allowed(&c.signature_algorithm().oid, options.allow_sha1))
    {
        return Err((PathFailure::UnsupportedAlgorithm, Some(*refused)));
    }

    // certval wants the intermediates anchor side first.
    let intermediates: Vec<PDVCertificate> = chain
        .intermediates
        .iter()
        .rev()
        .filter_map(|i| pool_pdvs.get(*i).cloned())
        .collect();
    engine
        .check(anchor_pdv, intermediates, leaf_pdv)
        .map_err(|(reason, index)| {
            // certval counts from the anchor (0) down to the leaf; `certs` runs the other way.
            let at_fault = index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| signed.checked_sub(i))
                .and_then(|i| certs.get(i).copied());
            (reason, at_fault)
        })
}

/// certval's form of a certificate, from its original encoding.
fn to_pdv(cert: &Certificate) -> Option<PDVCertificate> {
    let der = encoding::original_der(cert).ok()?;
    PDVCertificate::try_from(der.as_slice()).ok()
}

/// An invalid report for `path` (leaf first).
fn failed(reason: PathFailure, certificate: Option<String>, path: Vec<&Certificate>) -> PathReport {
    PathReport {
        verdict: PathVerdict::invalid(reason, certificate),
        path: path.into_iter().map(CertificateSummary::of).collect(),
    }
}
