//! The decision at AUTH (draft §6.1: "The SMTP server SHOULD only ever reject an SMTP client
//! based on CLIENTID information during or after the authentication process").
//!
//! The verdict never depends on whether the password was right, so the reply cannot tell a
//! password guesser that it was (unless the site chose [`RefusalPoint::Transaction`]).

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

use super::config::{Action, ClientIdPolicy, RefusalPoint, StoreFailure};
use super::decision::{Alert, Decision, Finding, Heuristic, Verdict};
use super::network::network_label;
use crate::handling::HandlingFlag;
use crate::identity::{IdentityKey, TokenHasher};
use crate::limits::ConnectionTracker;
use crate::reply::{
    AUTH_CREDENTIALS_INVALID, AUTH_SUCCEEDED, AUTH_TEMPORARY_FAILURE, POLICY_REFUSED,
};
use crate::session::{AuthOutcome, PresentedIdentity, Session, SessionConfig};
use crate::store::{History, HistoryStore, Sighting, UnixTime, Windows};

/// One authentication attempt, as the host saw it.
#[derive(Debug, Clone, Copy)]
pub struct AuthAttempt<'a> {
    /// The account (the SASL authentication identity).
    pub account: &'a str,
    /// Whether the credentials were right.
    pub credentials_valid: bool,
    /// The client's address.
    pub peer: IpAddr,
    /// A location label the host has for the peer (GeoIP country, AS number), if any; the
    /// travel heuristic compares these instead of address prefixes.
    pub location: Option<&'a str>,
    /// Now, in seconds since the Unix epoch.
    pub now: UnixTime,
}

/// The policy, the history store and the per-identity connection counts of one server.
///
/// ```
/// use std::sync::Arc;
/// use clientid::{AuthAttempt, ClientIdPolicy, MemoryStore, PolicyEngine, Session, TokenHasher, Verdict};
///
/// let policy = ClientIdPolicy { require_clientid: true, ..ClientIdPolicy::default() };
/// let engine = PolicyEngine::new(policy, Arc::new(MemoryStore::default()), TokenHasher::random());
/// let mut session = Session::new(engine.session_config(), true);
/// session.ehlo();
/// // No CLIENTID: refused at AUTH with the generic 550 of draft §8.3.
/// let attempt = AuthAttempt { account: "test", credentials_valid: true,
///     peer: "192.0.2.1".parse().unwrap(), location: None, now: 1_700_000_000 };
/// let decision = engine.decide(&mut session, &attempt);
/// assert_eq!((decision.verdict, decision.reply.code), (Verdict::Refuse, 550));
/// ```
#[derive(Debug)]
pub struct PolicyEngine {
    policy: ClientIdPolicy,
    session_config: Arc<SessionConfig>,
    store: Arc<dyn HistoryStore>,
    hasher: TokenHasher,
    connections: ConnectionTracker,
    revoked: HashSet<IdentityKey>,
    permitted: std::collections::HashMap<String, HashSet<IdentityKey>>,
}

impl PolicyEngine {
    /// An engine over `store`, naming identities with `hasher`.
    pub fn new(
        policy: ClientIdPolicy,
        store: Arc<dyn HistoryStore>,
        hasher: TokenHasher,
    ) -> PolicyEngine {
        let key =
            |spec: &super::config::IdentitySpec| hasher.key_of(&spec.client_type.0, &spec.token.0);
        let revoked = policy.revoked.iter().map(key).collect();
        let permitted = policy
            .accounts
            .iter()
            .map(|(account, specs)| (account.clone(), specs.iter().map(key).collect()))
            .collect();
        PolicyEngine {
            session_config: Arc::new(policy.session_config()),
            policy,
            store,
            hasher,
            connections: ConnectionTracker::new(),
            revoked,
            permitted,
        }
    }

    /// The session settings every session of this server shares.
    pub fn session_config(&self) -> Arc<SessionConfig> {
        Arc::clone(&self.session_config)
    }

    /// The policy.
    pub fn policy(&self) -> &ClientIdPolicy {
        &self.policy
    }

    /// The history store.
    pub fn store(&self) -> &Arc<dyn HistoryStore> {
        &self.store
    }

    /// The key under which `identity` is stored.
    pub fn identity_key(&self, identity: &PresentedIdentity) -> IdentityKey {
        let command = identity.command();
        self.hasher.key_of(command.client_type(), command.token())
    }

