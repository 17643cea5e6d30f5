//! The embedded list store: SQLite (bundled), the default backend for hosts that keep their
//! lists locally.
//!
//! # Schema (version 1, `PRAGMA user_version`)
//!
//! ```sql
//! CREATE TABLE lists (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
//!     handled INTEGER NOT NULL DEFAULT 0, entries INTEGER NOT NULL DEFAULT 0,
//!     wildcards INTEGER NOT NULL DEFAULT 0);
//! CREATE TABLE entries (list INTEGER NOT NULL, key TEXT NOT NULL, entry TEXT NOT NULL,
//!     PRIMARY KEY (list, key)) WITHOUT ROWID;
//! CREATE TABLE ip_entries (list INTEGER NOT NULL, family INTEGER NOT NULL,
//!     prefix_len INTEGER NOT NULL, network BLOB NOT NULL, entry TEXT NOT NULL,
//!     PRIMARY KEY (list, family, prefix_len, network)) WITHOUT ROWID;
//! CREATE TABLE ip_prefixes (list INTEGER NOT NULL, family INTEGER NOT NULL,
//!     prefix_len INTEGER NOT NULL, PRIMARY KEY (list, family, prefix_len)) WITHOUT ROWID;
//! ```
//!
//! `lists.name` is the list's [`ListName::key`]. Entries are keyed as described in
//! [`crate::lists`]'s typed rules, so every lookup is an index seek: a text value probes
//! `(list, key)` a constant number of times; an IP value probes `(list, family, prefix_len,
//! network)` once per distinct prefix length the list holds (at most 33 or 129), longest first.
//! The database runs in WAL mode, so lookups proceed while a list is being replaced, and a
//! replacement is one transaction: a lookup sees the old list or the new one, never a mix.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::memory::check_deadline;
use super::typed::{self, EntryKey, Probe};
use super::{Enumeration, ListError, ListInfo, ListMatch, ListName, ListResolver, ListType};
use crate::error::Error;

/// The schema version this code reads and writes.
const SCHEMA_VERSION: i64 = 1;
/// `PRAGMA application_id`: marks a database as a list store ("SvLs").
const APPLICATION_ID: i64 = 0x5376_4c73;
/// SQLite virtual machine steps between deadline checks.
const PROGRESS_STEPS: i32 = 1000;
/// The longest a lookup waits for a lock held by a writer before reporting a temporary failure.
const MAX_BUSY_WAIT: Duration = Duration::from_millis(500);
/// Connections kept for a database file (lookups from more threads wait for one).
const POOL_SIZE: usize = 4;
/// The deadline for calls that take none ([`ListResolver::is_valid`], [`ListResolver::schemes`]).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE lists (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    handled INTEGER NOT NULL DEFAULT 0, entries INTEGER NOT NULL DEFAULT 0,
    wildcards INTEGER NOT NULL DEFAULT 0);
CREATE TABLE entries (list INTEGER NOT NULL, key TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (list, key)) WITHOUT ROWID;
CREATE TABLE ip_entries (list INTEGER NOT NULL, family INTEGER NOT NULL,
    prefix_len INTEGER NOT NULL, network BLOB NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (list, family, prefix_len, network)) WITHOUT ROWID;
CREATE TABLE ip_prefixes (list INTEGER NOT NULL, family INTEGER NOT NULL,
    prefix_len INTEGER NOT NULL, PRIMARY KEY (list, family, prefix_len)) WITHOUT ROWID;
";

// The statements lookups run; each must be an index seek (tested with EXPLAIN QUERY PLAN).
const SQL_LIST: &str = "SELECT id, type, handled, wildcards FROM lists WHERE name = ?1";
const SQL_ENTRY: &str = "SELECT entry FROM entries WHERE list = ?1 AND key = ?2";
const SQL_PREFIXES: &str =
    "SELECT prefix_len FROM ip_prefixes WHERE list = ?1 AND family = ?2 ORDER BY prefix_len DESC";
