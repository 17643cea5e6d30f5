//! Leaf keyUsage / extendedKeyUsage rules (RFC 8550 §4.4.2, §4.4.4) and a few report details,
//! on a two-certificate P-256 hierarchy generated in-test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod certgen;

use const_oid::db::rfc5912::{ANY_EXTENDED_KEY_USAGE, ID_KP_EMAIL_PROTECTION, ID_KP_SERVER_AUTH};
use der::EncodePem;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::KeyUsages;

use certgen::{authority_key_id, ca_extensions, eku, issue, key, key_usage, now};
use smime_core::path::{
    PathFailure, PathOptions, PathVerdict, Purpose, TrustAnchors, validate_path,
};

const ROOT_NAME: &str = "CN=Leaf Test Root,O=pathval,C=US";
const LEAF_NAME: &str = "CN=Alice,O=pathval,C=US";
const ROOT_KEY_ID: [u8; 4] = [1, 2, 3, 4];

fn root() -> Certificate {
    issue(
        ROOT_NAME,
        ROOT_NAME,
        1,
        &key(1),
        &key(1),
        ca_extensions(&ROOT_KEY_ID, None),
    )
}

/// A leaf under `root()` with the given extensions (plus an authority key identifier).
fn leaf(mut extensions: Vec<Extension>) -> Certificate {
    extensions.push(authority_key_id(&ROOT_KEY_ID));
    issue(ROOT_NAME, LEAF_NAME, 2, &key(2), &key(1), extensions)
}

fn anchors() -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    anchors.add(root());
    anchors
}

fn verdict(leaf: &Certificate, purpose: Purpose) -> PathVerdict {
    validate_path(leaf, &[], &anchors(), &PathOptions::at(now(), purpose)).verdict
}

fn leaf_failure(reason: PathFailure) -> PathVerdict {
    PathVerdict::Invalid {
        reason,
        certificate: Some(LEAF_NAME.to_string()),
    }
}

#[test]
fn no_usage_extensions_allow_everything() {
    let cert = leaf(vec![]);
    assert_eq!(verdict(&cert, Purpose::Signing), PathVerdict::Valid);
    assert_eq!(verdict(&cert, Purpose::Encryption), PathVerdict::Valid);
}

#[test]
fn key_usage_for_signing_needs_digital_signature_or_non_repudiation() {
    let ds = leaf(vec![key_usage(&[KeyUsages::DigitalSignature])]);
    assert_eq!(verdict(&ds, Purpose::Signing), PathVerdict::Valid);
    assert_eq!(
        verdict(&ds, Purpose::Encryption),
        leaf_failure(PathFailure::KeyUsage)
    );

    let nr = leaf(vec![key_usage(&[KeyUsages::NonRepudiation])]);
    assert_eq!(verdict(&nr, Purpose::Signing), PathVerdict::Valid);

    let enc_only = leaf(vec![key_usage(&[KeyUsages::KeyEncipherment])]);
    assert_eq!(
        verdict(&enc_only, Purpose::Signing),
        leaf_failure(PathFailure::KeyUsage)
    );
}

#[test]
fn key_usage_for_encryption_needs_key_encipherment_or_key_agreement() {
    let ke = leaf(vec![key_usage(&[KeyUsages::KeyEncipherment])]);
    assert_eq!(verdict(&ke, Purpose::Encryption), PathVerdict::Valid);

    let ka = leaf(vec![key_usage(&[KeyUsages::KeyAgreement])]);
    assert_eq!(verdict(&ka, Purpose::Encryption), PathVerdict::Valid);
    assert_eq!(
        verdict(&ka, Purpose::Signing),
        leaf_failure(PathFailure::KeyUsage)
    );

    let de = leaf(vec![key_usage(&[KeyUsages::DataEncipherment])]);
    assert_eq!(
        verdict(&de, Purpose::Encryption),
        leaf_failure(PathFailure::KeyUsage)
    );
}

