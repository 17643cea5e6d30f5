//! The server session rules of draft §3 and §4, one test per rule, named after its section.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::sync::Arc;

use clientid::{
    AuthOutcome, Event, Handling, HandlingFlag, HandlingTable, LogAudience, Response, Session,
    SessionConfig, Strictness,
};

const UUID_LINE: &[u8] = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n";

fn config() -> Arc<SessionConfig> {
    Arc::new(SessionConfig::default())
}

/// A session after STARTTLS and the EHLO that follows it.
fn encrypted_and_greeted() -> Session {
    let mut session = Session::new(config(), false);
    assert!(!session.ehlo());
    session.tls_established();
    assert!(session.ehlo());
    session
}

#[test]
fn section_3_rule_1_never_advertised_when_not_enabled() {
    let disabled = Arc::new(SessionConfig {
        enabled: false,
        ..SessionConfig::default()
    });
    let mut session = Session::new(disabled.clone(), false);
    assert!(!session.ehlo());
    session.tls_established();
    assert!(!session.ehlo());
    let mut implicit_tls = Session::new(disabled, true);
    assert!(!implicit_tls.ehlo());
    // Not enabled: the command is as unknown as any other (500).
    assert_eq!(session.clientid(UUID_LINE).code, 500);
}

#[test]
fn section_3_rule_2_never_advertised_before_encryption() {
    let mut session = Session::new(config(), false);
    assert!(!session.advertises());
    assert!(!session.ehlo());
    assert!(
        !session.ehlo(),
        "a second plaintext EHLO does not advertise either"
    );
}

#[test]
fn section_3_rule_3_always_advertised_after_encryption() {
    let mut session = Session::new(config(), false);
    session.tls_established();
    for _ in 0..3 {
        assert!(session.ehlo(), "every EHLO after TLS lists CLIENTID");
    }
    // Implicit TLS ("historical SMTP-SSL connection", draft §4).
    let mut smtps = Session::new(config(), true);
    assert!(smtps.ehlo());
    // Still advertised after a CLIENTID and after AUTH.
    assert_eq!(smtps.clientid(UUID_LINE).code, 250);
    smtps.auth_finished(AuthOutcome::Succeeded);
    assert!(smtps.ehlo());
}

#[test]
fn section_4_and_8_2_rejected_with_500_before_tls() {
    let mut session = Session::new(config(), false);
    assert!(!session.ehlo());
    let reply = session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46");
    assert_eq!(reply.code, 500);
    assert_eq!(reply.to_string(), "500 Syntax error, command unrecognised");
    // The refusal is not a "successful CLIENTID": after TLS the client may present one.
    session.tls_established();
    session.ehlo();
    assert_eq!(session.clientid(UUID_LINE).code, 250);
}

#[test]
fn section_4_500_before_tls_even_when_malformed() {
    let mut session = Session::new(config(), false);
    session.ehlo();
    assert_eq!(session.clientid(b"CLIENTID MAC").code, 500);
}

#[test]
fn section_4_rejected_before_the_keyword_was_advertised() {
    // After STARTTLS the client must EHLO again (RFC 3207 §4.2) before CLIENTID is known to
    // it: the documented reply is 503 (bad sequence).
    let mut session = Session::new(config(), false);
    session.tls_established();
    let reply = session.clientid(UUID_LINE);
    assert_eq!(reply.code, 503);
    assert_eq!(reply.to_string(), "503 Bad sequence of commands");
    // HELO cannot advertise keywords: still 503.
    session.helo();
    assert_eq!(session.clientid(UUID_LINE).code, 503);
    // Implicit TLS without any greeting: 503 too.
    let mut smtps = Session::new(config(), true);
    assert_eq!(smtps.clientid(UUID_LINE).code, 503);
    // Once advertised, accepted.
    assert!(session.ehlo());
    assert_eq!(session.clientid(UUID_LINE).code, 250);
}

#[test]
fn section_4_and_8_4_malformed_is_501() {
    let mut session = encrypted_and_greeted();
    let reply = session.clientid(b"CLIENTID MAC\r\n");
    assert_eq!(reply.code, 501);
    assert_eq!(
        reply.to_string(),
        "501 Syntax error in parameters or arguments"
    );
    for malformed in [
        &b"CLIENTID"[..],
        b"CLIENTID  UUID x",
        b"CLIENTID UUID",
        b"CLIENTID UU:ID x",
        b"CLIENTID UUID tok en",
        b"CLIENTID AAAAAAAAAAAAAAAAA x",
    ] {
        assert_eq!(session.clientid(malformed).code, 501, "{malformed:?}");
    }
    // A malformed command is not a successful one: a good one still gets 250.
    assert_eq!(session.clientid(UUID_LINE).code, 250);
}

