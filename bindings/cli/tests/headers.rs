//! `mailsec headers ...` as a user runs it: output, exit codes, stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

mod common;

use common::{Scratch, json, mailsec, text};

const POLICY: &str = r#"
[secure_headers]
profile = "rfc7508"
canonicalization = "relaxed"
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
[secure_headers.status]
Subject = { status = "modified", value = "[secured message]" }
To = { status = "deleted" }
"#;

const MESSAGE: &[u8] = b"From: John Doe <jdoe@example.com>\r\n\
To: Mary Smith <mary@example.com>\r\n\
Subject: This is a test\r\n\
Date: Mon, 1 Jan 2024 09:00:00 +0000\r\n\
X-Mailer: test\r\n\
\r\n\
Hello\r\n";

/// RFC 6376 §3.4.5's example header block.
const RFC6376_EXAMPLE: &[u8] = b"A: X \r\nB : Y\t\r\n\tZ  \r\n\r\n";

fn replace(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let message = text(message);
    assert!(message.contains(from), "{from:?} not in the message");
    message.replacen(from, to, 1).into_bytes()
}

/// A scratch directory holding the policy and the structure built from MESSAGE.
fn signed() -> (Scratch, String, String) {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    let out = mailsec(&["headers", "build", "--policy", &policy], MESSAGE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let structure = scratch.file("structure.hex", &out.stdout);
    (scratch, policy, structure)
}

fn verify(policy: &str, structure: &str, message: &[u8]) -> std::process::Output {
    mailsec(
        &[
            "headers",
            "verify",
            "--json",
            "--policy",
            policy,
            "--structure",
            structure,
        ],
        message,
    )
}

#[test]
fn canon_relaxed_prints_rfc6376_3_4_5_example() {
    let out = mailsec(&["headers", "canon", "--relaxed"], RFC6376_EXAMPLE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "a:X\nb:Y Z\n");
}

#[test]
fn canon_simple_prints_the_raw_forms() {
    let out = mailsec(&["headers", "canon", "--simple"], RFC6376_EXAMPLE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "A: X \nB : Y\t\r\n\tZ  \n");
}

#[test]
fn canon_with_a_policy_prints_only_the_secured_fields() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    let out = mailsec(&["headers", "canon", "--policy", &policy], MESSAGE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "from:John Doe <jdoe@example.com>\nto:Mary Smith <mary@example.com>\n\
         subject:This is a test\ndate:Mon, 1 Jan 2024 09:00:00 +0000\n"
    );
    let out = mailsec(
        &[
            "headers", "canon", "--simple", "--json", "--policy", &policy,
        ],
        MESSAGE,
    );
    let value = json(&out);
    assert_eq!(value["algorithm"], "simple");
    assert_eq!(value["fields"].as_array().unwrap().len(), 4);
    assert_eq!(
        value["fields"][2],
        serde_json::json!({"name": "Subject", "value": " This is a test"})
    );
}

