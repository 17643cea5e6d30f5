//! The SQLite history store: one file, kept across restarts, shared by the threads of a
//! process and by several processes on one host.
//!
//! Every call is one `BEGIN IMMEDIATE` transaction: the write lock is taken before the first
//! read, so two processes recording the same identity at once cannot both read the old counts
//! (draft §6.2 item 3 limits would otherwise undercount). The file is in WAL mode, so readers
//! do not wait for writers, and a busy file is waited for up to [`DEFAULT_TIMEOUT`].
//!
//! Growth is bounded per identity as in [`MemoryStore`](super::MemoryStore): attempts older
//! than the attempts window are deleted in the transaction that records a new one, and at most
//! [`MAX_ACCOUNTS_PER_IDENTITY`] accounts and [`MAX_ATTEMPTS_PER_IDENTITY`] attempts are kept
//! per identity. The number of identities is bounded only by the disk.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::memory::{MAX_ACCOUNTS_PER_IDENTITY, MAX_ATTEMPTS_PER_IDENTITY};
use super::{
    DEFAULT_TIMEOUT, History, HistoryStore, KnownDevice, PreviousSighting, Sighting, StoreError,
    UnixTime, Windows,
};
use crate::IdentityKey;

const BACKEND: &str = "sqlite";

/// The schema this build writes, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

/// Version 1. Every lookup goes through a primary key or an index: identities by key,
/// accounts by (identity, account), known devices by account (a partial index over known rows
/// only), attempts by (identity, time).
const SCHEMA_V1: &str = "
CREATE TABLE identities (
    id INTEGER PRIMARY KEY,
    key BLOB NOT NULL UNIQUE,
    last_network TEXT,
    last_at INTEGER
);
CREATE TABLE identity_accounts (
    identity_id INTEGER NOT NULL REFERENCES identities(id),
    account TEXT NOT NULL,
    last_attempt INTEGER,
    known_first INTEGER,
    known_last INTEGER,
    PRIMARY KEY (identity_id, account)
) WITHOUT ROWID;
CREATE INDEX identity_accounts_known ON identity_accounts(account)
    WHERE known_first IS NOT NULL;
CREATE TABLE attempts (
    identity_id INTEGER NOT NULL REFERENCES identities(id),
    at INTEGER NOT NULL
);
CREATE INDEX attempts_by_identity ON attempts(identity_id, at);
";

