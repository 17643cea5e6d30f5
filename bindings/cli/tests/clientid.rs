//! `mailsec clientid ...` as a user runs it: output, exit codes, stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mailsec(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailsec"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailsec");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait for mailsec")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn parse_draft_8_1_prints_type_and_token() {
    let out = mailsec(
        &[
            "clientid",
            "parse",
            "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "type: UUID\ntoken: 23bf83be-aad7-46aa-9e0f-39191ccf402f\n"
    );
}

#[test]
fn parse_json_prints_an_object() {
    let out = mailsec(
        &[
            "clientid",
            "parse",
            "--json",
            "CLIENTID MAC 08:9e:01:70:f6:46",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"type": "MAC", "token": "08:9e:01:70:f6:46"})
    );
}

#[test]
fn parse_draft_8_4_exits_65_with_501_reason() {
    let out = mailsec(&["clientid", "parse", "CLIENTID MAC"], b"");
    assert_eq!(out.status.code(), Some(65));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "mailsec: 501 client-id-token missing at offset 12\n"
    );
}

#[test]
fn parse_json_error_is_an_object_too() {
    let out = mailsec(
        &[
            "clientid",
            "parse",
            "--json",
            "CLIENTID ABCDEFGHIJKLMNOPQ x",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(65));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["error"], "type-too-long");
    assert_eq!(value["offset"], 25);
    assert_eq!(value["rule"], "client-id-type");
    assert_eq!(value["reply_code"], 501);
}

#[test]
fn parse_reads_stdin_and_keeps_offsets_of_8bit_bytes() {
    let out = mailsec(&["clientid", "parse"], b"CLIENTID UUID 23bf83be\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = mailsec(&["clientid", "parse"], b"CLIENTID UUID caf\xc3\xa9\r\n");
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).contains("non-ASCII byte 0xC3 at offset 17"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn parse_lenient_accepts_device_id() {
    assert_eq!(
        mailsec(&["clientid", "parse", "CLIENTID DEVICE_ID a1"], b"")
            .status
            .code(),
        Some(65)
    );
    let out = mailsec(
        &["clientid", "parse", "--lenient", "CLIENTID DEVICE_ID a1"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "type: DEVICE_ID\ntoken: a1\n");
}

#[test]
fn build_validates_and_prints_the_command() {
    let out = mailsec(
        &[
            "clientid",
            "build",
            "UUID",
            "23bf83be-aad7-46aa-9e0f-39191ccf402f",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\n"
    );
    let out = mailsec(&["clientid", "build", "UUID", "two words"], b"");
    assert_eq!(out.status.code(), Some(65));
    assert!(text(&out.stderr).starts_with("mailsec: 501 bad character SP at offset 3"));
}

#[test]
fn ehlo_exit_code_says_whether_clientid_is_advertised() {
    let tls = b"250-server.example.com\r\n250-AUTH LOGIN\r\n250 CLIENTID\r\n";
    let plain = b"250-server.example.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n";
    assert_eq!(mailsec(&["clientid", "ehlo"], tls).status.code(), Some(0));
    assert_eq!(mailsec(&["clientid", "ehlo"], plain).status.code(), Some(1));
    let out = mailsec(&["clientid", "ehlo", "--json"], tls);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"advertises_clientid": true, "keywords": ["AUTH", "CLIENTID"]})
    );
    let out = mailsec(&["clientid", "ehlo"], b"250-mx\r\n");
    assert_eq!(out.status.code(), Some(65));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        mailsec(&["clientid", "frobnicate"], b"").status.code(),
        Some(2)
    );
}