const SQL_NET: &str = "SELECT entry FROM ip_entries WHERE list = ?1 AND family = ?2 AND prefix_len = ?3 AND network = ?4";
const SQL_ENUMERATE: &str = "SELECT entry FROM entries WHERE list = ?1 ORDER BY key LIMIT ?2";

/// Where connections come from.
#[derive(Debug)]
enum Source {
    File(PathBuf),
    /// A private in-memory database: one connection, shared under the pool's lock.
    Memory,
}

#[derive(Debug, Default)]
struct PoolState {
    idle: Vec<Connection>,
    total: usize,
}

/// A few connections, handed out one per operation.
#[derive(Debug)]
struct Pool {
    source: Source,
    max: usize,
    state: Mutex<PoolState>,
    returned: Condvar,
}

/// A connection on loan from the pool; given back on drop.
struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
}

impl Pooled<'_> {
    fn conn(&mut self) -> &mut Connection {
        // `conn` is only taken in `drop`.
        #[allow(clippy::expect_used)]
        self.conn
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut state = self
                .pool
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            state.idle.push(conn);
            drop(state);
            self.pool.returned.notify_one();
        }
    }
}

/// Why no connection could be had.
enum PoolError {
    Timeout,
    Open(rusqlite::Error),
}

impl Pool {
    /// A connection, opening one if fewer than `max` exist, else waiting until `deadline`.
    fn get(&self, deadline: Option<Instant>) -> Result<Pooled<'_>, PoolError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if state.total < self.max
                && let Source::File(path) = &self.source
            {
                state.total += 1;
                drop(state);
                return match open_connection(path) {
                    Ok(conn) => Ok(Pooled {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.state
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .total -= 1;
                        Err(PoolError::Open(e))
                    }
                };
            }
            state = match deadline {
                None => self
                    .returned
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(PoolError::Timeout);
                    }
                    self.returned
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }
}

/// Opens and configures a connection to a list store file.
fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(MAX_BUSY_WAIT)?;
    // WAL: readers never wait for a writer replacing a list.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
}

/// Whether an SQLite error is worth retrying later (RFC 6134 §3: defer the delivery).
fn is_transient(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::OutOfMemory
                | ErrorCode::DiskFull
                | ErrorCode::FileLockingProtocolFailed
        )
    )
}

/// Maps an SQLite error met during a lookup to the resolver's failure kinds.
fn lookup_error(e: &rusqlite::Error, start: Instant, deadline: Instant) -> ListError {
    if e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted) {
        return ListError::Timeout(deadline.saturating_duration_since(start));
    }
    if is_transient(e) {
        ListError::Temporary(format!("list store: {e}"))
    } else {
        ListError::Permanent(format!("list store: {e}"))
    }
}

fn store_error(e: &rusqlite::Error) -> Error {
    Error::Store(e.to_string())
}

/// What a lookup needs to know about a list.
struct ListRow {
    id: i64,
    list_type: ListType,
    handled: bool,
    wildcards: i64,
}

/// A failure inside a lookup: an SQLite error, or something the store holds that makes no sense.
enum LookupError {
    Sql(rusqlite::Error),
    List(ListError),
}

impl From<rusqlite::Error> for LookupError {
    fn from(e: rusqlite::Error) -> Self {
        LookupError::Sql(e)
    }
}

fn list_row(conn: &Connection, key: &str) -> Result<Option<ListRow>, LookupError> {
    let row = conn
        .prepare_cached(SQL_LIST)?
        .query_row([key], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, bool>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })
        .optional()?;
    let Some((id, type_name, handled, wildcards)) = row else {
        return Ok(None);
    };
    let list_type = type_name.parse::<ListType>().map_err(|e| {
        LookupError::List(ListError::Permanent(format!("list store: list {key}: {e}")))
    })?;
    Ok(Some(ListRow {
        id,
        list_type,
        handled,
        wildcards,
    }))
}

