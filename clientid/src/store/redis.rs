//! The Redis history store: one history shared by several MTA nodes.
//!
//! Each [`HistoryStore::record_attempt`] is one Lua script, which Redis runs atomically: two
//! nodes recording the same identity at once cannot both read the old counts. Keys, under a
//! prefix (`clientid:` by default), with the identity key in hex:
//!
//! | key | type | holds | expires |
//! |-----|------|-------|---------|
//! | `{prefix}id:{hex}:accounts` | ZSET | account → time of its last attempt | after the retention |
//! | `{prefix}id:{hex}:attempts` | ZSET | one member per attempt, scored by its time | after the retention |
//! | `{prefix}id:{hex}:last` | HASH | `network`, `at` of the last sighting; `seq` | after the retention |
//! | `{prefix}id:{hex}:known` | HASH | account → `first:last` for known devices | never |
//! | `{prefix}devices:{account}` | SET | hex keys of the account's known devices | never |
//! | `{prefix}identities` | ZSET | hex key → time of last activity (`+inf` while known) | members pruned after the retention |
//!
//! So only known devices stay for good; an identity without one is forgotten once it has not
//! been seen for the retention (30 days by default, and never less than the windows asked
//! for). Attempts older than the attempts window are removed as new ones are recorded, and at
//! most [`MAX_ACCOUNTS_PER_IDENTITY`] accounts and [`MAX_ATTEMPTS_PER_IDENTITY`] attempts are
//! kept per identity.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use redis::{Client, Connection, ErrorKind, RedisError, Script};

use super::memory::{MAX_ACCOUNTS_PER_IDENTITY, MAX_ATTEMPTS_PER_IDENTITY};
use super::{
    DEFAULT_TIMEOUT, History, HistoryStore, KnownDevice, PreviousSighting, Sighting, StoreError,
    UnixTime, Windows,
};
use crate::IdentityKey;

const BACKEND: &str = "redis";

/// Identities pruned from the `identities` ZSET per recorded attempt (bounds a script's work).
const PRUNE_BATCH: usize = 64;

/// KEYS: accounts, attempts, last, known, identities.
/// ARGV: account, network, at, accounts since, attempts since, ttl, hex, prune before,
/// max accounts, max attempts.
const RECORD: &str = r"
local known = redis.call('HEXISTS', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
local max_accounts = tonumber(ARGV[9])
local n = redis.call('ZCARD', KEYS[1])
if n > max_accounts then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max_accounts - 1)
end
local accounts = redis.call('ZCOUNT', KEYS[1], ARGV[4], '+inf')
local seq = redis.call('HINCRBY', KEYS[3], 'seq', 1)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[3] .. ':' .. seq)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
local max_attempts = tonumber(ARGV[10])
local attempts = redis.call('ZCARD', KEYS[2])
if attempts > max_attempts then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, attempts - max_attempts - 1)
  attempts = max_attempts
end
local previous = redis.call('HMGET', KEYS[3], 'network', 'at')
redis.call('HSET', KEYS[3], 'network', ARGV[2], 'at', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[6])
if redis.call('HLEN', KEYS[4]) == 0 then
  redis.call('ZADD', KEYS[5], ARGV[3], ARGV[7])
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[8], 'LIMIT', 0, ARGV[11])
if #stale > 0 then
  redis.call('ZREM', KEYS[5], unpack(stale))
end
return {known, accounts, attempts, previous[1], previous[2]}
";

/// KEYS: known, identities, devices of the account. ARGV: account, at, hex.
const REMEMBER: &str = r"
local first = ARGV[2]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local sep = string.find(current, ':', 1, true)
  if not sep then
    return redis.error_reply('WRONGTYPE known device entry is not first:last')
  end
  first = string.sub(current, 1, sep - 1)
end
redis.call('HSET', KEYS[1], ARGV[1], first .. ':' .. ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[2], '+inf', ARGV[3])
return 1
";

/// KEYS: known, identities, devices of the account, last. ARGV: account, hex.
const FORGET: &str = r"
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
if removed == 1 and redis.call('HLEN', KEYS[1]) == 0 and redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[4], 'at') or '0', ARGV[2])
end
return removed
";

