//! `mailsec pgp ...` as a user runs it (exit codes, JSON, PGP/MIME), with GnuPG on the other side.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Scratch, json, mailsec, text};
use serde_json::Value;

const MESSAGE: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: Quarterly figures\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello Bob,\r\n\
the figures are attached.\r\n";

const BODY: &str = "the figures are attached";

/// Generates a key for `userid` as `name.asc` in `scratch` (plus `extra` arguments), exports
/// its certificate as `name.pub`, and returns both paths.
fn party(scratch: &Scratch, name: &str, userid: &str, extra: &[&str]) -> (String, String) {
    let key = scratch.path(&format!("{name}.asc"));
    let cert = scratch.path(&format!("{name}.pub"));
    let mut args = vec![
        "pgp", "key", "generate", "--userid", userid, "--output", &key,
    ];
    args.extend_from_slice(extra);
    let out = mailsec(&args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    let out = mailsec(
        &["pgp", "key", "export", "--key", &key, "--output", &cert],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    (key, cert)
}

fn alice(scratch: &Scratch) -> (String, String) {
    party(scratch, "alice", "Alice <alice@example.org>", &[])
}

fn bob(scratch: &Scratch) -> (String, String) {
    party(scratch, "bob", "Bob <bob@example.net>", &[])
}

fn report(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

fn ok(out: Output) -> Output {
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    out
}

/// The fingerprint `key generate --json` printed, from a key file's certificate.
fn fingerprint(cert: &str) -> String {
    let scratch = Scratch::new();
    let store = scratch.path("store");
    ok(mailsec(
        &["pgp", "key", "import", "--store", &store, cert, "--json"],
        b"",
    ));
    let out = ok(mailsec(
        &["pgp", "key", "list", "--store", &store, "--json"],
        b"",
    ));
    json(&out)["keys"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn replace_bytes(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = data
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{:?} not found", text(from)));
    let mut out = data.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

/// The one line `mailsec` writes on stderr for a failure.
fn error_line(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("mailsec: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[cfg(unix)]
fn mode(path: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn generate_writes_the_key_and_its_revocation_and_keeps_existing_files() {
    let scratch = Scratch::new();
    let key = scratch.path("alice.asc");
    let rev = format!("{key}.rev");
    let out = ok(mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Alice <alice@example.org>",
            "--output",
            &key,
        ],
        b"",
    ));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("fingerprint: "), "{shown}");
    assert!(
        shown.contains(&format!("revocation certificate: {rev}")),
        "{shown}"
    );
    let secret = std::fs::read_to_string(&key).unwrap();
    assert!(
        secret.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"),
        "{secret}"
    );
    let revocation = std::fs::read_to_string(&rev).unwrap();
    assert!(
        revocation.contains("Revocation certificate for"),
        "{revocation}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&key), 0o600);
        assert_eq!(mode(&rev), 0o600);
    }

    // Neither file is replaced without --force, and nothing is generated.
    let again = mailsec(
        &[
            "pgp", "key", "generate", "--userid", "Eve", "--output", &key,
        ],
        b"",
    );
    assert_eq!(again.status.code(), Some(74), "{}", report(&again));
    assert!(error_line(&again).contains("--force"), "{}", report(&again));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), secret);
    let other = scratch.path("other.asc");
    let again = mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Eve",
            "--output",
            &other,
            "--revocation-output",
            &rev,
            "--json",
        ],
        b"",
    );
    assert_eq!(again.status.code(), Some(74), "{}", report(&again));
    assert_eq!(json(&again)["error"], "io");
    assert!(!std::path::Path::new(&other).exists());

    // With --force both are replaced; --json tells what was made.
    let out = ok(mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Alice <alice@example.org>",
            "--output",
            &key,
            "--force",
            "--json",
        ],
        b"",
    ));
    let value = json(&out);
    let fpr = value["fingerprint"].as_str().unwrap();
    assert_eq!(fpr.len(), 40, "{value:#}");
    assert!(!shown.contains(fpr), "a new key: {shown} {value:#}");
    assert_eq!(value["key_id"].as_str().unwrap(), &fpr[24..]);
    assert_eq!(value["version"], 4);
    assert_eq!(
        value["user_ids"],
        serde_json::json!(["Alice <alice@example.org>"])
    );
    assert_eq!(value["cipher_suite"], "cv25519");
    assert_eq!(value["profile"], "rfc4880");
    assert_eq!(value["locked"], false);
    assert_eq!(value["key_file"], key.as_str());
    assert_eq!(value["revocation_file"], rev.as_str());
    assert_ne!(std::fs::read_to_string(&key).unwrap(), secret);
    assert_ne!(std::fs::read_to_string(&rev).unwrap(), revocation);

    // --revocation-output puts it elsewhere.
    let elsewhere = scratch.path("kept-apart.rev");
    ok(mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Carol <carol@example.com>",
            "--output",
            &scratch.path("carol.asc"),
            "--revocation-output",
            &elsewhere,
        ],
        b"",
    ));
    assert!(std::path::Path::new(&elsewhere).exists());
    assert!(!std::path::Path::new(&scratch.path("carol.asc.rev")).exists());
}