/// Every statement of the store, so that a test can check their query plans.
mod sql {
    /// The row id of an identity.
    pub const IDENTITY_ID: &str = "SELECT id FROM identities WHERE key = ?1";
    /// A new identity.
    pub const INSERT_IDENTITY: &str = "INSERT INTO identities (key) VALUES (?1)";
    /// Makes an identity a known device of an account (keeping the first time).
    pub const REMEMBER: &str =
        "INSERT INTO identity_accounts (identity_id, account, known_first, known_last)
     VALUES (?1, ?2, ?3, ?3)
     ON CONFLICT (identity_id, account) DO UPDATE SET
         known_first = coalesce(known_first, excluded.known_first),
         known_last = excluded.known_last";
    /// An identity and its last sighting.
    pub const IDENTITY: &str = "SELECT id, last_network, last_at FROM identities WHERE key = ?1";
    /// Whether the identity is a known device of the account (no row: never seen with it).
    pub const KNOWN: &str = "SELECT known_first IS NOT NULL FROM identity_accounts
     WHERE identity_id = ?1 AND account = ?2";
    /// How many accounts an identity has rows for.
    pub const ACCOUNT_COUNT: &str = "SELECT count(*) FROM identity_accounts WHERE identity_id = ?1";
    /// Drops the least recently tried account that is not a known device.
    pub const DROP_OLDEST_ACCOUNT: &str =
        "DELETE FROM identity_accounts WHERE identity_id = ?1 AND account = (
         SELECT account FROM identity_accounts
         WHERE identity_id = ?1 AND known_first IS NULL
         ORDER BY last_attempt LIMIT 1)";
    /// Records an attempt on an account.
    pub const TRY_ACCOUNT: &str =
        "INSERT INTO identity_accounts (identity_id, account, last_attempt) VALUES (?1, ?2, ?3)
     ON CONFLICT (identity_id, account) DO UPDATE SET last_attempt = excluded.last_attempt";
    /// Distinct accounts tried since a time.
    pub const ACCOUNTS_SINCE: &str =
        "SELECT count(*) FROM identity_accounts WHERE identity_id = ?1 AND last_attempt >= ?2";
    /// Drops the attempts older than the window.
    pub const PRUNE_ATTEMPTS: &str = "DELETE FROM attempts WHERE identity_id = ?1 AND at < ?2";
    /// Records an attempt.
    pub const INSERT_ATTEMPT: &str = "INSERT INTO attempts (identity_id, at) VALUES (?1, ?2)";
    /// The attempts of an identity.
    pub const ATTEMPT_COUNT: &str = "SELECT count(*) FROM attempts WHERE identity_id = ?1";
    /// Drops the oldest attempts beyond the cap.
    pub const DROP_OLDEST_ATTEMPTS: &str = "DELETE FROM attempts WHERE rowid IN (
         SELECT rowid FROM attempts WHERE identity_id = ?1
         ORDER BY at, rowid LIMIT ?2)";
    /// The identity's last sighting.
    pub const SET_LAST_SIGHTING: &str =
        "UPDATE identities SET last_network = ?2, last_at = ?3 WHERE id = ?1";
    /// Forgets a known device.
    pub const FORGET: &str = "UPDATE identity_accounts SET known_first = NULL, known_last = NULL
     WHERE identity_id = (SELECT id FROM identities WHERE key = ?1)
       AND account = ?2 AND known_first IS NOT NULL";
    /// The known devices of an account, by key.
    pub const KNOWN_DEVICES: &str = "SELECT i.key, a.known_first, a.known_last
     FROM identity_accounts AS a JOIN identities AS i ON i.id = a.identity_id
     WHERE a.account = ?1 AND a.known_first IS NOT NULL
     ORDER BY i.key";
    /// How many identities.
    pub const IDENTITY_COUNT: &str = "SELECT count(*) FROM identities";

    #[cfg(test)]
    pub const ALL: &[&str] = &[
        IDENTITY_ID,
        INSERT_IDENTITY,
        REMEMBER,
        IDENTITY,
        KNOWN,
        ACCOUNT_COUNT,
        DROP_OLDEST_ACCOUNT,
        TRY_ACCOUNT,
        ACCOUNTS_SINCE,
        PRUNE_ATTEMPTS,
        INSERT_ATTEMPT,
        ATTEMPT_COUNT,
        DROP_OLDEST_ATTEMPTS,
        SET_LAST_SIGHTING,
        FORGET,
        KNOWN_DEVICES,
        IDENTITY_COUNT,
    ];
}

