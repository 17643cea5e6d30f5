//! The AUTH-time heuristics of draft §6.1–§6.3 against the in-memory history store.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::net::IpAddr;
use std::sync::Arc;

use clientid::{
    Action, Alert, AuthAttempt, AuthOutcome, ClientIdPolicy, Decision, Heuristic, HistoryStore,
    MemoryStore, PolicyEngine, RefusalPoint, Session, TokenHasher, TokenStorage, Verdict,
};

const UUID: &str = "23bf83be-aad7-46aa-9e0f-39191ccf402f";
const T0: u64 = 1_700_000_000;

fn policy(toml_text: &str) -> ClientIdPolicy {
    let policy: ClientIdPolicy = toml::from_str(toml_text).unwrap();
    policy.check().unwrap();
    policy
}

fn engine(toml_text: &str) -> PolicyEngine {
    PolicyEngine::new(
        policy(toml_text),
        Arc::new(MemoryStore::default()),
        TokenHasher::random(),
    )
}

/// A session past STARTTLS and EHLO that presented `line` (if any).
fn session(engine: &PolicyEngine, line: Option<&str>) -> Session {
    let mut session = Session::new(engine.session_config(), true);
    assert!(session.ehlo());
    if let Some(line) = line {
        assert_eq!(session.clientid(line.as_bytes()).code, 250, "{line}");
    }
    session
}

fn attempt<'a>(account: &'a str, valid: bool, peer: &str, now: u64) -> AuthAttempt<'a> {
    AuthAttempt {
        account,
        credentials_valid: valid,
        peer: peer.parse::<IpAddr>().unwrap(),
        location: None,
        now,
    }
}

fn auth(engine: &PolicyEngine, line: Option<&str>, account: &str, valid: bool) -> Decision {
    let mut s = session(engine, line);
    engine.decide(&mut s, &attempt(account, valid, "192.0.2.10", T0))
}

fn fired(decision: &Decision) -> Vec<Heuristic> {
    decision.findings.iter().map(|f| f.heuristic).collect()
}

fn uuid_line(token: &str) -> String {
    format!("CLIENTID UUID {token}")
}

#[test]
fn default_policy_allows_and_the_credentials_decide() {
    let engine = engine("");
    let ok = auth(&engine, Some(&uuid_line(UUID)), "test", true);
    assert_eq!(
        (ok.verdict, ok.reply.code, ok.outcome),
        (Verdict::Allow, 235, AuthOutcome::Succeeded)
    );
    assert!(ok.findings.is_empty());
    let bad = auth(&engine, Some(&uuid_line(UUID)), "test", false);
    assert_eq!((bad.verdict, bad.reply.code), (Verdict::Allow, 535));
    // Without an identity too (draft §6.3 use case 5: CLIENTID is optional by default).
    assert_eq!(auth(&engine, None, "test", true).reply.code, 235);
}

#[test]
fn section_6_1_item_1_require_a_clientid() {
    let engine = engine("require_clientid = true");
    let refused = auth(&engine, None, "test", true);
    assert_eq!(
        (refused.verdict, refused.reply.code),
        (Verdict::Refuse, 550)
    );
    assert_eq!(fired(&refused), [Heuristic::ClientIdRequired]);
    // §6.1: the reply is generic; the reason is only in the log line.
    assert_eq!(
        refused.reply.text,
        "Server policy does not permit your use of this mail system"
    );
    assert!(refused.log_line().contains("clientid_required"));
    assert_eq!(
        auth(&engine, Some(&uuid_line(UUID)), "test", true)
            .reply
            .code,
        235
    );
}

#[test]
fn section_6_1_item_1_an_identity_handled_as_not_presented_does_not_count() {
    let engine = engine("require_clientid = true\n[handling]\ntypes = { MAC = [\"debug\"] }\n");
    let refused = auth(
        &engine,
        Some("CLIENTID MAC 08:9e:01:70:f6:46"),
        "test",
        true,
    );
    assert_eq!(fired(&refused), [Heuristic::ClientIdRequired]);
}

#[test]
fn section_6_1_item_1_require_a_type() {
    let engine = engine("require_types = [\"rcodeUUID\"]");
    let refused = auth(&engine, Some(&uuid_line(UUID)), "test", true);
    assert_eq!(fired(&refused), [Heuristic::TypeRequired]);
    let allowed = auth(&engine, Some("CLIENTID RCODEUUID x"), "test", true);
    assert_eq!(allowed.verdict, Verdict::Allow);
}

