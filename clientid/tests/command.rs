//! The CLIENTID command grammar (draft §4–§5): the draft's §8 lines, the boundaries of every rule,
//! and the error each broken rule gives (kind, offset, reply code).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use clientid::{ClientIdCommand, ClientIdToken, ClientIdType, Rule, Strictness, SyntaxError};

fn parse(line: &str) -> Result<ClientIdCommand, SyntaxError> {
    ClientIdCommand::parse(line.as_bytes())
}

fn parse_err(line: &[u8]) -> SyntaxError {
    ClientIdCommand::parse(line).expect_err("line must be rejected")
}

// draft §8.1
#[test]
fn section_8_1_uuid_parses() {
    let command = parse("CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f").unwrap();
    assert_eq!(command.client_type().as_str(), "UUID");
    assert_eq!(
        command.token().as_str(),
        "23bf83be-aad7-46aa-9e0f-39191ccf402f"
    );
}

// draft §8.2 and §8.3 send the same well-formed command; refusing it is a session decision.
#[test]
fn section_8_3_mac_with_colons_parses() {
    let command = parse("CLIENTID MAC 08:9e:01:70:f6:46\r\n").unwrap();
    assert_eq!(command.client_type().as_str(), "MAC");
    assert_eq!(command.token().as_str(), "08:9e:01:70:f6:46");
}

// draft §8.4: "only a single parameter provided" is a 501.
#[test]
fn section_8_4_single_argument_is_501() {
    let error = parse_err(b"CLIENTID MAC");
    assert_eq!(error, SyntaxError::MissingToken { offset: 12 });
    assert_eq!(error.reply_code(), 501);
    assert_eq!(error.rule(), Rule::ClientIdToken);
    assert_eq!(error.code(), "missing-token");
    assert_eq!(error.to_string(), "client-id-token missing at offset 12");
}

#[test]
fn trailing_crlf_is_optional_and_not_part_of_the_token() {
    let with = parse("CLIENTID UUID abc\r\n").unwrap();
    let without = parse("CLIENTID UUID abc").unwrap();
    assert_eq!(with, without);
    assert_eq!(with.token().as_str(), "abc");
}

#[test]
fn verb_is_case_insensitive() {
    for verb in ["clientid", "ClientId", "cLiEnTiD"] {
        let command = parse(&format!("{verb} UUID abc")).unwrap();
        assert_eq!(command.token().as_str(), "abc");
    }
}

#[test]
fn type_compares_without_case_and_keeps_its_spelling() {
    let lower = parse("CLIENTID uuid abc").unwrap();
    let upper = parse("CLIENTID UUID abc").unwrap();
    assert_eq!(lower.client_type(), upper.client_type());
    assert_eq!(lower.client_type().as_str(), "uuid");
    // The token is opaque: case matters.
    assert_ne!(parse("CLIENTID UUID ABC").unwrap(), upper);
}

#[test]
fn type_of_16_characters_is_accepted_17_rejected() {
    let sixteen = "A".repeat(16);
    assert_eq!(
        parse(&format!("CLIENTID {sixteen} x"))
            .unwrap()
            .client_type()
            .as_str(),
        sixteen
    );
    let error = parse_err(format!("CLIENTID {}7 x", sixteen).as_bytes());
    assert_eq!(
        error,
        SyntaxError::TypeTooLong {
            offset: 25,
            length: 17
        }
    );
    assert_eq!(error.reply_code(), 501);
}

#[test]
fn token_of_128_characters_is_accepted_129_rejected() {
    let token = "x".repeat(128);
    assert_eq!(
        parse(&format!("CLIENTID UUID {token}"))
            .unwrap()
            .token()
            .as_str(),
        token
    );
    let error = parse_err(format!("CLIENTID UUID {token}y\r\n").as_bytes());
    assert_eq!(
        error,
        SyntaxError::TokenTooLong {
            offset: 142,
            length: 129
        }
    );
}

#[test]
fn tab_instead_of_space_after_verb() {
    assert_eq!(
        parse_err(b"CLIENTID\tUUID abc"),
        SyntaxError::BadCharacter {
            offset: 8,
            byte: b'\t',
            expected: Rule::Sp
        }
    );
}

#[test]
fn tab_instead_of_space_between_arguments() {
    assert_eq!(
        parse_err(b"CLIENTID UUID\tabc"),
        SyntaxError::BadCharacter {
            offset: 13,
            byte: b'\t',
            expected: Rule::Sp
        }
    );
}

