#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! Verification (draft §4.5.2 steps 2–7): the report's entries, one by one.

use secure_headers::{
    ExtraField, FieldStatus, FieldValue, MandatoryMissing, MismatchReason, Policy, Profile,
    SecureHeaderFields, Verdict, build, signers_agree, verify,
};

const POLICY: &str = r#"
[secure_headers]
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
[secure_headers.status]
Subject = { status = "modified", value = "[secured message]" }
"#;

const MESSAGE: &[u8] = b"From: John Doe <jdoe@example.com>\r\n\
To: Mary Smith <mary@example.com>\r\n\
Subject: This is a test\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <1@example.com>\r\n\
\r\n\
Hello.\r\n";

fn policy() -> Policy {
    Policy::from_toml_str(POLICY).unwrap()
}

/// Build, encode and decode, as a receiver gets it out of a signature.
fn signed(message: &[u8], policy: &Policy) -> SecureHeaderFields {
    let der = build(message, policy)
        .unwrap()
        .to_der(Profile::Rfc7508)
        .unwrap();
    SecureHeaderFields::from_der(&der, Profile::Rfc7508, policy.limits()).unwrap()
}

fn replace(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    String::from_utf8(message.to_vec())
        .unwrap()
        .replacen(from, to, 1)
        .into_bytes()
}

#[test]
fn untouched_message_is_valid() {
    let report = verify(&signed(MESSAGE, &policy()), MESSAGE, &policy()).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.fields.len(), 4);
    assert!(report.extra.is_empty() && report.mandatory_missing.is_empty());
    assert_eq!(
        report.field("subject").unwrap().status,
        FieldStatus::Modified
    );
}

#[test]
fn tampered_subject_is_a_mismatch_entry() {
    let tampered = replace(MESSAGE, "This is a test", "Urgent: pay this invoice");
    let report = verify(&signed(MESSAGE, &policy()), &tampered, &policy()).unwrap();
    assert!(!report.is_valid());
    let subject = report.field("Subject").unwrap();
    assert_eq!(subject.name, "subject");
    assert_eq!(subject.signed_value, FieldValue::new("This is a test"));
    assert_eq!(
        subject.message_values,
        vec![FieldValue::new("Urgent: pay this invoice")]
    );
    assert_eq!(subject.status, FieldStatus::Modified);
    assert_eq!(
        subject.verdict,
        Verdict::Mismatch(MismatchReason::ValueDiffers)
    );
    assert_eq!(report.failures().count(), 1);
    assert!(report.to_string().contains(
        "  subject: \"This is a test\" [modified] MISMATCH (value differs); message has \"Urgent: pay this invoice\"\n"
    ), "{report}");
}

#[test]
fn relaxed_tolerates_rewrapping_and_case() {
    let rewrapped = replace(
        MESSAGE,
        "Subject: This is a test",
        "SUBJECT:   This is\r\n\t a   test  ",
    );
    let report = verify(&signed(MESSAGE, &policy()), &rewrapped, &policy()).unwrap();
    assert!(report.is_valid(), "{report}");
}

#[test]
fn added_secured_to_is_an_extra_entry() {
    let added = replace(MESSAGE, "Date:", "To: attacker@example.net\r\nDate:");
    let report = verify(&signed(MESSAGE, &policy()), &added, &policy()).unwrap();
    assert!(!report.is_valid());
    assert!(
        report.fields.iter().all(|f| f.verdict == Verdict::Match),
        "{report}"
    );
    assert_eq!(
        report.extra,
        vec![ExtraField {
            name: "to".into(),
            value: FieldValue::new("attacker@example.net")
        }]
    );
    assert!(
        report
            .to_string()
            .contains("  to: \"attacker@example.net\" EXTRA: secured field not in the signature\n"),
        "{report}"
    );
    // The To field entry lists both values the message now has.
    assert_eq!(report.field("to").unwrap().message_values.len(), 2);
}

#[test]
fn unsecured_additions_are_not_extra() {
    let added = replace(MESSAGE, "Date:", "X-Spam: no\r\nDate:");
    assert!(
        verify(&signed(MESSAGE, &policy()), &added, &policy())
            .unwrap()
            .is_valid()
    );
}

#[test]
fn removed_mandatory_from_is_missing_from_message() {
    let removed = replace(MESSAGE, "From: John Doe <jdoe@example.com>\r\n", "");
    let report = verify(&signed(MESSAGE, &policy()), &removed, &policy()).unwrap();
    assert!(!report.is_valid());
    let from = report.field("from").unwrap();
    assert_eq!(from.verdict, Verdict::MissingFromMessage);
    assert!(from.message_values.is_empty());
    assert!(
        report.to_string().contains(
            "  from: \"John Doe <jdoe@example.com>\" [duplicated] MISSING from message\n"
        ),
        "{report}"
    );
}