#[test]
fn profiles_and_cipher_suites() {
    let scratch = Scratch::new();
    let v6 = scratch.path("v6.asc");
    let out = ok(mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Six <six@example.org>",
            "--output",
            &v6,
            "--profile",
            "rfc9580",
            "--json",
        ],
        b"",
    ));
    let value = json(&out);
    assert_eq!(value["version"], 6, "{value:#}");
    assert_eq!(value["profile"], "rfc9580");
    assert_eq!(value["fingerprint"].as_str().unwrap().len(), 64);

    let rsa = scratch.path("rsa.asc");
    let out = ok(mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Rsa <rsa@example.org>",
            "--output",
            &rsa,
            "--cipher-suite",
            "rsa3k",
            "--json",
        ],
        b"",
    ));
    assert_eq!(json(&out)["cipher_suite"], "rsa3k");

    // Both sign and verify.
    for key in [&v6, &rsa] {
        let cert = format!("{key}.pub");
        ok(mailsec(
            &["pgp", "key", "export", "--key", key, "--output", &cert],
            b"",
        ));
        let signed = ok(mailsec(&["pgp", "sign", "--key", key], MESSAGE)).stdout;
        let out = ok(mailsec(&["pgp", "verify", "--cert", &cert], &signed));
        assert_eq!(out.stdout, MESSAGE);
    }
}

#[test]
fn export_writes_the_public_certificate_only() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let armored = std::fs::read_to_string(&cert).unwrap();
    assert!(
        armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"),
        "{armored}"
    );
    assert!(!armored.contains("PRIVATE"), "{armored}");
    // `-` is stdout.
    let out = ok(mailsec(
        &["pgp", "key", "export", "--key", &key, "--output", "-"],
        b"",
    ));
    assert_eq!(text(&out.stdout), armored);
    // Binary: an OpenPGP packet, bit 7 set (RFC 9580 §4.2).
    let out = ok(mailsec(
        &[
            "pgp", "key", "export", "--key", &key, "--output", "-", "--binary",
        ],
        b"",
    ));
    assert!(out.stdout[0] & 0x80 != 0, "{:02x}", out.stdout[0]);
    // An existing file is kept unless --force.
    let out = mailsec(
        &["pgp", "key", "export", "--key", &key, "--output", &cert],
        b"",
    );
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));
    ok(mailsec(
        &[
            "pgp", "key", "export", "--key", &key, "--output", &cert, "--force",
        ],
        b"",
    ));
    // Exporting a certificate again gives the same certificate.
    let out = ok(mailsec(
        &["pgp", "key", "export", "--key", &cert, "--output", "-"],
        b"",
    ));
    assert_eq!(text(&out.stdout), armored);
}

#[test]
fn inline_sign_then_verify_prints_the_content() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let signed = ok(mailsec(&["pgp", "sign", "--key", &key], MESSAGE)).stdout;
    assert!(
        text(&signed).starts_with("-----BEGIN PGP MESSAGE-----"),
        "{}",
        text(&signed)
    );
    let out = ok(mailsec(&["pgp", "verify", "--cert", &cert], &signed));
    assert_eq!(out.stdout, MESSAGE);
    assert!(out.stderr.is_empty(), "{}", report(&out));

    let out = ok(mailsec(
        &["pgp", "verify", "--cert", &cert, "--json"],
        &signed,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["form"], "inline");
    let signatures = value["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0]["verdict"], "good");
    assert_eq!(signatures[0]["signer_cert"], fingerprint(&cert).as_str());
    assert_eq!(signatures[0]["signer_user_id"], "Alice <alice@example.org>");
    assert_eq!(signatures[0]["hash_algorithm"], "SHA256");
    assert_eq!(signatures[0]["key_valid"], true);
    assert!(signatures[0]["created"].as_u64().unwrap() > 1_600_000_000);

    // --output takes the content; stdout carries the report.
    let content = scratch.path("content");
    let out = ok(mailsec(
        &["pgp", "verify", "--cert", &cert, "--output", &content],
        &signed,
    ));
    assert_eq!(std::fs::read(&content).unwrap(), MESSAGE);
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("OpenPGP signed message: VALID\n  signature 1: good by Alice"),
        "{shown}"
    );

    // Binary output verifies the same.
    let binary = ok(mailsec(
        &["pgp", "sign", "--key", &key, "--binary"],
        MESSAGE,
    ))
    .stdout;
    assert!(binary[0] & 0x80 != 0);
    let out = ok(mailsec(&["pgp", "verify", "--cert", &cert], &binary));
    assert_eq!(out.stdout, MESSAGE);
}

#[test]
fn a_tampered_inline_message_exits_1_without_its_content() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let signed = ok(mailsec(
        &["pgp", "sign", "--key", &key, "--binary"],
        MESSAGE,
    ))
    .stdout;
    let tampered = replace_bytes(&signed, b"figures are", b"invoice is!");
    let out = mailsec(&["pgp", "verify", "--cert", &cert], &tampered);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert!(out.stdout.is_empty(), "{}", report(&out));
    assert!(error_line(&out).contains("INVALID"), "{}", report(&out));
    let content = scratch.path("content");
    let out = mailsec(
        &[
            "pgp", "verify", "--cert", &cert, "--json", "--output", &content,
        ],
        &tampered,
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["signatures"][0]["verdict"], "bad");
    assert!(!std::path::Path::new(&content).exists());
}

