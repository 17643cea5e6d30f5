//! The on-disk key store: lookups, merging inserts, removal, and concurrent writers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::sync::{Arc, Barrier};

use pgp_core::openpgp;
use pgp_core::{Key, KeyOptions, KeyProfile, KeyStore, PgpPolicy, SignMode, sign};

use openpgp::Packet;
use openpgp::packet::UserID;
use openpgp::packet::signature::SignatureBuilder;
use openpgp::types::SignatureType;

fn generate(userid: &str) -> Key {
    Key::generate(userid, &KeyOptions::default()).unwrap().0
}

/// `key` with one more user ID, bound by a positive certification made with its primary key.
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
    let (cert, _) = cert
        .clone()
        .insert_packets(vec![Packet::from(userid), binding.into()])
        .unwrap();
    Key::from(cert)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn fingerprints(keys: &[Key]) -> Vec<String> {
    sorted(keys.iter().map(Key::fingerprint).collect())
}

#[test]
fn insert_get_and_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path().join("keys")).unwrap();
    assert_eq!(store.path(), dir.path().join("keys"));
    assert!(store.list().unwrap().is_empty());

    let alice = generate("Alice <alice@example.org>");
    let bob = generate("Bob <Bob.Smith@Example.NET>");
    let stored = store.insert(&alice.public()).unwrap();
    assert_eq!(stored, alice.public());
    store.insert(&bob.public()).unwrap();
    assert_eq!(store.list().unwrap().len(), 2);

    // By primary fingerprint: exact, lower-case, spaced, 0x-prefixed.
    let fpr = alice.fingerprint();
    assert_eq!(store.get(&fpr).unwrap(), Some(alice.public()));
    assert_eq!(
        store.get(&fpr.to_lowercase()).unwrap(),
        Some(alice.public())
    );
    let spaced: String = fpr
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(store.get(&spaced).unwrap(), Some(alice.public()));
    assert_eq!(
        fingerprints(&store.lookup(&format!("0x{fpr}")).unwrap()),
        [fpr.as_str()]
    );
    // Unknown or ill-formed fingerprints find nothing.
    assert_eq!(store.get(&"0".repeat(40)).unwrap(), None);
    assert_eq!(store.get("1234").unwrap(), None);
    assert_eq!(store.get("../../etc/passwd").unwrap(), None);

    // By key ID of the primary key and of each subkey, and by subkey fingerprint.
    let alice_only = [fpr.clone()];
    assert_eq!(
        fingerprints(&store.lookup(&alice.key_id()).unwrap()),
        alice_only
    );
    assert_eq!(
        fingerprints(&store.lookup(&alice.key_id().to_lowercase()).unwrap()),
        alice_only
    );
    for subkey in alice.cert().keys().subkeys() {
        let id = subkey.key().keyid().to_hex();
        assert_eq!(
            fingerprints(&store.lookup(&id).unwrap()),
            alice_only,
            "{id}"
        );
        assert_eq!(
            fingerprints(&store.lookup(&format!("0x{id}")).unwrap()),
            alice_only
        );
        let sub_fpr = subkey.key().fingerprint().to_hex();
        assert_eq!(fingerprints(&store.lookup(&sub_fpr).unwrap()), alice_only);
    }

    // By e-mail address: case-insensitive, with or without angle brackets.
    for query in [
        "alice@example.org",
        "ALICE@example.org",
        "<alice@example.org>",
        "<Alice@Example.Org>",
        "  alice@example.org ",
    ] {
        assert_eq!(
            fingerprints(&store.lookup(query).unwrap()),
            alice_only,
            "{query}"
        );
    }
    for query in ["bob.smith@example.net", "<BOB.SMITH@EXAMPLE.NET>"] {
        assert_eq!(
            fingerprints(&store.lookup(query).unwrap()),
            [bob.fingerprint()],
            "{query}"
        );
    }

    // Things that match nothing.
    for query in [
        "carol@example.org",
        "alice@example",
        "example.org",
        "Alice",
        "",
        &alice.key_id()[..8],
        "0123456789ABCDEF",
    ] {
        assert!(store.lookup(query).unwrap().is_empty(), "{query:?}");
    }
}

