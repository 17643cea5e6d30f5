#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! UTF-8 and control characters under each profile and algorithm.
//!
//! Decisions (documented on `build` and `ValueDefect::check`):
//! - RFC 7508 values are UTF8String: RFC 6532 UTF-8 header fields are secured as they are;
//!   an 8-bit value that is not UTF-8 cannot be carried and is refused, naming the field.
//! - draft-05 values are IA5String limited to LF, CR and printable ASCII: non-ASCII is refused,
//!   naming the field.
//! - A tab: `relaxed` turns every WSP run into one space, so a tab never reaches the structure
//!   under either profile. `simple` keeps it: RFC 7508 carries it, draft-05 refuses it (HT is
//!   outside the draft's alphabet; rewriting it would break `simple`'s "no change").
//! - A decoded value that breaks its profile is kept and reported as a mismatch for its field.

use secure_headers::{
    Error, FieldValue, Limits, MismatchReason, Policy, Profile, SecureHeaderFields, ValueDefect,
    Verdict, build, verify,
};

fn policy(profile: &str, canonicalization: &str) -> Policy {
    Policy::from_toml_str(&format!(
        "[secure_headers]\nprofile = \"{profile}\"\ncanonicalization = \"{canonicalization}\"\nfields = [\"Subject\", \"From\"]\n"
    ))
    .unwrap()
}

const UTF8: &[u8] = "From: Jöran <joran@exämple.com>\r\nSubject: Grüße\r\n\r\n".as_bytes();

#[test]
fn rfc7508_secures_internationalized_fields() {
    let policy = policy("rfc7508", "relaxed");
    let shf = build(UTF8, &policy).unwrap();
    assert_eq!(shf.fields[1].value, FieldValue::new("Grüße"));
    let der = shf.to_der(Profile::Rfc7508).unwrap();
    let back = SecureHeaderFields::from_der(&der, Profile::Rfc7508, &Limits::default()).unwrap();
    assert!(verify(&back, UTF8, &policy).unwrap().is_valid());
}

#[test]
fn draft05_refuses_non_ascii_naming_the_field() {
    let err = build(UTF8, &policy("draft-05", "relaxed")).unwrap_err();
    assert_eq!(
        err,
        Error::Unrepresentable {
            field: "from".into(),
            profile: Profile::Draft05,
            defect: ValueDefect::NotAscii {
                offset: 1,
                byte: 0xc3
            }
        }
    );
    assert_eq!(
        err.to_string(),
        "field \"from\" cannot be secured under the draft-05 profile: byte 0xc3 at 1 is not US-ASCII (draft-05 values are IA5String)"
    );
}

#[test]
fn rfc7508_refuses_8bit_values_that_are_not_utf8() {
    let latin1 = b"Subject: caf\xe9\r\n\r\n";
    let err = build(latin1, &policy("rfc7508", "relaxed")).unwrap_err();
    assert_eq!(
        err,
        Error::Unrepresentable {
            field: "subject".into(),
            profile: Profile::Rfc7508,
            defect: ValueDefect::NotUtf8 { offset: 3 }
        }
    );
}

const TAB: &[u8] = b"Subject:\tTab\there\r\n\r\n";

#[test]
fn tab_under_relaxed_becomes_a_space_in_both_profiles() {
    for profile in ["rfc7508", "draft-05"] {
        let shf = build(TAB, &policy(profile, "relaxed")).unwrap();
        assert_eq!(
            shf.fields[0].value,
            FieldValue::new("Tab here"),
            "{profile}"
        );
    }
}

#[test]
fn tab_under_simple_is_carried_by_rfc7508() {
    let policy = policy("rfc7508", "simple");
    let shf = build(TAB, &policy).unwrap();
    assert_eq!(shf.fields[0].value, FieldValue::new("\tTab\there"));
    let der = shf.to_der(Profile::Rfc7508).unwrap();
    let back = SecureHeaderFields::from_der(&der, Profile::Rfc7508, &Limits::default()).unwrap();
    assert!(verify(&back, TAB, &policy).unwrap().is_valid());
    // A tab turned into a space in transit is a mismatch under simple.
    let report = verify(&back, b"Subject: Tab\there\r\n\r\n", &policy).unwrap();
    assert_eq!(
        report.fields[0].verdict,
        Verdict::Mismatch(MismatchReason::ValueDiffers)
    );
}

#[test]
fn tab_under_simple_is_refused_by_draft05() {
    let err = build(TAB, &policy("draft-05", "simple")).unwrap_err();
    assert_eq!(
        err,
        Error::Unrepresentable {
            field: "Subject".into(),
            profile: Profile::Draft05,
            defect: ValueDefect::ExcludedControl {
                offset: 0,
                byte: b'\t'
            }
        }
    );
}

#[test]
fn folding_crlf_is_in_the_draft05_alphabet_under_simple() {
    let folded = b"Subject: a\r\n b\r\n\r\n";
    let shf = build(folded, &policy("draft-05", "simple")).unwrap();
    assert_eq!(shf.fields[0].value.as_bytes(), b" a\r\n b");
    assert!(shf.to_der(Profile::Draft05).is_ok());
}

#[test]
fn a_decoded_value_that_breaks_its_profile_is_a_mismatch_for_that_field() {
    // A draft-05 producer that ignored the alphabet and put a tab into an IA5String.
    let shf = SecureHeaderFields {
        algorithm: secure_headers::CanonAlgorithm::Simple,
        fields: vec![secure_headers::SecureHeaderField::new(
            "Subject",
            "\tTab\there",
        )],
    };
    let der = shf.to_der(Profile::Rfc7508).unwrap();
    // Re-tag the value as the draft-05 layout would carry it: SET OF and IA5String.
    let mut legacy = der.clone();
    let seq = legacy.iter().position(|&b| b == 0x30).unwrap();
    legacy[seq] = 0x31;
    let utf8 = legacy.iter().position(|&b| b == 0x0c).unwrap();
    legacy[utf8] = 0x16;
    let decoded =
        SecureHeaderFields::from_der(&legacy, Profile::Draft05, &Limits::default()).unwrap();
    let defect = ValueDefect::ExcludedControl {
        offset: 0,
        byte: b'\t',
    };
    assert_eq!(decoded.fields[0].value.defect(), Some(defect));
    let report = verify(&decoded, TAB, &policy("draft-05", "simple")).unwrap();
    assert_eq!(
        report.fields[0].verdict,
        Verdict::Mismatch(MismatchReason::SignedValueDefect(defect))
    );
    assert!(!report.is_valid());
}