/// A [`HistoryStore`] in Redis, over one blocking connection (re-opened after a failure).
///
/// ```no_run
/// use std::time::Duration;
/// use clientid::store::RedisStore;
///
/// let store = RedisStore::connect("redis://127.0.0.1:6379/0")?
///     .with_prefix("mx1:clientid:")
///     .with_timeout(Duration::from_millis(500));
/// # Ok::<(), clientid::StoreError>(())
/// ```
pub struct RedisStore {
    client: Client,
    connection: Mutex<Option<Connection>>,
    prefix: String,
    timeout: Duration,
    retention: Duration,
    record: Script,
    remember: Script,
    forget: Script,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection info may hold a password: only the prefix and settings are shown.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// How long an identity without a known device is kept after it was last seen.
    pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

    /// The key prefix of [`RedisStore::connect`].
    pub const DEFAULT_PREFIX: &'static str = "clientid:";

    /// Connects to the server at `url` (`redis://[:password@]host[:port][/db]`,
    /// `rediss://…` is not built in) within [`DEFAULT_TIMEOUT`].
    ///
    /// Fails with [`StoreError::Unavailable`] when the URL is invalid or the server cannot
    /// be reached.
    pub fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = Client::open(url).map_err(error)?;
        let store = RedisStore {
            client,
            connection: Mutex::new(None),
            prefix: RedisStore::DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            retention: RedisStore::DEFAULT_RETENTION,
            record: Script::new(RECORD),
            remember: Script::new(REMEMBER),
            forget: Script::new(FORGET),
        };
        // Connect now, so that a wrong address shows at startup rather than at the first AUTH.
        let connection = store.open_connection()?;
        *store.lock() = Some(connection);
        Ok(store)
    }

    /// Puts every key under `prefix` (include a separator, such as `mx:clientid:`), so
    /// several histories can share one Redis database.
    pub fn with_prefix(mut self, prefix: &str) -> RedisStore {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// Bounds connecting and each command by `timeout` (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> RedisStore {
        self.timeout = timeout;
        // The open connection takes the new timeouts, or is dropped and opened again later.
        let connection = self.connection.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = connection
            && set_timeouts(open, timeout).is_err()
        {
            *connection = None;
        }
        self
    }

    /// Keeps identities without a known device for `retention` after they were last seen
    /// (default [`RedisStore::DEFAULT_RETENTION`]; never less than the windows of a call).
    pub fn with_retention(mut self, retention: Duration) -> RedisStore {
        self.retention = retention;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Option<Connection>> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn open_connection(&self) -> Result<Connection, StoreError> {
        let connection = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(error)?;
        set_timeouts(&connection, self.timeout).map_err(error)?;
        Ok(connection)
    }

    /// Runs `f` on the connection, opening it first if needed, and dropping it when it failed
    /// in a way that may have left it out of step with the server.
    fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.lock();
        let connection = match &mut *guard {
            Some(connection) => connection,
            empty => empty.insert(self.open_connection()?),
        };
        f(connection).map_err(|e| {
            if e.is_io_error() || e.is_unrecoverable_error() || e.is_timeout() {
                *guard = None;
            }
            error(e)
        })
    }

    fn identity_key(&self, identity: &IdentityKey, part: &str) -> String {
        format!("{}id:{}:{part}", self.prefix, identity.to_hex())
    }

    fn identities_key(&self) -> String {
        format!("{}identities", self.prefix)
    }

    fn devices_key(&self, account: &str) -> Vec<u8> {
        let mut key = format!("{}devices:", self.prefix).into_bytes();
        key.extend_from_slice(account.as_bytes());
        key
    }
}

fn set_timeouts(connection: &Connection, timeout: Duration) -> Result<(), RedisError> {
    // A zero duration would mean "no timeout" to the socket, the opposite of what was asked.
    let timeout = timeout.max(Duration::from_millis(1));
    connection.set_read_timeout(Some(timeout))?;
    connection.set_write_timeout(Some(timeout))
}

fn error(e: RedisError) -> StoreError {
    let message = e.to_string();
    let wrong_data = matches!(e.kind(), ErrorKind::UnexpectedReturnType | ErrorKind::Parse)
        || message.contains("WRONGTYPE")
        || e.code() == Some("WRONGTYPE");
    if wrong_data {
        StoreError::Corrupt {
            backend: BACKEND,
            message,
        }
    } else {
        StoreError::Unavailable {
            backend: BACKEND,
            message,
        }
    }
}

fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt {
        backend: BACKEND,
        message,
    }
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parses a `first:last` known-device entry.
fn known_entry(entry: &str) -> Option<(UnixTime, UnixTime)> {
    let (first, last) = entry.split_once(':')?;
    Some((first.parse().ok()?, last.parse().ok()?))
}