/// The entry of list `row` that `value` matches.
fn lookup(conn: &Connection, row: &ListRow, value: &str) -> rusqlite::Result<Option<String>> {
    match typed::probe(row.list_type, value) {
        Probe::Text(keys) => {
            let mut stmt = conn.prepare_cached(SQL_ENTRY)?;
            for key in keys {
                if let Some(entry) = stmt
                    .query_row(params![row.id, key], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    return Ok(Some(entry));
                }
            }
            Ok(None)
        }
        Probe::Ip { family, bits } => {
            let prefixes: Vec<u8> = conn
                .prepare_cached(SQL_PREFIXES)?
                .query_map(params![row.id, family], |r| r.get::<_, u8>(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = conn.prepare_cached(SQL_NET)?;
            for prefix_len in prefixes {
                let key = typed::IpKey {
                    family,
                    prefix_len,
                    network: typed::ip_network(family, bits, prefix_len),
                };
                let found = stmt
                    .query_row(
                        params![row.id, family, prefix_len, key.network_bytes()],
                        |r| r.get::<_, String>(0),
                    )
                    .optional()?;
                if found.is_some() {
                    return Ok(found);
                }
            }
            Ok(None)
        }
        Probe::None => Ok(None),
    }
}

/// Lists in an SQLite database. Cheap to share across threads (`&` or `Arc`): lookups borrow a
/// connection from a small pool (one connection for an in-memory database).
///
/// ```
/// use std::time::{Duration, Instant};
/// use sieve_extlists::{ListName, ListResolver, ListType, SqliteLists};
///
/// let lists = SqliteLists::open_in_memory()?;
/// assert_eq!(lists.import(":addrbook:default", ListType::Address, ["*@example.org", "bob@example.net"])?, 2);
/// let name = ListName::parse(":ADDRBOOK:Default")?;
/// let found = lists.find_first(&name, &["Alice@Example.org"], Instant::now() + Duration::from_secs(1)).unwrap();
/// assert_eq!(found.map(|m| m.entry), Some("*@example.org".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteLists {
    pool: Pool,
}

impl SqliteLists {
    /// Opens (creating it if needed) a list store file. A database that is not a list store,
    /// or of another schema version, is refused.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let conn =
            open_connection(&path).map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
        init_schema(&conn).map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
        Ok(Self {
            pool: Pool {
                source: Source::File(path),
                max: POOL_SIZE,
                state: Mutex::new(PoolState {
                    idle: vec![conn],
                    total: 1,
                }),
                returned: Condvar::new(),
            },
        })
    }

    /// A private, empty list store in memory (tests, or lists imported at start-up).
    pub fn open_in_memory() -> Result<Self, Error> {
        let conn = Connection::open_in_memory().map_err(|e| store_error(&e))?;
        conn.set_prepared_statement_cache_capacity(16);
        init_schema(&conn).map_err(Error::Store)?;
        Ok(Self {
            pool: Pool {
                source: Source::Memory,
                max: 1,
                state: Mutex::new(PoolState {
                    idle: vec![conn],
                    total: 1,
                }),
                returned: Condvar::new(),
            },
        })
    }

    /// Closes the connections not in use; later operations open new ones. Call it after the
    /// database file was replaced (renamed over), or to let another process take the
    /// database exclusively. An in-memory store keeps its one connection.
    pub fn close_idle(&self) {
        if let Source::File(_) = self.pool.source {
            let mut state = self
                .pool
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let closed = state.idle.len();
            state.idle.clear();
            state.total -= closed;
        }
    }

    /// A connection for an administrative operation (no deadline).
    fn admin(&self) -> Result<Pooled<'_>, Error> {
        let mut pooled = self.pool.get(None).map_err(|e| match e {
            PoolError::Timeout => Error::Store("no connection available".to_owned()),
            PoolError::Open(e) => store_error(&e),
        })?;
        let conn = pooled.conn();
        conn.progress_handler(0, None::<fn() -> bool>)
            .map_err(|e| store_error(&e))?;
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(|e| store_error(&e))?;
        Ok(pooled)
    }

    /// Stores a list, replacing any list of that name (compared by [`ListName::key`]) in one
    /// transaction: lookups see the old list or the new one. Entries are checked against the
    /// type; the first bad one aborts the import with an error naming the list and its 1-based
    /// position. Returns the number of distinct entries stored. The list's `handled` flag is kept.
    pub fn import<I, S>(&self, name: &str, list_type: ListType, entries: I) -> Result<usize, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let name = super::memory::parse_name(name)?;
        let checked = entries.into_iter().enumerate().map(|(index, entry)| {
            let entry: String = entry.into();
            typed::normalize(list_type, &entry)
                .map_err(|e| Error::Store(format!("list {}: entry {}: {e}", name.key(), index + 1)))
        });
        let mut pooled = self.admin()?;
        let tx = pooled
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| store_error(&e))?;
        let count = replace_list(&tx, &name, list_type, checked)?;
        tx.commit().map_err(|e| store_error(&e))?;
        Ok(count)
    }

    /// Stores several already checked lists in one transaction (the TOML import).
    pub(crate) fn import_checked(
        &self,
        lists: Vec<super::file::CheckedList>,
    ) -> Result<Vec<ListInfo>, Error> {
        let mut pooled = self.admin()?;
        let tx = pooled
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| store_error(&e))?;
        let mut infos = Vec::new();
        for list in lists {
            let count = replace_list(
                &tx,
                &list.name,
                list.list_type,
                list.entries.into_iter().map(Ok),
            )?;
            infos.push(ListInfo {
                name: list.name.key().to_owned(),
                list_type: list.list_type,
                entries: count as u64,
            });
        }
        tx.commit().map_err(|e| store_error(&e))?;
        Ok(infos)
    }

    /// Imports every list of a TOML lists file (see [`crate::lists::MemoryLists::from_toml_file`]
    /// for the format) in one transaction, replacing lists of the same names. Nothing is
    /// stored if any list or entry is bad.
    pub fn import_toml(&self, path: impl AsRef<Path>) -> Result<Vec<ListInfo>, Error> {
        let lists = super::file::read_toml_file(path.as_ref())?;
        self.import_checked(lists)
    }

    /// Removes a list; whether it was there.
    pub fn remove(&self, name: &str) -> Result<bool, Error> {
        let name = super::memory::parse_name(name)?;
        let mut pooled = self.admin()?;
        let tx = pooled
            .conn()
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| store_error(&e))?;
        let removed = delete_list(&tx, name.key())
            .map_err(|e| store_error(&e))?
            .is_some();
        tx.commit().map_err(|e| store_error(&e))?;
        Ok(removed)
    }

    /// Marks a list as redirected by its handler (RFC 6134 §2.3 condition 2): `redirect :list`
    /// then yields a redirect action naming the list instead of expanding it. Returns whether
    /// the list exists.
    pub fn set_handled(&self, name: &str, handled: bool) -> Result<bool, Error> {
        let name = super::memory::parse_name(name)?;
        let mut pooled = self.admin()?;
        let changed = pooled
            .conn()
            .execute(
                "UPDATE lists SET handled = ?1 WHERE name = ?2",
                params![handled, name.key()],
            )
            .map_err(|e| store_error(&e))?;
        Ok(changed > 0)
    }

    /// The lists stored, sorted by name.
    pub fn lists(&self) -> Result<Vec<ListInfo>, Error> {
        let mut pooled = self.admin()?;
        let conn = pooled.conn();
        let mut stmt = conn
            .prepare("SELECT name, type, entries FROM lists ORDER BY name")
            .map_err(|e| store_error(&e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| store_error(&e))?;
        let mut infos = Vec::new();
        for row in rows {
            let (name, type_name, entries) = row.map_err(|e| store_error(&e))?;
            let list_type = type_name
                .parse::<ListType>()
                .map_err(|e| Error::Store(format!("list {name}: {e}")))?;
            infos.push(ListInfo {
                name,
                list_type,
                entries: u64::try_from(entries).unwrap_or(0),
            });
        }
        Ok(infos)
    }

    /// Runs a lookup on a pooled connection under the deadline: the progress handler aborts
    /// the statement once the deadline passes ([`ListError::Timeout`]); a lock held too long
    /// by a writer is [`ListError::Temporary`].
    fn with_deadline<T>(
        &self,
        deadline: Instant,
        f: impl FnOnce(&mut Connection) -> Result<T, LookupError>,
    ) -> Result<T, ListError> {
        let start = Instant::now();
        check_deadline(start, deadline)?;
        let mut pooled = self.pool.get(Some(deadline)).map_err(|e| match e {
            PoolError::Timeout => ListError::Timeout(deadline.saturating_duration_since(start)),
            PoolError::Open(e) => lookup_error(&e, start, deadline),
        })?;
        let conn = pooled.conn();
        let left = deadline.saturating_duration_since(Instant::now());
        conn.busy_timeout(left.min(MAX_BUSY_WAIT))
            .map_err(|e| lookup_error(&e, start, deadline))?;
        conn.progress_handler(PROGRESS_STEPS, Some(move || Instant::now() >= deadline))
            .map_err(|e| lookup_error(&e, start, deadline))?;
        f(conn).map_err(|e| match e {
            LookupError::Sql(e) => lookup_error(&e, start, deadline),
            LookupError::List(e) => e,
        })
    }
}