    /// The per-identity connection counts.
    pub fn connections(&self) -> &ConnectionTracker {
        &self.connections
    }

    /// Decides one AUTH, records it in the history, and tells the session how it ended.
    pub fn decide(&self, session: &mut Session, attempt: &AuthAttempt<'_>) -> Decision {
        session.auth_started();
        let mut findings = Vec::new();
        self.check_presence(session, &mut findings);
        let identity = session.identity_for_authentication().cloned();
        let key = identity
            .as_ref()
            .map(|identity| self.identity_key(identity));
        let mut store_failed = false;
        if let (Some(identity), Some(key)) = (&identity, &key) {
            self.check_identity(identity, key, attempt.account, &mut findings);
            match self.check_history(key, attempt, &mut findings) {
                Ok(()) => {}
                Err(message) => {
                    store_failed = self.policy.on_store_error == StoreFailure::Defer;
                    let action = if store_failed {
                        Action::Deny
                    } else {
                        Action::Alert
                    };
                    findings.push(finding(Heuristic::StoreUnavailable, action, message));
                }
            }
        }

        let refused = findings
            .iter()
            .any(|f| f.action == Action::Deny && f.heuristic != Heuristic::StoreUnavailable);
        let mut verdict = if refused {
            Verdict::Refuse
        } else if store_failed {
            Verdict::Defer
        } else {
            Verdict::Allow
        };

        // §6.2 item 3: a slot is taken only by a session that gets in.
        if verdict == Verdict::Allow
            && attempt.credentials_valid
            && let (Some(limit), Some(key)) = (self.policy.max_connections_per_identity, &key)
        {
            match self.connections.try_acquire(key, limit) {
                Some(slot) => session.hold_connection_slot(slot),
                None => {
                    findings.push(finding(
                        Heuristic::TooManyConnections,
                        Action::Deny,
                        format!("identity already holds {limit} sessions"),
                    ));
                    verdict = Verdict::Refuse;
                }
            }
        }

        let (reply, outcome) = match (verdict, attempt.credentials_valid) {
            (Verdict::Allow, true) => (AUTH_SUCCEEDED, AuthOutcome::Succeeded),
            (Verdict::Allow, false) => (AUTH_CREDENTIALS_INVALID, AuthOutcome::Failed),
            (Verdict::Defer, _) => (AUTH_TEMPORARY_FAILURE, AuthOutcome::Failed),
            (Verdict::Refuse, valid) => match self.policy.refuse_at {
                RefusalPoint::Auth => (POLICY_REFUSED, AuthOutcome::Refused),
                RefusalPoint::Transaction if valid => {
                    (AUTH_SUCCEEDED, AuthOutcome::RefusedAfterAuth)
                }
                RefusalPoint::Transaction => (AUTH_CREDENTIALS_INVALID, AuthOutcome::Failed),
            },
        };
        session.auth_finished(outcome);

        // §6.3 use case 3: an identity becomes a known device by getting in.
        if outcome == AuthOutcome::Succeeded
            && let Some(key) = &key
            && let Err(error) = self
                .store
                .remember_device(key, attempt.account, attempt.now)
        {
            findings.push(finding(
                Heuristic::StoreUnavailable,
                Action::Alert,
                format!("could not remember the device: {error}"),
            ));
        }

        let alerts = alerts(session, outcome, &findings);
        Decision {
            verdict,
            reply,
            outcome,
            findings,
            alerts,
        }
    }

    /// §6.1 item 1: presence and type requirements.
    fn check_presence(&self, session: &Session, findings: &mut Vec<Finding>) {
        let presented = session.presented_identity();
        if self.policy.require_clientid && presented.is_none() {
            findings.push(finding(
                Heuristic::ClientIdRequired,
                Action::Deny,
                "no client identity presented".into(),
            ));
        }
        if !self.policy.require_types.is_empty() {
            let has_required = presented.is_some_and(|identity| {
                self.policy
                    .require_types
                    .iter()
                    .any(|t| &t.0 == identity.command().client_type())
            });
            if !has_required {
                findings.push(finding(
                    Heuristic::TypeRequired,
                    Action::Deny,
                    match presented {
                        Some(identity) => format!(
                            "type {} is not a required type",
                            identity.command().client_type()
                        ),
                        None => "no client identity presented".into(),
                    },
                ));
            }
        }
    }

