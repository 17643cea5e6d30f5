//! What the policy decided at AUTH, and why: the reason goes to the log, the reply to the
//! client (draft §6.1: generic, revealing nothing of the rules).

use std::fmt;

use super::config::Action;
use crate::reply::Reply;
use crate::session::AuthOutcome;

/// The heuristics of draft §6, each with the section that motivates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Heuristic {
    /// §6.1 item 1, §6.3 use case 4: no identity was presented.
    ClientIdRequired,
    /// §6.1 item 1: the identity is not of a required type.
    TypeRequired,
    /// §6.1 items 2–3: the type is not allowed, or is denied.
    TypeNotAccepted,
    /// §6.1 item 4: the identity was disabled or revoked.
    Revoked,
    /// §6.1 item 5, §6.3 use case 1: not a permitted identity of the account.
    NotPermittedForAccount,
    /// §6.3 use case 3: first sight of this identity for this account.
    NewDevice,
    /// §6.3 use case 2: the identity tried too many accounts.
    SharedAcrossAccounts,
    /// §6.2 item 3, §6.3 use cases 6–7: too many attempts by this identity.
    RateLimited,
    /// §6.2 item 3: too many sessions held by this identity.
    TooManyConnections,
    /// §6.2 item 4: seen from another network a short while ago.
    ImpossibleTravel,
    /// The history store failed.
    StoreUnavailable,
}

impl Heuristic {
    /// A stable snake_case name for logs and bindings.
    pub fn name(self) -> &'static str {
        match self {
            Heuristic::ClientIdRequired => "clientid_required",
            Heuristic::TypeRequired => "type_required",
            Heuristic::TypeNotAccepted => "type_not_accepted",
            Heuristic::Revoked => "revoked",
            Heuristic::NotPermittedForAccount => "not_permitted_for_account",
            Heuristic::NewDevice => "new_device",
            Heuristic::SharedAcrossAccounts => "shared_across_accounts",
            Heuristic::RateLimited => "rate_limited",
            Heuristic::TooManyConnections => "too_many_connections",
            Heuristic::ImpossibleTravel => "impossible_travel",
            Heuristic::StoreUnavailable => "store_unavailable",
        }
    }
}

impl fmt::Display for Heuristic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One heuristic that fired: what, with which action, and the detail for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which heuristic.
    pub heuristic: Heuristic,
    /// What the policy does about it.
    pub action: Action,
    /// The detail, for the server's log only.
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.heuristic, self.action, self.detail)
    }
}

/// The verdict of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The policy lets the client in (the credentials still decide).
    Allow,
    /// The policy refuses the client.
    Refuse,
    /// The history could not be read: try again later (454).
    Defer,
}

/// An alert the host should raise (draft §7 flags 6 and 7, and heuristics set to alert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alert {
    /// Authentication failed, and the identity's type has flag 6.
    AuthenticationFailed,
    /// Authentication succeeded, and the identity's type has flag 7.
    AuthenticationSucceeded,
    /// A heuristic fired with action alert or deny.
    Heuristic(Heuristic),
}

/// What the policy decided for one AUTH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// The reply to give the AUTH command.
    pub reply: Reply,
    /// How the session saw it end (already applied to the session by
    /// [`super::PolicyEngine::decide`]).
    pub outcome: AuthOutcome,
    /// Every heuristic that fired.
    pub findings: Vec<Finding>,
    /// Alerts to raise.
    pub alerts: Vec<Alert>,
}

impl Decision {
    /// The reason for the log, one line: the verdict and the findings.
    pub fn log_line(&self) -> String {
        let verdict = match self.verdict {
            Verdict::Allow => "allow",
            Verdict::Refuse => "refuse",
            Verdict::Defer => "defer",
        };
        let findings: Vec<String> = self.findings.iter().map(ToString::to_string).collect();
        if findings.is_empty() {
            format!("{verdict} reply={}", self.reply.code)
        } else {
            format!(
                "{verdict} reply={} findings=[{}]",
                self.reply.code,
                findings.join("; ")
            )
        }
    }
}
