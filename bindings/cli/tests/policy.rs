//! `mailsec policy check` as a user runs it: output, exit codes, stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

mod common;

use common::{Scratch, json, mailsec, text};

const GOOD: &str = r#"
[secure_headers]
profile = "rfc7508"
canonicalization = "relaxed"
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
[secure_headers.status]
Subject = { status = "modified", value = "[secured message]" }
To = { status = "deleted" }
"#;

#[test]
fn a_good_file_is_ok_with_a_summary() {
    let scratch = Scratch::new();
    let file = scratch.file("good.toml", GOOD);
    let out = mailsec(&["policy", "check", &file], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ok\n\
         secure_headers: profile rfc7508, accepts rfc7508, canonicalization relaxed\n  \
         From: duplicated, mandatory\n  \
         To: deleted\n  \
         Subject: modified to \"[secured message]\", mandatory\n  \
         Date: duplicated\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn json_summary() {
    let scratch = Scratch::new();
    let file = scratch.file("good.toml", GOOD);
    let out = mailsec(&["policy", "check", "--json", &file], b"");
    assert_eq!(out.status.code(), Some(0));
    let value = json(&out);
    assert_eq!(value["valid"], true);
    let headers = &value["secure_headers"];
    assert_eq!(headers["profile"], "rfc7508");
    assert_eq!(headers["accept"], serde_json::json!(["rfc7508"]));
    assert_eq!(headers["canonicalization"], "relaxed");
    assert_eq!(
        headers["fields"][2],
        serde_json::json!({
            "name": "Subject", "status": "modified", "mandatory": true,
            "value": "[secured message]",
        })
    );
    assert_eq!(headers["limits"]["max_der_bytes"], 1 << 20);
}

#[test]
fn an_unknown_key_exits_65_with_line_and_column() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "bad.toml",
        "[secure_headers]\nfields = [\"From\"]\nfeilds = [\"To\"]\n",
    );
    let out = mailsec(&["policy", "check", &file], b"");
    assert_eq!(out.status.code(), Some(65));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("mailsec: line 3, column 1: unknown field `feilds`"),
        "{stderr}"
    );
    assert!(stderr.contains("line") && stderr.contains("column"));

    let out = mailsec(&["policy", "check", "--json", &file], b"");
    assert_eq!(out.status.code(), Some(65));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["error"], "policy");
    assert_eq!(value["line"], 3);
    assert_eq!(value["column"], 1);
}

#[test]
fn an_unknown_table_and_inconsistencies_exit_65() {
    let scratch = Scratch::new();
    for (name, contents) in [
        ("table.toml", "[secure_header]\nfields = [\"From\"]\n"),
        (
            "mandatory.toml",
            "[secure_headers]\nfields = [\"From\"]\nmandatory = [\"Subject\"]\n",
        ),
        (
            "profile.toml",
            "[secure_headers]\nprofile = \"rfc9999\"\nfields = [\"From\"]\n",
        ),
        ("syntax.toml", "[secure_headers\n"),
    ] {
        let file = scratch.file(name, contents);
        let out = mailsec(&["policy", "check", &file], b"");
        assert_eq!(out.status.code(), Some(65), "{name}");
        assert!(text(&out.stderr).starts_with("mailsec: "), "{name}");
    }
}

#[test]
fn a_file_that_is_not_utf8_exits_65() {
    let scratch = Scratch::new();
    let file = scratch.file("latin1.toml", b"# caf\xe9\n");
    let out = mailsec(&["policy", "check", &file], b"");
    assert_eq!(out.status.code(), Some(65));
}

#[test]
fn dash_reads_stdin() {
    let out = mailsec(&["policy", "check", "-"], GOOD.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = mailsec(&["policy", "check", "-"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "ok\nno [secure_headers] table\n");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let scratch = Scratch::new();
    let out = mailsec(&["policy", "check", &scratch.path("absent.toml")], b"");
    assert_eq!(out.status.code(), Some(74));
    assert!(text(&out.stderr).starts_with("mailsec: reading policy file "));
    assert!(scratch.dir().exists());
}
