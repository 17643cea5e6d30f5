//! History stores (draft §6.3 use cases 2, 3, 6 and 7): what a server remembers of the
//! identities it has seen — the accounts each one tried, the accounts for which it is a known
//! device, its recent attempts, and where it was last seen.
//!
//! One trait, [`HistoryStore`], and three stores with the same semantics:
//! - [`MemoryStore`]: one process, gone on restart;
//! - `SqliteStore` (feature `sqlite`, on by default): one file, kept across restarts, shared by
//!   the processes of one host;
//! - `RedisStore` (feature `redis`): one Redis server shared by several MTA nodes.
//!
//! Every call records and reads in one atomic step, so that several threads (or several MTA
//! nodes sharing a Redis) lose no attempt.

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::time::Duration;

pub use memory::{MAX_ACCOUNTS_PER_IDENTITY, MAX_ATTEMPTS_PER_IDENTITY, MemoryStore};
#[cfg(feature = "redis")]
pub use redis::RedisStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use crate::IdentityKey;

/// Seconds since the Unix epoch. The host supplies the clock, so tests can move it.
pub type UnixTime = u64;

/// One authentication attempt by an identity, as a store records it.
#[derive(Debug, Clone, Copy)]
pub struct Sighting<'a> {
    /// The identity (its keyed hash, see [`crate::TokenHasher`]).
    pub identity: &'a IdentityKey,
    /// The account the client tried to authenticate as.
    pub account: &'a str,
    /// Where the client was: a network prefix or a host-supplied location.
    pub network: &'a str,
    /// When.
    pub at: UnixTime,
}

/// The windows over which a store counts, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Distinct accounts tried by one identity are counted over this window.
    pub accounts: u64,
    /// Attempts by one identity are counted over this window.
    pub attempts: u64,
}

impl Default for Windows {
    /// One day for accounts, ten minutes for attempts.
    fn default() -> Self {
        Windows {
            accounts: 86_400,
            attempts: 600,
        }
    }
}

/// What a store knew of an identity, read in the same step that recorded a [`Sighting`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    /// Whether the identity was a known device of the account before this attempt.
    pub known_device: bool,
    /// Distinct accounts the identity tried within [`Windows::accounts`], this one included.
    pub distinct_accounts: u32,
    /// Attempts by the identity within [`Windows::attempts`], this one included.
    pub attempts: u32,
    /// The identity's sighting before this one, if any.
    pub previous: Option<PreviousSighting>,
}

/// Where and when an identity was seen last before the current attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousSighting {
    /// The network (or location) of that sighting.
    pub network: String,
    /// Its time.
    pub at: UnixTime,
}

/// A device known for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// The identity.
    pub identity: IdentityKey,
    /// When it first authenticated the account.
    pub first_seen: UnixTime,
    /// When it last did.
    pub last_seen: UnixTime,
}

/// A store failed. Hosts treat [`StoreError::is_temporary`] errors like an unreachable
/// authentication backend (454, try again later).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend could not be reached or did not answer in time.
    #[error("{backend} history store unavailable: {message}")]
    Unavailable {
        /// Which store.
        backend: &'static str,
        /// What the backend said.
        message: String,
    },
    /// The backend answered with data this store did not write.
    #[error("{backend} history store holds unexpected data: {message}")]
    Corrupt {
        /// Which store.
        backend: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The store holds as many identities as it was allowed to.
    #[error("{backend} history store is full ({limit} identities)")]
    Full {
        /// Which store.
        backend: &'static str,
        /// Its capacity.
        limit: usize,
    },
}

impl StoreError {
    /// Whether trying again later may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable { .. } | StoreError::Full { .. }
        )
    }

    /// A stable snake_case name for logs and bindings.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable { .. } => "store_unavailable",
            StoreError::Corrupt { .. } => "store_corrupt",
            StoreError::Full { .. } => "store_full",
        }
    }
}

/// A history of identities, shared by every session of a server (and, for networked stores,
/// by several servers). Implementations are cheap to share (`Send + Sync`) and bound every
/// call by a timeout.
pub trait HistoryStore: Send + Sync + std::fmt::Debug {
    /// Records one attempt and returns what was known before it, in one atomic step.
    fn record_attempt(
        &self,
        sighting: &Sighting<'_>,
        windows: Windows,
    ) -> Result<History, StoreError>;

    /// Makes `identity` a known device of `account` (after an allowed, successful AUTH).
    fn remember_device(
        &self,
        identity: &IdentityKey,
        account: &str,
        at: UnixTime,
    ) -> Result<(), StoreError>;

    /// Forgets that `identity` is a known device of `account`; returns whether it was.
    fn forget_device(&self, identity: &IdentityKey, account: &str) -> Result<bool, StoreError>;

    /// The known devices of `account`.
    fn known_devices(&self, account: &str) -> Result<Vec<KnownDevice>, StoreError>;

    /// How many identities the store holds.
    fn identity_count(&self) -> Result<u64, StoreError>;
}

/// The default timeout of networked stores.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