#[test]
fn two_spaces_after_verb() {
    assert_eq!(
        parse_err(b"CLIENTID  UUID abc"),
        SyntaxError::BadCharacter {
            offset: 9,
            byte: b' ',
            expected: Rule::ClientIdType
        }
    );
}

#[test]
fn two_spaces_between_arguments() {
    assert_eq!(
        parse_err(b"CLIENTID UUID  abc"),
        SyntaxError::BadCharacter {
            offset: 14,
            byte: b' ',
            expected: Rule::ClientIdToken
        }
    );
}

#[test]
fn third_argument_is_rejected() {
    let error = parse_err(b"CLIENTID UUID abc def\r\n");
    assert_eq!(error, SyntaxError::ExtraArgument { offset: 18 });
    assert_eq!(error.reply_code(), 501);
}

#[test]
fn trailing_space_is_rejected() {
    assert_eq!(
        parse_err(b"CLIENTID UUID abc \r\n"),
        SyntaxError::BadCharacter {
            offset: 17,
            byte: b' ',
            expected: Rule::Crlf
        }
    );
}

#[test]
fn eight_bit_bytes_are_rejected_where_they_stand() {
    assert_eq!(
        parse_err("CLIENTID UUID café".as_bytes()),
        SyntaxError::NonAscii {
            offset: 17,
            byte: 0xC3,
            expected: Rule::ClientIdToken
        }
    );
    assert_eq!(
        parse_err(b"CLIENTID UU\xffID abc"),
        SyntaxError::NonAscii {
            offset: 11,
            byte: 0xFF,
            expected: Rule::ClientIdType
        }
    );
    assert_eq!(
        parse_err(b"CLIENTID \xffUID abc"),
        SyntaxError::NonAscii {
            offset: 9,
            byte: 0xFF,
            expected: Rule::ClientIdType
        }
    );
    assert_eq!(
        parse_err(b"CLIENTID\x80UUID abc"),
        SyntaxError::NonAscii {
            offset: 8,
            byte: 0x80,
            expected: Rule::Sp
        }
    );
}

#[test]
fn bare_line_feed_and_embedded_crlf_are_rejected() {
    assert_eq!(
        parse_err(b"CLIENTID UUID abc\n"),
        SyntaxError::BadCharacter {
            offset: 17,
            byte: b'\n',
            expected: Rule::Crlf
        }
    );
    assert_eq!(
        parse_err(b"CLIENTID UUID abc\r\nRSET\r\n"),
        SyntaxError::BadCharacter {
            offset: 17,
            byte: b'\r',
            expected: Rule::Crlf
        }
    );
    assert_eq!(
        parse_err(b"CLIENTID UUID\r\n abc"),
        SyntaxError::BadCharacter {
            offset: 13,
            byte: b'\r',
            expected: Rule::Crlf
        }
    );
}

#[test]
fn empty_and_missing_parts() {
    assert_eq!(parse_err(b""), SyntaxError::Empty);
    assert_eq!(parse_err(b"\r\n"), SyntaxError::Empty);
    assert_eq!(
        parse_err(b"CLIENTID"),
        SyntaxError::MissingType { offset: 8 }
    );
    assert_eq!(
        parse_err(b"CLIENTID "),
        SyntaxError::MissingType { offset: 9 }
    );
    assert_eq!(
        parse_err(b"CLIENTID UUID "),
        SyntaxError::MissingToken { offset: 14 }
    );
}

#[test]
fn other_verbs_are_not_clientid_and_get_500() {
    for line in [
        &b"EHLO client.example.net"[..],
        b"CLIENTIDX UUID abc",
        b"CLIENT UUID abc",
    ] {
        let error = parse_err(line);
        assert_eq!(error, SyntaxError::NotClientId);
        assert_eq!(error.reply_code(), 500);
    }
    assert_eq!(
        parse_err(b" CLIENTID UUID abc"),
        SyntaxError::BadCharacter {
            offset: 0,
            byte: b' ',
            expected: Rule::Verb
        }
    );
}