/// Checks the database is a list store of our schema version, creating the schema in an empty one.
fn init_schema(conn: &Connection) -> Result<(), String> {
    let version = |conn: &Connection| -> rusqlite::Result<(i64, i64, i64)> {
        let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let application_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        Ok((user_version, application_id, objects))
    };
    let (user_version, application_id, objects) = version(conn).map_err(|e| e.to_string())?;
    if user_version == 0 && objects == 0 {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;
             {SCHEMA}
             PRAGMA user_version = {SCHEMA_VERSION};
             PRAGMA application_id = {APPLICATION_ID};
             COMMIT;"
        ))
        .or_else(|e| {
            // Another process created it first: check what it created.
            let _ = conn.execute_batch("ROLLBACK");
            match version(conn) {
                Ok((SCHEMA_VERSION, APPLICATION_ID, _)) => Ok(()),
                _ => Err(e.to_string()),
            }
        })?;
        return Ok(());
    }
    if application_id != APPLICATION_ID {
        return Err("not a sieve list store (application_id differs)".to_owned());
    }
    if user_version != SCHEMA_VERSION {
        return Err(format!(
            "list store schema version {user_version}; this version reads {SCHEMA_VERSION}"
        ));
    }
    Ok(())
}

/// Deletes a list and its entries; its id and handled flag if it existed.
fn delete_list(conn: &Connection, key: &str) -> rusqlite::Result<Option<(i64, bool)>> {
    let found: Option<(i64, bool)> = conn
        .query_row(
            "SELECT id, handled FROM lists WHERE name = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, _)) = found {
        conn.execute("DELETE FROM entries WHERE list = ?1", [id])?;
        conn.execute("DELETE FROM ip_entries WHERE list = ?1", [id])?;
        conn.execute("DELETE FROM ip_prefixes WHERE list = ?1", [id])?;
        conn.execute("DELETE FROM lists WHERE id = ?1", [id])?;
    }
    Ok(found)
}

