//! The `[clientid]` policy: which heuristics of draft §6 a server applies at AUTH, read from
//! the mailsec policy file.
//!
//! ```toml
//! [clientid]
//! enabled = true
//! refuse_at = "auth"                 # or "transaction" (draft §8.3 as written)
//! require_clientid = true            # §6.1 item 1
//! denied_types = ["MAC"]             # §6.1 items 2–3
//! new_device = "alert"               # §6.3 use case 3: allow | alert | deny
//! max_connections_per_identity = 10  # §6.2 item 3
//!
//! [clientid.handling]                # draft §7 flags per type
//! default = ["system-log", "authentication", "alert-on-failure"]
//! types = { MAC = ["debug"] }
//!
//! [[clientid.revoked]]               # §6.1 item 4
//! type = "UUID"
//! token = "0b9e6b3c-0d0e-4a53-9c55-2f6b8b1c6a11"
//!
//! [clientid.accounts]                # §6.1 item 5, §6.3 use case 1
//! "alice@example.com" = [{ type = "UUID", token = "23bf83be-aad7-46aa-9e0f-39191ccf402f" }]
//!
//! [clientid.shared_identity]         # §6.3 use case 2
//! max_accounts = 3
//! window_seconds = 86400
//!
//! [clientid.rate]                    # §6.2 item 3, §6.3 use case 6
//! max_attempts = 20
//! window_seconds = 600
//!
//! [clientid.travel]                  # §6.2 item 4
//! window_seconds = 3600
//! action = "alert"
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::handling::{Handling, HandlingTable};
use crate::identity::TokenStorage;
use crate::session::SessionConfig;
use crate::{ClientIdToken, ClientIdType, Strictness};

/// What a heuristic does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Nothing: the heuristic is off.
    #[default]
    Allow,
    /// Let the client in, and raise an alert.
    Alert,
    /// Refuse the client (with the generic reply of draft §6.1).
    Deny,
}

/// Where a refusal shows (draft §6.1: "during or after the authentication process").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalPoint {
    /// The AUTH command itself is answered 550, whatever the credentials: a password guesser
    /// never learns that a password was right. The default.
    #[default]
    Auth,
    /// Valid credentials are answered 235 and every MAIL, RCPT and DATA 550, as the draft §8.3
    /// transcript shows. This tells a guesser that the password was right.
    Transaction,
}

/// What to do when the history store fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreFailure {
    /// Answer AUTH with 454 (temporary failure): fail closed. The default.
    #[default]
    Defer,
    /// Decide without the history: fail open.
    Allow,
}

/// A client-id-type named in the policy (parsed leniently: draft §7 itself names DEVICE_ID).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeName(pub ClientIdType);

impl<'de> Deserialize<'de> for TypeName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ClientIdType::with_strictness(&text, Strictness::Lenient)
            .map(TypeName)
            .map_err(|e| serde::de::Error::custom(format!("client-id-type {text:?}: {e}")))
    }
}

/// A client-id-token named in the policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenValue(pub ClientIdToken);

impl<'de> Deserialize<'de> for TokenValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ClientIdToken::new(&text)
            .map(TokenValue)
            .map_err(|e| serde::de::Error::custom(format!("client-id-token: {e}")))
    }
}

/// One identity named in the policy: a type and a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    /// The client-id-type.
    #[serde(rename = "type")]
    pub client_type: TypeName,
    /// The client-id-token.
    pub token: TokenValue,
}

/// The `[clientid.handling]` table (draft §7).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlingConfig {
    /// Flags of types without an entry ([`Handling::DEFAULT`] when absent).
    pub default: Option<Handling>,
    /// Flags per type.
    #[serde(default)]
    pub types: BTreeMap<String, Handling>,
}

/// One identity used with many accounts (draft §6.3 use case 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedIdentityRule {
    /// More distinct accounts than this within the window fire the rule.
    pub max_accounts: u32,
    /// The window, in seconds (a day when absent).
    #[serde(default = "one_day")]
    pub window_seconds: u64,
    /// What to do (deny when absent).
    #[serde(default = "deny")]
    pub action: Action,
}

/// Attempts per identity (draft §6.2 item 3, §6.3 use cases 6–7): devices behind one
/// CGNAT address are limited one by one, not all together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRule {
    /// More attempts than this within the window fire the rule.
    pub max_attempts: u32,
    /// The window, in seconds (ten minutes when absent).
    #[serde(default = "ten_minutes")]
    pub window_seconds: u64,
    /// What to do (deny when absent).
    #[serde(default = "deny")]
    pub action: Action,
}

/// The same identity from two far-apart networks within a short time (draft §6.2 item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TravelRule {
    /// Two sightings from different networks closer than this, in seconds, fire the rule.
    pub window_seconds: u64,
    /// IPv4 addresses in the same prefix of this length are one network (16 when absent).
    #[serde(default = "ipv4_prefix")]
    pub ipv4_prefix: u8,
    /// IPv6 addresses in the same prefix of this length are one network (32 when absent).
    #[serde(default = "ipv6_prefix")]
    pub ipv6_prefix: u8,
    /// What to do (alert when absent: travel is a hint, not a proof).
    #[serde(default = "alert")]
    pub action: Action,
}

