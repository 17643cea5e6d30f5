//! Candidate path construction (RFC 4158 style forward building by name chaining).
//!
//! Only names are used to link certificates; every check, signatures included, is left to
//! certval on the finished path. That keeps failing paths available so the report can say *why*
//! a path fails (expired, bad signature, ...) rather than only that none was found. Key
//! identifiers (RFC 5280 §4.2.1.1, §4.2.1.2) only order the candidates.
//!
//! Certificates are untrusted input, so the search is bounded in depth, in paths returned and
//! in steps taken.

use certval::compare_names;
use const_oid::db::rfc5912::{ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_SUBJECT_KEY_IDENTIFIER};
use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};

/// Most intermediates in one path; certval rejects more than 15 non-self-issued certificates
/// anyway (its `PS_MAX_PATH_LENGTH_CONSTRAINT`).
const MAX_INTERMEDIATES: usize = 16;
/// Most candidate paths handed to the validator.
const MAX_PATHS: usize = 64;
/// Most search steps (certificates visited) before giving up.
const MAX_STEPS: usize = 4096;

/// One candidate path: indices into the candidate list, leaf side first, and the anchor index.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// Intermediates, starting with the leaf's issuer.
    pub intermediates: Vec<usize>,
    /// Index of the trust anchor that issued the last intermediate (or the leaf).
    pub anchor: usize,
}

/// What the search found.
#[derive(Debug, Default)]
pub(crate) struct Built {
    /// Paths ending at an anchor, most plausible first.
    pub chains: Vec<Chain>,
    /// When `chains` is empty: the longest chain of intermediates found (leaf side first),
    /// whose last element (or the leaf) has no known issuer.
    pub dead_end: Vec<usize>,
}

struct Search<'a> {
    candidates: &'a [Certificate],
    anchors: &'a [Certificate],
    steps: usize,
    built: Built,
}

/// Finds every path from `leaf` through `candidates` to one of `anchors`. `candidates` must
/// not contain the leaf or an anchor (the caller removes them).
pub(crate) fn build(
    leaf: &Certificate,
    candidates: &[Certificate],
    anchors: &[Certificate],
) -> Built {
    let mut search = Search {
        candidates,
        anchors,
        steps: 0,
        built: Built::default(),
    };
    let mut stack = Vec::new();
    search.extend(leaf, &mut stack);

    let mut built = search.built;
    // Paths whose key identifiers agree first, then shorter ones (stable, so search order
    // breaks ties).
    let mut scored: Vec<(usize, usize, Chain)> = built
        .chains
        .drain(..)
        .map(|c| {
            (
                mismatches(leaf, candidates, anchors, &c),
                c.intermediates.len(),
                c,
            )
        })
        .collect();
    scored.sort_by_key(|(m, len, _)| (*m, *len));
    built.chains = scored.into_iter().map(|(_, _, c)| c).collect();
    built
}

impl Search<'_> {
    /// Depth-first: record every anchor that names `current`'s issuer, then recurse into every
    /// candidate that does.
    fn extend(&mut self, current: &Certificate, stack: &mut Vec<usize>) {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.built.chains.len() >= MAX_PATHS {
            return;
        }
        let issuer = current.tbs_certificate().issuer();
        let mut linked = false;

        // RFC 5280 §6.1.4 (a)-(b): the issuer name of each certificate is the subject of the next.
        for (index, anchor) in self.anchors.iter().enumerate() {
            if compare_names(anchor.tbs_certificate().subject(), issuer) {
                linked = true;
                if self.built.chains.len() < MAX_PATHS {
                    self.built.chains.push(Chain {
                        intermediates: stack.clone(),
                        anchor: index,
                    });
                }
            }
        }

        if stack.len() < MAX_INTERMEDIATES {
            let akid = authority_key_id(current);
            let mut next: Vec<(u8, usize)> = self
                .candidates
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    !stack.contains(i) && compare_names(c.tbs_certificate().subject(), issuer)
                })
                .map(|(i, c)| (key_id_rank(akid.as_deref(), c), i))
                .collect();
            next.sort_by_key(|(rank, _)| *rank);
            for (_, index) in next {
                let Some(candidate) = self.candidates.get(index) else {
                    continue;
                };
                linked = true;
                stack.push(index);
                self.extend(candidate, stack);
                stack.pop();
            }
        }

        if !linked && self.built.chains.is_empty() && stack.len() >= self.built.dead_end.len() {
            self.built.dead_end = stack.clone();
        }
    }
}

/// 0 when the child's AKID keyIdentifier equals the parent's SKID, 1 when either is absent,
/// 2 when they differ.
fn key_id_rank(akid: Option<&[u8]>, parent: &Certificate) -> u8 {
    match (akid, subject_key_id(parent)) {
        (Some(a), Some(s)) if a == s.as_slice() => 0,
        (Some(_), Some(_)) => 2,
        _ => 1,
    }
}

/// Number of links in `chain` whose key identifiers disagree.
fn mismatches(
    leaf: &Certificate,
    candidates: &[Certificate],
    anchors: &[Certificate],
    chain: &Chain,
) -> usize {
    let mut child = leaf;
    let mut count = 0;
    let parents = chain
        .intermediates
        .iter()
        .filter_map(|i| candidates.get(*i))
        .chain(anchors.get(chain.anchor));
    for parent in parents {
        if key_id_rank(authority_key_id(child).as_deref(), parent) == 2 {
            count += 1;
        }
        child = parent;
    }
    count
}

fn extension_value<'a>(
    cert: &'a Certificate,
    oid: &const_oid::ObjectIdentifier,
) -> Option<&'a [u8]> {
    cert.tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == *oid)
        .map(|e| e.extn_value.as_bytes())
}

fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let value = extension_value(cert, &ID_CE_AUTHORITY_KEY_IDENTIFIER)?;
    let akid = AuthorityKeyIdentifier::from_der(value).ok()?;
    akid.key_identifier.map(|k| k.as_bytes().to_vec())
}

fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let value = extension_value(cert, &ID_CE_SUBJECT_KEY_IDENTIFIER)?;
    let skid = SubjectKeyIdentifier::from_der(value).ok()?;
    Some(skid.0.as_bytes().to_vec())
}
