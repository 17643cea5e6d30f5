//! CLIENTID through the facade: the draft §8 lines, and how its errors classify.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use mailsec::clientid::{ClientIdCommand, EhloReply, Strictness};
use mailsec::{Error, ErrorKind};

#[test]
fn draft_section_8_1_parses_through_the_facade() {
    let command =
        ClientIdCommand::parse(b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n").unwrap();
    assert_eq!(command.client_type().as_str(), "UUID");
    assert_eq!(
        command.token().as_str(),
        "23bf83be-aad7-46aa-9e0f-39191ccf402f"
    );
}

#[test]
fn draft_section_8_4_is_bad_input_answered_501() {
    let error = Error::from(ClientIdCommand::parse(b"CLIENTID MAC").unwrap_err());
    assert_eq!(error.kind(), ErrorKind::BadInput);
    assert_eq!(error.smtp_reply_code(), Some(501));
    assert_eq!(
        error.to_string(),
        "CLIENTID syntax: client-id-token missing at offset 12"
    );
}

#[test]
fn lenient_is_reachable_through_the_facade() {
    assert!(ClientIdCommand::parse_with(b"CLIENTID DEVICE_ID x", Strictness::Lenient).is_ok());
}

#[test]
fn ehlo_errors_are_bad_input_without_reply_code() {
    let error = Error::from(EhloReply::parse(b"250-mx\r\n").unwrap_err());
    assert_eq!(error.kind(), ErrorKind::BadInput);
    assert_eq!(error.smtp_reply_code(), None);
}