/// Replaces a list inside the caller's transaction; the number of distinct entries stored.
fn replace_list(
    conn: &Connection,
    name: &ListName,
    list_type: ListType,
    entries: impl Iterator<Item = Result<typed::Entry, Error>>,
) -> Result<usize, Error> {
    let sql = |e: rusqlite::Error| Error::Store(format!("list {}: {e}", name.key()));
    let handled = delete_list(conn, name.key())
        .map_err(sql)?
        .is_some_and(|(_, handled)| handled);
    conn.execute(
        "INSERT INTO lists (name, type, handled) VALUES (?1, ?2, ?3)",
        params![name.key(), list_type.as_str(), handled],
    )
    .map_err(sql)?;
    let id = conn.last_insert_rowid();
    let mut text = conn
        .prepare_cached("INSERT OR IGNORE INTO entries (list, key, entry) VALUES (?1, ?2, ?3)")
        .map_err(sql)?;
    let mut net = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO ip_entries (list, family, prefix_len, network, entry) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(sql)?;
    let mut prefix = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO ip_prefixes (list, family, prefix_len) VALUES (?1, ?2, ?3)",
        )
        .map_err(sql)?;
    let (mut count, mut wildcards) = (0usize, 0usize);
    for entry in entries {
        let entry = entry?;
        let added = match &entry.key {
            EntryKey::Text(key) => text.execute(params![id, key, entry.stored]).map_err(sql)? > 0,
            EntryKey::Net(key) => {
                let added = net
                    .execute(params![
                        id,
                        key.family,
                        key.prefix_len,
                        key.network_bytes(),
                        entry.stored
                    ])
                    .map_err(sql)?
                    > 0;
                if added {
                    prefix
                        .execute(params![id, key.family, key.prefix_len])
                        .map_err(sql)?;
                }
                added
            }
        };
        if added {
            count += 1;
            wildcards += usize::from(entry.wildcard);
        }
    }
    conn.execute(
        "UPDATE lists SET entries = ?1, wildcards = ?2 WHERE id = ?3",
        params![count as i64, wildcards as i64, id],
    )
    .map_err(sql)?;
    Ok(count)
}