#[test]
fn canon_needs_an_algorithm_or_a_policy() {
    assert_eq!(
        mailsec(&["headers", "canon"], MESSAGE).status.code(),
        Some(2)
    );
    assert_eq!(
        mailsec(&["headers", "canon", "--simple", "--relaxed"], MESSAGE)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn build_then_verify_exits_0() {
    let (_scratch, policy, structure) = signed();
    let out = mailsec(
        &[
            "headers",
            "verify",
            "--policy",
            &policy,
            "--structure",
            &structure,
        ],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.starts_with("secure headers: valid (canonicalization: relaxed)\n"),
        "{report}"
    );
    let out = verify(&policy, &structure, MESSAGE);
    assert_eq!(out.status.code(), Some(0));
    let value = json(&out);
    assert_eq!(value["valid"], true);
    assert_eq!(value["fields"].as_array().unwrap().len(), 4);
}

#[test]
fn build_then_verify_in_every_encoding_and_as_an_attribute() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    for encoding in ["--hex", "--base64", "--der"] {
        for attribute in [false, true] {
            let mut args = vec!["headers", "build", "--policy", &policy, encoding];
            if attribute {
                args.push("--attribute");
            }
            let out = mailsec(&args, MESSAGE);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            let structure = scratch.file("structure", &out.stdout);
            let mut args = vec![
                "headers",
                "verify",
                "--policy",
                &policy,
                "--structure",
                &structure,
                encoding,
            ];
            if attribute {
                args.push("--attribute");
            }
            let out = mailsec(&args, MESSAGE);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{encoding} attribute={attribute}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
    }
}

#[test]
fn tampered_subject_exits_1_with_a_mismatch() {
    let (_scratch, policy, structure) = signed();
    let tampered = replace(MESSAGE, "This is a test", "Pay this invoice");
    let out = verify(&policy, &structure, &tampered);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    let subject = value["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "subject")
        .expect("a subject entry");
    assert_eq!(subject["verdict"]["result"], "mismatch");
    assert_eq!(subject["verdict"]["reason"], "value_differs");
    assert_eq!(subject["signed_value"], "This is a test");
    assert_eq!(subject["message_values"][0], "Pay this invoice");

    let out = mailsec(
        &[
            "headers",
            "verify",
            "--policy",
            &policy,
            "--structure",
            &structure,
        ],
        &tampered,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("MISMATCH"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_added_to_line_is_an_extra_entry() {
    let (_scratch, policy, structure) = signed();
    let added = replace(MESSAGE, "Subject:", "To: attacker@example.net\r\nSubject:");
    let out = verify(&policy, &structure, &added);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let value = json(&out);
    assert_eq!(
        value["extra"],
        serde_json::json!([{"name": "to", "value": "attacker@example.net"}])
    );
}

#[test]
fn removed_from_is_missing_from_the_message() {
    let (_scratch, policy, structure) = signed();
    let removed = replace(MESSAGE, "From: John Doe <jdoe@example.com>\r\n", "");
    let out = verify(&policy, &structure, &removed);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let value = json(&out);
    assert_eq!(value["fields"][0]["name"], "from");
    assert_eq!(
        value["fields"][0]["verdict"],
        serde_json::json!({"result": "missing_from_message"})
    );
}

#[test]
fn apply_then_restore_verifies() {
    let (_scratch, policy, structure) = signed();
    let structure_args = ["--policy", &policy, "--structure", &structure];
    let apply: Vec<&str> = ["headers", "apply"]
        .into_iter()
        .chain(structure_args)
        .collect();
    let outer = mailsec(&apply, MESSAGE);
    assert_eq!(outer.status.code(), Some(0), "{}", text(&outer.stderr));
    let outer = text(&outer.stdout);
    assert!(!outer.contains("To:"), "{outer}");
    assert!(outer.contains("Subject: [secured message]\r\n"), "{outer}");
    assert!(outer.ends_with("\r\n\r\nHello\r\n"), "{outer}");
    // The outer message no longer verifies...
    assert_eq!(
        verify(&policy, &structure, outer.as_bytes()).status.code(),
        Some(1)
    );
    // ...the restored one does.
    let restore: Vec<&str> = ["headers", "restore"]
        .into_iter()
        .chain(structure_args)
        .collect();
    let restored = mailsec(&restore, outer.as_bytes());
    assert_eq!(
        restored.status.code(),
        Some(0),
        "{}",
        text(&restored.stderr)
    );
    let out = verify(&policy, &structure, &restored.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn decode_prints_the_structure() {
    let (_scratch, _policy, structure) = signed();
    let hex = std::fs::read(&structure).unwrap();
    let out = mailsec(&["headers", "decode"], &hex);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "profile: rfc7508\ncanonicalization: relaxed\n\
         from: John Doe <jdoe@example.com> [duplicated]\n\
         to: Mary Smith <mary@example.com> [deleted]\n\
         subject: This is a test [modified]\n\
         date: Mon, 1 Jan 2024 09:00:00 +0000 [duplicated]\n"
    );
    let value = json(&mailsec(&["headers", "decode", "--json"], &hex));
    assert_eq!(value["profile"], "rfc7508");
    assert_eq!(value["algorithm"], "relaxed");
    assert_eq!(
        value["fields"][1],
        serde_json::json!({"name": "to", "value": "Mary Smith <mary@example.com>", "status": "deleted"})
    );
}

#[test]
fn draft05_attribute_decodes_but_the_policy_must_accept_it() {
    let (scratch, policy, _structure) = signed();
    let out = mailsec(
        &[
            "headers",
            "build",
            "--policy",
            &policy,
            "--attribute",
            "--profile",
            "draft-05",
            "--base64",
        ],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let attribute = scratch.file("attribute.b64", &out.stdout);
    // Without a policy, decode accepts either profile and says which one it found.
    let out = mailsec(
        &["headers", "decode", "--attribute", "--base64", "--json"],
        &out.stdout,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(json(&out)["profile"], "draft-05");
    // The policy accepts rfc7508 only.
    let out = mailsec(
        &[
            "headers",
            "verify",
            "--json",
            "--attribute",
            "--base64",
            "--policy",
            &policy,
            "--structure",
            &attribute,
        ],
        MESSAGE,
    );
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert_eq!(json(&out)["error"], "profile-not-accepted");
}

#[test]
fn garbage_hex_structure_exits_65() {
    let (scratch, policy, _structure) = signed();
    let garbage = scratch.file("garbage.hex", "not hex at all\n");
    let out = verify(&policy, &garbage, MESSAGE);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(json(&out)["error"], "encoding");
    assert!(text(&out.stderr).starts_with("mailsec: structure file "));

    let out = mailsec(&["headers", "decode"], b"zz\n");
    assert_eq!(out.status.code(), Some(65));
}

#[test]
fn malformed_der_exits_65_with_its_code() {
    let (scratch, policy, _structure) = signed();
    // Valid hex, but a SEQUENCE where the SET should be.
    let malformed = scratch.file("malformed.hex", "3000\n");
    let out = verify(&policy, &malformed, MESSAGE);
    assert_eq!(out.status.code(), Some(65));
    let value = json(&out);
    assert_eq!(value["error"], "malformed");
    assert_eq!(value["offset"], 0);
    let out = mailsec(&["headers", "decode", "--json"], b"31 81");
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(json(&out)["error"], "malformed");
}

#[test]
fn a_message_without_secured_fields_exits_65() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", POLICY);
    let out = mailsec(
        &["headers", "build", "--policy", &policy],
        b"X-Only: this\r\n\r\nbody\r\n",
    );
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).contains("no header field to secure"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_broken_policy_is_a_temporary_failure() {
    let (scratch, _policy, structure) = signed();
    let broken = scratch.file(
        "broken.toml",
        "[secure_headers]\nfields = [\"From\"]\nmandatroy = [\"From\"]\n",
    );
    let out = verify(&broken, &structure, MESSAGE);
    assert_eq!(out.status.code(), Some(75));
    let value = json(&out);
    assert_eq!(value["error"], "policy");
    assert_eq!(value["line"], 3);
    assert_eq!(value["column"], 1);
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "mailsec: policy file {broken}: line 3, column 1: "
        )),
        "{stderr}"
    );
    let out = mailsec(&["headers", "build", "--policy", &broken], MESSAGE);
    assert_eq!(out.status.code(), Some(75));
    // A policy file without a [secure_headers] table cannot drive these commands either.
    let empty = scratch.file("empty.toml", "");
    let out = mailsec(&["headers", "build", "--policy", &empty], MESSAGE);
    assert_eq!(out.status.code(), Some(75));
}

#[test]
fn usage_errors_exit_2() {
    let (_scratch, policy, structure) = signed();
    for args in [
        &["headers", "frobnicate"][..],
        &["headers", "verify", "--policy", &policy],
        &["headers", "build", "--policy", &policy, "--hex", "--base64"],
        &[
            "headers",
            "build",
            "--policy",
            &policy,
            "--profile",
            "rfc1234",
        ],
        &[
            "headers",
            "verify",
            "--policy",
            &policy,
            "--structure",
            &structure,
            "--attribute",
            "--profile",
            "rfc7508",
        ],
    ] {
        assert_eq!(mailsec(args, MESSAGE).status.code(), Some(2), "{args:?}");
    }
}
