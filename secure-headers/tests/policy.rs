#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! The `[secure_headers]` table of the policy file.

use secure_headers::{CanonAlgorithm, FieldRule, Policy, PolicyError, Profile};

const ISSUE_SHAPE: &str = r#"
[secure_headers]
profile = "rfc7508"            # or "draft-05"
canonicalization = "relaxed"   # or "simple"
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
[secure_headers.status]        # absent fields are "duplicated"
Subject = { status = "modified", value = "[secured message]" }
To = { status = "deleted" }
"#;

#[test]
fn the_documented_shape_loads() {
    let policy = Policy::from_toml_str(ISSUE_SHAPE).unwrap();
    assert_eq!(policy.profile(), Profile::Rfc7508);
    assert_eq!(policy.accepted_profiles(), [Profile::Rfc7508]);
    assert_eq!(policy.canonicalization(), CanonAlgorithm::Relaxed);
    assert_eq!(policy.fields(), ["From", "To", "Subject", "Date"]);
    assert_eq!(policy.mandatory(), ["From", "Subject"]);
    assert_eq!(
        policy.rule("subject"),
        Some(&FieldRule::Modified {
            value: "[secured message]".into()
        })
    );
    assert_eq!(policy.rule("TO"), Some(&FieldRule::Deleted));
    assert_eq!(policy.rule("Date"), Some(&FieldRule::Duplicated));
    assert_eq!(policy.rule("Cc"), None);
}

#[test]
fn defaults_are_rfc7508_and_relaxed() {
    let policy = Policy::from_toml_str("[secure_headers]\nfields = [\"From\"]\n").unwrap();
    assert_eq!(policy.profile(), Profile::Rfc7508);
    assert_eq!(policy.canonicalization(), CanonAlgorithm::Relaxed);
    assert!(policy.mandatory().is_empty());
}

#[test]
fn legacy_profile_is_accepted_when_emitted_or_listed() {
    let emit =
        Policy::from_toml_str("[secure_headers]\nprofile = \"draft-05\"\nfields = [\"From\"]\n")
            .unwrap();
    assert_eq!(
        emit.accepted_profiles(),
        [Profile::Rfc7508, Profile::Draft05]
    );
    let accept = Policy::from_toml_str(
        "[secure_headers]\naccept = [\"rfc7508\", \"draft-05\"]\nfields = [\"From\"]\n",
    )
    .unwrap();
    assert_eq!(accept.profile(), Profile::Rfc7508);
    assert_eq!(
        accept.accepted_profiles(),
        [Profile::Rfc7508, Profile::Draft05]
    );
}

fn error(text: &str) -> PolicyError {
    Policy::from_toml_str(text).unwrap_err()
}

#[test]
fn unknown_keys_are_errors_with_line_and_column() {
    let err = error("[secure_headers]\nfields = [\"From\"]\ncanonicalisation = \"simple\"\n");
    assert_eq!((err.line, err.column), (Some(3), Some(1)), "{err}");
    assert!(
        err.message.contains("unknown field `canonicalisation`"),
        "{err}"
    );
    let err = error(
        "[secure_headers]\nfields = [\"From\"]\n[secure_headers.status]\nFrom = { status = \"deleted\", replacement = \"x\" }\n",
    );
    assert_eq!(err.line, Some(4), "{err}");
    assert!(err.message.contains("unknown field `replacement`"), "{err}");
}

#[test]
fn bad_values_are_errors_with_line_and_column() {
    let err = error("[secure_headers]\nfields = [\"From\"]\ncanonicalization = \"loose\"\n");
    assert_eq!((err.line, err.column), (Some(3), Some(20)), "{err}");
    assert!(err.message.contains("loose"), "{err}");
    let err = error("[secure_headers]\nprofile = \"draft-06\"\nfields = [\"From\"]\n");
    assert_eq!(err.line, Some(2), "{err}");
    let err = error(
        "[secure_headers]\nfields = [\"From\"]\n[secure_headers.status]\nFrom = { status = \"hidden\" }\n",
    );
    assert_eq!(err.line, Some(4), "{err}");
    assert!(err.to_string().starts_with("line 4, column "), "{err}");
}

#[test]
fn inconsistent_policies_are_refused_with_the_reason() {
    // (table body, message, line): errors in an entry point at it; cross-checks between
    // entries point at the [secure_headers] table.
    let cases = [
        (
            "fields = []",
            "fields must list at least one header field",
            1,
        ),
        ("fields = [\"From:\"]", "is not a header field name", 2),
        ("fields = [\"From\", \"from\"]", "is listed twice", 1),
        (
            "fields = [\"From\"]\nmandatory = [\"Subject\"]",
            "is not in fields",
            1,
        ),
        (
            "fields = [\"From\"]\n[secure_headers.status]\nSubject = { status = \"deleted\" }",
            "only secured fields have a status",
            1,
        ),
        (
            "fields = [\"Subject\"]\n[secure_headers.status]\nSubject = { status = \"modified\" }",
            "needs a replacement value",
            4,
        ),
        (
            "fields = [\"Subject\"]\n[secure_headers.status]\nSubject = { status = \"deleted\", value = \"x\" }",
            "value applies only to modified fields",
            4,
        ),
        (
            "fields = [\"Subject\"]\n[secure_headers.status]\nSubject = { status = \"modified\", value = \"x\\r\\nBcc: evil@example.com\" }",
            "must be one line",
            4,
        ),
        (
            "fields = [\"From\"]\naccept = []",
            "accept must list at least one profile",
            1,
        ),
    ];
    for (body, expected, line) in cases {
        let text = format!("[secure_headers]\n{body}\n");
        let err = error(&text);
        assert!(err.message.contains(expected), "{body:?}: {err}");
        assert_eq!(err.line, Some(line), "{body:?}: {err}");
        assert!(err.column.is_some(), "{body:?}: {err}");
    }
}

#[test]
fn limits_are_configurable_and_checked() {
    let policy = Policy::from_toml_str(
        "[secure_headers]\nfields = [\"From\"]\n[secure_headers.limits]\nmax_header_fields = 10\n",
    )
    .unwrap();
    assert_eq!(policy.limits().max_header_fields, 10);
    let err =
        error("[secure_headers]\nfields = [\"From\"]\n[secure_headers.limits]\nmax_headers = 10\n");
    assert!(err.message.contains("unknown field `max_headers`"), "{err}");
}