#[test]
fn detached_signatures_verify_and_altered_data_exits_1() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let (_, bob_cert) = bob(&scratch);
    for armor in [true, false] {
        let mut args = vec!["pgp", "sign", "--key", &key, "--detached"];
        if !armor {
            args.push("--binary");
        }
        let signature = ok(mailsec(&args, MESSAGE)).stdout;
        assert_eq!(
            text(&signature).starts_with("-----BEGIN PGP SIGNATURE-----"),
            armor
        );
        let sig = scratch.file("message.sig", &signature);
        let out = ok(mailsec(
            &["pgp", "verify", "--cert", &cert, "--signature", &sig],
            MESSAGE,
        ));
        let shown = text(&out.stdout);
        assert!(
            shown.starts_with(
                "OpenPGP detached signature: VALID\n  signature 1: good by Alice <alice@example.org> (EdDSA, SHA256)\n"
            ),
            "{shown}"
        );

        let altered = replace_bytes(MESSAGE, b"figures", b"invoice");
        let out = mailsec(
            &["pgp", "verify", "--cert", &cert, "--signature", &sig],
            &altered,
        );
        assert_eq!(out.status.code(), Some(1), "{}", report(&out));
        assert!(
            text(&out.stdout).starts_with("OpenPGP detached signature: INVALID\n"),
            "{}",
            report(&out)
        );
        let out = mailsec(
            &[
                "pgp",
                "verify",
                "--cert",
                &cert,
                "--signature",
                &sig,
                "--json",
            ],
            &altered,
        );
        assert_eq!(out.status.code(), Some(1), "{}", report(&out));
        let value = json(&out);
        assert_eq!(value["valid"], false);
        assert_eq!(value["form"], "detached");
        assert_eq!(value["signatures"][0]["verdict"], "bad");

        // Somebody else's certificate: the signer is unknown, and that is not valid either.
        let out = mailsec(
            &[
                "pgp",
                "verify",
                "--cert",
                &bob_cert,
                "--signature",
                &sig,
                "--json",
            ],
            MESSAGE,
        );
        assert_eq!(out.status.code(), Some(1), "{}", report(&out));
        assert_eq!(json(&out)["signatures"][0]["verdict"], "unknown-signer");
    }
}

#[test]
fn several_signers_and_several_certificates() {
    let scratch = Scratch::new();
    let (alice_key, alice_cert) = alice(&scratch);
    let (bob_key, bob_cert) = bob(&scratch);
    let signature = ok(mailsec(
        &[
            "pgp",
            "sign",
            "--key",
            &alice_key,
            "--key",
            &bob_key,
            "--detached",
        ],
        MESSAGE,
    ))
    .stdout;
    let sig = scratch.file("message.sig", &signature);
    // Both certificates in one file (a key ring) count as two.
    let mut ring = std::fs::read(&alice_cert).unwrap();
    ring.extend(std::fs::read(&bob_cert).unwrap());
    let ring = scratch.file("ring.pub", ring);
    let out = ok(mailsec(
        &[
            "pgp",
            "verify",
            "--cert",
            &ring,
            "--signature",
            &sig,
            "--json",
        ],
        MESSAGE,
    ));
    let value = json(&out);
    let verdicts: Vec<&str> = value["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["good", "good"], "{value:#}");
    // With only one certificate the other signer is unknown, which does not spoil the good one.
    let out = ok(mailsec(
        &[
            "pgp",
            "verify",
            "--cert",
            &alice_cert,
            "--signature",
            &sig,
            "--json",
        ],
        MESSAGE,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], true);
    let mut verdicts: Vec<&str> = value["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap())
        .collect();
    verdicts.sort_unstable();
    assert_eq!(verdicts, ["good", "unknown-signer"], "{value:#}");
}

#[test]
fn locked_keys_need_their_password() {
    let scratch = Scratch::new();
    let password = scratch.file("password", "correct horse battery staple\n");
    let wrong = scratch.file("wrong", "Tr0ub4dor&3\n");
    let key = scratch.path("locked.asc");
    let out = ok(mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "Locked <locked@example.org>",
            "--output",
            &key,
            "--password-file",
            &password,
            "--json",
        ],
        b"",
    ));
    assert_eq!(json(&out)["locked"], true);
    // The certificate needs no password.
    let cert = scratch.path("locked.pub");
    ok(mailsec(
        &["pgp", "key", "export", "--key", &key, "--output", &cert],
        b"",
    ));

    let out = mailsec(&["pgp", "sign", "--key", &key], MESSAGE);
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert!(
        error_line(&out).contains("--password-file"),
        "{}",
        report(&out)
    );
    let out = mailsec(
        &["pgp", "sign", "--key", &key, "--password-file", &wrong],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert!(error_line(&out).contains("locked"), "{}", report(&out));
    let signed = ok(mailsec(
        &["pgp", "sign", "--key", &key, "--password-file", &password],
        MESSAGE,
    ))
    .stdout;
    let out = ok(mailsec(&["pgp", "verify", "--cert", &cert], &signed));
    assert_eq!(out.stdout, MESSAGE);

    // Decryption too; a CRLF line ending is not part of the password.
    let crlf = scratch.file("crlf", "correct horse battery staple\r\nsecond line\n");
    let sealed = ok(mailsec(
        &["pgp", "encrypt", "--recipient-cert", &cert],
        MESSAGE,
    ))
    .stdout;
    let out = mailsec(&["pgp", "decrypt", "--key", &key, "--json"], &sealed);
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert_eq!(json(&out)["error"], "locked");
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &key, "--password-file", &crlf],
        &sealed,
    ));
    assert_eq!(out.stdout, MESSAGE);
}

