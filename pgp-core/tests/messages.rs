//! Messages: signing and verifying, encrypting and decrypting, reports, limits, malformed input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::io::Write;
use std::sync::OnceLock;

use pgp_core::openpgp;
use pgp_core::{
    CipherSuite, Error, Key, KeyOptions, KeyProfile, Limit, Limits, PgpPolicy, Protection,
    SignMode, SignatureVerdict, decrypt, encrypt, sign, verify_detached, verify_inline,
};

use openpgp::serialize::stream::{
    Compressor, Encryptor, LiteralWriter, Message, Recipient, Signer,
};
use openpgp::types::{CompressionAlgorithm, CompressionLevel};

const DATA: &[u8] = b"From: alice@example.org\r\nSubject: test\r\n\r\nHello, world.\r\n";

struct Keys {
    alice: Key,
    bob: Key,
    carol: Key,
    /// A v6 (RFC 9580) key.
    dave: Key,
    /// RSA-3072.
    rosa: Key,
}

/// The test keys, generated once for the whole file.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let cv = |uid: &str| Key::generate(uid, &KeyOptions::default()).unwrap().0;
        let v6 = KeyOptions {
            profile: KeyProfile::Rfc9580,
            ..KeyOptions::default()
        };
        let rsa = KeyOptions {
            cipher_suite: CipherSuite::Rsa3k,
            ..KeyOptions::default()
        };
        Keys {
            alice: cv("Alice <alice@example.org>"),
            bob: cv("Bob <bob@example.org>"),
            carol: cv("Carol <carol@example.org>"),
            dave: Key::generate("Dave <dave@example.org>", &v6).unwrap().0,
            rosa: Key::generate("Rosa <rosa@example.org>", &rsa).unwrap().0,
        }
    })
}

fn policy() -> PgpPolicy {
    PgpPolicy::new()
}

fn limits(f: impl FnOnce(&mut Limits)) -> PgpPolicy {
    let mut limits = Limits::default();
    f(&mut limits);
    PgpPolicy::new().with_limits(limits)
}

/// The fingerprint of the one encryption subkey of `key`.
fn encryption_subkey(key: &Key) -> String {
    let policy = policy();
    let valid = key.cert().with_policy(policy.standard(), None).unwrap();
    let subkeys: Vec<String> = valid
        .keys()
        .subkeys()
        .for_transport_encryption()
        .map(|k| k.key().fingerprint().to_hex())
        .collect();
    assert_eq!(subkeys.len(), 1, "{key:?}");
    subkeys[0].clone()
}

/// The fingerprint of the one signing subkey of `key`.
fn signing_subkey(key: &Key) -> String {
    let policy = policy();
    let valid = key.cert().with_policy(policy.standard(), None).unwrap();
    let subkeys: Vec<String> = valid
        .keys()
        .subkeys()
        .for_signing()
        .map(|k| k.key().fingerprint().to_hex())
        .collect();
    assert_eq!(subkeys.len(), 1, "{key:?}");
    subkeys[0].clone()
}

fn assert_good(report: &pgp_core::VerificationReport, signer: &Key) {
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.signatures.len(), 1, "{report}");
    let s = &report.signatures[0];
    assert_eq!(s.verdict, SignatureVerdict::Good);
    assert_eq!(
        s.signer_cert.as_deref(),
        Some(signer.fingerprint().as_str())
    );
    assert_eq!(
        s.signing_key.as_deref(),
        Some(signing_subkey(signer).as_str())
    );
    assert_eq!(s.signer_user_id, signer.user_ids().first().cloned());
    assert_eq!(s.key_valid, Some(true));
    assert_eq!(s.hash_algorithm, "SHA256");
    assert!(s.created.is_some());
    assert_eq!(s.detail, None);
    assert_eq!(report.good_signers(), [signer.fingerprint().as_str()]);
}

#[test]
fn detached_signatures_verify() {
    let k = keys();
    for signer in [&k.alice, &k.dave, &k.rosa] {
        for armor in [true, false] {
            let sig = sign(
                DATA,
                std::slice::from_ref(signer),
                SignMode::Detached,
                armor,
                &policy(),
            )
            .unwrap();
            assert_eq!(sig.starts_with(b"-----BEGIN PGP SIGNATURE-----"), armor);
            let report = verify_detached(DATA, &sig, &[signer.public()], &policy()).unwrap();
            assert_good(&report, signer);
            // Other certificates beside the signer's change nothing.
            let report = verify_detached(
                DATA,
                &sig,
                &[k.bob.public(), signer.public(), k.carol.public()],
                &policy(),
            )
            .unwrap();
            assert_good(&report, signer);
        }
    }
}