    /// §6.1 items 2–5: the identity's type and token against the configured lists.
    fn check_identity(
        &self,
        identity: &PresentedIdentity,
        key: &IdentityKey,
        account: &str,
        findings: &mut Vec<Finding>,
    ) {
        let client_type = identity.command().client_type();
        let policy = &self.policy;
        if (!policy.allowed_types.is_empty()
            && !policy.allowed_types.iter().any(|t| &t.0 == client_type))
            || policy.denied_types.iter().any(|t| &t.0 == client_type)
        {
            findings.push(finding(
                Heuristic::TypeNotAccepted,
                Action::Deny,
                format!("type {client_type} is not accepted"),
            ));
        }
        if self.revoked.contains(key) {
            findings.push(finding(
                Heuristic::Revoked,
                Action::Deny,
                format!("identity {key} of type {client_type} is revoked"),
            ));
        }
        if let Some(permitted) = self.permitted.get(account)
            && !permitted.contains(key)
        {
            findings.push(finding(
                Heuristic::NotPermittedForAccount,
                Action::Deny,
                format!("identity {key} is not permitted for account {account}"),
            ));
        }
    }

    /// §6.2–§6.3: what the history says, recorded in the same step.
    fn check_history(
        &self,
        key: &IdentityKey,
        attempt: &AuthAttempt<'_>,
        findings: &mut Vec<Finding>,
    ) -> Result<(), String> {
        let policy = &self.policy;
        let (v4, v6) = policy
            .travel
            .map_or((16, 32), |t| (t.ipv4_prefix, t.ipv6_prefix));
        let network = network_label(attempt.peer, attempt.location, v4, v6);
        let windows = Windows {
            accounts: policy
                .shared_identity
                .map_or(Windows::default().accounts, |r| r.window_seconds),
            attempts: policy
                .rate
                .map_or(Windows::default().attempts, |r| r.window_seconds),
        };
        let sighting = Sighting {
            identity: key,
            account: attempt.account,
            network: &network,
            at: attempt.now,
        };
        let history: History = self
            .store
            .record_attempt(&sighting, windows)
            .map_err(|e| e.to_string())?;

        if !history.known_device && policy.new_device != Action::Allow {
            findings.push(finding(
                Heuristic::NewDevice,
                policy.new_device,
                format!("identity {key} is new for account {}", attempt.account),
            ));
        }
        if let Some(rule) = policy.shared_identity
            && history.distinct_accounts > rule.max_accounts
            && rule.action != Action::Allow
        {
            findings.push(finding(
                Heuristic::SharedAcrossAccounts,
                rule.action,
                format!(
                    "identity {key} tried {} accounts within {} s (at most {})",
                    history.distinct_accounts, rule.window_seconds, rule.max_accounts
                ),
            ));
        }
        if let Some(rule) = policy.rate
            && history.attempts > rule.max_attempts
            && rule.action != Action::Allow
        {
            findings.push(finding(
                Heuristic::RateLimited,
                rule.action,
                format!(
                    "identity {key} made {} attempts within {} s (at most {})",
                    history.attempts, rule.window_seconds, rule.max_attempts
                ),
            ));
        }
        if let (Some(rule), Some(previous)) = (policy.travel, &history.previous) {
            let elapsed = attempt.now.saturating_sub(previous.at);
            if previous.network != network
                && elapsed <= rule.window_seconds
                && rule.action != Action::Allow
            {
                findings.push(finding(
                    Heuristic::ImpossibleTravel,
                    rule.action,
                    format!(
                        "identity {key} seen from {} {elapsed} s ago, now from {network}",
                        previous.network
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn finding(heuristic: Heuristic, action: Action, detail: String) -> Finding {
    Finding {
        heuristic,
        action,
        detail,
    }
}

/// Alerts: draft §7 flags 6 and 7 of the identity's type, and every heuristic that fired.
fn alerts(session: &Session, outcome: AuthOutcome, findings: &[Finding]) -> Vec<Alert> {
    let mut alerts = Vec::new();
    if let Some(identity) = session.identity() {
        let handling = identity.handling();
        let succeeded = outcome == AuthOutcome::Succeeded;
        if !succeeded && handling.has(HandlingFlag::AlertOnFailure) {
            alerts.push(Alert::AuthenticationFailed);
        }
        if succeeded && handling.has(HandlingFlag::AlertOnSuccess) {
            alerts.push(Alert::AuthenticationSucceeded);
        }
    }
    for f in findings {
        if f.action != Action::Allow {
            alerts.push(Alert::Heuristic(f.heuristic));
        }
    }
    alerts
}
