//! SHA-1 policy (`PathOptions::allow_sha1`) on an RSA hierarchy made with `openssl`
//! (tests/data: root sha256WithRSAEncryption, leaf sha1WithRSAEncryption, emailProtection).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::time::Duration;

use der::DecodePem;
use x509_cert::Certificate;

use smime_core::path::{
    PathFailure, PathOptions, PathVerdict, Purpose, TrustAnchors, validate_path,
};

const ROOT: &str = include_str!("data/sha1-root.pem");
const LEAF: &str = include_str!("data/sha1-leaf.pem");

/// An hour after the leaf's notBefore, so the fixtures never expire under the test.
fn options() -> PathOptions {
    let leaf = Certificate::from_pem(LEAF).unwrap();
    let not_before: Duration = leaf
        .tbs_certificate()
        .validity()
        .not_before
        .to_unix_duration();
    PathOptions::at(not_before.as_secs() + 3600, Purpose::Signing)
}

#[test]
fn sha1_signed_certificate_is_refused_by_default() {
    let anchors = TrustAnchors::from_pem(ROOT.as_bytes()).unwrap();
    let leaf = Certificate::from_pem(LEAF).unwrap();
    let report = validate_path(&leaf, &[], &anchors, &options());
    assert_eq!(
        report.verdict,
        PathVerdict::Invalid {
            reason: PathFailure::UnsupportedAlgorithm,
            certificate: Some("CN=SHA1 Leaf,O=pathval,C=US".into()),
        }
    );
}

#[test]
fn sha1_signed_certificate_is_accepted_when_allowed() {
    let anchors = TrustAnchors::from_pem(ROOT.as_bytes()).unwrap();
    let leaf = Certificate::from_pem(LEAF).unwrap();
    let mut options = options();
    options.allow_sha1 = true;
    let report = validate_path(&leaf, &[], &anchors, &options);
    assert!(report.is_valid(), "{}", report.verdict);
}