#[test]
fn encrypt_then_decrypt() {
    let scratch = Scratch::new();
    let (alice_key, alice_cert) = alice(&scratch);
    let (bob_key, bob_cert) = bob(&scratch);
    let (carol_key, carol_cert) = party(&scratch, "carol", "Carol <carol@example.com>", &[]);

    let sealed = ok(mailsec(
        &[
            "pgp",
            "encrypt",
            "--recipient-cert",
            &bob_cert,
            "--recipient-cert",
            &carol_cert,
        ],
        MESSAGE,
    ))
    .stdout;
    let armored = text(&sealed);
    assert!(
        armored.starts_with("-----BEGIN PGP MESSAGE-----"),
        "{armored}"
    );
    assert!(!armored.contains(BODY), "{armored}");
    for key in [&bob_key, &carol_key] {
        let out = ok(mailsec(&["pgp", "decrypt", "--key", key], &sealed));
        assert_eq!(out.stdout, MESSAGE);
    }
    // Not encrypted to Alice: bad input for her.
    let out = mailsec(&["pgp", "decrypt", "--key", &alice_key, "--json"], &sealed);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "no-decryption-key");
    // Several keys: the one that can decrypt does.
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &alice_key, "--key", &bob_key],
        &sealed,
    ));
    assert_eq!(out.stdout, MESSAGE);

    // Signed by Alice, then encrypted to Bob.
    let sealed = ok(mailsec(
        &[
            "pgp",
            "encrypt",
            "--recipient-cert",
            &bob_cert,
            "--sign-with",
            &alice_key,
            "--binary",
        ],
        MESSAGE,
    ))
    .stdout;
    assert!(sealed[0] & 0x80 != 0);
    let out = ok(mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &alice_cert,
        ],
        &sealed,
    ));
    assert_eq!(out.stdout, MESSAGE);
    assert!(out.stderr.is_empty(), "{}", report(&out));

    let out = ok(mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &alice_cert,
            "--json",
        ],
        &sealed,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["form"], "inline");
    let decryption = value["decryption"].as_object().unwrap();
    assert_eq!(
        decryption["decrypted_with_cert"],
        fingerprint(&bob_cert).as_str()
    );
    assert_eq!(decryption["recipients"].as_array().unwrap().len(), 1);
    assert!(
        decryption["protection"]
            .as_str()
            .unwrap()
            .starts_with("seipd-v")
    );
    assert!(
        !decryption.contains_key("signatures"),
        "signatures once, at the top: {value:#}"
    );
    assert_eq!(value["signatures"][0]["verdict"], "good");
    assert_eq!(
        value["signatures"][0]["signer_cert"],
        fingerprint(&alice_cert).as_str()
    );

    // Verified against the wrong signer: exit 1 and no content.
    let out = mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &carol_cert,
        ],
        &sealed,
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert!(out.stdout.is_empty(), "{}", report(&out));
    assert!(
        error_line(&out).contains("unknown-signer"),
        "{}",
        report(&out)
    );
    let content = scratch.path("content");
    let out = mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &carol_cert,
            "--output",
            &content,
        ],
        &sealed,
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert!(
        text(&out.stdout).starts_with("OpenPGP encrypted message: INVALID\n"),
        "{}",
        report(&out)
    );
    assert!(!std::path::Path::new(&content).exists());
    // Without a verification asked for, the content is given and the report says unsigned.
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &bob_key, "--json"],
        &sealed,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["signatures"][0]["verdict"], "unknown-signer");
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &bob_key, "--output", &content],
        &sealed,
    ));
    assert_eq!(std::fs::read(&content).unwrap(), MESSAGE);
    assert!(
        text(&out.stdout).starts_with("OpenPGP encrypted message: INVALID\n  decrypted with "),
        "{}",
        report(&out)
    );
}

/// The first packet of a binary OpenPGP message (new format, RFC 9580 §4.2.1).
fn first_packet(message: &[u8]) -> &[u8] {
    assert_eq!(message[0] & 0xc0, 0xc0, "new packet format");
    let (header, length) = match message[1] {
        l @ 0..=191 => (2, usize::from(l)),
        l @ 192..=223 => (
            3,
            (usize::from(l) - 192) * 256 + usize::from(message[2]) + 192,
        ),
        _ => panic!("unexpected length octet"),
    };
    &message[..header + length]
}

