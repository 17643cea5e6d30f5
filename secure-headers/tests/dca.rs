#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! DCA transforms (draft §4.6): apply on encryption, restore on decryption.

use proptest::prelude::*;
use secure_headers::{
    CanonAlgorithm, FieldStatus, Limits, Policy, PolicySpec, Profile, StatusSpec, Verdict, apply,
    build, restore, verify,
};

const POLICY: &str = r#"
[secure_headers]
fields = ["From", "To", "Subject", "Date", "Cc"]
[secure_headers.status]
Subject = { status = "modified", value = "[secured message]" }
To = { status = "deleted" }
From = { status = "deleted" }
Date = { status = "modified", value = "Thu, 1 Jan 1970 00:00:00 +0000" }
"#;

const MESSAGE: &[u8] = b"Received: by mx.example.com\r\n\
From: John Doe <jdoe@example.com>\r\n\
To: Mary Smith <mary@example.com>\r\n\
Subject: Quarterly\r\n  results\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
Cc: a@example.com\r\n\
\r\n\
Body stays.\r\n";

#[test]
fn apply_hides_deleted_and_modified_fields_but_keeps_from_and_date() {
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let shf = build(MESSAGE, &policy).unwrap();
    let hidden = apply(MESSAGE, &shf, &policy).unwrap();
    assert_eq!(
        String::from_utf8(hidden).unwrap(),
        "Received: by mx.example.com\r\n\
         From: John Doe <jdoe@example.com>\r\n\
         Subject: [secured message]\r\n\
         Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n\
         Cc: a@example.com\r\n\
         \r\n\
         Body stays.\r\n"
    );
}

#[test]
fn restore_writes_the_signed_fields_back() {
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let shf = build(MESSAGE, &policy).unwrap();
    let hidden = apply(MESSAGE, &shf, &policy).unwrap();
    let restored = restore(&hidden, &shf, policy.limits()).unwrap();
    assert_eq!(
        String::from_utf8(restored.clone()).unwrap(),
        "Received: by mx.example.com\r\n\
         From: John Doe <jdoe@example.com>\r\n\
         subject: Quarterly results\r\n\
         date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Cc: a@example.com\r\n\
         to: Mary Smith <mary@example.com>\r\n\
         \r\n\
         Body stays.\r\n"
    );
    assert!(verify(&shf, &restored, &policy).unwrap().is_valid());
    // Without the restore, the hidden fields are reported.
    let report = verify(&shf, &apply(MESSAGE, &shf, &policy).unwrap(), &policy).unwrap();
    assert_eq!(
        report.field("to").unwrap().verdict,
        Verdict::MissingFromMessage
    );
    assert!(matches!(
        report.field("subject").unwrap().verdict,
        Verdict::Mismatch(_)
    ));
}

#[test]
fn simple_restores_byte_for_byte() {
    let policy = Policy::from_toml_str(&POLICY.replace(
        "[secure_headers]\n",
        "[secure_headers]\ncanonicalization = \"simple\"\n",
    ))
    .unwrap();
    let shf = build(MESSAGE, &policy).unwrap();
    let restored = restore(
        &apply(MESSAGE, &shf, &policy).unwrap(),
        &shf,
        policy.limits(),
    )
    .unwrap();
    let text = String::from_utf8(restored.clone()).unwrap();
    assert!(
        text.contains("Subject: Quarterly\r\n  results\r\n"),
        "{text}"
    );
    assert!(
        text.contains("To: Mary Smith <mary@example.com>\r\n"),
        "{text}"
    );
    assert!(verify(&shf, &restored, &policy).unwrap().is_valid());
}

#[test]
fn restore_leaves_a_message_that_already_verifies_alone() {
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let shf = build(MESSAGE, &policy).unwrap();
    assert_eq!(restore(MESSAGE, &shf, policy.limits()).unwrap(), MESSAGE);
}

