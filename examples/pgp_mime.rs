//! A PGP/MIME round trip from Rust: Alice signs and encrypts a message to Bob (RFC 3156 §6.2),
//! Bob opens it and reads the report; then a relay rewrites the outer Subject of a signed
//! message and the header comparison (RFC 9788) catches it.
//!
//! `cargo run --example pgp_mime --features crypto-nettle`

use mailsec::pgp::mime::{self, HeaderStatus};
use mailsec::pgp::{Key, KeyOptions, KeyStore, PgpPolicy};

fn main() -> Result<(), mailsec::Error> {
    let policy = PgpPolicy::new();
    let (alice, _alice_revocation) =
        Key::generate("Alice <alice@example.org>", &KeyOptions::default())?;
    let (bob, _bob_revocation) = Key::generate("Bob <bob@example.net>", &KeyOptions::default())?;

    // Bob's certificate reaches Alice's key store; she looks him up by address.
    let dir = std::env::temp_dir().join(format!("mailsec-pgp-example-{}", std::process::id()));
    let store = KeyStore::open(&dir)?;
    store.insert(&bob.public())?;
    let mut recipients = store.lookup("bob@example.net")?;
    recipients.push(alice.public());

    let message = b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\n\
Subject: the launch date\r\n\r\nWe launch on Monday.\r\n";
    let sealed = mime::encrypt(message, &recipients, std::slice::from_ref(&alice), &policy)?;
    println!("sent: outer {}", outer_subject(&sealed));

    let opened = mime::open(&sealed, &[bob], &[alice.public()], &policy)?;
    println!(
        "opened: valid={} encrypted={}",
        opened.is_valid(),
        opened.is_encrypted()
    );
    for header in &opened.headers {
        println!("  {}: {:?}", header.name, header.status);
    }

    // A signed message whose outer Subject is rewritten in transit.
    let signed = mime::sign(message, std::slice::from_ref(&alice), &policy)?;
    let text = String::from_utf8_lossy(&signed).replacen(
        "Subject: the launch date",
        "Subject: launch cancelled",
        1,
    );
    let opened = mime::open(text.as_bytes(), &[], &[alice.public()], &policy)?;
    let subject = opened
        .headers
        .iter()
        .find(|h| h.status == HeaderStatus::Differs);
    println!(
        "rewritten: signature valid={} message valid={} ({})",
        opened.signatures.is_valid(),
        opened.is_valid(),
        subject.map_or("no difference".into(), |h| format!(
            "{} protected {:?}, arrived {:?}",
            h.name,
            h.protected.as_deref().unwrap_or(""),
            h.outer.as_deref().unwrap_or("")
        ))
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn outer_subject(message: &[u8]) -> String {
    String::from_utf8_lossy(message)
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .unwrap_or("no Subject")
        .to_string()
}