/// The `[clientid]` table of the policy file: session settings (draft §3, §4, §7) and the
/// heuristics applied at AUTH (draft §6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientIdPolicy {
    /// Whether CLIENTID is offered at all (draft §3 rule 1). Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Accept `_` in types (draft §7 names DEVICE_ID, which §5 forbids). Default false.
    #[serde(default)]
    pub lenient: bool,
    /// How tokens are kept in the history (draft §7, §9). Default keyed hash.
    #[serde(default)]
    pub token_storage: TokenStorage,
    /// A file holding the secret of the keyed hash (at least 32 bytes; its SHA-256 is the
    /// key). Keep it outside the history store. Without it the key is random per process, so
    /// a persistent history forgets every device on restart.
    pub token_key_file: Option<std::path::PathBuf>,
    /// Where a refusal shows. Default at AUTH.
    #[serde(default)]
    pub refuse_at: RefusalPoint,
    /// What a store failure does. Default defer (454).
    #[serde(default)]
    pub on_store_error: StoreFailure,
    /// Handling flags per type (draft §7).
    #[serde(default)]
    pub handling: HandlingConfig,
    /// §6.1 item 1: refuse AUTH without a presented identity.
    #[serde(default)]
    pub require_clientid: bool,
    /// §6.1 item 1: refuse AUTH unless the identity has one of these types.
    #[serde(default)]
    pub require_types: Vec<TypeName>,
    /// §6.1 item 2: when not empty, only these types are accepted at AUTH.
    #[serde(default)]
    pub allowed_types: Vec<TypeName>,
    /// §6.1 item 3: these types are refused at AUTH.
    #[serde(default)]
    pub denied_types: Vec<TypeName>,
    /// §6.1 item 4: identities disabled or revoked.
    #[serde(default)]
    pub revoked: Vec<IdentitySpec>,
    /// §6.1 item 5, §6.3 use case 1: per account, the only identities it may be used from.
    #[serde(default)]
    pub accounts: BTreeMap<String, Vec<IdentitySpec>>,
    /// §6.3 use case 3: first sight of an identity for an account. Default allow.
    #[serde(default)]
    pub new_device: Action,
    /// §6.3 use case 2.
    pub shared_identity: Option<SharedIdentityRule>,
    /// §6.3 use cases 6–7.
    pub rate: Option<RateRule>,
    /// §6.2 item 3: authenticated sessions held at once by one identity.
    pub max_connections_per_identity: Option<u32>,
    /// §6.2 item 4.
    pub travel: Option<TravelRule>,
}

impl Default for ClientIdPolicy {
    /// Enabled, nothing required, no heuristic on: every identity is accepted and recorded.
    fn default() -> Self {
        ClientIdPolicy {
            enabled: true,
            lenient: false,
            token_storage: TokenStorage::default(),
            token_key_file: None,
            refuse_at: RefusalPoint::default(),
            on_store_error: StoreFailure::default(),
            handling: HandlingConfig::default(),
            require_clientid: false,
            require_types: Vec::new(),
            allowed_types: Vec::new(),
            denied_types: Vec::new(),
            revoked: Vec::new(),
            accounts: BTreeMap::new(),
            new_device: Action::Allow,
            shared_identity: None,
            rate: None,
            max_connections_per_identity: None,
            travel: None,
        }
    }
}

/// A `[clientid]` table whose parts do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[clientid] {setting}: {message}")]
pub struct PolicyConfigError {
    /// The setting at fault, as written in the file.
    pub setting: String,
    /// What is wrong with it.
    pub message: String,
}

impl ClientIdPolicy {
    /// Checks what serde cannot: names of types in `[clientid.handling.types]`, prefix lengths,
    /// windows.
    pub fn check(&self) -> Result<(), PolicyConfigError> {
        let error = |setting: &str, message: String| PolicyConfigError {
            setting: setting.to_owned(),
            message,
        };
        for name in self.handling.types.keys() {
            ClientIdType::with_strictness(name, Strictness::Lenient)
                .map_err(|e| error(&format!("handling.types.{name}"), e.to_string()))?;
        }
        if let Some(travel) = self.travel {
            if travel.ipv4_prefix > 32 {
                return Err(error("travel.ipv4_prefix", "at most 32".into()));
            }
            if travel.ipv6_prefix > 128 {
                return Err(error("travel.ipv6_prefix", "at most 128".into()));
            }
        }
        if self.shared_identity.is_some_and(|r| r.window_seconds == 0) {
            return Err(error(
                "shared_identity.window_seconds",
                "must be > 0".into(),
            ));
        }
        if self.rate.is_some_and(|r| r.window_seconds == 0) {
            return Err(error("rate.window_seconds", "must be > 0".into()));
        }
        if self.max_connections_per_identity == Some(0) {
            return Err(error(
                "max_connections_per_identity",
                "0 would refuse every identity; leave it out to set no limit".into(),
            ));
        }
        Ok(())
    }

    /// The session settings this policy implies (draft §3, §4, §7).
    pub fn session_config(&self) -> SessionConfig {
        let mut handling = HandlingTable::new(self.handling.default.unwrap_or(Handling::DEFAULT));
        for (name, flags) in &self.handling.types {
            if let Ok(client_type) = ClientIdType::with_strictness(name, Strictness::Lenient) {
                handling.set(client_type, *flags);
            }
        }
        SessionConfig {
            enabled: self.enabled,
            strictness: Strictness::from_lenient(self.lenient),
            handling,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Allow => "allow",
            Action::Alert => "alert",
            Action::Deny => "deny",
        })
    }
}

fn yes() -> bool {
    true
}
fn one_day() -> u64 {
    86_400
}
fn ten_minutes() -> u64 {
    600
}
fn ipv4_prefix() -> u8 {
    16
}
fn ipv6_prefix() -> u8 {
    32
}
fn deny() -> Action {
    Action::Deny
}
fn alert() -> Action {
    Action::Alert
}