#[test]
fn long_relaxed_values_are_folded_on_restore() {
    let policy = Policy::from_toml_str("[secure_headers]\nfields = [\"References\"]\n[secure_headers.status]\nReferences = { status = \"deleted\" }\n").unwrap();
    let ids: Vec<String> = (0..80)
        .map(|i| format!("<message-{i:04}@example.com>"))
        .collect();
    let message = format!("References: {}\r\nSubject: s\r\n\r\nbody", ids.join(" "));
    let shf = build(message.as_bytes(), &policy).unwrap();
    let restored = restore(
        &apply(message.as_bytes(), &shf, &policy).unwrap(),
        &shf,
        &Limits::default(),
    )
    .unwrap();
    let text = String::from_utf8(restored.clone()).unwrap();
    assert!(
        text.lines().all(|l| l.len() <= 998),
        "RFC 5322 §2.1.1 line limit"
    );
    assert!(verify(&shf, &restored, &policy).unwrap().is_valid());
}

#[test]
fn header_only_message_gets_fields_appended_on_a_new_line() {
    let policy = Policy::from_toml_str("[secure_headers]\nfields = [\"To\"]\n[secure_headers.status]\nTo = { status = \"deleted\" }\n").unwrap();
    let message = b"Subject: s\r\nTo: x@example.com";
    let shf = build(message, &policy).unwrap();
    let hidden = apply(message, &shf, &policy).unwrap();
    assert_eq!(hidden, b"Subject: s\r\n");
    let restored = restore(&hidden, &shf, policy.limits()).unwrap();
    assert_eq!(restored, b"Subject: s\r\nto: x@example.com\r\n");
}

// Property: for any message and policy, restore(apply(m)) gives back every secured field.

fn field_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "From", "To", "Subject", "Date", "Cc", "X-Tag", "Keywords",
    ])
}

/// A field value: printable words separated by WSP runs, sometimes folded, sometimes empty.
fn field_value() -> impl Strategy<Value = String> {
    let word = "[!-9;-~]{1,12}";
    let sep = prop::sample::select(vec![" ", "  ", "\t", " \t ", "\r\n ", "\r\n\t"]);
    prop::collection::vec((sep, word), 0..6).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(sep, word)| format!("{sep}{word}"))
            .collect::<String>()
    })
}

fn status_spec() -> impl Strategy<Value = StatusSpec> {
    prop_oneof![
        Just(StatusSpec {
            status: FieldStatus::Duplicated,
            value: None
        }),
        Just(StatusSpec {
            status: FieldStatus::Deleted,
            value: None
        }),
        "[ -~]{0,20}".prop_map(|value| StatusSpec {
            status: FieldStatus::Modified,
            value: Some(value)
        }),
    ]
}

prop_compose! {
    fn message_and_policy()(
        fields in prop::collection::vec((field_name(), field_value()), 1..12),
        secured in prop::collection::btree_map(field_name(), status_spec(), 1..5),
        simple in any::<bool>(),
        draft in any::<bool>(),
    ) -> (Vec<u8>, Policy) {
        let mut message = String::new();
        for (name, value) in &fields {
            message.push_str(&format!("{name}:{value}\r\n"));
        }
        message.push_str("\r\nbody\r\n");
        let spec = PolicySpec {
            profile: if draft { Profile::Draft05 } else { Profile::Rfc7508 },
            canonicalization: if simple { CanonAlgorithm::Simple } else { CanonAlgorithm::Relaxed },
            fields: secured.keys().map(|k| k.to_string()).collect(),
            status: secured.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            ..PolicySpec::default()
        };
        (message.into_bytes(), Policy::try_from(spec).unwrap())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn restore_of_apply_gives_back_every_secured_field((message, policy) in message_and_policy()) {
        let shf = match build(&message, &policy) {
            Ok(shf) => shf,
            // Nothing the policy names is in the message, or a tab under draft-05 + simple.
            Err(secure_headers::Error::NothingToSecure | secure_headers::Error::Unrepresentable { .. }) => return Ok(()),
            Err(e) => panic!("{e}"),
        };
        let hidden = apply(&message, &shf, &policy).unwrap();
        let restored = restore(&hidden, &shf, policy.limits()).unwrap();
        let report = verify(&shf, &restored, &policy).unwrap();
        prop_assert!(report.is_valid(), "{}\n{}", String::from_utf8_lossy(&restored), report);
        // And the body is untouched.
        prop_assert!(restored.ends_with(b"\r\n\r\nbody\r\n"));
    }
}