#[test]
fn inline_signed_messages_verify() {
    let k = keys();
    for signer in [&k.alice, &k.dave, &k.rosa] {
        for armor in [true, false] {
            let msg = sign(
                DATA,
                std::slice::from_ref(signer),
                SignMode::Inline,
                armor,
                &policy(),
            )
            .unwrap();
            assert_eq!(msg.starts_with(b"-----BEGIN PGP MESSAGE-----"), armor);
            let verified = verify_inline(&msg, &[signer.public()], &policy()).unwrap();
            assert_eq!(verified.content, DATA);
            assert_good(&verified.report, signer);
        }
    }
}

#[test]
fn tampered_data_is_bad() {
    let k = keys();
    let sig = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Detached,
        true,
        &policy(),
    )
    .unwrap();
    let mut tampered = DATA.to_vec();
    tampered[DATA.len() - 3] ^= 0x01;
    let report = verify_detached(&tampered, &sig, &[k.alice.public()], &policy()).unwrap();
    assert!(!report.is_valid(), "{report}");
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(report.signatures[0].verdict, SignatureVerdict::Bad);
    assert!(report.signatures[0].detail.is_some());
    assert!(report.good_signers().is_empty());
    assert!(report.to_string().contains("bad"), "{report}");

    // Data with one more line break is other data too.
    let mut longer = DATA.to_vec();
    longer.extend_from_slice(b"\r\n");
    let report = verify_detached(&longer, &sig, &[k.alice.public()], &policy()).unwrap();
    assert_eq!(report.signatures[0].verdict, SignatureVerdict::Bad);

    // Inline: a flipped bit in the literal data of a binary signed message.
    let msg = sign(
        DATA,
        std::slice::from_ref(&k.rosa),
        SignMode::Inline,
        false,
        &policy(),
    )
    .unwrap();
    let at = msg
        .windows(5)
        .position(|w| w == b"Hello")
        .expect("the literal data is stored as is");
    let mut tampered = msg.clone();
    tampered[at] ^= 0x20;
    let verified = verify_inline(&tampered, &[k.rosa.public()], &policy()).unwrap();
    assert_ne!(verified.content, DATA);
    assert!(!verified.report.is_valid());
    assert_eq!(verified.report.signatures[0].verdict, SignatureVerdict::Bad);
}

#[test]
fn unknown_signer_is_reported_not_an_error() {
    let k = keys();
    let sig = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Detached,
        false,
        &policy(),
    )
    .unwrap();
    for certs in [vec![], vec![k.bob.public()]] {
        let report = verify_detached(DATA, &sig, &certs, &policy()).unwrap();
        assert!(!report.is_valid(), "{report}");
        assert_eq!(report.signatures.len(), 1);
        let s = &report.signatures[0];
        assert_eq!(s.verdict, SignatureVerdict::UnknownSigner);
        assert_eq!(s.verdict.name(), "unknown-signer");
        assert_eq!(s.signer_cert, None);
        assert_eq!(s.key_valid, None);
        // The issuer is named, so that the reader can look for the certificate.
        let issuer = s.issuer.as_deref().unwrap();
        assert!(
            signing_subkey(&k.alice).ends_with(issuer) || issuer == signing_subkey(&k.alice),
            "{issuer}"
        );
    }
    let msg = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Inline,
        true,
        &policy(),
    )
    .unwrap();
    let verified = verify_inline(&msg, &[k.bob.public()], &policy()).unwrap();
    assert_eq!(verified.content, DATA);
    assert_eq!(
        verified.report.signatures[0].verdict,
        SignatureVerdict::UnknownSigner
    );
}