#[test]
fn extended_key_usage_needs_email_protection_or_any() {
    let email = leaf(vec![eku(&[ID_KP_EMAIL_PROTECTION])]);
    assert_eq!(verdict(&email, Purpose::Signing), PathVerdict::Valid);
    assert_eq!(verdict(&email, Purpose::Encryption), PathVerdict::Valid);

    let any = leaf(vec![eku(&[ANY_EXTENDED_KEY_USAGE])]);
    assert_eq!(verdict(&any, Purpose::Signing), PathVerdict::Valid);

    let mixed = leaf(vec![eku(&[ID_KP_SERVER_AUTH, ID_KP_EMAIL_PROTECTION])]);
    assert_eq!(verdict(&mixed, Purpose::Signing), PathVerdict::Valid);

    let tls = leaf(vec![eku(&[ID_KP_SERVER_AUTH])]);
    let want = leaf_failure(PathFailure::ExtendedKeyUsage);
    assert_eq!(verdict(&tls, Purpose::Signing), want);
    assert_eq!(verdict(&tls, Purpose::Encryption), want);
}

#[test]
fn key_usage_is_checked_with_extended_key_usage() {
    let cert = leaf(vec![
        key_usage(&[KeyUsages::DigitalSignature]),
        eku(&[ID_KP_EMAIL_PROTECTION]),
    ]);
    assert_eq!(verdict(&cert, Purpose::Signing), PathVerdict::Valid);
    assert_eq!(
        verdict(&cert, Purpose::Encryption),
        leaf_failure(PathFailure::KeyUsage)
    );
}

#[test]
fn duplicate_usage_extension_is_malformed() {
    let cert = leaf(vec![
        eku(&[ID_KP_EMAIL_PROTECTION]),
        eku(&[ID_KP_EMAIL_PROTECTION]),
    ]);
    assert_eq!(
        verdict(&cert, Purpose::Signing),
        leaf_failure(PathFailure::InvalidCertificate)
    );
}

#[test]
fn report_lists_path_leaf_first_and_serialises_tagged() {
    let report = validate_path(
        &leaf(vec![eku(&[ID_KP_SERVER_AUTH])]),
        &[],
        &anchors(),
        &PathOptions::at(now(), Purpose::Signing),
    );
    let subjects: Vec<&str> = report.path.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects, [LEAF_NAME, ROOT_NAME]);
    assert_eq!(report.path[0].serial, "02");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"]["verdict"], "invalid");
    assert_eq!(json["verdict"]["reason"], "extended_key_usage");
    assert_eq!(json["verdict"]["certificate"], LEAF_NAME);
}

#[test]
fn missing_anchor_and_wrong_time_are_reported() {
    let cert = leaf(vec![]);
    let none = validate_path(
        &cert,
        &[],
        &TrustAnchors::new(),
        &PathOptions::at(now(), Purpose::Signing),
    );
    assert_eq!(none.verdict, leaf_failure(PathFailure::NoPathToTrustAnchor));
    assert_eq!(none.path.len(), 1);

    let later = PathOptions::at(now() + 3 * 86_400, Purpose::Signing);
    let expired = validate_path(&cert, &[], &anchors(), &later);
    assert_eq!(expired.verdict, leaf_failure(PathFailure::Expired));

    let epoch = PathOptions::at(0, Purpose::Signing);
    let early = validate_path(&cert, &[], &anchors(), &epoch);
    assert_eq!(early.verdict, leaf_failure(PathFailure::NotYetValid));
}

#[test]
fn anchors_load_from_pem_among_other_text() {
    let pem = root().to_pem(der::pem::LineEnding::LF).unwrap();
    let text = format!(
        "comment line\n{pem}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n{pem}"
    );
    let anchors = TrustAnchors::from_pem(text.as_bytes()).unwrap();
    assert_eq!(anchors.len(), 1, "the same certificate twice is kept once");
    assert!(TrustAnchors::from_pem(b"no certificates here").is_err());
}