#[test]
fn mandatory_field_the_signature_lacks_is_reported() {
    // The signer secured only To and Date; the receiver's policy makes From and Subject
    // mandatory (step 7).
    let signer = Policy::from_toml_str("[secure_headers]\nfields = [\"To\", \"Date\"]\n").unwrap();
    let shf = signed(MESSAGE, &signer);
    let without_subject = replace(MESSAGE, "Subject: This is a test\r\n", "");
    let report = verify(&shf, &without_subject, &policy()).unwrap();
    assert!(!report.is_valid());
    assert_eq!(
        report.mandatory_missing,
        vec![
            MandatoryMissing {
                name: "From".into(),
                in_message: true
            },
            MandatoryMissing {
                name: "Subject".into(),
                in_message: false
            },
        ]
    );
    // The unsigned From in the message is also an extra secured field (step 6).
    assert_eq!(report.extra.len(), 1);
    assert!(
        report.to_string().contains(
            "  From: MANDATORY field present in the message but not secured by the signature\n"
        ),
        "{report}"
    );
}

#[test]
fn repeated_fields_are_matched_as_a_multiset() {
    let policy = Policy::from_toml_str("[secure_headers]\nfields = [\"Received\"]\n").unwrap();
    let message = b"Received: a\r\nReceived: b\r\nReceived: c\r\n\r\n";
    let shf = signed(message, &policy);
    assert_eq!(shf.fields.len(), 3);
    let reordered = b"Received: c\r\nReceived: a\r\nReceived: b\r\n\r\n";
    assert!(verify(&shf, reordered, &policy).unwrap().is_valid());
    let one_dropped = b"Received: a\r\nReceived: c\r\n\r\n";
    let report = verify(&shf, one_dropped, &policy).unwrap();
    let verdicts: Vec<_> = report.fields.iter().map(|f| f.verdict.clone()).collect();
    assert_eq!(
        verdicts,
        [Verdict::Match, Verdict::MissingFromMessage, Verdict::Match]
    );
}

#[test]
fn algorithm_is_the_signatures_not_the_policys() {
    let simple = Policy::from_toml_str(
        "[secure_headers]\ncanonicalization = \"simple\"\nfields = [\"Subject\"]\n",
    )
    .unwrap();
    let shf = signed(b"Subject:  Two  spaces\r\n\r\n", &simple);
    // The receiver's policy says relaxed; the signature says simple, which wins (step 2).
    let relaxed = Policy::from_toml_str("[secure_headers]\nfields = [\"Subject\"]\n").unwrap();
    assert!(
        verify(&shf, b"Subject:  Two  spaces\r\n\r\n", &relaxed)
            .unwrap()
            .is_valid()
    );
    let report = verify(&shf, b"Subject: Two spaces\r\n\r\n", &relaxed).unwrap();
    assert_eq!(
        report.fields[0].verdict,
        Verdict::Mismatch(MismatchReason::ValueDiffers)
    );
    let report = verify(&shf, b"SUBJECT:  Two  spaces\r\n\r\n", &relaxed).unwrap();
    assert_eq!(
        report.fields[0].verdict,
        Verdict::Mismatch(MismatchReason::NameDiffers)
    );
}

#[test]
fn report_serializes_with_validity_first() {
    let tampered = replace(MESSAGE, "This is a test", "Other");
    let report = verify(&signed(MESSAGE, &policy()), &tampered, &policy()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["algorithm"], "relaxed");
    assert_eq!(json["fields"][2]["name"], "subject");
    assert_eq!(json["fields"][2]["verdict"]["result"], "mismatch");
    assert_eq!(json["fields"][2]["verdict"]["reason"], "value_differs");
    assert_eq!(json["fields"][0]["verdict"]["result"], "match");
}

#[test]
fn display_shows_name_value_status_and_algorithm() {
    let report = verify(&signed(MESSAGE, &policy()), MESSAGE, &policy()).unwrap();
    assert_eq!(
        report.to_string(),
        "secure headers: valid (canonicalization: relaxed)\n\
         \x20 from: \"John Doe <jdoe@example.com>\" [duplicated] ok\n\
         \x20 to: \"Mary Smith <mary@example.com>\" [duplicated] ok\n\
         \x20 subject: \"This is a test\" [modified] ok\n\
         \x20 date: \"Mon, 23 Nov 2026 10:00:00 +0000\" [duplicated] ok\n"
    );
}

#[test]
fn several_signers_must_carry_the_same_structure() {
    let a = signed(MESSAGE, &policy());
    let b = a.clone();
    assert!(signers_agree(&[Some(&a), Some(&b)]).is_consistent());
    let mut c = a.clone();
    c.fields.pop();
    let agreement = signers_agree(&[Some(&a), Some(&b), Some(&c), None]);
    assert!(!agreement.is_consistent());
    assert_eq!(agreement.reference, Some(0));
    assert_eq!(agreement.differing, [2]);
    assert_eq!(agreement.lacking, [3]);
    assert!(signers_agree(&[None, None]).is_consistent());
}

#[test]
fn signers_agree_on_content_whatever_the_order() {
    let a = signed(MESSAGE, &policy());
    let mut reordered = a.clone();
    reordered.fields.reverse();
    assert_ne!(a, reordered);
    assert!(signers_agree(&[Some(&a), Some(&reordered)]).is_consistent());
    let mut restatused = a.clone();
    restatused.fields[0].status = FieldStatus::Deleted;
    assert_eq!(signers_agree(&[Some(&a), Some(&restatused)]).differing, [1]);
}
