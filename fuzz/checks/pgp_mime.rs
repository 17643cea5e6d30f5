//! Invariants of the PGP/MIME layer (RFC 3156) on arbitrary messages, with a fixed test key:
//! - `detect` and `open` never panic, and their errors are typed as bad input;
//! - what `open` accepts is signed or encrypted, as `detect` says: an encrypted message has a
//!   decryption report (by the one key given), a signed one at least one signature; only the
//!   fixed key signs well; header statuses agree with the values they compare;
//! - whatever can be signed or encrypted opens: signing the input (when it is not PGP/MIME
//!   already), or signing and encrypting it, and opening the result gives a valid message, so
//!   the entity we write, the part we find again and the bytes we hash always agree.

use std::sync::OnceLock;

use mailsec::pgp::mime::{self, HeaderStatus, MimeKind, Opened};
use mailsec::pgp::{Error, Key, Limits, PgpPolicy};

/// The key of `pgp_packets` (a Cv25519 key made once; no password; test-only).
const KEY: &[u8] = include_bytes!("pgp_key.asc");

fn key() -> &'static Key {
    static KEY_ONCE: OnceLock<Key> = OnceLock::new();
    KEY_ONCE.get_or_init(|| Key::from_bytes(KEY).expect("the fuzz key loads"))
}

fn policy() -> &'static PgpPolicy {
    static POLICY: OnceLock<PgpPolicy> = OnceLock::new();
    POLICY.get_or_init(|| {
        PgpPolicy::new().with_limits(Limits {
            max_input_bytes: 1 << 20,
            max_output_bytes: 1 << 16,
            max_mime_depth: 8,
            max_mime_parts: 64,
            max_header_fields: 128,
            ..Limits::default()
        })
    })
}

fn typed(error: &Error) {
    assert!(error.is_bad_input(), "not typed as bad input: {error:?}");
    assert!(!error.to_string().is_empty());
}

/// What holds of every opened message, whoever made it.
fn consistent(message: &[u8], opened: &Opened) {
    let fixed = key().fingerprint();
    assert_ne!(
        opened.kind,
        MimeKind::Other,
        "opened a message that is not PGP/MIME"
    );
    assert_eq!(
        mime::detect(message, policy()).ok(),
        Some(opened.kind),
        "open and detect disagree"
    );
    assert_eq!(opened.is_encrypted(), opened.kind == MimeKind::Encrypted);
    if let Some(decryption) = &opened.decryption {
        assert_eq!(
            decryption.decrypted_with_cert.as_deref(),
            Some(fixed.as_str())
        );
    }
    if opened.kind == MimeKind::Signed {
        assert!(
            opened.is_signed(),
            "a multipart/signed opened without a signature"
        );
    }
    for signer in opened.signatures.good_signers() {
        assert_eq!(signer, fixed, "a good signature by a key we were not given");
    }
    for h in &opened.headers {
        match h.status {
            HeaderStatus::Match => assert_eq!(h.protected, h.outer),
            HeaderStatus::Differs => {
                assert!(h.protected.is_some() && h.outer.is_some() && h.protected != h.outer)
            }
            HeaderStatus::Obscured => {
                assert_eq!(opened.kind, MimeKind::Encrypted);
                assert!(h.protected.is_some() && h.outer.is_some());
            }
            HeaderStatus::MissingOutside => assert!(h.protected.is_some() && h.outer.is_none()),
            HeaderStatus::Unprotected => assert!(h.protected.is_none() && h.outer.is_some()),
        }
    }
    assert_eq!(
        opened.is_valid(),
        opened.signatures.is_valid()
            && !opened
                .headers
                .iter()
                .any(|h| h.status == HeaderStatus::Differs)
    );
    let _ = opened.to_string();
}

pub fn check(data: &[u8]) {
    let policy = policy();
    let key = key();
    let keys = std::slice::from_ref(key);
    let certs = [key.public()];

    if let Err(e) = mime::detect(data, policy) {
        typed(&e);
    }
    match mime::open(data, keys, &certs, policy) {
        Ok(opened) => consistent(data, &opened),
        Err(e) => typed(&e),
    }

    // Our own messages, from any input that is not PGP/MIME already (a nested signature by
    // somebody else may rightly be bad) and small enough to stay under the output limit.
    if mime::detect(data, policy).ok() != Some(MimeKind::Other)
        || data.len() > policy.limits.max_output_bytes / 4
    {
        return;
    }
    if let Ok(signed) = mime::sign(data, keys, policy) {
        let opened =
            mime::open(&signed, &[], &certs, policy).expect("our own signed message opens");
        consistent(&signed, &opened);
        assert_eq!(opened.kind, MimeKind::Signed);
        assert!(opened.is_valid(), "what we sign verifies: {opened}");
    }
    if let Ok(sealed) = mime::encrypt(data, &certs, keys, policy) {
        let opened =
            mime::open(&sealed, keys, &certs, policy).expect("our own encrypted message opens");
        consistent(&sealed, &opened);
        assert_eq!(opened.kind, MimeKind::Encrypted);
        assert!(
            opened.is_valid(),
            "what we sign and encrypt verifies: {opened}"
        );
    }
}
