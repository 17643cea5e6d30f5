//! Per-type handling flags (draft §7): what a server does with an identity of a given type once
//! the CLIENTID command was accepted.
//!
//! Draft §7 lists eight flags; the eighth is "Unused" and has no meaning, so it has no field
//! here. Flags 1 and 2 say the identity is treated as not presented; flags 3–7 say where it may
//! go (system log, user log) and what it may be used for (authentication decisions, alerts).

use std::collections::HashMap;

use serde::Deserialize;

use crate::ClientIdType;

/// One of the draft §7 handling flags, as named in a policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandlingFlag {
    /// §7 flag 1: handled (the command is answered 250) but treated as not presented, and not
    /// kept in the session.
    Ignore,
    /// §7 flag 2: kept in the session for debugging, but treated as not presented.
    Debug,
    /// §7 flag 3: kept in the session and available to the system log.
    SystemLog,
    /// §7 flag 4: kept in the session and available to the user's log.
    UserLog,
    /// §7 flag 5: used for authentication decisions (the policy heuristics of §6).
    Authentication,
    /// §7 flag 6: raise an alert when authentication fails.
    AlertOnFailure,
    /// §7 flag 7: raise an alert when authentication succeeds.
    AlertOnSuccess,
}

/// The handling of one client-id-type: a set of [`HandlingFlag`]s (draft §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Handling {
    flags: u8,
}

impl Handling {
    /// No flag set: the identity is kept in the session and counts as presented, but is
    /// logged nowhere and used for nothing.
    pub const NONE: Handling = Handling { flags: 0 };

    /// What a server does with a type it has no entry for: keep it, log it to the system log,
    /// use it for authentication decisions and alert on failed authentication. Draft §7: a
    /// server "SHOULD NOT reject an unidentified CLIENTID type".
    pub const DEFAULT: Handling = Handling::NONE
        .with(HandlingFlag::SystemLog)
        .with(HandlingFlag::Authentication)
        .with(HandlingFlag::AlertOnFailure);

    /// This handling with `flag` added.
    pub const fn with(self, flag: HandlingFlag) -> Handling {
        Handling {
            flags: self.flags | Self::bit(flag),
        }
    }

    /// Builds a handling from a list of flags.
    pub fn from_flags(flags: impl IntoIterator<Item = HandlingFlag>) -> Handling {
        flags.into_iter().fold(Handling::NONE, Handling::with)
    }

    /// Whether `flag` is set.
    pub const fn has(self, flag: HandlingFlag) -> bool {
        self.flags & Self::bit(flag) != 0
    }

    /// The flags as bits, flag N of draft §7 at bit N−1 (the C surface uses this).
    pub const fn bits(self) -> u8 {
        self.flags
    }

    /// The handling from bits as [`Handling::bits`] gives them; bit 7 ("Unused") is dropped.
    pub const fn from_bits(bits: u8) -> Handling {
        Handling { flags: bits & 0x7f }
    }

    /// Whether the session keeps the identity at all (not flag 1).
    pub const fn is_kept(self) -> bool {
        !self.has(HandlingFlag::Ignore)
    }

    /// Whether the identity counts as presented (neither flag 1 nor flag 2): the heuristics
    /// that require a CLIENTID see an identity with flag 1 or 2 as missing.
    pub const fn counts_as_presented(self) -> bool {
        !self.has(HandlingFlag::Ignore) && !self.has(HandlingFlag::Debug)
    }

    /// Whether the identity may be used for authentication decisions (flag 5, and presented).
    pub const fn used_for_authentication(self) -> bool {
        self.counts_as_presented() && self.has(HandlingFlag::Authentication)
    }

    /// Whether the identity may be written to the given log (flags 3 and 4).
    pub const fn may_log(self, audience: LogAudience) -> bool {
        self.is_kept()
            && match audience {
                LogAudience::System => self.has(HandlingFlag::SystemLog),
                LogAudience::User => self.has(HandlingFlag::UserLog),
            }
    }

    const fn bit(flag: HandlingFlag) -> u8 {
        1 << (flag as u8)
    }
}

impl<'de> Deserialize<'de> for Handling {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<HandlingFlag>::deserialize(deserializer).map(Handling::from_flags)
    }
}

/// Who reads a log line (draft §7 flags 3 and 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogAudience {
    /// The server's own log (flag 3).
    System,
    /// A log the account holder can read, such as a "recent devices" page (flag 4).
    User,
}

/// Handling per client-id-type, with a default for types it does not name (draft §7: "a set
/// of flags that describes how the CLIENTID command should be handled for any given client
/// identity type"). Types compare without regard to case (draft §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlingTable {
    default: Handling,
    per_type: HashMap<ClientIdType, Handling>,
}

impl Default for HandlingTable {
    fn default() -> Self {
        HandlingTable::new(Handling::DEFAULT)
    }
}

impl HandlingTable {
    /// A table that handles every type with `default`.
    pub fn new(default: Handling) -> HandlingTable {
        HandlingTable {
            default,
            per_type: HashMap::new(),
        }
    }

    /// Sets the handling of one type.
    pub fn set(&mut self, client_type: ClientIdType, handling: Handling) -> &mut Self {
        self.per_type.insert(client_type, handling);
        self
    }

    /// The handling of `client_type`: its own entry, or the default.
    pub fn handling_of(&self, client_type: &ClientIdType) -> Handling {
        self.per_type
            .get(client_type)
            .copied()
            .unwrap_or(self.default)
    }

    /// The handling of types without an entry.
    pub fn default_handling(&self) -> Handling {
        self.default
    }
}