impl ListResolver for SqliteLists {
    fn schemes(&self) -> Vec<String> {
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        let names = self.with_deadline(deadline, |conn| {
            let mut stmt = conn.prepare_cached("SELECT name FROM lists")?;
            let names = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(names)
        });
        let mut schemes: Vec<String> = names
            .unwrap_or_default()
            .iter()
            .filter_map(|name| ListName::parse(name).ok().map(|n| n.scheme().to_owned()))
            .collect();
        schemes.sort();
        schemes.dedup();
        schemes
    }

    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        self.with_deadline(Instant::now() + DEFAULT_TIMEOUT, |conn| {
            Ok(list_row(conn, list.key())?.is_some())
        })
    }

    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        let start = Instant::now();
        self.with_deadline(deadline, |conn| {
            // One read transaction: the list cannot be replaced between the probes.
            let tx = conn.transaction()?;
            let row =
                list_row(&tx, list.key())?.ok_or(LookupError::List(ListError::UnknownList))?;
            for (value_index, value) in values.iter().enumerate() {
                check_deadline(start, deadline).map_err(LookupError::List)?;
                if let Some(entry) = lookup(&tx, &row, value)? {
                    return Ok(Some(ListMatch { value_index, entry }));
                }
            }
            Ok(None)
        })
    }

    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        self.with_deadline(deadline, |conn| {
            let tx = conn.transaction()?;
            let row =
                list_row(&tx, list.key())?.ok_or(LookupError::List(ListError::UnknownList))?;
            // RFC 6134 §2.3: only plain address lists can be expanded by the engine.
            if row.handled {
                return Ok(Enumeration::Handled);
            }
            if row.list_type != ListType::Address || row.wildcards > 0 {
                return Ok(Enumeration::NotEnumerable);
            }
            let limit = i64::try_from(max.saturating_add(1)).unwrap_or(i64::MAX);
            let members = tx
                .prepare_cached(SQL_ENUMERATE)?
                .query_map(params![row.id, limit], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Enumeration::Members(members))
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    /// Every lookup statement is an index seek: no full scan, no temporary sort.
    #[test]
    fn every_lookup_is_an_index_seek() {
        let lists = SqliteLists::open_in_memory().unwrap();
        lists
            .import(
                "tag:x,2024:ips",
                ListType::Ip,
                ["192.0.2.0/24", "2001:db8::/32"],
            )
            .unwrap();
        lists
            .import(
                "tag:x,2024:addrs",
                ListType::Address,
                ["a@x.org", "*@y.org"],
            )
            .unwrap();
        let mut pooled = lists.admin().unwrap();
        let conn = pooled.conn();
        conn.execute_batch("ANALYZE").unwrap();
        let statements: [(&str, &[&dyn rusqlite::ToSql]); 5] = [
            (SQL_LIST, &[&"tag:x,2024:ips"]),
            (SQL_ENTRY, &[&1, &"a@x.org"]),
            (SQL_PREFIXES, &[&1, &4]),
            (SQL_NET, &[&1, &4, &24, &vec![192u8, 0, 2, 0]]),
            (SQL_ENUMERATE, &[&2, &10]),
        ];
        for (sql, params) in statements {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map(params, |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(!plan.is_empty(), "{sql}");
            for step in &plan {
                assert!(step.starts_with("SEARCH"), "{sql}: {plan:?}");
                assert!(
                    !step.contains("SCAN") && !step.contains("TEMP B-TREE"),
                    "{sql}: {plan:?}"
                );
            }
        }
    }

    /// The progress handler aborts a statement that runs past the deadline.
    #[test]
    fn a_long_statement_is_cut_off_at_the_deadline() {
        let lists = SqliteLists::open_in_memory().unwrap();
        let started = Instant::now();
        let deadline = started + Duration::from_millis(50);
        let result = lists.with_deadline(deadline, |conn| {
            let n: i64 = conn.query_row(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c",
                [],
                |r| r.get(0),
            )?;
            Ok(n)
        });
        assert!(matches!(result, Err(ListError::Timeout(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        // The connection is usable afterwards.
        assert_eq!(
            lists.is_valid(&ListName::parse("tag:x,2024:none").unwrap()),
            Ok(false)
        );
    }

    #[test]
    fn import_replaces_and_keeps_the_handled_flag() {
        let lists = SqliteLists::open_in_memory().unwrap();
        assert_eq!(
            lists
                .import(
                    "tag:x,2024:team",
                    ListType::Address,
                    ["a@x.org", "A@X.org", "b@x.org"]
                )
                .unwrap(),
            2
        );
        assert!(lists.set_handled("tag:x,2024:team", true).unwrap());
        assert_eq!(
            lists
                .import("TAG:x,2024:team", ListType::Address, ["c@x.org"])
                .unwrap(),
            1
        );
        let name = ListName::parse("tag:x,2024:team").unwrap();
        assert_eq!(
            lists.enumerate(&name, 10, later()).unwrap(),
            Enumeration::Handled
        );
        assert!(lists.set_handled("tag:x,2024:team", false).unwrap());
        assert_eq!(
            lists.enumerate(&name, 10, later()).unwrap(),
            Enumeration::Members(vec!["c@x.org".into()])
        );
        assert_eq!(
            lists.find_first(&name, &["a@x.org"], later()).unwrap(),
            None
        );
        let infos = lists.lists().unwrap();
        assert_eq!(
            infos,
            [ListInfo {
                name: "tag:x,2024:team".into(),
                list_type: ListType::Address,
                entries: 1
            }]
        );
    }

    #[test]
    fn a_bad_entry_aborts_the_import_and_keeps_the_old_list() {
        let lists = SqliteLists::open_in_memory().unwrap();
        lists
            .import("tag:x,2024:d", ListType::Date, ["2024-01-01"])
            .unwrap();
        let err = lists
            .import("tag:x,2024:d", ListType::Date, ["2024-01-02", "2024-02-30"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tag:x,2024:d") && err.contains("entry 2") && err.contains("2024-02-30"),
            "{err}"
        );
        let name = ListName::parse("tag:x,2024:d").unwrap();
        assert!(
            lists
                .find_first(&name, &["2024-01-01"], later())
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn a_foreign_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 1;")
            .unwrap();
        drop(conn);
        let err = SqliteLists::open(&path).unwrap_err().to_string();
        assert!(err.contains("not a sieve list store"), "{err}");
    }

    #[test]
    fn a_stored_unknown_type_is_a_permanent_failure() {
        let lists = SqliteLists::open_in_memory().unwrap();
        lists
            .import("tag:x,2024:s", ListType::String, ["a"])
            .unwrap();
        lists
            .admin()
            .unwrap()
            .conn()
            .execute_batch("UPDATE lists SET type = 'colour'")
            .unwrap();
        let name = ListName::parse("tag:x,2024:s").unwrap();
        assert!(matches!(
            lists.find_first(&name, &["a"], later()),
            Err(ListError::Permanent(_))
        ));
    }
}