#[test]
fn two_signers() {
    let k = keys();
    let signers = [k.alice.clone(), k.rosa.clone()];
    for mode in [SignMode::Detached, SignMode::Inline] {
        let out = sign(DATA, &signers, mode, true, &policy()).unwrap();
        let check = |certs: &[Key]| match mode {
            SignMode::Detached => verify_detached(DATA, &out, certs, &policy()).unwrap(),
            SignMode::Inline => {
                let v = verify_inline(&out, certs, &policy()).unwrap();
                assert_eq!(v.content, DATA);
                v.report
            }
        };
        let report = check(&[k.alice.public(), k.rosa.public()]);
        assert_eq!(report.signatures.len(), 2, "{report}");
        assert!(report.is_valid(), "{report}");
        let mut good = report.good_signers();
        good.sort();
        let mut expected = [k.alice.fingerprint(), k.rosa.fingerprint()];
        expected.sort();
        assert_eq!(good, expected);

        // One signer known: still valid, the other reported as unknown.
        let report = check(&[k.rosa.public()]);
        assert!(report.is_valid(), "{report}");
        assert_eq!(report.good_signers(), [k.rosa.fingerprint().as_str()]);
        assert_eq!(
            report
                .signatures
                .iter()
                .filter(|s| s.verdict == SignatureVerdict::UnknownSigner)
                .count(),
            1
        );
    }
}

#[test]
fn sign_needs_signers() {
    let e = sign(DATA, &[], SignMode::Detached, true, &policy()).unwrap_err();
    assert!(matches!(e, Error::Usage(_)), "{e:?}");
    let e = encrypt(DATA, &[], &[], true, &policy()).unwrap_err();
    assert!(matches!(e, Error::Usage(_)), "{e:?}");
}

#[test]
fn encrypt_to_several_recipients() {
    let k = keys();
    let recipients = [&k.alice, &k.bob, &k.rosa];
    for armor in [true, false] {
        let sealed = encrypt(DATA, &recipients.map(Key::public), &[], armor, &policy()).unwrap();
        assert_eq!(sealed.starts_with(b"-----BEGIN PGP MESSAGE-----"), armor);
        for recipient in recipients {
            let opened = decrypt(&sealed, std::slice::from_ref(recipient), &[], &policy()).unwrap();
            assert_eq!(opened.content, DATA);
            let r = &opened.report;
            assert_eq!(
                r.decrypted_with.as_deref(),
                Some(encryption_subkey(recipient).as_str())
            );
            assert_eq!(
                r.decrypted_with_cert.as_deref(),
                Some(recipient.fingerprint().as_str())
            );
            assert_eq!(r.recipients.len(), 3, "{:?}", r.recipients);
            // v4 recipients: SEIPD v1 (RFC 4880), what GnuPG 2.2 reads.
            assert_eq!(r.protection, Protection::SeipdV1, "{r}");
            assert_eq!(r.aead_algorithm, None);
            assert!(r.symmetric_algorithm.is_some());
            assert!(r.signatures.signatures.is_empty());
        }
        // With several keys given, the one that can decrypts.
        let opened = decrypt(&sealed, &[k.carol.clone(), k.bob.clone()], &[], &policy()).unwrap();
        assert_eq!(
            opened.report.decrypted_with_cert.as_deref(),
            Some(k.bob.fingerprint().as_str())
        );
    }
}

#[test]
fn v6_recipients_get_seipd_v2() {
    let k = keys();
    let sealed = encrypt(DATA, &[k.dave.public()], &[], true, &policy()).unwrap();
    let opened = decrypt(&sealed, std::slice::from_ref(&k.dave), &[], &policy()).unwrap();
    assert_eq!(opened.content, DATA);
    assert_eq!(opened.report.protection, Protection::SeipdV2);
    assert!(opened.report.aead_algorithm.is_some());
    assert_eq!(
        opened.report.decrypted_with.as_deref(),
        Some(encryption_subkey(&k.dave).as_str())
    );

    // A v4 recipient beside it: SEIPD v1, which both can read.
    let sealed = encrypt(
        DATA,
        &[k.dave.public(), k.alice.public()],
        &[],
        false,
        &policy(),
    )
    .unwrap();
    for recipient in [&k.dave, &k.alice] {
        let opened = decrypt(&sealed, std::slice::from_ref(recipient), &[], &policy()).unwrap();
        assert_eq!(opened.content, DATA);
        assert_eq!(opened.report.protection, Protection::SeipdV1);
        assert_eq!(
            opened.report.decrypted_with.as_deref(),
            Some(encryption_subkey(recipient).as_str())
        );
    }
}