#[test]
fn section_6_1_items_2_and_3_allowed_and_denied_types() {
    let allow_list = engine("allowed_types = [\"UUID\"]");
    assert_eq!(
        auth(&allow_list, Some(&uuid_line(UUID)), "t", true).verdict,
        Verdict::Allow
    );
    let other = auth(&allow_list, Some("CLIENTID LICENSE abc"), "t", true);
    assert_eq!(fired(&other), [Heuristic::TypeNotAccepted]);

    let deny_list = engine("denied_types = [\"MAC\"]");
    let mac = auth(
        &deny_list,
        Some("CLIENTID mac 08:9e:01:70:f6:46"),
        "t",
        true,
    );
    assert_eq!((mac.verdict, mac.reply.code), (Verdict::Refuse, 550));
    assert_eq!(fired(&mac), [Heuristic::TypeNotAccepted]);
}

#[test]
fn section_6_1_the_reply_does_not_depend_on_the_password() {
    let engine = engine("denied_types = [\"MAC\"]");
    let right = auth(
        &engine,
        Some("CLIENTID MAC 08:9e:01:70:f6:46"),
        "test",
        true,
    );
    let wrong = auth(
        &engine,
        Some("CLIENTID MAC 08:9e:01:70:f6:46"),
        "test",
        false,
    );
    assert_eq!(right.reply, wrong.reply);
    assert_eq!(right.outcome, AuthOutcome::Refused);
}

#[test]
fn section_8_3_refusal_after_a_235_when_configured() {
    let engine = engine("denied_types = [\"MAC\"]\nrefuse_at = \"transaction\"");
    assert_eq!(engine.policy().refuse_at, RefusalPoint::Transaction);
    let mut s = session(&engine, Some("CLIENTID MAC 08:9e:01:70:f6:46"));
    let decision = engine.decide(&mut s, &attempt("test", true, "192.0.2.1", T0));
    assert_eq!(
        (decision.verdict, decision.reply.code),
        (Verdict::Refuse, 235)
    );
    assert_eq!(decision.outcome, AuthOutcome::RefusedAfterAuth);
    assert_eq!(s.transaction_refusal().map(|r| r.code), Some(550));
    // A wrong password still gets 535 in this mode.
    let mut s = session(&engine, Some("CLIENTID MAC 08:9e:01:70:f6:46"));
    let decision = engine.decide(&mut s, &attempt("test", false, "192.0.2.1", T0));
    assert_eq!(decision.reply.code, 535);
    assert_eq!(s.transaction_refusal(), None);
}

#[test]
fn section_6_1_item_4_revoked_identities() {
    let engine = engine(&format!(
        "[[revoked]]\ntype = \"uuid\"\ntoken = \"{UUID}\"\n"
    ));
    let revoked = auth(&engine, Some(&uuid_line(UUID)), "test", true);
    assert_eq!(fired(&revoked), [Heuristic::Revoked]);
    assert_eq!(
        auth(&engine, Some(&uuid_line("other")), "test", true).verdict,
        Verdict::Allow
    );
    // The token compares exactly; only the type ignores case (draft §5).
    assert_eq!(
        auth(
            &engine,
            Some(&uuid_line(&UUID.to_uppercase())),
            "test",
            true
        )
        .verdict,
        Verdict::Allow
    );
}

#[test]
fn section_6_1_item_5_and_6_3_use_case_1_permitted_identities_per_account() {
    let engine = engine(&format!(
        "[accounts]\n\"alice@example.com\" = [{{ type = \"UUID\", token = \"{UUID}\" }}]\n"
    ));
    assert_eq!(
        auth(&engine, Some(&uuid_line(UUID)), "alice@example.com", true).verdict,
        Verdict::Allow
    );
    let other_device = auth(
        &engine,
        Some(&uuid_line("stolen")),
        "alice@example.com",
        true,
    );
    assert_eq!(fired(&other_device), [Heuristic::NotPermittedForAccount]);
    // Accounts without a list are not restricted.
    assert_eq!(
        auth(&engine, Some(&uuid_line("x")), "bob", true).verdict,
        Verdict::Allow
    );
}