#[test]
fn section_4_lenient_grammar_accepts_the_section_7_type_names() {
    let lenient = Arc::new(SessionConfig {
        strictness: Strictness::Lenient,
        ..SessionConfig::default()
    });
    let mut strict = encrypted_and_greeted();
    assert_eq!(strict.clientid(b"CLIENTID DEVICE_ID a1").code, 501);
    let mut session = Session::new(lenient, true);
    session.ehlo();
    assert_eq!(session.clientid(b"CLIENTID DEVICE_ID a1").code, 250);
}

#[test]
fn section_4_and_8_1_well_formed_is_250_whatever_the_type() {
    // draft §6.1/§7: accept any well-formed identity at the command; decide at AUTH.
    for line in [
        UUID_LINE,
        b"CLIENTID MAC 08:9e:01:70:f6:46",
        b"CLIENTID rcodeUUID x",
        b"clientid license ABC-123",
    ] {
        let mut session = encrypted_and_greeted();
        let reply = session.clientid(line);
        assert_eq!((reply.code, reply.text), (250, "OK"), "{line:?}");
    }
}

#[test]
fn section_4_second_clientid_after_success_is_503() {
    let mut session = encrypted_and_greeted();
    assert_eq!(session.clientid(UUID_LINE).code, 250);
    assert_eq!(session.clientid(UUID_LINE).code, 503);
    assert_eq!(
        session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46").code,
        503
    );
    // Even a malformed one: the sequence error comes first.
    assert_eq!(session.clientid(b"CLIENTID MAC").code, 503);
    // The first identity stays.
    let identity = session.identity().unwrap();
    assert_eq!(identity.command().client_type().as_str(), "UUID");
}

#[test]
fn section_4_clientid_after_auth_is_503() {
    for outcome in [
        None,
        Some(AuthOutcome::Succeeded),
        Some(AuthOutcome::Failed),
        Some(AuthOutcome::Refused),
    ] {
        let mut session = encrypted_and_greeted();
        session.auth_started();
        if let Some(outcome) = outcome {
            session.auth_finished(outcome);
        }
        assert_eq!(session.clientid(UUID_LINE).code, 503, "{outcome:?}");
        assert!(session.identity().is_none());
    }
}

#[test]
fn section_4_security_layer_reset_discards_the_identity() {
    let mut session = encrypted_and_greeted();
    assert_eq!(session.clientid(UUID_LINE).code, 250);
    session.auth_finished(AuthOutcome::Succeeded);
    session.security_layer_reset();
    assert!(session.identity().is_none());
    assert!(!session.clientid_accepted());
    assert!(!session.is_authenticated());
    assert!(session.is_tls(), "the TLS layer itself stays");
    // Back to the initial state: EHLO again, then a new CLIENTID is accepted.
    assert_eq!(session.clientid(UUID_LINE).code, 503);
    assert!(session.ehlo());
    assert_eq!(
        session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46").code,
        250
    );
}

#[test]
fn section_4_tls_negotiation_discards_what_was_learnt() {
    // RFC 3207 §4.2: after STARTTLS "the server MUST discard any knowledge obtained from the
    // client"; with implicit TLS a renegotiation is the only way to get here twice.
    let mut session = Session::new(config(), true);
    session.ehlo();
    assert_eq!(session.clientid(UUID_LINE).code, 250);
    session.tls_established();
    assert!(session.identity().is_none());
    assert_eq!(session.clientid(UUID_LINE).code, 503, "EHLO first");
}

#[test]
fn section_4_rset_and_repeated_ehlo_keep_the_identity() {
    // RFC 5321 §4.1.1.5 and §4.1.4: RSET and a later EHLO reset the mail transaction only.
    let mut session = encrypted_and_greeted();
    assert_eq!(session.clientid(UUID_LINE).code, 250);
    session.rset();
    assert!(session.identity().is_some());
    assert!(session.ehlo());
    assert!(session.identity().is_some());
    assert_eq!(
        session.clientid(UUID_LINE).code,
        503,
        "still one per session"
    );
}

#[test]
fn after_quit_every_clientid_is_out_of_sequence() {
    let mut session = encrypted_and_greeted();
    session.quit();
    assert!(!session.ehlo());
    assert_eq!(session.clientid(UUID_LINE).code, 503);
}

#[test]
fn section_8_3_refusal_after_auth_shows_on_every_transaction_command() {
    let mut session = encrypted_and_greeted();
    assert_eq!(
        session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46").code,
        250
    );
    assert_eq!(session.transaction_refusal(), None);
    session.auth_finished(AuthOutcome::RefusedAfterAuth);
    let refusal = session.transaction_refusal().unwrap();
    assert_eq!(
        refusal.to_string(),
        "550 Server policy does not permit your use of this mail system"
    );
    session.rset();
    assert!(
        session.transaction_refusal().is_some(),
        "RSET does not lift it"
    );
}