#[test]
fn sign_then_encrypt() {
    let k = keys();
    for signer in [&k.alice, &k.dave, &k.rosa] {
        let sealed = encrypt(
            DATA,
            &[k.bob.public()],
            std::slice::from_ref(signer),
            true,
            &policy(),
        )
        .unwrap();
        let opened = decrypt(
            &sealed,
            std::slice::from_ref(&k.bob),
            &[signer.public()],
            &policy(),
        )
        .unwrap();
        assert_eq!(opened.content, DATA);
        assert_good(&opened.report.signatures, signer);
        assert!(
            opened.report.to_string().contains("good"),
            "{}",
            opened.report
        );

        // Without the signer's certificate: decrypted, the signature unknown.
        let opened = decrypt(&sealed, std::slice::from_ref(&k.bob), &[], &policy()).unwrap();
        assert_eq!(opened.content, DATA);
        assert_eq!(
            opened.report.signatures.signatures[0].verdict,
            SignatureVerdict::UnknownSigner
        );
        assert!(!opened.report.signatures.is_valid());
    }
}

#[test]
fn decrypt_with_the_wrong_key() {
    let k = keys();
    let sealed = encrypt(
        DATA,
        &[k.alice.public(), k.bob.public()],
        &[],
        true,
        &policy(),
    )
    .unwrap();
    for wrong in [
        vec![k.carol.clone()],
        vec![k.carol.clone(), k.dave.clone()],
        vec![],
    ] {
        let e = decrypt(&sealed, &wrong, &[], &policy()).unwrap_err();
        let Error::NoDecryptionKey { recipients } = &e else {
            panic!("{e:?}");
        };
        // The error names the recipients (key IDs of the encryption subkeys).
        for r in [&k.alice, &k.bob] {
            let sub = encryption_subkey(r);
            assert!(
                recipients
                    .split(", ")
                    .any(|id| sub.ends_with(id) || sub == id),
                "{recipients} lacks {sub}"
            );
        }
        assert!(e.is_bad_input());
    }
    // A certificate without its secret cannot decrypt either.
    let e = decrypt(&sealed, &[k.alice.public()], &[], &policy()).unwrap_err();
    assert!(matches!(e, Error::NoDecryptionKey { .. }), "{e:?}");
}

#[test]
fn limit_max_input_bytes() {
    let k = keys();
    let exact = limits(|l| l.max_input_bytes = DATA.len());
    let small = limits(|l| l.max_input_bytes = DATA.len() - 1);
    sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Detached,
        true,
        &exact,
    )
    .unwrap();
    let is_input_limit = |e: &Error| matches!(e, Error::Limit { limit: Limit::InputBytes, actual, .. } if *actual > 0);

    let e = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Detached,
        true,
        &small,
    )
    .unwrap_err();
    assert!(is_input_limit(&e), "{e:?}");
    let e = encrypt(DATA, &[k.bob.public()], &[], true, &small).unwrap_err();
    assert!(is_input_limit(&e), "{e:?}");

    let sig = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Detached,
        true,
        &policy(),
    )
    .unwrap();
    let e = verify_detached(DATA, &sig, &[k.alice.public()], &small).unwrap_err();
    assert!(is_input_limit(&e), "{e:?}");
    // The signature counts too.
    let tight = limits(|l| l.max_input_bytes = sig.len() - 1);
    let e = verify_detached(b"x", &sig, &[k.alice.public()], &tight).unwrap_err();
    assert!(is_input_limit(&e), "{e:?}");

    let msg = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Inline,
        true,
        &policy(),
    )
    .unwrap();
    let under = limits(|l| l.max_input_bytes = msg.len() - 1);
    let e = verify_inline(&msg, &[k.alice.public()], &under).unwrap_err();
    assert!(is_input_limit(&e), "{e:?}");
    let at = limits(|l| l.max_input_bytes = msg.len());
    verify_inline(&msg, &[k.alice.public()], &at).unwrap();

    let sealed = encrypt(DATA, &[k.bob.public()], &[], true, &policy()).unwrap();
    let under = limits(|l| l.max_input_bytes = sealed.len() - 1);
    let e = decrypt(&sealed, std::slice::from_ref(&k.bob), &[], &under).unwrap_err();
    assert!(is_input_limit(&e), "{e:?}");
    assert!(e.is_bad_input());
}

#[test]
fn limit_max_recipients() {
    let k = keys();
    let recipients = [k.alice.public(), k.bob.public(), k.carol.public()];
    let two = limits(|l| l.max_recipients = 2);
    let e = encrypt(DATA, &recipients, &[], true, &two).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Limit {
                limit: Limit::Recipients,
                max: 2,
                actual: 3
            }
        ),
        "{e:?}"
    );
    let three = limits(|l| l.max_recipients = 3);
    encrypt(DATA, &recipients, &[], true, &three).unwrap();
}

const BOMB_SIZE: usize = 10 << 20;

