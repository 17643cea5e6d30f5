//! Invariants of the S/MIME message layer on arbitrary bytes:
//! - verifying never panics, and with no trust anchor nothing is valid;
//! - whatever can be signed verifies: signing the input (detached and opaque, with the
//!   test-only Ed25519 key) and verifying the result gives a valid signature, so the entity
//!   we write, the part we find again and the bytes we digest always agree.

use std::sync::OnceLock;

use mailsec::smime::{
    SignOptions, SignatureVerdict, SignedForm, Signer, TrustAnchors, VerifyOptions, sign_message,
    verify_message,
};

fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        Signer::from_pem(
            include_bytes!("../../tests/fixtures/pki/alice-ed25519.pem"),
            include_bytes!("../../tests/fixtures/pki/alice-ed25519.key"),
        )
        .expect("the test key loads")
    })
}

pub fn check(data: &[u8]) {
    let options = VerifyOptions::new(TrustAnchors::new());
    match verify_message(data, &options) {
        Ok(report) => {
            assert!(!report.is_valid(), "valid without any trust anchor");
            assert!(!report.to_string().is_empty());
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let sign_options = SignOptions {
            form,
            signing_time: Some(1_700_000_000),
            ..SignOptions::default()
        };
        let Ok(signed) = sign_message(data, std::slice::from_ref(signer()), &sign_options) else {
            continue;
        };
        let report = verify_message(&signed, &options).expect("our own output parses");
        assert_eq!(report.form, form);
        assert_eq!(report.signers.len(), 1);
        assert_eq!(
            report.signers[0].signature,
            SignatureVerdict::Valid,
            "what we sign verifies: {report}"
        );
    }
}
