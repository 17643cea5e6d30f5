//! Reading an EHLO reply for the CLIENTID keyword (draft §3, RFC 5321 §4.1.1.1).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use clientid::{EhloError, EhloLimits, EhloReply};

// draft §8.1, before STARTTLS: no CLIENTID (§3 item 2 forbids it on a plain connection).
#[test]
fn section_8_1_before_starttls_does_not_advertise() {
    let reply =
        EhloReply::parse(b"250-server.example.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n").unwrap();
    assert!(!reply.advertises_clientid());
    assert!(reply.advertises("starttls"));
    assert_eq!(reply.extensions()[1].keyword, "AUTH");
    assert_eq!(reply.extensions()[1].params, ["LOGIN"]);
}

// draft §8.1, after STARTTLS.
#[test]
fn section_8_1_after_starttls_advertises() {
    let reply =
        EhloReply::parse(b"250-server.example.com\r\n250-AUTH LOGIN\r\n250 CLIENTID\r\n").unwrap();
    assert!(reply.advertises_clientid());
    assert_eq!(reply.greeting(), "server.example.com");
}

#[test]
fn keyword_matches_without_case_and_only_whole() {
    let lower = EhloReply::parse(b"250-mx\r\n250 clientid\r\n").unwrap();
    assert!(lower.advertises_clientid());
    let longer = EhloReply::parse(b"250-mx\r\n250-CLIENTIDX\r\n250 XCLIENTID\r\n").unwrap();
    assert!(!longer.advertises_clientid());
    // The greeting line is not a keyword line.
    let greeting = EhloReply::parse(b"250 CLIENTID\r\n").unwrap();
    assert!(!greeting.advertises_clientid());
}

#[test]
fn bare_lf_and_missing_final_line_ending_are_tolerated() {
    let reply = EhloReply::parse(b"250-mx\n250-PIPELINING\n250 CLIENTID").unwrap();
    assert!(reply.advertises_clientid());
    assert!(reply.advertises("PIPELINING"));
}

#[test]
fn negative_reply_is_an_error() {
    assert_eq!(
        EhloReply::parse(b"502 5.5.2 Error: command not recognized\r\n"),
        Err(EhloError::NotAccepted { code: 502, line: 1 })
    );
}

#[test]
fn framing_errors_say_where() {
    assert_eq!(EhloReply::parse(b""), Err(EhloError::Empty));
    assert_eq!(
        EhloReply::parse(b"250-mx\r\n250-CLIENTID\r\n"),
        Err(EhloError::Truncated { line: 2 })
    );
    assert_eq!(
        EhloReply::parse(b"250 mx\r\n250 CLIENTID\r\n"),
        Err(EhloError::TrailingData { line: 2, offset: 8 })
    );
    assert_eq!(
        EhloReply::parse(b"250-mx\r\nCLIENTID\r\n250 OK\r\n"),
        Err(EhloError::MalformedLine { line: 2, offset: 8 })
    );
    assert_eq!(
        EhloReply::parse(b"250-mx\r\n421 closing\r\n"),
        Err(EhloError::MixedCodes {
            line: 2,
            offset: 8,
            expected: 250,
            found: 421
        })
    );
    assert_eq!(
        EhloReply::parse(b"250xmx\r\n"),
        Err(EhloError::MalformedLine { line: 1, offset: 0 })
    );
}

#[test]
fn limits_bound_what_is_read() {
    let many: Vec<u8> = std::iter::once(&b"250-mx\r\n"[..])
        .chain(std::iter::repeat_n(&b"250-X\r\n"[..], 20))
        .chain(std::iter::once(&b"250 CLIENTID\r\n"[..]))
        .flatten()
        .copied()
        .collect();
    let limits = EhloLimits {
        max_bytes: 1024,
        max_lines: 10,
    };
    assert_eq!(
        EhloReply::parse_with_limits(&many, limits),
        Err(EhloError::TooManyLines { limit: 10 })
    );
    let small = EhloLimits {
        max_bytes: 16,
        max_lines: 10,
    };
    assert_eq!(
        EhloReply::parse_with_limits(&many, small),
        Err(EhloError::TooLarge { limit: 16 })
    );
    assert!(EhloReply::parse(&many).unwrap().advertises_clientid());
}

#[test]
fn pre_standard_and_8bit_lines_are_read_liberally() {
    let reply = EhloReply::parse(
        "250-mx.example ✉ bonjour\r\n250-AUTH=LOGIN PLAIN\r\n250 CLIENTID\r\n".as_bytes(),
    )
    .unwrap();
    assert!(reply.advertises("AUTH=LOGIN"));
    assert!(reply.advertises_clientid());
    assert_eq!(reply.greeting(), "mx.example ✉ bonjour");
}
