//! Keys: generation (v4 and v6), import and export, passwords, merging, revocation, expiry, key rings.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use pgp_core::openpgp;
use pgp_core::{
    CipherSuite, Error, Key, KeyOptions, KeyProfile, Limit, Limits, PgpPolicy, RevocationReason,
    SignMode, encrypt, sign, verify_detached,
};

use openpgp::Packet;
use openpgp::packet::UserID;
use openpgp::packet::signature::SignatureBuilder;
use openpgp::types::{PublicKeyAlgorithm, SignatureType};

const PASSWORD: &str = "correct horse battery staple";

fn cv25519(userid: &str) -> Key {
    Key::generate(userid, &KeyOptions::default()).unwrap().0
}

/// One RSA-3072 key for the whole file: generating one costs about a second.
fn rsa3k() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| {
        let options = KeyOptions {
            cipher_suite: CipherSuite::Rsa3k,
            ..KeyOptions::default()
        };
        Key::generate("Rosa <rosa@example.org>", &options)
            .unwrap()
            .0
    })
}

/// `key` with one more user ID, bound by a positive certification made with its primary key
/// (the way another copy of the certificate would have learnt it).
fn with_user_id(key: &Key, userid: &str) -> Key {
    let cert = key.cert();
    let mut signer = cert
        .primary_key()
        .key()
        .clone()
        .parts_into_secret()
        .unwrap()
        .into_keypair()
        .unwrap();
    let userid = UserID::from(userid);
    let binding = userid
        .bind(
            &mut signer,
            cert,
            SignatureBuilder::new(SignatureType::PositiveCertification),
        )
        .unwrap();
    let (cert, changed) = cert
        .clone()
        .insert_packets(vec![Packet::from(userid), binding.into()])
        .unwrap();
    assert!(changed);
    Key::from(cert)
}

fn signs(key: &Key, policy: &PgpPolicy) -> Result<(), Error> {
    let sig = sign(
        b"data",
        std::slice::from_ref(key),
        SignMode::Detached,
        true,
        policy,
    )?;
    let report = verify_detached(b"data", &sig, &[key.public()], policy)?;
    assert!(report.is_valid(), "{report}");
    Ok(())
}

fn primary_bits(key: &Key) -> Option<usize> {
    key.cert().primary_key().key().mpis().bits()
}

#[test]
fn cv25519_v4_key_has_signing_and_encryption_subkeys() {
    let key = cv25519("Alice <alice@example.org>");
    assert_eq!(key.version(), 4);
    assert!(key.has_secret());
    assert!(!key.is_locked());
    assert_eq!(key.user_ids(), ["Alice <alice@example.org>"]);
    assert_eq!(key.emails(), ["alice@example.org"]);
    // Primary (certification), signing subkey, encryption subkey.
    assert_eq!(key.key_fingerprints().len(), 3);
    assert_eq!(key.key_fingerprints()[0], key.fingerprint());
    assert_eq!(key.fingerprint().len(), 40);
    assert!(
        key.fingerprint()
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
    );
    assert_eq!(key.key_id().len(), 16);
    assert!(key.fingerprint().ends_with(&key.key_id()));
    assert_eq!(
        key.cert().primary_key().key().pk_algo(),
        PublicKeyAlgorithm::EdDSA
    );
    assert_eq!(key.invalidity(&PgpPolicy::new()), None);
    signs(&key, &PgpPolicy::new()).unwrap();
}

#[test]
fn rfc9580_profile_makes_v6_keys() {
    let options = KeyOptions {
        profile: KeyProfile::Rfc9580,
        ..KeyOptions::default()
    };
    let (key, revocation) = Key::generate("Six <six@example.org>", &options).unwrap();
    assert_eq!(key.version(), 6);
    assert_eq!(key.fingerprint().len(), 64);
    assert!(key.cert().keys().all(|k| k.key().version() == 6));
    assert_eq!(
        key.cert().primary_key().key().pk_algo(),
        PublicKeyAlgorithm::Ed25519
    );
    assert!(
        key.cert()
            .keys()
            .subkeys()
            .any(|k| k.key().pk_algo() == PublicKeyAlgorithm::X25519)
    );
    signs(&key, &PgpPolicy::new()).unwrap();

    // Round trips keep the version.
    let cert = Key::from_bytes(&key.export_cert(true).unwrap()).unwrap();
    assert_eq!(cert.version(), 6);
    assert_eq!(cert, key.public());
    let secret = Key::from_bytes(&key.export_secret(false).unwrap()).unwrap();
    assert_eq!(secret, key);

    // The revocation certificate made with it revokes it.
    let revoked = key.apply_revocation(&revocation).unwrap();
    assert!(revoked.is_revoked(&PgpPolicy::new()));
}