#[test]
fn section_6_3_use_case_3_new_device_deny_then_known_after_approval() {
    let engine = engine("new_device = \"deny\"");
    let first = auth(&engine, Some(&uuid_line(UUID)), "test", true);
    assert_eq!(fired(&first), [Heuristic::NewDevice]);
    assert_eq!(first.reply.code, 550);
    // The site approves the device (say, from a web page): then it is known.
    let key = engine.identity_key(session(&engine, Some(&uuid_line(UUID))).identity().unwrap());
    engine.store().remember_device(&key, "test", T0).unwrap();
    assert_eq!(
        auth(&engine, Some(&uuid_line(UUID)), "test", true).verdict,
        Verdict::Allow
    );
    // Known for that account only.
    assert_eq!(
        auth(&engine, Some(&uuid_line(UUID)), "other", true).verdict,
        Verdict::Refuse
    );
}

#[test]
fn section_6_3_use_case_3_new_device_alert_learns_the_device() {
    let engine = engine("new_device = \"alert\"");
    let first = auth(&engine, Some(&uuid_line(UUID)), "test", true);
    assert_eq!(first.verdict, Verdict::Allow);
    assert!(
        first
            .alerts
            .contains(&Alert::Heuristic(Heuristic::NewDevice))
    );
    let second = auth(&engine, Some(&uuid_line(UUID)), "test", true);
    assert!(second.findings.is_empty(), "{:?}", second.findings);
    // A failed attempt does not make a device known.
    let failed = auth(&engine, Some(&uuid_line("guess")), "test", false);
    assert_eq!(fired(&failed), [Heuristic::NewDevice]);
    let again = auth(&engine, Some(&uuid_line("guess")), "test", true);
    assert_eq!(fired(&again), [Heuristic::NewDevice]);
    let devices = engine.store().known_devices("test").unwrap();
    assert_eq!(devices.len(), 2);
}

#[test]
fn section_6_3_use_case_2_one_identity_across_many_accounts() {
    let engine = engine("[shared_identity]\nmax_accounts = 2\nwindow_seconds = 3600\n");
    let line = uuid_line(UUID);
    for account in ["a", "b"] {
        assert_eq!(
            auth(&engine, Some(&line), account, false).verdict,
            Verdict::Allow
        );
    }
    let third = auth(&engine, Some(&line), "c", true);
    assert_eq!(fired(&third), [Heuristic::SharedAcrossAccounts]);
    // Other identities are not affected.
    assert_eq!(
        auth(&engine, Some(&uuid_line("x")), "c", true).verdict,
        Verdict::Allow
    );
}

#[test]
fn section_6_3_use_case_2_window_expires() {
    let engine = engine("[shared_identity]\nmax_accounts = 1\nwindow_seconds = 60\n");
    let line = uuid_line(UUID);
    let mut s = session(&engine, Some(&line));
    engine.decide(&mut s, &attempt("a", true, "192.0.2.1", T0));
    let mut s = session(&engine, Some(&line));
    let later = engine.decide(&mut s, &attempt("b", true, "192.0.2.1", T0 + 61));
    assert_eq!(later.verdict, Verdict::Allow, "{:?}", later.findings);
    let mut s = session(&engine, Some(&line));
    let soon = engine.decide(&mut s, &attempt("c", true, "192.0.2.1", T0 + 62));
    assert_eq!(fired(&soon), [Heuristic::SharedAcrossAccounts]);
}

#[test]
fn section_6_2_item_3_rate_limit_per_identity_not_per_address() {
    // Two devices behind one CGNAT address: the noisy one is limited, the other is not.
    let engine = engine("[rate]\nmax_attempts = 3\nwindow_seconds = 600\n");
    let cgnat = "100.64.0.1";
    for i in 0..3 {
        let mut s = session(&engine, Some(&uuid_line("noisy")));
        let d = engine.decide(&mut s, &attempt("victim", false, cgnat, T0 + i));
        assert_eq!(d.verdict, Verdict::Allow);
    }
    let mut s = session(&engine, Some(&uuid_line("noisy")));
    let limited = engine.decide(&mut s, &attempt("victim", true, cgnat, T0 + 4));
    assert_eq!(fired(&limited), [Heuristic::RateLimited]);
    let mut s = session(&engine, Some(&uuid_line("quiet")));
    let other = engine.decide(&mut s, &attempt("user", true, cgnat, T0 + 5));
    assert_eq!(other.verdict, Verdict::Allow);
    // After the window the noisy device may try again.
    let mut s = session(&engine, Some(&uuid_line("noisy")));
    let later = engine.decide(&mut s, &attempt("victim", true, cgnat, T0 + 700));
    assert_eq!(later.verdict, Verdict::Allow, "{:?}", later.findings);
}

