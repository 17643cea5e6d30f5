//! Path construction from candidates, and which failure is reported when no path is valid.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod certgen;

use const_oid::db::rfc5912::{ID_CE_BASIC_CONSTRAINTS, ID_KP_EMAIL_PROTECTION};
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;

use certgen::{authority_key_id, ca_extensions, eku, ext, issue, key, now};
use smime_core::path::{
    PathFailure, PathOptions, PathReport, PathVerdict, Purpose, TrustAnchors, validate_path,
};

const ROOT: &str = "CN=Build Root,O=pathval,C=US";
const SUB: &str = "CN=Build Sub CA,O=pathval,C=US";
const LEAF: &str = "CN=Bob,O=pathval,C=US";
const ROOT_ID: [u8; 2] = [0xaa, 0x01];
const SUB_ID: [u8; 2] = [0xbb, 0x02];
const DECOY_ID: [u8; 2] = [0xdd, 0x04];

fn root() -> Certificate {
    issue(
        ROOT,
        ROOT,
        1,
        &key(1),
        &key(1),
        ca_extensions(&ROOT_ID, None),
    )
}
fn sub() -> Certificate {
    issue(
        ROOT,
        SUB,
        3,
        &key(3),
        &key(1),
        ca_extensions(&SUB_ID, Some(&ROOT_ID)),
    )
}
/// Same name as `sub()`, different key: a wrong issuer candidate for the leaf.
fn decoy() -> Certificate {
    issue(
        ROOT,
        SUB,
        4,
        &key(4),
        &key(1),
        ca_extensions(&DECOY_ID, Some(&ROOT_ID)),
    )
}
fn leaf() -> Certificate {
    let exts = vec![eku(&[ID_KP_EMAIL_PROTECTION]), authority_key_id(&SUB_ID)];
    issue(SUB, LEAF, 2, &key(2), &key(3), exts)
}

fn run(candidates: &[Certificate], anchor: Certificate) -> PathReport {
    let mut anchors = TrustAnchors::new();
    anchors.add(anchor);
    validate_path(
        &leaf(),
        candidates,
        &anchors,
        &PathOptions::at(now(), Purpose::Signing),
    )
}

fn subjects(report: &PathReport) -> Vec<&str> {
    report.path.iter().map(|c| c.subject.as_str()).collect()
}

fn invalid(reason: PathFailure, subject: &str) -> PathVerdict {
    PathVerdict::Invalid {
        reason,
        certificate: Some(subject.to_string()),
    }
}

#[test]
fn intermediate_from_candidates() {
    let report = run(&[sub()], root());
    assert!(report.is_valid(), "{}", report.verdict);
    assert_eq!(subjects(&report), [LEAF, SUB, ROOT]);
}

#[test]
fn leaf_and_anchor_among_candidates_are_not_intermediates() {
    let root = root();
    let report = run(&[leaf(), root.clone(), sub(), sub()], root);
    assert!(report.is_valid(), "{}", report.verdict);
    assert_eq!(subjects(&report), [LEAF, SUB, ROOT]);
}

#[test]
fn wrong_key_candidate_does_not_hide_the_right_one() {
    let report = run(&[decoy(), sub()], root());
    assert!(report.is_valid(), "{}", report.verdict);
    assert_eq!(report.path[1].serial, "03");
}

#[test]
fn only_a_wrong_key_candidate_is_a_bad_signature() {
    let report = run(&[decoy()], root());
    assert_eq!(report.verdict, invalid(PathFailure::BadSignature, LEAF));
    assert_eq!(subjects(&report), [LEAF, SUB, ROOT]);
}

#[test]
fn missing_intermediate_names_the_stuck_certificate() {
    let report = run(&[], root());
    assert_eq!(
        report.verdict,
        invalid(PathFailure::NoPathToTrustAnchor, LEAF)
    );
    assert_eq!(subjects(&report), [LEAF]);

    let other_root = issue(
        "CN=Other,C=US",
        "CN=Other,C=US",
        9,
        &key(9),
        &key(9),
        ca_extensions(&[9], None),
    );
    let report = run(&[sub()], other_root);
    assert_eq!(
        report.verdict,
        invalid(PathFailure::NoPathToTrustAnchor, SUB)
    );
    assert_eq!(subjects(&report), [LEAF, SUB]);
}

#[test]
fn intermediate_that_is_not_a_ca() {
    let bc = BasicConstraints {
        ca: false,
        path_len_constraint: None,
    };
    let not_ca = issue(
        ROOT,
        SUB,
        5,
        &key(3),
        &key(1),
        vec![
            ext(ID_CE_BASIC_CONSTRAINTS, true, &bc),
            authority_key_id(&ROOT_ID),
        ],
    );
    let report = run(&[not_ca], root());
    assert_eq!(report.verdict, invalid(PathFailure::NotACa, SUB));
}

#[test]
fn issuer_loops_terminate() {
    // A and B certify each other; neither leads to the anchor.
    let a = "CN=Loop A,C=US";
    let b = "CN=Loop B,C=US";
    let a_by_b = issue(
        b,
        a,
        10,
        &key(10),
        &key(11),
        ca_extensions(&[10], Some(&[11])),
    );
    let b_by_a = issue(
        a,
        b,
        11,
        &key(11),
        &key(10),
        ca_extensions(&[11], Some(&[10])),
    );
    let sub_by_a = issue(
        a,
        SUB,
        12,
        &key(3),
        &key(10),
        ca_extensions(&SUB_ID, Some(&[10])),
    );
    let report = run(&[a_by_b, b_by_a, sub_by_a], root());
    assert!(matches!(
        report.verdict,
        PathVerdict::Invalid {
            reason: PathFailure::NoPathToTrustAnchor,
            ..
        }
    ));
}