#[test]
fn type_characters_are_letters_digits_and_dash() {
    assert!(parse("CLIENTID rcode-UUID-2 abc").is_ok());
    for (line, offset, byte) in [
        ("CLIENTID DEVICE_ID abc", 15, b'_'),
        ("CLIENTID UU.ID abc", 11, b'.'),
        ("CLIENTID UUID: abc", 13, b':'),
    ] {
        assert_eq!(
            parse_err(line.as_bytes()),
            SyntaxError::BadCharacter {
                offset,
                byte,
                expected: Rule::ClientIdType
            },
            "{line}"
        );
    }
}

#[test]
fn token_takes_every_printable_ascii_character() {
    let all: String = (0x21u8..=0x7e).map(char::from).collect();
    assert_eq!(all.len(), 94);
    assert_eq!(
        parse(&format!("CLIENTID T {all}"))
            .unwrap()
            .token()
            .as_str(),
        all
    );
    assert_eq!(
        parse_err(b"CLIENTID T ab\x7fc"),
        SyntaxError::BadCharacter {
            offset: 13,
            byte: 0x7f,
            expected: Rule::ClientIdToken
        }
    );
}

// draft §7 names DEVICE_ID as an example type although §5 forbids `_`.
#[test]
fn lenient_accepts_underscore_in_type_and_nothing_else() {
    let lenient =
        ClientIdCommand::parse_with(b"CLIENTID DEVICE_ID a1b2", Strictness::Lenient).unwrap();
    assert_eq!(lenient.client_type().as_str(), "DEVICE_ID");
    for line in [
        &b"CLIENTID DEVICE.ID a1"[..],
        b"CLIENTID  DEVICE_ID a1",
        b"CLIENTID DEVICE_ID a1 b2",
        b"CLIENTID DEVICE_ID_TOO_LONG_X a1",
        b"CLIENTID DEVICE_ID caf\xc3\xa9",
    ] {
        assert!(
            ClientIdCommand::parse_with(line, Strictness::Lenient).is_err(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn client_builds_a_valid_command_and_it_parses_back() {
    let command = ClientIdCommand::new(
        ClientIdType::new("UUID").unwrap(),
        ClientIdToken::new("23bf83be-aad7-46aa-9e0f-39191ccf402f").unwrap(),
    );
    let line = command.to_line();
    assert_eq!(
        line,
        "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n"
    );
    assert_eq!(ClientIdCommand::parse(line.as_bytes()).unwrap(), command);
}

#[test]
fn client_side_validation_reports_offsets_within_the_argument() {
    assert_eq!(
        ClientIdType::new("DEVICE_ID").unwrap_err(),
        SyntaxError::BadCharacter {
            offset: 6,
            byte: b'_',
            expected: Rule::ClientIdType
        }
    );
    assert!(ClientIdType::with_strictness("DEVICE_ID", Strictness::Lenient).is_ok());
    assert_eq!(
        ClientIdType::new("").unwrap_err(),
        SyntaxError::MissingType { offset: 0 }
    );
    assert_eq!(
        ClientIdToken::new("").unwrap_err(),
        SyntaxError::MissingToken { offset: 0 }
    );
    assert_eq!(
        ClientIdToken::new("a b").unwrap_err(),
        SyntaxError::BadCharacter {
            offset: 1,
            byte: b' ',
            expected: Rule::ClientIdToken
        }
    );
    assert_eq!(
        ClientIdToken::new(&"x".repeat(129)).unwrap_err(),
        SyntaxError::TokenTooLong {
            offset: 128,
            length: 129
        }
    );
    assert_eq!(
        ClientIdType::new("UUID\r\n").unwrap_err(),
        SyntaxError::BadCharacter {
            offset: 4,
            byte: b'\r',
            expected: Rule::Crlf
        }
    );
}

#[test]
fn every_error_names_its_position_in_its_message() {
    let error = parse_err(b"CLIENTID UUID caf\xc3\xa9");
    assert_eq!(
        error.to_string(),
        "non-ASCII byte 0xC3 at offset 17 (client-id-token expected): CLIENTID is US-ASCII only"
    );
    let error = parse_err(b"CLIENTID\tUUID x");
    assert_eq!(
        error.to_string(),
        "bad character HTAB at offset 8: SP expected"
    );
}

#[test]
fn huge_input_is_rejected_at_the_first_fault_without_reading_it_all() {
    let mut line = b"CLIENTID UUID ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 10_000_000));
    assert_eq!(
        ClientIdCommand::parse(&line).unwrap_err(),
        SyntaxError::TokenTooLong {
            offset: 142,
            length: 10_000_000
        }
    );
}