#[test]
fn malformed_and_unprotected_messages_exit_65() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    for (input, code) in [
        (&b"not OpenPGP at all\r\n"[..], "malformed"),
        (b"\x00\xff\x10", "malformed"),
        (
            b"-----BEGIN PGP MESSAGE-----\n\nnot base64 !!\n-----END PGP MESSAGE-----\n",
            "malformed",
        ),
    ] {
        for args in [
            &["pgp", "decrypt", "--key", &key, "--json"][..],
            &["pgp", "verify", "--cert", &cert, "--json"],
        ] {
            let out = mailsec(args, input);
            assert_eq!(out.status.code(), Some(65), "{args:?} {}", report(&out));
            assert_eq!(json(&out)["error"], code, "{args:?} {}", report(&out));
        }
    }
    // A session key for Alice, then data encrypted without integrity protection (a SED
    // packet, tag 9): refused (RFC 9580 §5.7).
    let sealed = ok(mailsec(
        &["pgp", "encrypt", "--recipient-cert", &cert, "--binary"],
        MESSAGE,
    ))
    .stdout;
    let mut unprotected = first_packet(&sealed).to_vec();
    unprotected.extend_from_slice(&[0xc9, 64]);
    unprotected.extend((0..64u8).map(|i| i.wrapping_mul(37)));
    let out = mailsec(&["pgp", "decrypt", "--key", &key, "--json"], &unprotected);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "unprotected");
    let out = mailsec(&["pgp", "decrypt", "--key", &key], &unprotected);
    assert!(error_line(&out).contains("integrity"), "{}", report(&out));
    // A signature file that is not a signature.
    let junk = scratch.file(
        "junk.sig",
        "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
    );
    let out = mailsec(
        &[
            "pgp",
            "verify",
            "--cert",
            &cert,
            "--signature",
            &junk,
            "--json",
        ],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "malformed");
}