#[test]
fn lookup_of_v6_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let options = KeyOptions {
        profile: KeyProfile::Rfc9580,
        ..KeyOptions::default()
    };
    let (six, _) = Key::generate("Six <six@example.org>", &options).unwrap();
    store.insert(&six.public()).unwrap();
    let only = [six.fingerprint()];
    assert_eq!(six.fingerprint().len(), 64);
    assert_eq!(store.get(&six.fingerprint()).unwrap(), Some(six.public()));
    assert_eq!(
        fingerprints(&store.lookup("six@example.org").unwrap()),
        only
    );
    // RFC 9580 §5.5.4.3: a v6 key ID is the *first* 64 bits of the fingerprint.
    for key in six.cert().keys() {
        let id = key.key().keyid().to_hex();
        assert!(key.key().fingerprint().to_hex().starts_with(&id));
        assert_eq!(fingerprints(&store.lookup(&id).unwrap()), only, "{id}");
    }
    assert_eq!(fingerprints(&store.lookup(&six.key_id()).unwrap()), only);
}

#[test]
fn insert_of_an_updated_cert_merges() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let alice = generate("Alice <alice@example.org>");
    let work = with_user_id(&alice, "Alice <alice@work.example>").public();
    let home = with_user_id(&alice, "Alice <alice@home.example>").public();

    store.insert(&work).unwrap();
    let merged = store.insert(&home).unwrap();
    let all = sorted(vec![
        "Alice <alice@example.org>".into(),
        "Alice <alice@home.example>".into(),
        "Alice <alice@work.example>".into(),
    ]);
    assert_eq!(sorted(merged.user_ids()), all);
    // Inserting an older copy with fewer user IDs loses nothing.
    let merged = store.insert(&alice.public()).unwrap();
    assert_eq!(sorted(merged.user_ids()), all);
    let stored = store.get(&alice.fingerprint()).unwrap().unwrap();
    assert_eq!(sorted(stored.user_ids()), all);
    assert_eq!(store.list().unwrap().len(), 1);
    // Every address of the merged cert finds it.
    for email in [
        "alice@example.org",
        "alice@home.example",
        "alice@work.example",
    ] {
        assert_eq!(store.lookup(email).unwrap().len(), 1, "{email}");
    }

    // A revocation inserted later is kept.
    let revocation = alice
        .revocation_certificate(pgp_core::RevocationReason::Retired, "moved on")
        .unwrap();
    let revoked = alice.public().apply_revocation(&revocation).unwrap();
    store.insert(&revoked).unwrap();
    let stored = store.get(&alice.fingerprint()).unwrap().unwrap();
    assert!(stored.is_revoked(&PgpPolicy::new()));
    assert_eq!(sorted(stored.user_ids()), all);
}

#[test]
fn secret_inserted_after_public_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let alice = generate("Alice <alice@example.org>");
    let policy = PgpPolicy::new();

    store.insert(&alice.public()).unwrap();
    assert!(
        !store
            .get(&alice.fingerprint())
            .unwrap()
            .unwrap()
            .has_secret()
    );
    let stored = store.insert(&alice).unwrap();
    assert!(stored.has_secret());
    let read = store.get(&alice.fingerprint()).unwrap().unwrap();
    assert!(read.has_secret());
    sign(b"x", &[read], SignMode::Detached, true, &policy).unwrap();

    // And a public copy inserted afterwards does not strip it.
    let updated = with_user_id(&alice, "Alice <alice@new.example>").public();
    let stored = store.insert(&updated).unwrap();
    assert!(stored.has_secret());
    let read = store.get(&alice.fingerprint()).unwrap().unwrap();
    assert!(read.has_secret());
    assert_eq!(read.user_ids().len(), 2);
    sign(b"x", &[read], SignMode::Detached, true, &policy).unwrap();
}