#[test]
fn section_6_2_item_3_connections_per_identity() {
    let engine = engine("max_connections_per_identity = 2");
    let line = uuid_line(UUID);
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = session(&engine, Some(&line));
        assert_eq!(
            engine
                .decide(&mut s, &attempt("t", true, "192.0.2.1", T0))
                .reply
                .code,
            235
        );
        held.push(s);
    }
    let mut third = session(&engine, Some(&line));
    let refused = engine.decide(&mut third, &attempt("t", true, "192.0.2.1", T0));
    assert_eq!(fired(&refused), [Heuristic::TooManyConnections]);
    // Another device is not limited by this one.
    let mut other = session(&engine, Some(&uuid_line("other")));
    assert_eq!(
        engine
            .decide(&mut other, &attempt("t", true, "192.0.2.1", T0))
            .reply
            .code,
        235
    );
    // A session that ends gives its slot back.
    held.pop();
    let mut again = session(&engine, Some(&line));
    assert_eq!(
        engine
            .decide(&mut again, &attempt("t", true, "192.0.2.1", T0))
            .reply
            .code,
        235
    );
    // So does QUIT.
    again.quit();
    let mut last = session(&engine, Some(&line));
    assert_eq!(
        engine
            .decide(&mut last, &attempt("t", true, "192.0.2.1", T0))
            .reply
            .code,
        235
    );
}

#[test]
fn section_6_2_item_4_same_identity_from_two_networks() {
    let engine = engine("[travel]\nwindow_seconds = 3600\naction = \"deny\"\n");
    let line = uuid_line(UUID);
    let mut s = session(&engine, Some(&line));
    engine.decide(&mut s, &attempt("t", true, "198.51.100.7", T0));
    // The same /16: one network.
    let mut s = session(&engine, Some(&line));
    let near = engine.decide(&mut s, &attempt("t", true, "198.51.200.9", T0 + 60));
    assert_eq!(near.verdict, Verdict::Allow);
    // Another network ten minutes later: fired.
    let mut s = session(&engine, Some(&line));
    let far = engine.decide(&mut s, &attempt("t", true, "203.0.113.5", T0 + 660));
    assert_eq!(fired(&far), [Heuristic::ImpossibleTravel]);
    assert!(
        far.log_line().contains("198.51.0.0/16"),
        "{}",
        far.log_line()
    );
    // Hours later: a trip, not a forgery.
    let mut s = session(&engine, Some(&line));
    let trip = engine.decide(&mut s, &attempt("t", true, "198.51.100.7", T0 + 660 + 7200));
    assert_eq!(trip.verdict, Verdict::Allow);
    // A host-supplied location replaces the address prefix.
    let mut s = session(&engine, Some(&line));
    let located = AuthAttempt {
        location: Some("DE"),
        ..attempt("t", true, "198.51.100.7", T0 + 660 + 7300)
    };
    assert_eq!(
        fired(&engine.decide(&mut s, &located)),
        [Heuristic::ImpossibleTravel]
    );
}

#[test]
fn section_7_flags_6_and_7_alerts() {
    let engine = engine(
        "[handling]\ndefault = [\"authentication\", \"alert-on-failure\", \"alert-on-success\"]\n",
    );
    let ok = auth(&engine, Some(&uuid_line(UUID)), "t", true);
    assert_eq!(ok.alerts, [Alert::AuthenticationSucceeded]);
    let bad = auth(&engine, Some(&uuid_line(UUID)), "t", false);
    assert_eq!(bad.alerts, [Alert::AuthenticationFailed]);
    let quiet = engine_with_handling("[\"authentication\"]");
    assert!(
        auth(&quiet, Some(&uuid_line(UUID)), "t", false)
            .alerts
            .is_empty()
    );
}

fn engine_with_handling(flags: &str) -> PolicyEngine {
    engine(&format!("[handling]\ndefault = {flags}\n"))
}

#[test]
fn section_7_flag_5_missing_means_no_heuristic_uses_the_identity() {
    let engine =
        engine("denied_types = [\"MAC\"]\n[handling]\ntypes = { MAC = [\"system-log\"] }\n");
    // Presented (so require_clientid would be met) but not used for decisions.
    let decision = auth(&engine, Some("CLIENTID MAC 08:9e:01:70:f6:46"), "t", true);
    assert_eq!(decision.verdict, Verdict::Allow);
}