#[test]
fn bad_key_files_exit_65_and_missing_files_74() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let junk = scratch.file("junk.asc", "this is not a key\n");
    let missing = scratch.path("missing.asc");
    let rev = format!("{key}.rev");

    let out = mailsec(&["pgp", "sign", "--key", &junk], MESSAGE);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert!(
        error_line(&out).starts_with(&format!("mailsec: key file {junk}: OpenPGP: malformed")),
        "{}",
        report(&out)
    );
    // A revocation certificate is not a certificate (and sequoia's message is several lines).
    let out = mailsec(&["pgp", "verify", "--cert", &rev, "--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "malformed");
    error_line(&out);
    let out = mailsec(&["pgp", "encrypt", "--recipient-cert", &junk], MESSAGE);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    let out = mailsec(
        &["pgp", "key", "export", "--key", &junk, "--output", "-"],
        b"",
    );
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));

    let out = mailsec(&["pgp", "sign", "--key", &missing], MESSAGE);
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));
    assert!(
        error_line(&out).starts_with(&format!("mailsec: reading key file {missing}: ")),
        "{}",
        report(&out)
    );
    let out = mailsec(&["pgp", "verify", "--cert", &missing, "--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));
    assert_eq!(json(&out)["error"], "io");
    let out = mailsec(
        &["pgp", "verify", "--cert", &cert, "--signature", &missing],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));
    let out = mailsec(
        &["pgp", "decrypt", "--key", &key, "--password-file", &missing],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));
    let out = mailsec(
        &["pgp", "key", "export", "--key", &missing, "--output", "-"],
        b"",
    );
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));

    // A certificate where a secret key is needed: unusable configuration.
    let out = mailsec(&["pgp", "sign", "--key", &cert], MESSAGE);
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert!(
        error_line(&out).contains("no usable secret"),
        "{}",
        report(&out)
    );
    let out = mailsec(&["pgp", "decrypt", "--key", &cert, "--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert_eq!(json(&out)["error"], "no-secret-key");
}

#[test]
fn the_key_store() {
    let scratch = Scratch::new();
    let (alice_key, alice_cert) = alice(&scratch);
    let (bob_key, bob_cert) = bob(&scratch);
    let (_, carol_cert) = party(&scratch, "carol", "Carol <carol@example.com>", &[]);
    let store = scratch.path("store");

    // Files, then stdin.
    let out = ok(mailsec(
        &[
            "pgp",
            "key",
            "import",
            "--store",
            &store,
            &alice_cert,
            &bob_cert,
        ],
        b"",
    ));
    let shown = text(&out.stdout);
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(
        shown.starts_with(&format!("imported {}", fingerprint(&alice_cert)))
            || shown.starts_with(&format!("imported {}", fingerprint(&bob_cert))),
        "{shown}"
    );
    let out = ok(mailsec(
        &["pgp", "key", "import", "--store", &store, "--json"],
        &std::fs::read(&carol_cert).unwrap(),
    ));
    let value = json(&out);
    assert_eq!(
        value["imported"][0]["emails"],
        serde_json::json!(["carol@example.com"])
    );
    // Importing again merges: still three keys.
    ok(mailsec(
        &["pgp", "key", "import", "--store", &store, &alice_cert],
        b"",
    ));

    let out = ok(mailsec(
        &["pgp", "key", "list", "--store", &store, "--json"],
        b"",
    ));
    let value = json(&out);
    let keys = value["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3, "{value:#}");
    let fingerprints: Vec<&str> = keys
        .iter()
        .map(|k| k["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fingerprints.clone();
    sorted.sort_unstable();
    assert_eq!(fingerprints, sorted, "in fingerprint order");
    for key in keys {
        assert_eq!(key["secret"], false, "{key:#}");
        assert_eq!(key["valid"], true, "{key:#}");
        assert_eq!(key["invalidity"], Value::Null, "{key:#}");
        assert_eq!(key["version"], 4, "{key:#}");
        assert_eq!(key["key_id"].as_str().unwrap().len(), 16, "{key:#}");
    }
    let out = ok(mailsec(&["pgp", "key", "list", "--store", &store], b""));
    let shown = text(&out.stdout);
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert!(
        shown.contains(&format!(
            "{} v4 pub Bob <bob@example.net>\n",
            fingerprint(&bob_cert)
        )),
        "{shown}"
    );

    // Encrypt to recipients looked up by address (any case) and by fingerprint.
    let bob_fpr = fingerprint(&bob_cert);
    for query in ["BOB@example.net", "<bob@example.net>", bob_fpr.as_str()] {
        let sealed = ok(mailsec(
            &["pgp", "encrypt", "--store", &store, "--recipient", query],
            MESSAGE,
        ))
        .stdout;
        let out = ok(mailsec(&["pgp", "decrypt", "--key", &bob_key], &sealed));
        assert_eq!(out.stdout, MESSAGE);
    }
    let out = mailsec(
        &[
            "pgp",
            "encrypt",
            "--store",
            &store,
            "--recipient",
            "bob@example.net",
            "--recipient",
            "dave@example.org",
        ],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert!(
        error_line(&out).contains("no key in store") && out.stdout.is_empty(),
        "{}",
        report(&out)
    );

    // Every certificate of the store is a candidate signer.
    let signed = ok(mailsec(&["pgp", "sign", "--key", &alice_key], MESSAGE)).stdout;
    let out = ok(mailsec(&["pgp", "verify", "--cert-store", &store], &signed));
    assert_eq!(out.stdout, MESSAGE);
    let sealed = ok(mailsec(
        &[
            "pgp",
            "encrypt",
            "--store",
            &store,
            "--recipient",
            "bob@example.net",
            "--sign-with",
            &alice_key,
        ],
        MESSAGE,
    ))
    .stdout;
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &bob_key, "--cert-store", &store],
        &sealed,
    ));
    assert_eq!(out.stdout, MESSAGE);

    // A bad file imports nothing, even with good files before it.
    let fresh = scratch.path("fresh");
    let junk = scratch.file("junk.asc", "junk\n");
    let out = mailsec(
        &[
            "pgp",
            "key",
            "import",
            "--store",
            &fresh,
            &alice_cert,
            &junk,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert!(
        std::fs::read_dir(&fresh).map_or(true, |mut d| d.next().is_none()),
        "nothing imported"
    );
    // A store that does not exist is not silently empty.
    for args in [
        &["pgp", "key", "list", "--store", &fresh, "--json"][..],
        &["pgp", "verify", "--cert-store", &fresh, "--json"],
    ] {
        let out = mailsec(args, &signed);
        assert_eq!(out.status.code(), Some(74), "{args:?} {}", report(&out));
        assert_eq!(json(&out)["error"], "io");
    }
}

#[test]
fn usage_errors_exit_2() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let out_file = scratch.path("out.asc");
    let password = scratch.file("password", "secret\n");
    let empty = scratch.file("empty", "\n");
    for args in [
        &["pgp", "frobnicate"][..],
        &["pgp", "sign"],
        &["pgp", "sign", "--key", &key, "--mime", "--detached"],
        &["pgp", "sign", "--key", &key, "--mime", "--binary"],
        &["pgp", "verify"],
        &["pgp", "verify", "--signature", &cert],
        &[
            "pgp",
            "verify",
            "--cert",
            &cert,
            "--signature",
            &cert,
            "--output",
            &out_file,
        ],
        &["pgp", "encrypt"],
        &["pgp", "encrypt", "--recipient", "bob@example.net"],
        &["pgp", "encrypt", "--store", &out_file],
        &[
            "pgp",
            "encrypt",
            "--recipient-cert",
            &cert,
            "--mime",
            "--binary",
        ],
        &[
            "pgp",
            "encrypt",
            "--recipient-cert",
            &cert,
            "--password-file",
            &password,
        ],
        &["pgp", "decrypt"],
        &["pgp", "key", "generate", "--output", &out_file],
        &["pgp", "key", "generate", "--userid", "u"],
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "u",
            "--output",
            &out_file,
            "--cipher-suite",
            "dsa1k",
        ],
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "u",
            "--output",
            &out_file,
            "--profile",
            "rfc2440",
        ],
        &["pgp", "key", "generate", "--userid", "u", "--output", "-"],
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "u",
            "--output",
            &out_file,
            "--revocation-output",
            &out_file,
        ],
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "u",
            "--output",
            &out_file,
            "--password-file",
            &empty,
        ],
        &["pgp", "key", "export", "--key", &key],
        &["pgp", "key", "list"],
        &["pgp", "key", "import", &cert],
    ] {
        let out = mailsec(args, MESSAGE);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", report(&out));
    }
    assert!(!std::path::Path::new(&out_file).exists());
    let out = mailsec(
        &[
            "pgp",
            "key",
            "generate",
            "--userid",
            "u",
            "--output",
            &out_file,
            "--cipher-suite",
            "dsa1k",
        ],
        b"",
    );
    assert!(text(&out.stderr).contains("cv25519"), "{}", report(&out));
    let out = mailsec(
        &["pgp", "key", "generate", "--userid", "u", "--output", "-"],
        b"",
    );
    assert!(
        text(&out.stderr).contains("Usage: mailsec pgp key generate"),
        "{}",
        report(&out)
    );
}