/// A signed message whose literal data is 10 MiB of zeros, compressed to a few KiB.
fn compressed_signed_bomb(signer: &Key) -> Vec<u8> {
    let policy = policy();
    let pair = signer
        .cert()
        .keys()
        .with_policy(policy.standard(), None)
        .for_signing()
        .secret()
        .next()
        .unwrap()
        .key()
        .clone()
        .into_keypair()
        .unwrap();
    let mut out = Vec::new();
    {
        let message = Message::new(&mut out);
        let message = Compressor::new(message)
            .algo(CompressionAlgorithm::Zip)
            .level(CompressionLevel::fastest())
            .build()
            .unwrap();
        let message = Signer::new(message, pair).unwrap().build().unwrap();
        let mut message = LiteralWriter::new(message).build().unwrap();
        write_zeros(&mut message, BOMB_SIZE);
        message.finalize().unwrap();
    }
    out
}

/// An encrypted message whose literal data is 10 MiB of zeros, compressed.
fn compressed_encrypted_bomb(recipient: &Key) -> Vec<u8> {
    let policy = policy();
    let recipients: Vec<Recipient> = recipient
        .cert()
        .keys()
        .with_policy(policy.standard(), None)
        .for_transport_encryption()
        .map(Recipient::from)
        .collect();
    let mut out = Vec::new();
    {
        let message = Message::new(&mut out);
        let message = Encryptor::for_recipients(message, recipients)
            .build()
            .unwrap();
        let message = Compressor::new(message)
            .algo(CompressionAlgorithm::Zip)
            .level(CompressionLevel::fastest())
            .build()
            .unwrap();
        let mut message = LiteralWriter::new(message).build().unwrap();
        write_zeros(&mut message, BOMB_SIZE);
        message.finalize().unwrap();
    }
    out
}

fn write_zeros(w: &mut dyn Write, n: usize) {
    let chunk = vec![0u8; 1 << 16];
    let mut left = n;
    while left > 0 {
        let len = left.min(chunk.len());
        w.write_all(&chunk[..len]).unwrap();
        left -= len;
    }
}

#[test]
fn limit_max_output_bytes_stops_a_compression_bomb() {
    let k = keys();
    let one_mib = limits(|l| l.max_output_bytes = 1 << 20);
    let is_output_limit = |e: &Error| matches!(e, Error::Limit { limit: Limit::OutputBytes, max, actual } if *max == 1 << 20 && *actual > *max);

    let signed = compressed_signed_bomb(&k.alice);
    assert!(signed.len() < 1 << 20, "{} octets", signed.len());
    let e = verify_inline(&signed, &[k.alice.public()], &one_mib).unwrap_err();
    assert!(is_output_limit(&e), "{e:?}");
    assert!(e.is_bad_input());
    // Under the default limits the same message verifies: the limit is what stopped it.
    let verified = verify_inline(&signed, &[k.alice.public()], &policy()).unwrap();
    assert_eq!(verified.content.len(), BOMB_SIZE);
    assert!(verified.report.is_valid(), "{}", verified.report);

    let sealed = compressed_encrypted_bomb(&k.bob);
    assert!(sealed.len() < 1 << 20, "{} octets", sealed.len());
    let e = decrypt(&sealed, std::slice::from_ref(&k.bob), &[], &one_mib).unwrap_err();
    assert!(is_output_limit(&e), "{e:?}");
    let opened = decrypt(&sealed, std::slice::from_ref(&k.bob), &[], &policy()).unwrap();
    assert_eq!(opened.content.len(), BOMB_SIZE);
    assert!(opened.report.compressed);
}

#[test]
fn unprotected_data_is_refused() {
    // A Symmetrically Encrypted Data packet (tag 9, RFC 9580 §5.7), new format, 32 octets of
    // ciphertext: whatever it holds, it has no integrity protection.
    let mut sed = vec![0xc9, 32];
    sed.extend((0..32u8).map(|i| i.wrapping_mul(37)));
    let k = keys();
    let e = decrypt(&sed, std::slice::from_ref(&k.alice), &[], &policy()).unwrap_err();
    assert!(matches!(e, Error::Unprotected), "{e:?}");
    assert!(e.is_bad_input());
}

/// Every truncation of `input`, and `input` with single bytes flipped.
fn mutations(input: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let step = (input.len() / 60).max(1);
    for len in (0..input.len()).step_by(step) {
        out.push(input[..len].to_vec());
    }
    for at in (0..input.len()).step_by(step) {
        let mut m = input.to_vec();
        m[at] ^= 0x5a;
        out.push(m);
    }
    out
}