#[test]
fn section_9_tokens_are_stored_as_keyed_hashes() {
    let store = Arc::new(MemoryStore::default());
    let engine = PolicyEngine::new(policy(""), store.clone(), TokenHasher::keyed([7; 32]));
    auth(&engine, Some(&uuid_line(UUID)), "t", true);
    let devices = store.known_devices("t").unwrap();
    assert_eq!(devices.len(), 1);
    let key = devices[0].identity.as_bytes();
    assert_eq!(key.len(), 32);
    assert!(!key.windows(UUID.len()).any(|w| w == UUID.as_bytes()));
    // Another key names the same identity differently.
    let other = TokenHasher::keyed([8; 32]);
    let command = clientid::ClientIdCommand::parse(uuid_line(UUID).as_bytes()).unwrap();
    assert_ne!(
        other
            .key_of(command.client_type(), command.token())
            .as_bytes(),
        key
    );
    // Plain storage, when a site asks for it.
    let plain = TokenHasher::plain();
    assert_eq!(plain.storage(), TokenStorage::Plain);
    assert_eq!(
        plain
            .key_of(command.client_type(), command.token())
            .as_bytes(),
        format!("UUID:{UUID}").as_bytes()
    );
}

#[derive(Debug)]
struct BrokenStore;

impl HistoryStore for BrokenStore {
    fn record_attempt(
        &self,
        _: &clientid::store::Sighting<'_>,
        _: clientid::store::Windows,
    ) -> Result<clientid::store::History, clientid::StoreError> {
        Err(clientid::StoreError::Unavailable {
            backend: "test",
            message: "connection refused".into(),
        })
    }
    fn remember_device(
        &self,
        _: &clientid::IdentityKey,
        _: &str,
        _: u64,
    ) -> Result<(), clientid::StoreError> {
        Ok(())
    }
    fn forget_device(
        &self,
        _: &clientid::IdentityKey,
        _: &str,
    ) -> Result<bool, clientid::StoreError> {
        Ok(false)
    }
    fn known_devices(
        &self,
        _: &str,
    ) -> Result<Vec<clientid::store::KnownDevice>, clientid::StoreError> {
        Ok(Vec::new())
    }
    fn identity_count(&self) -> Result<u64, clientid::StoreError> {
        Ok(0)
    }
}

#[test]
fn a_failing_store_defers_with_454_or_fails_open_when_configured() {
    let closed = PolicyEngine::new(policy(""), Arc::new(BrokenStore), TokenHasher::random());
    let deferred = auth(&closed, Some(&uuid_line(UUID)), "t", true);
    assert_eq!(
        (deferred.verdict, deferred.reply.code),
        (Verdict::Defer, 454)
    );
    assert_eq!(fired(&deferred), [Heuristic::StoreUnavailable]);
    let open = PolicyEngine::new(
        policy("on_store_error = \"allow\""),
        Arc::new(BrokenStore),
        TokenHasher::random(),
    );
    let allowed = auth(&open, Some(&uuid_line(UUID)), "t", true);
    assert_eq!((allowed.verdict, allowed.reply.code), (Verdict::Allow, 235));
    assert_eq!(allowed.findings[0].action, Action::Alert);
    // A configured refusal still refuses even when the store is down.
    let both = PolicyEngine::new(
        policy("denied_types = [\"UUID\"]"),
        Arc::new(BrokenStore),
        TokenHasher::random(),
    );
    assert_eq!(
        auth(&both, Some(&uuid_line(UUID)), "t", true).verdict,
        Verdict::Refuse
    );
}

#[test]
fn policy_tables_are_checked() {
    for (text, needle) in [
        ("bogus = 1", "unknown field"),
        ("denied_types = [\"bad type\"]", "client-id-type"),
        ("new_device = \"maybe\"", "unknown variant"),
        ("[handling]\ndefault = [\"loud\"]", "unknown variant"),
        (
            "[[revoked]]\ntype = \"UUID\"\ntoken = \"has space\"",
            "client-id-token",
        ),
    ] {
        let error = toml::from_str::<ClientIdPolicy>(text)
            .unwrap_err()
            .to_string();
        assert!(error.contains(needle), "{text}: {error}");
    }
    for (text, setting) in [
        (
            "max_connections_per_identity = 0",
            "max_connections_per_identity",
        ),
        (
            "[travel]\nwindow_seconds = 1\nipv4_prefix = 33",
            "travel.ipv4_prefix",
        ),
        (
            "[rate]\nmax_attempts = 1\nwindow_seconds = 0",
            "rate.window_seconds",
        ),
        ("[handling.types]\n\"a b\" = []", "handling.types.a b"),
    ] {
        let policy: ClientIdPolicy = toml::from_str(text).unwrap();
        assert_eq!(policy.check().unwrap_err().setting, setting, "{text}");
    }
}