// PGP/MIME (RFC 3156): whole messages in and out.

#[test]
fn mime_sign_then_verify() {
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    let signed = ok(mailsec(&["pgp", "sign", "--key", &key, "--mime"], MESSAGE)).stdout;
    let message = text(&signed);
    assert!(message.contains("multipart/signed"), "{message}");
    assert!(message.contains("application/pgp-signature"), "{message}");
    assert!(
        message.contains("Subject: Quarterly figures\r\n"),
        "{message}"
    );
    assert!(message.contains(BODY), "{message}");

    let out = ok(mailsec(&["pgp", "verify", "--cert", &cert], &signed));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("PGP/MIME message: VALID\n"), "{shown}");
    assert!(
        shown.contains("good by Alice <alice@example.org>"),
        "{shown}"
    );

    let content = scratch.path("content");
    let out = ok(mailsec(
        &[
            "pgp", "verify", "--cert", &cert, "--json", "--output", &content,
        ],
        &signed,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["form"], "mime");
    assert_eq!(value["kind"], "signed");
    assert_eq!(value["decryption"], Value::Null);
    assert_eq!(value["signatures"][0]["verdict"], "good");
    assert!(value["headers"].is_array(), "{value:#}");
    assert!(text(&std::fs::read(&content).unwrap()).contains(BODY));

    let tampered = text(&signed).replacen(BODY, "the invoice is attached!", 1);
    let out = mailsec(
        &["pgp", "verify", "--cert", &cert, "--json"],
        tampered.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["signatures"][0]["verdict"], "bad");
    let out = mailsec(&["pgp", "verify", "--cert", &cert], tampered.as_bytes());
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert!(
        text(&out.stdout).starts_with("PGP/MIME message: INVALID\n"),
        "{}",
        report(&out)
    );
}

#[test]
fn mime_encrypt_then_decrypt() {
    let scratch = Scratch::new();
    let (alice_key, alice_cert) = alice(&scratch);
    let (bob_key, bob_cert) = bob(&scratch);
    let (_, carol_cert) = party(&scratch, "carol", "Carol <carol@example.com>", &[]);
    let sealed = ok(mailsec(
        &[
            "pgp",
            "encrypt",
            "--recipient-cert",
            &bob_cert,
            "--sign-with",
            &alice_key,
            "--mime",
        ],
        MESSAGE,
    ))
    .stdout;
    let message = text(&sealed);
    assert!(message.contains("multipart/encrypted"), "{message}");
    assert!(message.contains("application/pgp-encrypted"), "{message}");
    assert!(!message.contains(BODY), "{message}");

    let out = ok(mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &alice_cert,
        ],
        &sealed,
    ));
    let entity = text(&out.stdout);
    assert!(entity.contains(BODY), "{entity}");
    assert!(entity.contains("Subject: Quarterly figures"), "{entity}");

    let out = ok(mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &alice_cert,
            "--json",
        ],
        &sealed,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["form"], "mime");
    assert_eq!(value["kind"], "encrypted");
    assert_eq!(
        value["decryption"]["decrypted_with_cert"],
        fingerprint(&bob_cert).as_str()
    );
    assert_eq!(value["signatures"][0]["verdict"], "good");

    // The wrong signer: exit 1, no content. The wrong key: 65.
    let out = mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &bob_key,
            "--verify-with",
            &carol_cert,
        ],
        &sealed,
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert!(out.stdout.is_empty(), "{}", report(&out));
    let out = mailsec(&["pgp", "decrypt", "--key", &alice_key, "--json"], &sealed);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "no-decryption-key");
}

// GnuPG on the other side. Without gpg these tests say so and pass, unless
// MAILSEC_REQUIRE_GPG=1 (as CI sets), when they fail.

/// A throwaway GnuPG home in a short directory under /tmp (gpg-agent's socket path must stay
/// under ~107 bytes). Dropping it stops its agent and removes it.
struct Gpg {
    home: PathBuf,
}