#[test]
fn section_7_flag_1_ignore_answers_250_but_keeps_nothing() {
    let mut table = HandlingTable::default();
    table.set(
        clientid::ClientIdType::new("MAC").unwrap(),
        Handling::NONE.with(HandlingFlag::Ignore),
    );
    let mut session = Session::new(
        Arc::new(SessionConfig {
            handling: table,
            ..SessionConfig::default()
        }),
        true,
    );
    session.ehlo();
    assert_eq!(
        session.clientid(b"CLIENTID mac 08:9e:01:70:f6:46").code,
        250
    );
    assert!(session.identity().is_none());
    assert!(session.presented_identity().is_none());
    assert!(session.clientid_accepted());
    assert_eq!(session.clientid(UUID_LINE).code, 503);
}

#[test]
fn section_7_flag_2_debug_keeps_it_but_not_as_presented() {
    let mut table = HandlingTable::new(Handling::NONE.with(HandlingFlag::Debug));
    table.set(
        clientid::ClientIdType::new("UUID").unwrap(),
        Handling::from_flags([HandlingFlag::UserLog, HandlingFlag::Authentication]),
    );
    let config = Arc::new(SessionConfig {
        handling: table,
        ..SessionConfig::default()
    });
    let mut debug = Session::new(config.clone(), true);
    debug.ehlo();
    assert_eq!(debug.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46").code, 250);
    assert!(debug.identity().is_some());
    assert!(debug.presented_identity().is_none());
    assert!(debug.identity_for_authentication().is_none());
    assert!(debug.loggable_identity(LogAudience::System).is_none());

    let mut uuid = Session::new(config, true);
    uuid.ehlo();
    assert_eq!(uuid.clientid(UUID_LINE).code, 250);
    assert!(uuid.presented_identity().is_some());
    assert!(uuid.identity_for_authentication().is_some());
    assert!(uuid.loggable_identity(LogAudience::System).is_none());
    assert_eq!(
        uuid.loggable_identity(LogAudience::User)
            .unwrap()
            .token()
            .as_str(),
        "23bf83be-aad7-46aa-9e0f-39191ccf402f"
    );
}

#[test]
fn section_7_flags_3_to_7_default_handling() {
    let handling = Handling::DEFAULT;
    assert!(handling.counts_as_presented());
    assert!(handling.used_for_authentication());
    assert!(handling.may_log(LogAudience::System));
    assert!(!handling.may_log(LogAudience::User));
    assert!(handling.has(HandlingFlag::AlertOnFailure));
    assert!(!handling.has(HandlingFlag::AlertOnSuccess));
    // Flag N of draft §7 is bit N−1; bit 7 ("Unused", flag 8) is dropped.
    assert_eq!(Handling::from_bits(0xff).bits(), 0x7f);
    assert_eq!(Handling::NONE.with(HandlingFlag::Ignore).bits(), 0b1);
    assert_eq!(
        Handling::NONE.with(HandlingFlag::AlertOnSuccess).bits(),
        0b100_0000
    );
    // Presented but without flag 5: not used for authentication.
    let presented_only = Handling::NONE.with(HandlingFlag::SystemLog);
    assert!(presented_only.counts_as_presented());
    assert!(!presented_only.used_for_authentication());
}

#[test]
fn section_7_types_are_looked_up_without_regard_to_case() {
    let mut table = HandlingTable::default();
    table.set(
        clientid::ClientIdType::new("rcodeUUID").unwrap(),
        Handling::NONE.with(HandlingFlag::Debug),
    );
    let handling = table.handling_of(&clientid::ClientIdType::new("RCODEuuid").unwrap());
    assert!(handling.has(HandlingFlag::Debug));
    assert_eq!(
        table.handling_of(&clientid::ClientIdType::new("UUID").unwrap()),
        Handling::DEFAULT
    );
}

#[test]
fn feed_dispatches_events_like_the_methods() {
    let mut session = Session::new(config(), false);
    assert_eq!(session.feed(Event::Ehlo), Response::Advertise(false));
    assert_eq!(session.feed(Event::TlsEstablished), Response::Noted);
    assert_eq!(session.feed(Event::Helo), Response::Advertise(false));
    assert_eq!(session.feed(Event::Ehlo), Response::Advertise(true));
    match session.feed(Event::ClientId(UUID_LINE)) {
        Response::Reply(reply) => assert_eq!(reply.code, 250),
        other => panic!("{other:?}"),
    }
    session.feed(Event::AuthStarted);
    match session.feed(Event::ClientId(UUID_LINE)) {
        Response::Reply(reply) => assert_eq!(reply.code, 503),
        other => panic!("{other:?}"),
    }
    session.feed(Event::AuthFinished(AuthOutcome::Succeeded));
    assert!(session.is_authenticated());
    session.feed(Event::SecurityLayerReset);
    assert!(!session.is_authenticated());
    session.feed(Event::Quit);
    assert_eq!(session.feed(Event::Ehlo), Response::Advertise(false));
}