#[test]
fn rsa3k_key() {
    let key = rsa3k();
    assert_eq!(key.version(), 4);
    assert_eq!(
        key.cert().primary_key().key().pk_algo(),
        PublicKeyAlgorithm::RSAEncryptSign
    );
    assert_eq!(primary_bits(key), Some(3072));
    assert!(
        key.cert()
            .keys()
            .all(|k| k.key().mpis().bits() == Some(3072))
    );
    signs(key, &PgpPolicy::new()).unwrap();
    let cert = Key::from_bytes(&key.export_cert(false).unwrap()).unwrap();
    assert_eq!(&cert, &key.public());
}

#[test]
fn rsa4k_key() {
    let options = KeyOptions {
        cipher_suite: CipherSuite::Rsa4k,
        ..KeyOptions::default()
    };
    let (key, _) = Key::generate("Big <big@example.org>", &options).unwrap();
    assert_eq!(primary_bits(&key), Some(4096));
    signs(&key, &PgpPolicy::new()).unwrap();
}

#[test]
fn generate_needs_a_user_id() {
    for userid in ["", "   "] {
        let e = Key::generate(userid, &KeyOptions::default()).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e:?}");
    }
}

#[test]
fn option_names_parse_and_print() {
    for suite in [CipherSuite::Cv25519, CipherSuite::Rsa3k, CipherSuite::Rsa4k] {
        assert_eq!(suite.name().parse::<CipherSuite>().unwrap(), suite);
        assert_eq!(
            suite.name().to_uppercase().parse::<CipherSuite>().unwrap(),
            suite
        );
    }
    for profile in [KeyProfile::Rfc4880, KeyProfile::Rfc9580] {
        assert_eq!(profile.name().parse::<KeyProfile>().unwrap(), profile);
    }
    for (name, reason) in [
        ("unspecified", RevocationReason::Unspecified),
        ("superseded", RevocationReason::Superseded),
        ("compromised", RevocationReason::Compromised),
        ("retired", RevocationReason::Retired),
    ] {
        assert_eq!(name.parse::<RevocationReason>().unwrap(), reason);
    }
    assert!(matches!(
        "ed448".parse::<CipherSuite>(),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        "rfc2440".parse::<KeyProfile>(),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        "lost".parse::<RevocationReason>(),
        Err(Error::Usage(_))
    ));
}

