//! `mailsec smime ...` as a user runs it: output, exit codes, stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

mod common;

use std::process::Output;

use common::{Scratch, json, mailsec, text};

/// The TEST-ONLY PKI: root -> intermediate -> alice-*, bob-rsa.
fn pki(name: &str) -> String {
    format!(
        "{}/../../tests/fixtures/pki/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

const POLICY: &str = r#"
[secure_headers]
fields = ["From", "To", "Subject", "Date", "Message-ID"]
mandatory = ["From", "Subject"]
"#;

const MESSAGE: &[u8] = b"From: Alice <alice@example.com>\r\n\
To: Bob <bob@example.org>\r\n\
Subject: Quarterly figures\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <1@example.com>\r\n\
\r\n\
Hello Bob,\r\n\
the figures are attached.\r\n";

fn replace(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let message = text(message);
    assert!(message.contains(from), "{from:?} not in the message");
    message.replacen(from, to, 1).into_bytes()
}

/// `mailsec smime sign` as alice-rsa with the intermediate as chain, plus `extra` arguments.
fn sign(extra: &[&str], message: &[u8]) -> Output {
    let (cert, key, chain) = (
        pki("alice-rsa.pem"),
        pki("alice-rsa.key"),
        pki("intermediate.pem"),
    );
    let mut args = vec![
        "smime", "sign", "--cert", &cert, "--key", &key, "--chain", &chain,
    ];
    args.extend_from_slice(extra);
    mailsec(&args, message)
}

/// MESSAGE signed under POLICY (with `extra` arguments); the scratch directory holds the policy.
fn signed(extra: &[&str]) -> (Scratch, String, Vec<u8>) {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    let mut args = vec!["--policy", policy.as_str()];
    args.extend_from_slice(extra);
    let out = sign(&args, MESSAGE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (scratch, policy, out.stdout)
}

/// `mailsec smime verify --trust root.pem` plus `extra` arguments.
fn verify(extra: &[&str], message: &[u8]) -> Output {
    let root = pki("root.pem");
    let mut args = vec!["smime", "verify", "--trust", &root];
    args.extend_from_slice(extra);
    mailsec(&args, message)
}

fn report(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn sign_then_verify_exits_0() {
    let (_scratch, policy, signed) = signed(&[]);
    let message = text(&signed);
    assert!(
        message
            .contains("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\""),
        "{message}"
    );
    assert!(
        message.contains("Subject: Quarterly figures\r\n"),
        "{message}"
    );
    let out = verify(&["--policy", &policy], &signed);
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("S/MIME detached signature: VALID\n"),
        "{shown}"
    );
    assert!(shown.contains("  signature: valid\n"), "{shown}");
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn json_report_has_valid() {
    let (_scratch, policy, signed) = signed(&["--signing-time", "1795000000"]);
    let out = verify(&["--policy", &policy, "--json"], &signed);
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["form"], "detached");
    assert_eq!(value["failures"], serde_json::json!([]));
    let signers = value["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0]["algorithm"], "rsa-pkcs1-sha256");
    assert_eq!(signers[0]["signing_time"], 1_795_000_000);
    assert_eq!(signers[0]["signature"]["verdict"], "valid");
    assert_eq!(signers[0]["address"]["address"], "alice@example.com");
    assert_eq!(signers[0]["secures_headers"], true);
    assert_eq!(value["headers"]["outcome"], "checked");
}

#[test]
fn tampered_body_exits_1() {
    let (_scratch, policy, signed) = signed(&[]);
    let tampered = replace(
        &signed,
        "the figures are attached",
        "the invoice is attached",
    );
    let out = verify(&["--policy", &policy, "--json"], &tampered);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["signers"][0]["signature"]["verdict"], "invalid");
    assert_eq!(
        value["signers"][0]["signature"]["reason"],
        "digest_mismatch"
    );

    let out = verify(&["--policy", &policy], &tampered);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("S/MIME detached signature: INVALID\n"),
        "{shown}"
    );
}

#[test]
fn tampered_secured_subject_exits_1_naming_the_field() {
    let (_scratch, policy, signed) = signed(&[]);
    let tampered = replace(
        &signed,
        "Subject: Quarterly figures",
        "Subject: Pay this invoice",
    );
    let out = verify(&["--policy", &policy], &tampered);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let shown = text(&out.stdout);
    assert!(shown.contains("  signature: valid\n"), "{shown}");
    let subject = shown
        .lines()
        .find(|line| line.trim_start().starts_with("subject:"))
        .unwrap_or_else(|| panic!("no subject line in {shown}"));
    assert!(subject.contains("MISMATCH"), "{subject}");
    assert!(subject.contains("Pay this invoice"), "{subject}");

    let value = json(&verify(&["--policy", &policy, "--json"], &tampered));
    assert_eq!(value["valid"], false);
    let fields = value["headers"]["fields"].as_array().unwrap();
    let subject = fields.iter().find(|f| f["name"] == "subject").unwrap();
    assert_eq!(subject["verdict"]["result"], "mismatch");
    assert!(
        value["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().contains("subject")),
        "{value:#}"
    );
}

#[test]
fn opaque_round_trip() {
    let (_scratch, policy, signed) = signed(&["--opaque"]);
    let message = text(&signed);
    assert!(
        message.contains("application/pkcs7-mime; smime-type=signed-data"),
        "{message}"
    );
    assert!(!message.contains("the figures are attached"), "{message}");
    let out = verify(&["--policy", &policy, "--json"], &signed);
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["valid"], true, "{value:#}");
    assert_eq!(value["form"], "opaque");
}

#[test]
fn several_signers_with_their_algorithms_and_subject_key_ids() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    let (rsa, rsa_key, ec, ec_key, chain) = (
        pki("alice-rsa.pem"),
        pki("alice-rsa.key"),
        pki("alice-p256.pem"),
        pki("alice-p256.key"),
        pki("intermediate.pem"),
    );
    let out = mailsec(
        &[
            "smime",
            "sign",
            "--cert",
            &rsa,
            "--key",
            &rsa_key,
            "--algorithm",
            "rsa-pss-sha256",
            "--cert",
            &ec,
            "--key",
            &ec_key,
            "--algorithm",
            "ecdsa-p256-sha256",
            "--chain",
            &chain,
            "--subject-key-id",
            "--policy",
            &policy,
        ],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = verify(&["--policy", &policy, "--json"], &out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    let value = json(&out);
    let signers = value["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 2);
    // SignerInfos form a SET OF: their order on the wire is the DER order, not --cert order.
    let mut algorithms: Vec<&str> = signers
        .iter()
        .map(|s| s["algorithm"].as_str().unwrap())
        .collect();
    algorithms.sort_unstable();
    assert!(algorithms[0].starts_with("ecdsa"), "{algorithms:?}");
    assert_eq!(algorithms[1], "rsa-pss-sha256");
    for signer in signers {
        assert_eq!(signer["signature"]["verdict"], "valid", "{signer:#}");
        assert!(
            signer["signer_id"]
                .as_str()
                .unwrap()
                .starts_with("subjectKeyIdentifier "),
            "{signer:#}"
        );
    }
}

#[test]
fn intermediates_can_come_from_the_verifier() {
    let scratch = Scratch::new();
    let (cert, key) = (pki("alice-rsa.pem"), pki("alice-rsa.key"));
    let out = mailsec(&["smime", "sign", "--cert", &cert, "--key", &key], MESSAGE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let signed = scratch.file("signed.eml", &out.stdout);
    let signed = std::fs::read(signed).unwrap();
    // Without the intermediate there is no path to the root.
    let out = verify(&["--json"], &signed);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["signers"][0]["signature"]["verdict"], "valid");
    assert_eq!(
        value["signers"][0]["chain"]["verdict"]["verdict"],
        "invalid"
    );
    // With it, the message verifies.
    let intermediate = pki("intermediate.pem");
    let out = verify(&["--certs", &intermediate, "--allow-sha1"], &signed);
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
}

#[test]
fn the_validation_time_is_an_option() {
    let (_scratch, policy, signed) = signed(&[]);
    // 2001-09-09: before the test certificates were issued.
    let out = verify(
        &["--policy", &policy, "--time", "1000000000", "--json"],
        &signed,
    );
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["signers"][0]["signature"]["verdict"], "valid");
    assert_eq!(
        value["signers"][0]["chain"]["verdict"]["verdict"],
        "invalid"
    );
}

#[test]
fn unsecured_mandatory_fields_exit_1() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    // Signed without a policy: no SecureHeaderFields...
    let out = sign(&[], MESSAGE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // ...which is fine without a policy on the receiving side...
    let without = verify(&[], &out.stdout);
    assert_eq!(without.status.code(), Some(0), "{}", report(&without));
    // ...but not under one that makes From and Subject mandatory.
    let with = verify(&["--policy", &policy, "--json"], &out.stdout);
    assert_eq!(with.status.code(), Some(1), "{}", report(&with));
    let value = json(&with);
    assert_eq!(value["headers"]["outcome"], "not_secured");
    assert_eq!(value["signers"][0]["secures_headers"], false);
}

#[test]
fn garbage_stdin_exits_65() {
    let out = verify(&[], b"\x00\xffnot a message at all\r\n");
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert!(
        text(&out.stderr).starts_with("mailsec: S/MIME: "),
        "{}",
        text(&out.stderr)
    );
    // An unsigned message is not a signed one either.
    let out = verify(&["--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "mime");
    // A signature part that is not CMS.
    let (_scratch, _policy, signed) = signed(&[]);
    let message = text(&signed);
    let start = message.find("MII").expect("base64 CMS");
    let broken = format!("{}AAAA{}", &message[..start], &message[start + 4..]);
    let out = verify(&["--json"], broken.as_bytes());
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(json(&out)["error"], "malformed");
}

#[test]
fn a_message_with_nothing_to_secure_exits_65() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    let out = sign(&["--policy", &policy], b"X-Only: this\r\n\r\nbody\r\n");
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no header field to secure"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn missing_files_exit_74() {
    let scratch = Scratch::new();
    let missing = scratch.path("missing.key");
    let cert = pki("alice-rsa.pem");
    let out = mailsec(
        &["smime", "sign", "--cert", &cert, "--key", &missing],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(74), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with(&format!("mailsec: reading key file {missing}: ")),
        "{}",
        text(&out.stderr)
    );
    let missing = scratch.path("missing.pem");
    let out = mailsec(&["smime", "verify", "--trust", &missing, "--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(74), "{}", text(&out.stderr));
    assert_eq!(json(&out)["error"], "io");
}

#[test]
fn unusable_keys_certificates_and_policies_are_temporary_failures() {
    let scratch = Scratch::new();
    let (cert, bob_key) = (pki("alice-rsa.pem"), pki("bob-rsa.key"));
    let out = mailsec(
        &["smime", "sign", "--cert", &cert, "--key", &bob_key],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("does not belong to the certificate"),
        "{}",
        text(&out.stderr)
    );
    let junk = scratch.file("junk.pem", "not a certificate\n");
    let out = mailsec(
        &["smime", "sign", "--cert", &junk, "--key", &bob_key],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let out = mailsec(&["smime", "verify", "--trust", &junk, "--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert_eq!(json(&out)["error"], "certificate");
    // A key that cannot sign with the algorithm asked for.
    let out = sign(&["--algorithm", "ed25519"], MESSAGE);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    // A broken policy, with line and column.
    let broken = scratch.file(
        "broken.toml",
        "[secure_headers]\nfields = [\"From\"]\nmandatroy = [\"From\"]\n",
    );
    let out = verify(&["--policy", &broken, "--json"], MESSAGE);
    assert_eq!(out.status.code(), Some(75));
    let value = json(&out);
    assert_eq!(value["error"], "policy");
    assert_eq!(value["line"], 3);
}

#[test]
fn usage_errors_exit_2() {
    let (cert, key) = (pki("alice-rsa.pem"), pki("alice-rsa.key"));
    for args in [
        &["smime", "frobnicate"][..],
        &["smime", "sign", "--cert", &cert],
        &[
            "smime",
            "sign",
            "--cert",
            &cert,
            "--key",
            &key,
            "--algorithm",
            "rsa-md5",
        ],
        &[
            "smime", "sign", "--cert", &cert, "--cert", &cert, "--key", &key,
        ],
        &[
            "smime",
            "sign",
            "--cert",
            &cert,
            "--key",
            &key,
            "--algorithm",
            "rsa-pss-sha256",
            "--algorithm",
            "rsa-pss-sha384",
        ],
        &["smime", "verify"],
        &["smime", "verify", "--trust", &cert, "--time", "yesterday"],
    ] {
        let out = mailsec(args, MESSAGE);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = mailsec(
        &[
            "smime",
            "sign",
            "--cert",
            &cert,
            "--key",
            &key,
            "--algorithm",
            "rsa-md5",
        ],
        MESSAGE,
    );
    assert!(
        text(&out.stderr).contains("rsa-pss-sha256"),
        "{}",
        text(&out.stderr)
    );
    let out = mailsec(
        &[
            "smime", "sign", "--cert", &cert, "--cert", &cert, "--key", &key,
        ],
        MESSAGE,
    );
    assert!(
        text(&out.stderr).contains("Usage: mailsec smime sign"),
        "{}",
        text(&out.stderr)
    );
}
