#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! Header canonicalization, RFC 6376 §3.4.1 (simple) and §3.4.2 (relaxed).

use secure_headers::canon::{canonical_field, canonical_name, canonical_value};
use secure_headers::{CanonAlgorithm, Limits, header_block};

use CanonAlgorithm::{Relaxed, Simple};

fn fields(message: &[u8], algorithm: CanonAlgorithm) -> Vec<Vec<u8>> {
    let block = header_block(message, &Limits::default()).unwrap();
    block
        .fields
        .iter()
        .map(|f| {
            let mut out = canonical_name(f.name, algorithm).into_owned();
            out.push(b':');
            out.extend_from_slice(&canonical_value(f.value, algorithm));
            out
        })
        .collect()
}

/// RFC 6376 §3.4.5: "A: X <CRLF> B : Y <HTAB><CRLF> <HTAB>Z  <CRLF>".
const RFC6376_EXAMPLE: &[u8] = b"A: X \r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n";

#[test]
fn rfc6376_3_4_5_relaxed_header_example() {
    // "a:X <CRLF> b:Y <SP> Z <CRLF>"
    assert_eq!(canonical_field(b"A: X \r\n", Relaxed), b"a:X\r\n");
    assert_eq!(
        canonical_field(b"B : Y\t\r\n\tZ  \r\n", Relaxed),
        b"b:Y Z\r\n"
    );
    assert_eq!(
        fields(RFC6376_EXAMPLE, Relaxed),
        vec![b"a:X".to_vec(), b"b:Y Z".to_vec()]
    );
}

#[test]
fn rfc6376_3_4_5_simple_header_example() {
    // Simple leaves the fields exactly as they are.
    assert_eq!(canonical_field(b"A: X \r\n", Simple), b"A: X \r\n");
    assert_eq!(
        canonical_field(b"B : Y\t\r\n\tZ  \r\n", Simple),
        b"B : Y\t\r\n\tZ  \r\n"
    );
    assert_eq!(
        fields(RFC6376_EXAMPLE, Simple),
        vec![b"A: X ".to_vec(), b"B : Y\t\r\n\tZ  ".to_vec()]
    );
}

#[test]
fn relaxed_unfolds_and_squeezes_every_wsp_run() {
    let message = b"Subject:   Re:\t\tyour   \r\n   long\r\n\tsubject\t \r\n\r\n";
    assert_eq!(
        fields(message, Relaxed),
        vec![b"subject:Re: your long subject".to_vec()]
    );
}

#[test]
fn relaxed_lowercases_names_only() {
    assert_eq!(
        fields(b"X-MiXeD: KeeP CaSe\r\n\r\n", Relaxed),
        vec![b"x-mixed:KeeP CaSe".to_vec()]
    );
}

#[test]
fn tabs_become_spaces_under_relaxed_and_stay_under_simple() {
    let message = b"Subject:\ta\tb\r\n\r\n";
    assert_eq!(fields(message, Relaxed), vec![b"subject:a b".to_vec()]);
    assert_eq!(fields(message, Simple), vec![b"Subject:\ta\tb".to_vec()]);
}

#[test]
fn empty_values_are_zero_length() {
    let message = b"Subject:\r\nX-Empty:   \r\nX-Folded-Empty: \r\n \r\n\r\n";
    assert_eq!(
        fields(message, Relaxed),
        vec![
            b"subject:".to_vec(),
            b"x-empty:".to_vec(),
            b"x-folded-empty:".to_vec()
        ]
    );
    assert_eq!(fields(message, Simple)[0], b"Subject:".to_vec());
    assert_eq!(fields(message, Simple)[1], b"X-Empty:   ".to_vec());
}

#[test]
fn repeated_fields_are_all_found_in_order() {
    let message =
        b"Received: one\r\nTo: a@example.com\r\nReceived:  two\r\nreceived: three\r\n\r\n";
    assert_eq!(
        fields(message, Relaxed),
        vec![
            b"received:one".to_vec(),
            b"to:a@example.com".to_vec(),
            b"received:two".to_vec(),
            b"received:three".to_vec()
        ]
    );
}

#[test]
fn body_lines_are_not_fields() {
    let message = b"Subject: s\r\n\r\nNot-A-Header: body text\r\n";
    assert_eq!(fields(message, Relaxed), vec![b"subject:s".to_vec()]);
}

#[test]
fn bare_lf_messages_are_read_like_crlf_ones() {
    let crlf = b"Subject: a\r\n  folded\r\nTo: x\r\n\r\nbody";
    let lf = b"Subject: a\n  folded\nTo: x\n\nbody";
    assert_eq!(fields(crlf, Relaxed), fields(lf, Relaxed));
}

#[test]
fn header_block_limits_are_errors_naming_the_limit() {
    let limits = Limits {
        max_header_fields: 2,
        ..Limits::default()
    };
    let err = header_block(b"A: 1\r\nB: 2\r\nC: 3\r\n\r\n", &limits).unwrap_err();
    assert!(
        err.to_string().starts_with("max_header_fields exceeded"),
        "{err}"
    );
    let limits = Limits {
        max_header_bytes: 10,
        ..Limits::default()
    };
    let err = header_block(b"Subject: a long subject\r\n\r\n", &limits).unwrap_err();
    assert!(
        err.to_string().starts_with("max_header_bytes exceeded"),
        "{err}"
    );
    let limits = Limits {
        max_field_bytes: 8,
        ..Limits::default()
    };
    let err = header_block(b"A: 1\r\nSubject: a long subject\r\n\r\n", &limits).unwrap_err();
    assert!(
        err.to_string().starts_with("max_field_bytes exceeded"),
        "{err}"
    );
}

#[test]
fn a_last_line_without_colon_is_not_a_field() {
    assert_eq!(
        fields(b"From: x@example.com\r\n\rcc\x8a", Relaxed),
        vec![b"from:x@example.com".to_vec()]
    );
}