#[test]
fn cert_round_trips_armored_and_binary() {
    let key = cv25519("Alice <alice@example.org>");
    let armored = key.export_cert(true).unwrap();
    assert!(armored.starts_with(b"-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let binary = key.export_cert(false).unwrap();
    assert!(!binary.starts_with(b"-----"));
    // A binary OpenPGP packet: the first octet has its high bit set (RFC 9580 §4.2).
    assert_eq!(binary[0] & 0x80, 0x80);
    for bytes in [&armored, &binary] {
        let cert = Key::from_bytes(bytes).unwrap();
        assert!(!cert.has_secret());
        assert!(!cert.is_locked());
        assert_eq!(cert.fingerprint(), key.fingerprint());
        assert_eq!(cert.user_ids(), key.user_ids());
        assert_eq!(cert.key_fingerprints(), key.key_fingerprints());
        assert_eq!(cert, key.public());
        // A certificate cannot sign, and cannot export secrets it does not have.
        let e = sign(
            b"x",
            std::slice::from_ref(&cert),
            SignMode::Detached,
            true,
            &PgpPolicy::new(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::NoSecretKey { .. }), "{e:?}");
        let e = cert.export_secret(true).unwrap_err();
        assert!(matches!(e, Error::NoSecretKey { .. }), "{e:?}");
    }
}

#[test]
fn secret_key_round_trips_armored_and_binary() {
    for key in [cv25519("Alice <alice@example.org>"), rsa3k().clone()] {
        let armored = key.export_secret(true).unwrap();
        assert!(armored.starts_with(b"-----BEGIN PGP PRIVATE KEY BLOCK-----"));
        let binary = key.export_secret(false).unwrap();
        assert!(!binary.starts_with(b"-----"));
        for bytes in [&armored, &binary] {
            let back = Key::from_bytes(bytes).unwrap();
            assert!(back.has_secret());
            assert!(!back.is_locked());
            assert_eq!(back, key);
            signs(&back, &PgpPolicy::new()).unwrap();
        }
    }
}

#[test]
fn from_bytes_rejects_garbage() {
    let key = cv25519("Alice <alice@example.org>");
    let armored = key.export_cert(true).unwrap();
    let binary = key.export_cert(false).unwrap();
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"hello world".to_vec(),
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n"
            .to_vec(),
        armored[..armored.len() / 2].to_vec(),
        binary[..10].to_vec(),
        vec![0xff; 64],
        // A signed message is not a key.
        sign(
            b"x",
            std::slice::from_ref(&key),
            SignMode::Inline,
            false,
            &PgpPolicy::new(),
        )
        .unwrap(),
    ];
    for case in cases {
        let e = Key::from_bytes(&case).unwrap_err();
        assert!(
            matches!(e, Error::Malformed { what: "key", .. }),
            "{case:?}: {e:?}"
        );
        assert!(e.is_bad_input());
    }
}

#[test]
fn password_protected_key() {
    let options = KeyOptions {
        password: Some(PASSWORD.into()),
        ..KeyOptions::default()
    };
    let (key, _) = Key::generate("Locked <locked@example.org>", &options).unwrap();
    let policy = PgpPolicy::new();
    assert!(key.has_secret());
    assert!(key.is_locked());

    // Signing (and decrypting) with a locked key is refused as such.
    let e = sign(
        b"x",
        std::slice::from_ref(&key),
        SignMode::Detached,
        true,
        &policy,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
    let sealed = encrypt(b"secret", &[key.public()], &[], true, &policy).unwrap();
    let e = pgp_core::decrypt(&sealed, std::slice::from_ref(&key), &[], &policy).unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");

    // The protection survives export and import.
    for armored in [true, false] {
        let back = Key::from_bytes(&key.export_secret(armored).unwrap()).unwrap();
        assert!(back.is_locked());
    }

    // A wrong password does not unlock it.
    let e = key.unlock("wrong").unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
    assert!(key.is_locked());

    // The right one does.
    let unlocked = key.unlock(PASSWORD).unwrap();
    assert!(!unlocked.is_locked());
    assert!(unlocked.has_secret());
    assert_eq!(unlocked.fingerprint(), key.fingerprint());
    signs(&unlocked, &policy).unwrap();
    let opened = pgp_core::decrypt(&sealed, std::slice::from_ref(&unlocked), &[], &policy).unwrap();
    assert_eq!(opened.content, b"secret");

    // Locking again, with another password.
    let relocked = unlocked.lock("another").unwrap();
    assert!(relocked.is_locked());
    let e = sign(
        b"x",
        std::slice::from_ref(&relocked),
        SignMode::Detached,
        true,
        &policy,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
    assert!(matches!(
        relocked.unlock(PASSWORD),
        Err(Error::Locked { .. })
    ));
    let reopened = Key::from_bytes(&relocked.export_secret(true).unwrap())
        .unwrap()
        .unlock("another")
        .unwrap();
    assert!(!reopened.is_locked());
    signs(&reopened, &policy).unwrap();

    // A locked key cannot be locked with another password before it is unlocked.
    assert!(matches!(key.lock("x"), Err(Error::Locked { .. })));
}

#[test]
fn lock_protects_an_unprotected_key() {
    let key = cv25519("Open <open@example.org>");
    let locked = key.lock(PASSWORD).unwrap();
    assert!(locked.is_locked());
    assert!(!key.is_locked());
    let e = sign(
        b"x",
        std::slice::from_ref(&locked),
        SignMode::Inline,
        true,
        &PgpPolicy::new(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
    let back = locked.unlock(PASSWORD).unwrap();
    assert_eq!(back, key);
}

#[test]
fn merge_keeps_user_ids_from_both_sides() {
    let key = cv25519("Alice <alice@example.org>");
    let work = with_user_id(&key, "Alice at work <alice@work.example>");
    let home = with_user_id(&key, "Alice at home <alice@home.example>").public();
    assert_eq!(work.user_ids().len(), 2);
    assert_eq!(home.user_ids().len(), 2);

    let merged = work.clone().merge(home.clone()).unwrap();
    let mut uids = merged.user_ids();
    uids.sort();
    assert_eq!(
        uids,
        [
            "Alice <alice@example.org>",
            "Alice at home <alice@home.example>",
            "Alice at work <alice@work.example>",
        ]
    );
    let mut emails = merged.emails();
    emails.sort();
    assert_eq!(
        emails,
        [
            "alice@example.org",
            "alice@home.example",
            "alice@work.example"
        ]
    );
    // The secret key material of one side is kept.
    assert!(merged.has_secret());
    signs(&merged, &PgpPolicy::new()).unwrap();

    // The other way round gives the same user IDs, and the same secrets.
    let other_way = home.merge(work).unwrap();
    let mut uids2 = other_way.user_ids();
    uids2.sort();
    assert_eq!(uids2, uids);
    assert!(other_way.has_secret());

    // The added user IDs are bound: valid under the policy.
    let policy = PgpPolicy::new();
    let valid = merged
        .cert()
        .with_policy(policy.standard(), None)
        .unwrap()
        .userids()
        .count();
    assert_eq!(valid, 3);
}

#[test]
fn merge_of_different_keys_is_refused() {
    let a = cv25519("A <a@example.org>");
    let b = cv25519("B <b@example.org>");
    let e = a.merge(b).unwrap_err();
    assert!(matches!(e, Error::Usage(_)), "{e:?}");
}

#[test]
fn revocation_certificate_revokes() {
    let (key, revocation) =
        Key::generate("Gone <gone@example.org>", &KeyOptions::default()).unwrap();
    let policy = PgpPolicy::new();
    assert!(revocation.starts_with(b"-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    assert!(!key.is_revoked(&policy));
    encrypt(b"x", &[key.public()], &[], true, &policy).unwrap();

    // Applied to the certificate alone (what a correspondent does).
    let revoked = key.public().apply_revocation(&revocation).unwrap();
    assert!(revoked.is_revoked(&policy));
    assert!(revoked.invalidity(&policy).is_some());
    let e = encrypt(b"x", std::slice::from_ref(&revoked), &[], true, &policy).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NoValidKey {
                purpose: "encryption",
                ..
            }
        ),
        "{e:?}"
    );

    // Applied to the secret key: it cannot sign any more.
    let revoked_secret = key.apply_revocation(&revocation).unwrap();
    assert!(revoked_secret.is_revoked(&policy));
    assert!(revoked_secret.has_secret());
    let e = sign(b"x", &[revoked_secret], SignMode::Detached, true, &policy).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NoValidKey {
                purpose: "signing",
                ..
            }
        ),
        "{e:?}"
    );

    // The revocation travels with the exported certificate.
    let exported = Key::from_bytes(&revoked.export_cert(true).unwrap()).unwrap();
    assert!(exported.is_revoked(&policy));
    // Merging the revoked copy into an unrevoked one revokes it.
    let merged = key.public().merge(exported).unwrap();
    assert!(merged.is_revoked(&policy));
}

#[test]
fn revocation_certificate_made_later_revokes() {
    let key = cv25519("Later <later@example.org>");
    let policy = PgpPolicy::new();
    let revocation = key
        .revocation_certificate(RevocationReason::Compromised, "the laptop was stolen")
        .unwrap();
    let revoked = key.public().apply_revocation(&revocation).unwrap();
    assert!(revoked.is_revoked(&policy));
    let e = encrypt(b"x", &[revoked], &[], true, &policy).unwrap_err();
    assert!(matches!(e, Error::NoValidKey { .. }), "{e:?}");

    // A certificate cannot make one (no secret key).
    let e = key
        .public()
        .revocation_certificate(RevocationReason::Retired, "")
        .unwrap_err();
    assert!(matches!(e, Error::NoSecretKey { .. }), "{e:?}");

    // Nor can a locked key.
    let locked = key.lock(PASSWORD).unwrap();
    let e = locked
        .revocation_certificate(RevocationReason::Retired, "")
        .unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
}

#[test]
fn revocation_of_another_key_is_refused() {
    let (_, other_revocation) =
        Key::generate("Other <other@example.org>", &KeyOptions::default()).unwrap();
    let key = cv25519("Mine <mine@example.org>");
    let e = key.apply_revocation(&other_revocation).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Malformed {
                what: "revocation",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!key.is_revoked(&PgpPolicy::new()));
    for garbage in [&b""[..], b"not a revocation", &[0xc2, 0x01, 0x04][..]] {
        let e = key.apply_revocation(garbage).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Malformed {
                    what: "revocation",
                    ..
                }
            ),
            "{e:?}"
        );
    }
}

#[test]
fn expired_key_is_not_usable() {
    let options = KeyOptions {
        validity: Some(Duration::from_secs(1)),
        ..KeyOptions::default()
    };
    let (key, _) = Key::generate("Brief <brief@example.org>", &options).unwrap();
    let later = PgpPolicy::new().at(SystemTime::now() + Duration::from_secs(3600));
    assert!(key.invalidity(&later).is_some());
    assert!(!key.is_revoked(&later));
    let e = encrypt(b"x", &[key.public()], &[], true, &later).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NoValidKey {
                purpose: "encryption",
                ..
            }
        ),
        "{e:?}"
    );
    let e = sign(
        b"x",
        std::slice::from_ref(&key),
        SignMode::Detached,
        true,
        &later,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NoValidKey {
                purpose: "signing",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn key_valid_for_a_day_expires_after_it() {
    let options = KeyOptions {
        validity: Some(Duration::from_secs(86_400)),
        ..KeyOptions::default()
    };
    let (key, _) = Key::generate("Day <day@example.org>", &options).unwrap();
    let now = PgpPolicy::new();
    assert_eq!(key.invalidity(&now), None);
    encrypt(b"x", &[key.public()], &[], true, &now).unwrap();
    signs(&key, &now).unwrap();

    let in_two_days = PgpPolicy::new().at(SystemTime::now() + Duration::from_secs(2 * 86_400));
    assert!(key.invalidity(&in_two_days).is_some());
    let e = encrypt(b"x", &[key.public()], &[], true, &in_two_days).unwrap_err();
    assert!(matches!(e, Error::NoValidKey { .. }), "{e:?}");
    let e = sign(b"x", &[key], SignMode::Detached, true, &in_two_days).unwrap_err();
    assert!(matches!(e, Error::NoValidKey { .. }), "{e:?}");
}

#[test]
fn read_keyring_reads_every_key() {
    let keys: Vec<Key> = ["a", "b", "c"]
        .iter()
        .map(|n| cv25519(&format!("{n} <{n}@example.org>")))
        .collect();
    let fingerprints: Vec<String> = keys.iter().map(Key::fingerprint).collect();

    let mut armored = Vec::new();
    let mut binary = Vec::new();
    for key in &keys {
        armored.extend(key.export_cert(true).unwrap());
        binary.extend(key.export_cert(false).unwrap());
    }
    for ring in [&armored, &binary] {
        let read = Key::read_keyring(ring, &Limits::default()).unwrap();
        assert_eq!(
            read.iter().map(Key::fingerprint).collect::<Vec<_>>(),
            fingerprints
        );
        assert!(read.iter().all(|k| !k.has_secret()));
    }

    // Secret keys too, mixed with certificates.
    let mut mixed = keys[0].export_secret(false).unwrap();
    mixed.extend(keys[1].export_cert(false).unwrap());
    let read = Key::read_keyring(&mixed, &Limits::default()).unwrap();
    assert_eq!(read.len(), 2);
    assert!(read[0].has_secret());
    assert!(!read[1].has_secret());

    // The certificate limit: three fit in three, not in two.
    let three = Limits {
        max_certificates: 3,
        ..Limits::default()
    };
    assert_eq!(Key::read_keyring(&binary, &three).unwrap().len(), 3);
    let two = Limits {
        max_certificates: 2,
        ..Limits::default()
    };
    for ring in [&armored, &binary] {
        let e = Key::read_keyring(ring, &two).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Limit {
                    limit: Limit::Certificates,
                    max: 2,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.is_bad_input());
    }

    // The input limit.
    let small = Limits {
        max_input_bytes: binary.len() - 1,
        ..Limits::default()
    };
    let e = Key::read_keyring(&binary, &small).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Limit {
                limit: Limit::InputBytes,
                ..
            }
        ),
        "{e:?}"
    );

    // Nothing to read, or garbage.
    for garbage in [&b""[..], b"no keys here"] {
        let e = Key::read_keyring(garbage, &Limits::default()).unwrap_err();
        assert!(matches!(e, Error::Malformed { what: "key", .. }), "{e:?}");
    }
}