impl HistoryStore for RedisStore {
    fn record_attempt(
        &self,
        sighting: &Sighting<'_>,
        windows: Windows,
    ) -> Result<History, StoreError> {
        let identity = sighting.identity;
        let retention = self.retention.as_secs();
        let ttl = retention.max(windows.accounts).max(windows.attempts).max(1);
        let result: (u8, u64, u64, Option<String>, Option<String>) =
            self.with_connection(|connection| {
                self.record
                    .key(self.identity_key(identity, "accounts"))
                    .key(self.identity_key(identity, "attempts"))
                    .key(self.identity_key(identity, "last"))
                    .key(self.identity_key(identity, "known"))
                    .key(self.identities_key())
                    .arg(sighting.account)
                    .arg(sighting.network)
                    .arg(sighting.at)
                    .arg(sighting.at.saturating_sub(windows.accounts))
                    .arg(sighting.at.saturating_sub(windows.attempts))
                    .arg(ttl)
                    .arg(identity.to_hex())
                    .arg(sighting.at.saturating_sub(ttl))
                    .arg(MAX_ACCOUNTS_PER_IDENTITY)
                    .arg(MAX_ATTEMPTS_PER_IDENTITY)
                    .arg(PRUNE_BATCH)
                    .invoke(connection)
            })?;
        let (known, accounts, attempts, network, at) = result;
        let previous = match (network, at) {
            (Some(network), Some(at)) => Some(PreviousSighting {
                network,
                at: at
                    .parse()
                    .map_err(|_| corrupt(format!("last sighting time {at:?}")))?,
            }),
            _ => None,
        };
        Ok(History {
            known_device: known == 1,
            distinct_accounts: count(accounts),
            attempts: count(attempts),
            previous,
        })
    }

    fn remember_device(
        &self,
        identity: &IdentityKey,
        account: &str,
        at: UnixTime,
    ) -> Result<(), StoreError> {
        self.with_connection(|connection| {
            self.remember
                .key(self.identity_key(identity, "known"))
                .key(self.identities_key())
                .key(self.devices_key(account))
                .arg(account)
                .arg(at)
                .arg(identity.to_hex())
                .invoke::<()>(connection)
        })
    }

    fn forget_device(&self, identity: &IdentityKey, account: &str) -> Result<bool, StoreError> {
        let removed: u8 = self.with_connection(|connection| {
            self.forget
                .key(self.identity_key(identity, "known"))
                .key(self.identities_key())
                .key(self.devices_key(account))
                .key(self.identity_key(identity, "last"))
                .arg(account)
                .arg(identity.to_hex())
                .invoke(connection)
        })?;
        Ok(removed == 1)
    }

    fn known_devices(&self, account: &str) -> Result<Vec<KnownDevice>, StoreError> {
        let (members, entries): (Vec<String>, Vec<Option<String>>) =
            self.with_connection(|connection| {
                let members: Vec<String> = redis::cmd("SMEMBERS")
                    .arg(self.devices_key(account))
                    .query(connection)?;
                let mut pipe = redis::pipe();
                for hex in &members {
                    pipe.cmd("HGET")
                        .arg(format!("{}id:{hex}:known", self.prefix))
                        .arg(account);
                }
                let entries = if members.is_empty() {
                    Vec::new()
                } else {
                    pipe.query(connection)?
                };
                Ok((members, entries))
            })?;
        let mut devices = Vec::with_capacity(members.len());
        for (hex, entry) in members.iter().zip(entries) {
            // Forgotten between the two reads: not a known device any more.
            let Some(entry) = entry else { continue };
            let identity = hex::decode(hex)
                .map_err(|_| corrupt(format!("device {hex:?} is not a hex identity key")))?;
            let (first_seen, last_seen) = known_entry(&entry)
                .ok_or_else(|| corrupt(format!("known device entry {entry:?}")))?;
            devices.push(KnownDevice {
                identity: IdentityKey::from_bytes(identity),
                first_seen,
                last_seen,
            });
        }
        devices.sort_by(|a, b| a.identity.cmp(&b.identity));
        Ok(devices)
    }

    fn identity_count(&self) -> Result<u64, StoreError> {
        self.with_connection(|connection| {
            redis::cmd("ZCARD")
                .arg(self.identities_key())
                .query(connection)
        })
    }
}