/// A [`HistoryStore`] in an SQLite file.
///
/// ```
/// use clientid::store::{HistoryStore, Sighting, SqliteStore, Windows};
/// use clientid::IdentityKey;
///
/// // `SqliteStore::open("/var/lib/mailsec/clientid.sqlite")` keeps the history across restarts.
/// let store = SqliteStore::open_in_memory()?;
/// let device = IdentityKey::from_bytes(vec![7; 32]);
/// let sighting = Sighting { identity: &device, account: "alice", network: "192.0.2.0/24", at: 1_700_000_000 };
///
/// let first = store.record_attempt(&sighting, Windows::default())?;
/// assert!(!first.known_device && first.previous.is_none());
///
/// // After an allowed AUTH, the device is known for the account (draft §6.3 use case 3).
/// store.remember_device(&device, "alice", 1_700_000_000)?;
/// let second = store.record_attempt(&Sighting { at: 1_700_000_060, ..sighting }, Windows::default())?;
/// assert!(second.known_device);
/// assert_eq!((second.attempts, second.distinct_accounts), (2, 1));
/// assert_eq!(second.previous.map(|p| p.at), Some(1_700_000_000));
/// # Ok::<(), clientid::StoreError>(())
/// ```
pub struct SqliteStore {
    path: Option<PathBuf>,
    connection: Mutex<Connection>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store in the file at `path`.
    ///
    /// Fails with [`StoreError::Corrupt`] when the file is not an SQLite database, or holds a
    /// schema version newer than this build knows; with [`StoreError::Unavailable`] when it
    /// cannot be opened or stays locked longer than [`DEFAULT_TIMEOUT`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        let connection = Connection::open(path).map_err(|e| {
            let message = format!("{}: {e}", path.display());
            StoreError::Unavailable {
                backend: BACKEND,
                message,
            }
        })?;
        SqliteStore::prepare(connection, Some(path.to_path_buf()))
    }

    /// A store in memory, gone when dropped (for tests and one-off tools).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let connection = Connection::open_in_memory().map_err(error)?;
        SqliteStore::prepare(connection, None)
    }

    /// The file the store lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn prepare(
        mut connection: Connection,
        path: Option<PathBuf>,
    ) -> Result<SqliteStore, StoreError> {
        connection.busy_timeout(DEFAULT_TIMEOUT).map_err(error)?;
        // Every statement of the store stays prepared (there are about twenty).
        connection.set_prepared_statement_cache_capacity(64);
        // WAL: readers never wait for the writer; NORMAL sync is safe in WAL mode (a power
        // loss may drop the last transactions, never corrupt the file).
        connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
            .map_err(error)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(error)?;
        migrate(&mut connection)?;
        Ok(SqliteStore {
            path,
            connection: Mutex::new(connection),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes each `(identity, account, at)` a known device of the account since `at`, as
    /// [`HistoryStore::remember_device`] would, in one transaction; returns how many pairs
    /// were written.
    ///
    /// An administrative helper: importing the known devices of another system, or filling a
    /// store for a benchmark. A server records devices through [`HistoryStore`] alone. The
    /// store is held for the whole import (about ten seconds per million pairs), so other
    /// calls wait: run it before the server takes traffic.
    pub fn bulk_seed(
        &self,
        identities: impl Iterator<Item = (IdentityKey, String, UnixTime)>,
    ) -> Result<u64, StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error)?;
        let mut written = 0u64;
        for (identity, account, at) in identities {
            let id = identity_id(&transaction, &identity)?;
            remember(&transaction, id, &account, at)?;
            written += 1;
        }
        transaction.commit().map_err(error)?;
        Ok(written)
    }
}

/// Creates the schema in a fresh file, accepts the current one, refuses a newer one.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    // Under the write lock, so that two processes opening a new file create it once.
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(error)?;
    let version: i64 = transaction
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(error)?;
    match version {
        0 => {
            transaction.execute_batch(SCHEMA_V1).map_err(error)?;
            transaction
                .pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(error)?;
        }
        SCHEMA_VERSION => {}
        other => {
            return Err(StoreError::Corrupt {
                backend: BACKEND,
                message: format!(
                    "schema version {other} is not {SCHEMA_VERSION}, the one this build knows"
                ),
            });
        }
    }
    transaction.commit().map_err(error)
}

fn error(e: rusqlite::Error) -> StoreError {
    let message = e.to_string();
    match e.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::SystemIoFailure
            | ErrorCode::CannotOpen
            | ErrorCode::DiskFull
            | ErrorCode::OutOfMemory
            | ErrorCode::PermissionDenied
            | ErrorCode::ReadOnly
            | ErrorCode::FileLockingProtocolFailed
            | ErrorCode::OperationInterrupted,
        ) => StoreError::Unavailable {
            backend: BACKEND,
            message,
        },
        _ => StoreError::Corrupt {
            backend: BACKEND,
            message,
        },
    }
}

