//! Invariants of the CLIENTID server session under arbitrary event sequences (draft §3, §4),
//! with the AUTH-time policy engine in the loop: no panic; CLIENTID is never advertised before
//! TLS nor when disabled; never two 250s without a reset in between; 500 before TLS; 503
//! after AUTH; a 250 only for a line that parses.

use std::sync::Arc;

use mailsec::clientid::{
    AuthAttempt, AuthOutcome, ClientIdCommand, ClientIdPolicy, MemoryStore, PolicyEngine, Session,
    Strictness, TokenHasher,
};

const POLICY: &str = r#"
require_types = ["UUID", "MAC"]
denied_types = ["LICENSE"]
new_device = "alert"
max_connections_per_identity = 2
[handling]
types = { MAC = ["debug"], COOKIE = ["ignore"] }
[shared_identity]
max_accounts = 2
[rate]
max_attempts = 3
[travel]
window_seconds = 60
"#;

pub fn check(data: &[u8]) {
    let Some((&setup, mut rest)) = data.split_first() else {
        return;
    };
    let mut policy: ClientIdPolicy = match toml::from_str(POLICY) {
        Ok(policy) => policy,
        Err(error) => panic!("the fuzz policy does not parse: {error}"),
    };
    policy.enabled = setup & 1 == 0;
    policy.lenient = setup & 2 != 0;
    let strictness = Strictness::from_lenient(policy.lenient);
    let enabled = policy.enabled;
    let engine = PolicyEngine::new(
        policy,
        Arc::new(MemoryStore::with_capacity(16)),
        TokenHasher::keyed([0; 32]),
    );
    let mut session = Session::new(engine.session_config(), setup & 4 != 0);
    let mut model = Model::default();
    let mut now = 1_700_000_000u64;

    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 10 {
            0 => {
                session.tls_established();
                model = model.after_reset();
            }
            1 => {
                let advertised = session.ehlo();
                assert!(!advertised || session.is_tls(), "advertised before TLS");
                assert!(!advertised || enabled, "advertised while disabled");
                model.advertised |= advertised;
            }
            2 => session.helo(),
            3 => {
                let length = usize::from(op / 10).min(rest.len());
                let (line, tail) = rest.split_at(length);
                rest = tail;
                let was_tls = session.is_tls();
                let reply = session.clientid(line);
                if model.closed {
                    assert_eq!(reply.code, 503, "CLIENTID after QUIT");
                } else if !was_tls || !enabled {
                    assert_eq!(reply.code, 500, "CLIENTID before TLS or while disabled");
                } else if model.auth_seen || model.accepted {
                    assert_eq!(reply.code, 503, "CLIENTID after AUTH or after a 250");
                }
                if reply.code == 250 {
                    assert!(model.advertised, "250 before the keyword was advertised");
                    assert!(ClientIdCommand::parse_with(line, strictness).is_ok());
                    model.accepted = true;
                }
            }
            4 => {
                session.auth_started();
                model.auth_seen = true;
            }
            5 => {
                let account = ["a", "b", "c"][usize::from(op / 10) % 3];
                let peer = if op & 0x80 == 0 {
                    [192, 0, 2, 1]
                } else {
                    [203, 0, 113, 9]
                };
                now += u64::from(op / 16);
                let attempt = AuthAttempt {
                    account,
                    credentials_valid: op & 0x40 != 0,
                    peer: peer.into(),
                    location: None,
                    now,
                };
                let decision = engine.decide(&mut session, &attempt);
                assert!(matches!(decision.reply.code, 235 | 454 | 535 | 550));
                model.auth_seen = true;
            }
            6 => session.rset(),
            7 => {
                session.security_layer_reset();
                model = model.after_reset();
            }
            8 => {
                session.quit();
                model.closed = true;
            }
            _ => session.auth_finished(AuthOutcome::Failed),
        }
        if model.closed {
            assert!(!session.advertises());
        }
    }
}

/// What the session must have remembered since the last reset.
#[derive(Default)]
struct Model {
    advertised: bool,
    accepted: bool,
    auth_seen: bool,
    closed: bool,
}

impl Model {
    /// A reset forgets everything but the end of the session.
    fn after_reset(&self) -> Model {
        Model {
            closed: self.closed,
            ..Model::default()
        }
    }
}