#[test]
fn locked_secret_stays_locked_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let options = KeyOptions {
        password: Some("pw".into()),
        ..KeyOptions::default()
    };
    let (key, _) = Key::generate("Locked <locked@example.org>", &options).unwrap();
    store.insert(&key).unwrap();
    let read = store.get(&key.fingerprint()).unwrap().unwrap();
    assert!(read.has_secret());
    assert!(read.is_locked());
    assert!(!read.unlock("pw").unwrap().is_locked());
}

#[test]
fn remove() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let alice = generate("Alice <alice@example.org>");
    let bob = generate("Bob <bob@example.org>");
    store.insert(&alice).unwrap();
    store.insert(&bob.public()).unwrap();

    assert!(store.remove(&alice.fingerprint().to_lowercase()).unwrap());
    assert_eq!(store.get(&alice.fingerprint()).unwrap(), None);
    assert!(store.lookup("alice@example.org").unwrap().is_empty());
    assert!(!store.remove(&alice.fingerprint()).unwrap());
    assert_eq!(fingerprints(&store.list().unwrap()), [bob.fingerprint()]);
    // Removing something that is no fingerprint removes nothing.
    assert!(!store.remove("bob@example.org").unwrap());
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn reopened_store_sees_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let alice = generate("Alice <alice@example.org>");
    KeyStore::open(dir.path()).unwrap().insert(&alice).unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    assert_eq!(store.get(&alice.fingerprint()).unwrap(), Some(alice));
}

#[test]
fn corrupt_file_is_a_store_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(dir.path()).unwrap();
    let alice = generate("Alice <alice@example.org>");
    store.insert(&alice.public()).unwrap();
    let path = dir.path().join(format!("{}.pgp", alice.fingerprint()));
    assert!(path.exists(), "the store names files by fingerprint");
    std::fs::write(&path, b"garbage").unwrap();
    let e = store.get(&alice.fingerprint()).unwrap_err();
    assert!(matches!(e, pgp_core::Error::Store { .. }), "{e:?}");
    assert!(!e.is_bad_input());
}

#[test]
fn concurrent_writers_lose_nothing() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 3;
    let dir = tempfile::tempdir().unwrap();
    let base = generate("Base <base@example.org>");
    let variants: Vec<Key> = (0..THREADS)
        .map(|i| with_user_id(&base, &format!("Variant {i} <v{i}@example.org>")).public())
        .collect();
    let others: Vec<Key> = (0..THREADS)
        .map(|i| generate(&format!("Other {i} <o{i}@example.org>")).public())
        .collect();

    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let dir = dir.path().to_path_buf();
            let variant = variants[i].clone();
            let other = others[i].clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                // Each thread its own handle, as separate processes would have.
                let store = KeyStore::open(&dir).unwrap();
                barrier.wait();
                for _ in 0..ROUNDS {
                    store.insert(&variant).unwrap();
                    store.insert(&other).unwrap();
                    // Readers during the writes see whole certificates.
                    for key in store.list().unwrap() {
                        assert!(!key.user_ids().is_empty());
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }

    let store = KeyStore::open(dir.path()).unwrap();
    let stored = store.get(&base.fingerprint()).unwrap().unwrap();
    let mut expected: Vec<String> = vec!["Base <base@example.org>".into()];
    expected.extend((0..THREADS).map(|i| format!("Variant {i} <v{i}@example.org>")));
    assert_eq!(sorted(stored.user_ids()), sorted(expected));
    assert!(!stored.has_secret());
    for i in 0..THREADS {
        assert_eq!(store.lookup(&format!("v{i}@example.org")).unwrap().len(), 1);
    }

    let mut all = vec![base.fingerprint()];
    all.extend(others.iter().map(Key::fingerprint));
    assert_eq!(fingerprints(&store.list().unwrap()), sorted(all));

    // Every file in the directory is a whole certificate; no temporary file is left.
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == ".lock" {
            continue;
        }
        assert!(name.ends_with(".pgp"), "left over: {name}");
        let key = Key::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(name, format!("{}.pgp", key.fingerprint()));
        files += 1;
    }
    assert_eq!(files, THREADS + 1);
}
