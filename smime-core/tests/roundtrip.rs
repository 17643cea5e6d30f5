//! Round trips through our own signer and verifier, for every key type and form.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
mod common;

use common::*;
use smime_core::{SignOptions, SignedForm, sign_message, verify_message};

#[test]
fn smoke() {
    let policy = secure_headers::Policy::from_toml_str(POLICY).unwrap();
    let opts = SignOptions {
        secure_headers: Some(policy.clone()),
        ..SignOptions::default()
    };
    for name in ["alice-rsa", "alice-p256", "alice-p384", "alice-ed25519"] {
        for form in [SignedForm::Detached, SignedForm::Opaque] {
            let signed = sign_message(
                MESSAGE,
                &[signer(name)],
                &SignOptions {
                    form,
                    ..opts.clone()
                },
            )
            .unwrap();
            std::fs::write(format!("/tmp/smime-{name}-{}.eml", form.name()), &signed).unwrap();
            let mut vo = options();
            vo.secure_headers = Some(policy.clone());
            let report = verify_message(&signed, &vo).unwrap();
            println!("{report}");
        }
    }
}