/// SQLite integers are signed; times past 2^63 s are clamped (they are not real times).
fn to_sql(at: UnixTime) -> i64 {
    i64::try_from(at).unwrap_or(i64::MAX)
}

fn from_sql(at: i64) -> Result<UnixTime, StoreError> {
    UnixTime::try_from(at).map_err(|_| StoreError::Corrupt {
        backend: BACKEND,
        message: format!("negative time {at}"),
    })
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The row id of `identity`, inserting it when new.
fn identity_id(connection: &Connection, identity: &IdentityKey) -> Result<i64, StoreError> {
    let existing = connection
        .prepare_cached(sql::IDENTITY_ID)
        .and_then(|mut s| {
            s.query_row([identity.as_bytes()], |row| row.get(0))
                .optional()
        })
        .map_err(error)?;
    match existing {
        Some(id) => Ok(id),
        None => {
            connection
                .prepare_cached(sql::INSERT_IDENTITY)
                .and_then(|mut s| s.execute([identity.as_bytes()]))
                .map_err(error)?;
            Ok(connection.last_insert_rowid())
        }
    }
}

fn remember(
    connection: &Connection,
    id: i64,
    account: &str,
    at: UnixTime,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(sql::REMEMBER)
        .and_then(|mut s| s.execute(params![id, account, to_sql(at)]))
        .map_err(error)?;
    Ok(())
}

/// The body of [`HistoryStore::record_attempt`], inside its transaction.
fn record(
    connection: &Connection,
    sighting: &Sighting<'_>,
    windows: Windows,
) -> Result<History, StoreError> {
    let at = to_sql(sighting.at);
    let found: Option<(i64, Option<String>, Option<i64>)> = connection
        .prepare_cached(sql::IDENTITY)
        .and_then(|mut s| {
            s.query_row([sighting.identity.as_bytes()], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
        })
        .map_err(error)?;
    let (id, previous) = match found {
        Some((id, Some(network), Some(last_at))) => (
            id,
            Some(PreviousSighting {
                network,
                at: from_sql(last_at)?,
            }),
        ),
        Some((id, _, _)) => (id, None),
        None => (identity_id(connection, sighting.identity)?, None),
    };

    let known: Option<bool> = connection
        .prepare_cached(sql::KNOWN)
        .and_then(|mut s| {
            s.query_row(params![id, sighting.account], |row| row.get(0))
                .optional()
        })
        .map_err(error)?;
    if known.is_none() {
        // A new account for this identity: keep at most MAX_ACCOUNTS_PER_IDENTITY, dropping
        // the least recently tried account that is not a known device.
        let accounts: i64 = connection
            .prepare_cached(sql::ACCOUNT_COUNT)
            .and_then(|mut s| s.query_row([id], |row| row.get(0)))
            .map_err(error)?;
        if usize::try_from(accounts).unwrap_or(usize::MAX) >= MAX_ACCOUNTS_PER_IDENTITY {
            connection
                .prepare_cached(sql::DROP_OLDEST_ACCOUNT)
                .and_then(|mut s| s.execute([id]))
                .map_err(error)?;
        }
    }
    connection
        .prepare_cached(sql::TRY_ACCOUNT)
        .and_then(|mut s| s.execute(params![id, sighting.account, at]))
        .map_err(error)?;
    let distinct_accounts: i64 = connection
        .prepare_cached(sql::ACCOUNTS_SINCE)
        .and_then(|mut s| {
            s.query_row(
                params![id, to_sql(sighting.at.saturating_sub(windows.accounts))],
                |row| row.get(0),
            )
        })
        .map_err(error)?;

    // Attempts: prune what fell out of the window, add this one, keep at most the cap.
    connection
        .prepare_cached(sql::PRUNE_ATTEMPTS)
        .and_then(|mut s| {
            s.execute(params![
                id,
                to_sql(sighting.at.saturating_sub(windows.attempts))
            ])
        })
        .map_err(error)?;
    connection
        .prepare_cached(sql::INSERT_ATTEMPT)
        .and_then(|mut s| s.execute(params![id, at]))
        .map_err(error)?;
    let mut attempts: i64 = connection
        .prepare_cached(sql::ATTEMPT_COUNT)
        .and_then(|mut s| s.query_row([id], |row| row.get(0)))
        .map_err(error)?;
    let cap = i64::try_from(MAX_ATTEMPTS_PER_IDENTITY).unwrap_or(i64::MAX);
    if attempts > cap {
        connection
            .prepare_cached(sql::DROP_OLDEST_ATTEMPTS)
            .and_then(|mut s| s.execute(params![id, attempts - cap]))
            .map_err(error)?;
        attempts = cap;
    }

    connection
        .prepare_cached(sql::SET_LAST_SIGHTING)
        .and_then(|mut s| s.execute(params![id, sighting.network, at]))
        .map_err(error)?;
    Ok(History {
        known_device: known.unwrap_or(false),
        distinct_accounts: count(distinct_accounts),
        attempts: count(attempts),
        previous,
    })
}

impl HistoryStore for SqliteStore {
    fn record_attempt(
        &self,
        sighting: &Sighting<'_>,
        windows: Windows,
    ) -> Result<History, StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error)?;
        let history = record(&transaction, sighting, windows)?;
        transaction.commit().map_err(error)?;
        Ok(history)
    }

    fn remember_device(
        &self,
        identity: &IdentityKey,
        account: &str,
        at: UnixTime,
    ) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(error)?;
        let id = identity_id(&transaction, identity)?;
        remember(&transaction, id, account, at)?;
        transaction.commit().map_err(error)
    }

    fn forget_device(&self, identity: &IdentityKey, account: &str) -> Result<bool, StoreError> {
        let connection = self.lock();
        let changed = connection
            .prepare_cached(sql::FORGET)
            .and_then(|mut s| s.execute(params![identity.as_bytes(), account]))
            .map_err(error)?;
        Ok(changed > 0)
    }

    fn known_devices(&self, account: &str) -> Result<Vec<KnownDevice>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(sql::KNOWN_DEVICES)
            .map_err(error)?;
        let rows = statement
            .query_map([account], |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                ))
            })
            .map_err(error)?;
        let mut devices = Vec::new();
        for row in rows {
            let (key, first, last) = row.map_err(error)?;
            let first_seen = from_sql(first)?;
            devices.push(KnownDevice {
                identity: IdentityKey::from_bytes(key),
                first_seen,
                last_seen: last.map_or(Ok(first_seen), from_sql)?,
            });
        }
        Ok(devices)
    }

    fn identity_count(&self) -> Result<u64, StoreError> {
        let connection = self.lock();
        let n: i64 = connection
            .prepare_cached(sql::IDENTITY_COUNT)
            .and_then(|mut s| s.query_row([], |row| row.get(0)))
            .map_err(error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No statement reads a whole table: each lookup goes through a key or an index. Only
    /// `identity_count` walks one (the smallest index, as `count(*)` must).
    #[test]
    fn every_lookup_uses_an_index() {
        let store = SqliteStore::open_in_memory().unwrap();
        let connection = store.lock();
        for statement in sql::ALL {
            let mut explain = connection
                .prepare(&format!("EXPLAIN QUERY PLAN {statement}"))
                .unwrap();
            // Parameters left unbound are NULL: the plan is the same.
            let mut rows = explain.raw_query();
            let mut plan: Vec<String> = Vec::new();
            while let Some(row) = rows.next().unwrap() {
                plan.push(row.get(3).unwrap());
            }
            for step in &plan {
                let scans = step.starts_with("SCAN");
                if *statement == sql::IDENTITY_COUNT {
                    assert!(step.contains("COVERING INDEX"), "{statement}: {plan:?}");
                } else {
                    assert!(!scans, "{statement}: {plan:?}");
                }
            }
        }
    }
}