#[test]
fn malformed_inputs_are_errors_not_panics() {
    let k = keys();
    let garbage: Vec<&[u8]> = vec![
        b"",
        b"hello world",
        b"-----BEGIN PGP MESSAGE-----\n\n!!!!\n-----END PGP MESSAGE-----\n",
        b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
        &[0xff; 40],
        &[0x80],
        // A packet header announcing 4 GiB of body that is not there.
        &[0xcb, 0xff, 0xff, 0xff, 0xff, 0xff],
        // A one-pass signature packet and nothing else.
        &[
            0xc4, 0x0d, 0x03, 0x00, 0x08, 0x16, 1, 2, 3, 4, 5, 6, 7, 8, 1,
        ],
    ];
    for input in &garbage {
        let e = verify_inline(input, &[k.alice.public()], &policy()).unwrap_err();
        assert!(
            matches!(e, Error::Malformed { .. }),
            "verify_inline {input:?}: {e:?}"
        );
        let e = decrypt(input, std::slice::from_ref(&k.alice), &[], &policy()).unwrap_err();
        assert!(
            matches!(e, Error::Malformed { .. }),
            "decrypt {input:?}: {e:?}"
        );
        let e = verify_detached(DATA, input, &[k.alice.public()], &policy()).unwrap_err();
        assert!(
            matches!(e, Error::Malformed { .. }),
            "verify_detached {input:?}: {e:?}"
        );
        assert!(e.is_bad_input());
    }

    // A key is not a message.
    let cert = k.alice.export_cert(false).unwrap();
    let e = decrypt(&cert, std::slice::from_ref(&k.alice), &[], &policy()).unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
    let e = verify_inline(&cert, &[k.alice.public()], &policy()).unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e:?}");
}

#[test]
fn mangled_messages_never_panic() {
    let k = keys();
    let signed = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Inline,
        false,
        &policy(),
    )
    .unwrap();
    for m in mutations(&signed) {
        match verify_inline(&m, &[k.alice.public()], &policy()) {
            // A flipped bit may leave a parsable message (the literal packet's file name
            // and date are not signed): if it verifies, its content is the signed one.
            Ok(v) => assert!(
                !v.report.is_valid() || v.content == DATA,
                "{m:?} verified as {}",
                v.report
            ),
            Err(e) => assert!(e.is_bad_input(), "{e:?}"),
        }
    }

    let sig = sign(
        DATA,
        std::slice::from_ref(&k.alice),
        SignMode::Detached,
        false,
        &policy(),
    )
    .unwrap();
    for m in mutations(&sig) {
        // The data is unchanged: a mangled signature may still verify (a flipped bit in
        // its unhashed area, or in the quick-check hash prefix, RFC 9580 §5.2.3), or not.
        if let Err(e) = verify_detached(DATA, &m, &[k.alice.public()], &policy()) {
            assert!(e.is_bad_input(), "{e:?}");
        }
    }

    let sealed = encrypt(
        DATA,
        &[k.bob.public()],
        std::slice::from_ref(&k.alice),
        false,
        &policy(),
    )
    .unwrap();
    for m in mutations(&sealed) {
        match decrypt(
            &m,
            std::slice::from_ref(&k.bob),
            &[k.alice.public()],
            &policy(),
        ) {
            // The integrity protection (MDC) catches every change of the ciphertext; what
            // decrypts is the original.
            Ok(opened) => assert_eq!(opened.content, DATA),
            Err(e) => assert!(e.is_bad_input(), "{e:?}"),
        }
    }
}

#[test]
fn every_truncation_of_an_encrypted_message_is_an_error() {
    // Every length, not a sample: sequoia-openpgp 2.4.2 panics (parse.rs, `decrypt_`) on a
    // SEIPD v1 body shorter than block size + 2 + the 22-octet MDC once the session key
    // checks out; such input must come back as an error.
    let k = keys();
    for recipient in [&k.bob, &k.dave] {
        let sealed = encrypt(DATA, &[recipient.public()], &[], false, &policy()).unwrap();
        for len in 0..sealed.len() {
            let e = decrypt(
                &sealed[..len],
                std::slice::from_ref(recipient),
                &[],
                &policy(),
            )
            .expect_err("a truncated message");
            assert!(e.is_bad_input(), "{len}: {e:?}");
        }
    }
}