impl Gpg {
    fn new() -> Option<Gpg> {
        match Command::new("gpg").arg("--version").output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!("gpg --version failed: {}", report(&out)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var("MAILSEC_REQUIRE_GPG").as_deref() != Ok("1"),
                    "gpg not found, and MAILSEC_REQUIRE_GPG=1"
                );
                eprintln!("gpg not found: GnuPG interoperability test skipped");
                return None;
            }
            Err(e) => panic!("cannot run gpg: {e}"),
        }
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let home = PathBuf::from(format!(
            "/tmp/msg{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&home).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        std::fs::write(home.join("gpg-agent.conf"), "allow-loopback-pinentry\n").unwrap();
        Some(Gpg { home })
    }

    /// gpg in this home, non-interactive, status lines on stdout.
    fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write as _;
        let mut child = Command::new("gpg")
            .arg("--homedir")
            .arg(&self.home)
            .args([
                "--batch",
                "--no-tty",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--status-fd",
                "1",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run gpg");
        let _ = child.stdin.take().unwrap().write_all(stdin);
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &[u8]) -> Output {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "gpg {args:?}: {}", report(&out));
        out
    }

    fn path(&self, name: &str) -> String {
        self.home.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&self.home)
            .args(["--kill", "gpg-agent"])
            .output();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

#[test]
fn gpg_verifies_our_detached_signature() {
    let Some(gpg) = Gpg::new() else { return };
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    gpg.ok(&["--import", &cert], b"");
    let signature = ok(mailsec(
        &["pgp", "sign", "--key", &key, "--detached"],
        MESSAGE,
    ))
    .stdout;
    let sig = gpg.path("message.sig");
    std::fs::write(&sig, &signature).unwrap();
    let data = gpg.path("message.eml");
    std::fs::write(&data, MESSAGE).unwrap();
    let out = gpg.ok(&["--verify", &sig, &data], b"");
    let status = text(&out.stdout);
    assert!(status.contains("[GNUPG:] GOODSIG "), "{}", report(&out));
    assert!(
        status.contains(&format!(" {}\n", fingerprint(&cert))),
        "VALIDSIG names the primary key: {status}"
    );
    // ...and not over other data.
    std::fs::write(&data, replace_bytes(MESSAGE, b"figures", b"invoice")).unwrap();
    let out = gpg.run(&["--verify", &sig, &data], b"");
    assert!(!out.status.success(), "{}", report(&out));
    assert!(
        text(&out.stdout).contains("[GNUPG:] BADSIG "),
        "{}",
        report(&out)
    );
}

#[test]
fn we_decrypt_what_gpg_encrypts_and_signs() {
    let Some(gpg) = Gpg::new() else { return };
    let scratch = Scratch::new();
    let (key, cert) = alice(&scratch);
    gpg.ok(&["--import", &cert], b"");
    gpg.ok(
        &[
            "--quick-generate-key",
            "Gnupg User <gnupg@example.net>",
            "ed25519",
            "sign",
            "never",
        ],
        b"",
    );
    let gpg_cert = scratch.file(
        "gnupg.pub",
        gpg.ok(&["--armor", "--export", "gnupg@example.net"], b"")
            .stdout,
    );
    let alice_fpr = fingerprint(&cert);

    // Encrypted only.
    let plain = gpg.path("plain.eml");
    std::fs::write(&plain, MESSAGE).unwrap();
    let sealed = gpg.path("sealed.asc");
    gpg.ok(
        &[
            "--trust-model",
            "always",
            "--armor",
            "--recipient",
            &alice_fpr,
            "--output",
            &sealed,
            "--encrypt",
            &plain,
        ],
        b"",
    );
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &key],
        &std::fs::read(&sealed).unwrap(),
    ));
    assert_eq!(out.stdout, MESSAGE);

    // Signed and encrypted: verified against gpg's certificate.
    let sealed = gpg.path("signed.asc");
    gpg.ok(
        &[
            "--trust-model",
            "always",
            "--armor",
            "--local-user",
            "gnupg@example.net",
            "--recipient",
            &alice_fpr,
            "--output",
            &sealed,
            "--sign",
            "--encrypt",
            &plain,
        ],
        b"",
    );
    let sealed = std::fs::read(&sealed).unwrap();
    let out = ok(mailsec(
        &[
            "pgp",
            "decrypt",
            "--key",
            &key,
            "--verify-with",
            &gpg_cert,
            "--json",
        ],
        &sealed,
    ));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["decryption"]["protection"], "seipd-v1");
    assert_eq!(
        value["signatures"][0]["signer_cert"],
        fingerprint(&gpg_cert).as_str()
    );
    let out = ok(mailsec(
        &["pgp", "decrypt", "--key", &key, "--verify-with", &gpg_cert],
        &sealed,
    ));
    assert_eq!(out.stdout, MESSAGE);
}

#[test]
fn gpg_decrypts_what_we_encrypt_and_sign() {
    let Some(gpg) = Gpg::new() else { return };
    let scratch = Scratch::new();
    let (alice_key, _) = alice(&scratch);
    let (bob_key, bob_cert) = bob(&scratch);
    let alice_cert = scratch.path("alice.pub");
    // gpg holds Bob's secret key and Alice's certificate.
    gpg.ok(&["--import", &bob_key], b"");
    gpg.ok(&["--import", &alice_cert], b"");
    let sealed = ok(mailsec(
        &[
            "pgp",
            "encrypt",
            "--recipient-cert",
            &bob_cert,
            "--sign-with",
            &alice_key,
        ],
        MESSAGE,
    ))
    .stdout;
    let input = gpg.path("sealed.asc");
    std::fs::write(&input, &sealed).unwrap();
    let output = gpg.path("opened.eml");
    let out = gpg.ok(&["--output", &output, "--decrypt", &input], b"");
    assert!(
        text(&out.stdout).contains("[GNUPG:] GOODSIG "),
        "{}",
        report(&out)
    );
    assert_eq!(std::fs::read(&output).unwrap(), MESSAGE);
}
