//! Invariants of the OpenPGP parsers on arbitrary bytes, armored or binary: key rings, single
//! keys, detached signatures (over a fixed text, and over the input's head with its tail as the
//! signature), inline signed messages and encrypted messages (with a fixed test key).
//! - no panic, and memory bounded by small limits;
//! - every error is typed as bad input and displays;
//! - a key read back from its own export is the same key;
//! - only the fixed key can make a good signature or decrypt, and nothing exceeds the limits.

use std::sync::OnceLock;

use mailsec::pgp::{Error, Key, Limits, PgpPolicy, VerificationReport};

/// The text `detached.*` and `inline.*` of the seed corpus sign.
const SIGNED_TEXT: &[u8] = b"Hello, fuzzer.\r\n";

/// A Cv25519 key made once for the fuzz targets (no password; test-only, never trusted).
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
            max_recipients: 8,
            max_certificates: 8,
            ..Limits::default()
        })
    })
}

fn typed(error: &Error) {
    assert!(error.is_bad_input(), "not typed as bad input: {error:?}");
    assert!(!error.to_string().is_empty());
}

fn signed_by_the_key_only(report: &VerificationReport) {
    let fixed = key().fingerprint();
    for signer in report.good_signers() {
        assert_eq!(signer, fixed, "a good signature by a key we were not given");
    }
    let _ = report.to_string();
}

pub fn check(data: &[u8]) {
    let policy = policy();
    let limits = &policy.limits;
    let key = key();
    let certs = [key.public()];

    match Key::read_keyring(data, limits) {
        Ok(keys) => {
            assert!(!keys.is_empty() && keys.len() <= limits.max_certificates);
            for k in &keys {
                let _ = (k.user_ids(), k.emails(), k.key_fingerprints(), k.version());
                let _ = (k.invalidity(policy), k.is_revoked(policy), k.is_locked());
                if let Ok(exported) = k.export_cert(false) {
                    let again = Key::from_bytes(&exported).expect("our own export reads back");
                    assert_eq!(again.fingerprint(), k.fingerprint());
                }
            }
        }
        Err(e) => typed(&e),
    }
    match Key::from_bytes(data) {
        Ok(k) => assert!(!k.fingerprint().is_empty()),
        Err(e) => typed(&e),
    }

    let (head, tail) = match data.split_first() {
        Some((&n, rest)) => rest.split_at(usize::from(n).min(rest.len())),
        None => (&[][..], &[][..]),
    };
    for (signed, signature) in [(SIGNED_TEXT, data), (head, tail)] {
        match mailsec::pgp::verify_detached(signed, signature, &certs, policy) {
            Ok(report) => signed_by_the_key_only(&report),
            Err(e) => typed(&e),
        }
    }

    match mailsec::pgp::verify_inline(data, &certs, policy) {
        Ok(verified) => {
            assert!(verified.content.len() <= limits.max_output_bytes);
            signed_by_the_key_only(&verified.report);
        }
        Err(e) => typed(&e),
    }

    match mailsec::pgp::decrypt(data, std::slice::from_ref(key), &certs, policy) {
        Ok(decrypted) => {
            assert!(decrypted.content.len() <= limits.max_output_bytes);
            assert_eq!(
                decrypted.report.decrypted_with_cert.as_deref(),
                Some(key.fingerprint().as_str()),
                "decrypted, but not with the one key given"
            );
            signed_by_the_key_only(&decrypted.report.signatures);
            assert!(!decrypted.report.to_string().is_empty());
        }
        Err(e) => typed(&e),
    }
}
