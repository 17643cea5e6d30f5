//! Conformance: CMS SignedData made by an independent implementation (CryptoSys, the
//! draft-ireland-examples-cms objects) with the RFC 9216 sample keys, several of which the
//! installed OpenSSL 3.0 cannot verify (Ed25519). Read in place from the shared conformance
//! folder; see its SOURCE.md.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::path::PathBuf;

use smime_core::path::TrustAnchors;
use smime_core::{
    AddressMatch, HeadersOutcome, SignatureFailure, SignatureVerdict, SignedForm, VerifyOptions,
    load_certificates, verify_signed_data,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/examples-cms")
}

fn object(name: &str) -> Vec<u8> {
    let path = dir().join("binary-files").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cert(name: &str) -> Vec<u8> {
    let path = dir().join("certs-and-keys").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// SOURCE.md: "The content of every object is the 28 bytes `This is some sample content.`".
const CONTENT: &[u8] = b"This is some sample content.";

fn options() -> VerifyOptions {
    let mut trust = TrustAnchors::new();
    for ca in ["lamps-ca.rsa.crt", "lamps-ca.ed25519.crt"] {
        for c in load_certificates(&cert(ca)).unwrap() {
            trust.add(c);
        }
    }
    VerifyOptions::new(trust)
}

fn assert_all_valid(report: &smime_core::SmimeReport, signers: usize) {
    assert_eq!(report.signers.len(), signers, "{report}");
    for s in &report.signers {
        assert_eq!(s.signature, SignatureVerdict::Valid, "{report}");
        assert_eq!(s.address, AddressMatch::NoMessage);
    }
    assert!(report.is_valid(), "{report}");
    assert!(matches!(report.headers, HeadersOutcome::NotSecured { .. }));
}

#[test]
fn rsa_pkcs1_without_signed_attributes_verifies() {
    // The signature is over the content itself (RFC 5652 §5.4, no signedAttrs).
    let report = verify_signed_data(&object("signedByAliceRSA.p7m"), None, &options()).unwrap();
    assert_eq!(report.form, SignedForm::Opaque);
    assert_all_valid(&report, 1);
    assert_eq!(report.signers[0].algorithm, "rsa-pkcs1-sha256");
    assert_eq!(report.signers[0].signing_time, None);
}

#[test]
fn rsa_pss_with_algorithm_protection_verifies() {
    let report = verify_signed_data(&object("signedByAliceRSAPSS.p7m"), None, &options()).unwrap();
    assert_all_valid(&report, 1);
    assert_eq!(report.signers[0].algorithm, "rsa-pss-sha256");
}

#[test]
fn ed25519_verifies_where_openssl_3_0_cannot() {
    let report =
        verify_signed_data(&object("signedByCarlosEd25519.p7m"), None, &options()).unwrap();
    assert_all_valid(&report, 1);
    assert_eq!(report.signers[0].algorithm, "ed25519");
    assert_eq!(
        report.signers[0].identity.as_ref().unwrap().email_addresses,
        ["carlos@smime.example"]
    );
}

#[test]
fn detached_ed25519_verifies_against_its_content() {
    let cms = object("signedByCarlosDetached.p7m");
    let report = verify_signed_data(&cms, Some(CONTENT), &options()).unwrap();
    assert_eq!(report.form, SignedForm::Detached);
    assert_all_valid(&report, 1);

    // One byte changed. This object has no signedAttrs (its dump shows the SignerInfo going
    // from the subjectKeyIdentifier straight to the algorithms, whatever SOURCE.md says of a
    // signingCertificateV2): the Ed25519 signature covers the content itself, so the change
    // shows as a bad signature, not as a messageDigest mismatch.
    let report =
        verify_signed_data(&cms, Some(b"This is some sample content!"), &options()).unwrap();
    assert!(!report.is_valid(), "{report}");
    assert!(matches!(
        report.signers[0].signature,
        SignatureVerdict::Invalid {
            reason: SignatureFailure::BadSignature,
            ..
        }
    ));

    // Detached content is required.
    assert!(verify_signed_data(&cms, None, &options()).is_err());
}

#[test]
fn two_signers_without_certificates_need_them_supplied() {
    let cms = object("signedByAliceAndCarlosNoCerts.p7m");
    let report = verify_signed_data(&cms, None, &options()).unwrap();
    assert_eq!(report.signers.len(), 2);
    for s in &report.signers {
        assert!(matches!(
            s.signature,
            SignatureVerdict::Invalid {
                reason: SignatureFailure::CertificateNotFound,
                ..
            }
        ));
    }
    assert!(!report.is_valid());

    let mut opts = options();
    for c in ["lamps-alice.crt", "lamps-carlos.crt"] {
        opts.certificates
            .extend(load_certificates(&cert(c)).unwrap());
    }
    let report = verify_signed_data(&cms, None, &opts).unwrap();
    assert_all_valid(&report, 2);
    let algorithms: Vec<&str> = report
        .signers
        .iter()
        .map(|s| s.algorithm.as_str())
        .collect();
    assert!(
        algorithms.contains(&"ed25519") && algorithms.contains(&"rsa-pkcs1-sha256"),
        "{algorithms:?}"
    );
}

#[test]
fn enveloped_data_is_not_signed_data() {
    let err =
        verify_signed_data(&object("encryptedForBobRSAOaep.p7m"), None, &options()).unwrap_err();
    assert_eq!(err.code(), "not-signed-data", "{err}");
}
