//! The history stores (draft §6.3) against one conformance suite: memory, SQLite and Redis agree.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::any::Any;
use std::sync::Arc;
use std::thread;

use clientid::IdentityKey;
use clientid::store::{
    History, HistoryStore, KnownDevice, MAX_ACCOUNTS_PER_IDENTITY, MAX_ATTEMPTS_PER_IDENTITY,
    MemoryStore, PreviousSighting, Sighting, UnixTime, Windows,
};

const T0: UnixTime = 1_700_000_000;

/// A 32-byte key, as the keyed hash makes them; `n` orders them.
fn key(n: u32) -> IdentityKey {
    IdentityKey::from_bytes(n.to_be_bytes().repeat(8))
}

fn record(
    store: &dyn HistoryStore,
    identity: &IdentityKey,
    account: &str,
    network: &str,
    at: UnixTime,
    windows: Windows,
) -> History {
    store
        .record_attempt(
            &Sighting {
                identity,
                account,
                network,
                at,
            },
            windows,
        )
        .unwrap()
}

/// A store under test, with whatever must live as long as it (a directory, a server).
struct Fixture {
    store: Arc<dyn HistoryStore>,
    _guard: Box<dyn Any>,
}

/// The suite, written once against the trait.
mod suite {
    use super::*;

    pub fn first_sighting(store: &dyn HistoryStore) {
        assert_eq!(store.identity_count().unwrap(), 0);
        let history = record(
            store,
            &key(1),
            "alice",
            "192.0.2.0/24",
            T0,
            Windows::default(),
        );
        assert_eq!(
            history,
            History {
                known_device: false,
                distinct_accounts: 1,
                attempts: 1,
                previous: None,
            }
        );
        assert_eq!(store.identity_count().unwrap(), 1);
    }

    pub fn known_only_after_remember(store: &dyn HistoryStore) {
        let w = Windows::default();
        assert!(!record(store, &key(1), "alice", "n", T0, w).known_device);
        // Recording an attempt does not make a device known (draft §6.3 use case 3).
        assert!(!record(store, &key(1), "alice", "n", T0 + 1, w).known_device);
        store.remember_device(&key(1), "alice", T0 + 1).unwrap();
        assert!(record(store, &key(1), "alice", "n", T0 + 2, w).known_device);
        // Known for that account only, and only that identity.
        assert!(!record(store, &key(1), "bob", "n", T0 + 3, w).known_device);
        assert!(!record(store, &key(2), "alice", "n", T0 + 4, w).known_device);
        // Still known later, whatever the windows.
        assert!(record(store, &key(1), "alice", "n", T0 + 10 * 86_400, w).known_device);
    }

    pub fn previous_sighting(store: &dyn HistoryStore) {
        let w = Windows::default();
        assert_eq!(
            record(store, &key(1), "alice", "net-a", T0, w).previous,
            None
        );
        assert_eq!(
            record(store, &key(1), "alice", "net-b", T0 + 5, w).previous,
            Some(PreviousSighting {
                network: "net-a".into(),
                at: T0,
            })
        );
        // Remembering a device is not a sighting.
        store.remember_device(&key(1), "alice", T0 + 6).unwrap();
        // The previous sighting is per identity, whatever the account.
        assert_eq!(
            record(store, &key(1), "bob", "net-c", T0 + 7, w).previous,
            Some(PreviousSighting {
                network: "net-b".into(),
                at: T0 + 5,
            })
        );
        assert_eq!(
            record(store, &key(2), "bob", "net-c", T0 + 8, w).previous,
            None
        );
    }

    pub fn accounts_window(store: &dyn HistoryStore) {
        let w = Windows {
            accounts: 100,
            attempts: 600,
        };
        let id = key(1);
        assert_eq!(record(store, &id, "a", "n", T0, w).distinct_accounts, 1);
        assert_eq!(
            record(store, &id, "b", "n", T0 + 10, w).distinct_accounts,
            2
        );
        // The same account again is not another account.
        assert_eq!(
            record(store, &id, "b", "n", T0 + 20, w).distinct_accounts,
            2
        );
        assert_eq!(
            record(store, &id, "c", "n", T0 + 50, w).distinct_accounts,
            3
        );
        // At T0 + 120 the window starts at T0 + 20: a (T0) is out, b (T0 + 20) just in.
        assert_eq!(
            record(store, &id, "d", "n", T0 + 120, w).distinct_accounts,
            4 - 1
        );
        // At T0 + 121, b is out too.
        assert_eq!(
            record(store, &id, "d", "n", T0 + 121, w).distinct_accounts,
            2
        );
        // Trying an old account again brings it back.
        assert_eq!(
            record(store, &id, "a", "n", T0 + 122, w).distinct_accounts,
            3
        );
        // Other identities count their own accounts.
        assert_eq!(
            record(store, &key(2), "a", "n", T0 + 122, w).distinct_accounts,
            1
        );
        // A known device that was not tried within the window is not counted.
        store.remember_device(&id, "z", T0 + 122).unwrap();
        assert_eq!(
            record(store, &id, "c", "n", T0 + 123, w).distinct_accounts,
            3
        );
    }

    pub fn attempts_window(store: &dyn HistoryStore) {
        let w = Windows {
            accounts: 86_400,
            attempts: 60,
        };
        let id = key(1);
        assert_eq!(record(store, &id, "a", "n", T0, w).attempts, 1);
        assert_eq!(record(store, &id, "a", "n", T0 + 30, w).attempts, 2);
        // Attempts count whatever the account.
        assert_eq!(record(store, &id, "b", "n", T0 + 59, w).attempts, 3);
        // At T0 + 60 the window starts at T0: still in.
        assert_eq!(record(store, &id, "a", "n", T0 + 60, w).attempts, 4);
        // At T0 + 61, T0 is out.
        assert_eq!(record(store, &id, "a", "n", T0 + 61, w).attempts, 4);
        // Much later, only this one.
        assert_eq!(record(store, &id, "a", "n", T0 + 1_000, w).attempts, 1);
        assert_eq!(record(store, &id, "a", "n", T0 + 1_000, w).attempts, 2);
        // Other identities count their own.
        assert_eq!(record(store, &key(2), "a", "n", T0 + 1_000, w).attempts, 1);
    }

    pub fn forget_device(store: &dyn HistoryStore) {
        let w = Windows::default();
        assert!(!store.forget_device(&key(1), "alice").unwrap());
        store.remember_device(&key(1), "alice", T0).unwrap();
        store.remember_device(&key(1), "bob", T0).unwrap();
        store.remember_device(&key(2), "alice", T0).unwrap();
        assert!(store.forget_device(&key(1), "alice").unwrap());
        assert!(!store.forget_device(&key(1), "alice").unwrap());
        assert!(!record(store, &key(1), "alice", "n", T0 + 1, w).known_device);
        // The identity's other accounts and the account's other devices stay known.
        assert!(record(store, &key(1), "bob", "n", T0 + 2, w).known_device);
        assert!(record(store, &key(2), "alice", "n", T0 + 3, w).known_device);
        let alice: Vec<_> = store
            .known_devices("alice")
            .unwrap()
            .into_iter()
            .map(|d| d.identity)
            .collect();
        assert_eq!(alice, vec![key(2)]);
        // Remembered again, it starts afresh.
        store.remember_device(&key(1), "alice", T0 + 9).unwrap();
        assert!(record(store, &key(1), "alice", "n", T0 + 10, w).known_device);
        assert_eq!(
            store.known_devices("alice").unwrap()[0],
            KnownDevice {
                identity: key(1),
                first_seen: T0 + 9,
                last_seen: T0 + 9,
            }
        );
    }

    pub fn known_devices_sorted(store: &dyn HistoryStore) {
        assert_eq!(store.known_devices("alice").unwrap(), vec![]);
        store.remember_device(&key(3), "alice", T0 + 3).unwrap();
        store.remember_device(&key(1), "alice", T0 + 1).unwrap();
        store.remember_device(&key(2), "alice", T0 + 2).unwrap();
        store.remember_device(&key(4), "bob", T0 + 4).unwrap();
        // A second remember keeps the first time and moves the last.
        store.remember_device(&key(1), "alice", T0 + 100).unwrap();
        // Attempts alone do not make a device known.
        record(store, &key(5), "alice", "n", T0, Windows::default());
        let device = |n, first_seen, last_seen| KnownDevice {
            identity: key(n),
            first_seen,
            last_seen,
        };
        assert_eq!(
            store.known_devices("alice").unwrap(),
            vec![
                device(1, T0 + 1, T0 + 100),
                device(2, T0 + 2, T0 + 2),
                device(3, T0 + 3, T0 + 3),
            ]
        );
        assert_eq!(
            store.known_devices("bob").unwrap(),
            vec![device(4, T0 + 4, T0 + 4)]
        );
        assert_eq!(store.known_devices("carol").unwrap(), vec![]);
        // Sorted by the key's bytes, not by when the devices were remembered.
        let low = IdentityKey::from_bytes(vec![0x00, 0xff]);
        let high = IdentityKey::from_bytes(vec![0xff]);
        store.remember_device(&high, "dave", T0).unwrap();
        store.remember_device(&low, "dave", T0 + 1).unwrap();
        let dave: Vec<_> = store
            .known_devices("dave")
            .unwrap()
            .into_iter()
            .map(|d| d.identity)
            .collect();
        assert_eq!(dave, vec![low, high]);
    }

    pub fn identity_count(store: &dyn HistoryStore) {
        let w = Windows::default();
        assert_eq!(store.identity_count().unwrap(), 0);
        for n in 0..3 {
            record(store, &key(n), "alice", "n", T0, w);
        }
        record(store, &key(0), "bob", "n", T0 + 1, w);
        assert_eq!(store.identity_count().unwrap(), 3);
        // A device remembered without an attempt is an identity too.
        store.remember_device(&key(7), "alice", T0).unwrap();
        store.remember_device(&key(0), "alice", T0).unwrap();
        assert_eq!(store.identity_count().unwrap(), 4);
    }

    /// One identity cannot grow the store without end: attempts and accounts are capped, and
    /// the cap never drops a known device.
    pub fn per_identity_caps(store: &dyn HistoryStore) {
        let w = Windows::default();
        let id = key(1);
        let mut last = History::default();
        for n in 0..MAX_ATTEMPTS_PER_IDENTITY + 10 {
            last = record(store, &id, "a", "n", T0 + (n as u64 % 60), w);
        }
        assert_eq!(last.attempts as usize, MAX_ATTEMPTS_PER_IDENTITY);

        let id = key(2);
        record(store, &id, "keep", "n", T0, w);
        store.remember_device(&id, "keep", T0).unwrap();
        for n in 0..=MAX_ACCOUNTS_PER_IDENTITY {
            last = record(store, &id, &format!("account-{n}"), "n", T0 + 1, w);
        }
        assert_eq!(last.distinct_accounts as usize, MAX_ACCOUNTS_PER_IDENTITY);
        let keep = record(store, &id, "keep", "n", T0 + 2, w);
        assert!(keep.known_device);
        assert_eq!(keep.distinct_accounts as usize, MAX_ACCOUNTS_PER_IDENTITY);
    }

    /// Threads × attempts on one identity: no attempt is lost, and each call saw every call
    /// before it (the counts it returned are exactly 1..=N×M).
    pub fn concurrent_same_identity(store: Arc<dyn HistoryStore>) {
        const THREADS: usize = 8;
        const EACH: usize = 100;
        let w = Windows::default();
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = Arc::clone(&store);
                thread::spawn(move || {
                    let account = format!("account-{t}");
                    (0..EACH)
                        .map(|_| record(&*store, &key(1), &account, "n", T0, w).attempts)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        let mut seen: Vec<u32> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        seen.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(THREADS * EACH).unwrap()).collect();
        assert_eq!(seen, expected);
        let last = record(&*store, &key(1), "account-0", "n", T0, w);
        assert_eq!(last.attempts as usize, THREADS * EACH + 1);
        assert_eq!(last.distinct_accounts as usize, THREADS);
        assert_eq!(store.identity_count().unwrap(), 1);
    }

    /// Threads × distinct identities: every identity is recorded once.
    pub fn concurrent_distinct_identities(store: Arc<dyn HistoryStore>) {
        const THREADS: u32 = 8;
        const EACH: u32 = 100;
        let w = Windows::default();
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = Arc::clone(&store);
                thread::spawn(move || {
                    for n in 0..EACH {
                        let history = record(&*store, &key(t * EACH + n), "a", "n", T0, w);
                        assert_eq!((history.attempts, history.previous), (1, None));
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(store.identity_count().unwrap(), u64::from(THREADS * EACH));
    }
}

/// One test per suite function, for a store made by `$make` (which returns `None` to skip).
macro_rules! conformance {
    ($name:ident, $make:expr) => {
        mod $name {
            use super::*;

            fn fixture() -> Option<Fixture> {
                $make
            }

            #[test]
            fn first_sighting() {
                let Some(f) = fixture() else { return };
                suite::first_sighting(&*f.store);
            }

            #[test]
            fn known_only_after_remember() {
                let Some(f) = fixture() else { return };
                suite::known_only_after_remember(&*f.store);
            }

            #[test]
            fn previous_sighting() {
                let Some(f) = fixture() else { return };
                suite::previous_sighting(&*f.store);
            }

            #[test]
            fn accounts_window() {
                let Some(f) = fixture() else { return };
                suite::accounts_window(&*f.store);
            }

            #[test]
            fn attempts_window() {
                let Some(f) = fixture() else { return };
                suite::attempts_window(&*f.store);
            }

            #[test]
            fn forget_device() {
                let Some(f) = fixture() else { return };
                suite::forget_device(&*f.store);
            }

            #[test]
            fn known_devices_sorted() {
                let Some(f) = fixture() else { return };
                suite::known_devices_sorted(&*f.store);
            }

            #[test]
            fn identity_count() {
                let Some(f) = fixture() else { return };
                suite::identity_count(&*f.store);
            }

            #[test]
            fn per_identity_caps() {
                let Some(f) = fixture() else { return };
                suite::per_identity_caps(&*f.store);
            }

            #[test]
            fn concurrent_same_identity() {
                let Some(f) = fixture() else { return };
                suite::concurrent_same_identity(Arc::clone(&f.store));
            }

            #[test]
            fn concurrent_distinct_identities() {
                let Some(f) = fixture() else { return };
                suite::concurrent_distinct_identities(Arc::clone(&f.store));
            }
        }
    };
}

conformance!(
    memory,
    Some(Fixture {
        store: Arc::new(MemoryStore::default()),
        _guard: Box::new(()),
    })
);

#[cfg(feature = "sqlite")]
conformance!(sqlite_file, Some(with_sqlite::file_fixture()));

#[cfg(feature = "sqlite")]
conformance!(
    sqlite_memory,
    Some(Fixture {
        store: Arc::new(clientid::store::SqliteStore::open_in_memory().unwrap()),
        _guard: Box::new(()),
    })
);

#[cfg(feature = "redis")]
conformance!(
    redis_server,
    with_redis::RedisServer::start().map(|server| Fixture {
        store: Arc::new(server.store()),
        _guard: Box::new(server),
    })
);

#[cfg(feature = "sqlite")]
mod with_sqlite {
    use std::path::Path;

    use clientid::reply::{AUTH_SUCCEEDED, POLICY_REFUSED};
    use clientid::store::SqliteStore;
    use clientid::{
        Action, AuthAttempt, ClientIdPolicy, PolicyEngine, Session, StoreError, TokenHasher,
        Verdict,
    };

    use super::*;

    pub fn file_fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("history.sqlite")).unwrap();
        Fixture {
            store: Arc::new(store),
            _guard: Box::new(dir),
        }
    }

    #[test]
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        {
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.path(), Some(path.as_path()));
            record(&store, &key(1), "alice", "net-a", T0, Windows::default());
            store.remember_device(&key(1), "alice", T0).unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let history = record(
            &store,
            &key(1),
            "alice",
            "net-b",
            T0 + 5,
            Windows::default(),
        );
        assert_eq!(
            history,
            History {
                known_device: true,
                distinct_accounts: 1,
                attempts: 2,
                previous: Some(PreviousSighting {
                    network: "net-a".into(),
                    at: T0,
                }),
            }
        );
        assert_eq!(store.known_devices("alice").unwrap().len(), 1);
        assert_eq!(store.identity_count().unwrap(), 1);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection.pragma_update(None, "user_version", 2).unwrap();
        drop(connection);
        let error = SqliteStore::open(&path).unwrap_err();
        assert!(
            matches!(&error, StoreError::Corrupt { message, .. } if message.contains("schema version 2")),
            "{error:?}"
        );
        assert!(!error.is_temporary());
    }

    #[test]
    fn refuses_a_file_that_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let error = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    }

    #[test]
    fn unopenable_path_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let error = SqliteStore::open(dir.path().join("missing/history.sqlite")).unwrap_err();
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error:?}");
        assert!(error.is_temporary());
    }

    /// Several connections to one file (as several processes would have): `BEGIN IMMEDIATE`
    /// and the busy timeout lose no attempt.
    #[test]
    fn connections_sharing_a_file_lose_nothing() {
        const THREADS: usize = 4;
        const EACH: usize = 50;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let path = path.clone();
                thread::spawn(move || {
                    let store = SqliteStore::open(&path).unwrap();
                    let mut seen = Vec::new();
                    for n in 0..EACH {
                        seen.push(
                            record(&store, &key(0), "a", "n", T0, Windows::default()).attempts,
                        );
                        let own = u32::try_from(1 + t * EACH + n).unwrap();
                        record(&store, &key(own), "a", "n", T0, Windows::default());
                    }
                    seen
                })
            })
            .collect();
        let mut seen: Vec<u32> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        seen.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(THREADS * EACH).unwrap()).collect();
        assert_eq!(seen, expected);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.identity_count().unwrap(), (1 + THREADS * EACH) as u64);
    }

    #[test]
    fn bulk_seed_makes_known_devices() {
        let store = SqliteStore::open_in_memory().unwrap();
        let seeded = store
            .bulk_seed((0..1_000).map(|n| (key(n), format!("user{}", n % 10), T0 + u64::from(n))))
            .unwrap();
        assert_eq!(seeded, 1_000);
        assert_eq!(store.identity_count().unwrap(), 1_000);
        let devices = store.known_devices("user3").unwrap();
        assert_eq!(devices.len(), 100);
        assert_eq!(devices[0].identity, key(3));
        assert_eq!(
            (devices[0].first_seen, devices[0].last_seen),
            (T0 + 3, T0 + 3)
        );
        assert!(record(&store, &key(13), "user3", "n", T0, Windows::default()).known_device);
        assert!(!record(&store, &key(13), "user4", "n", T0, Windows::default()).known_device);
        // Seeding again keeps the first time.
        store
            .bulk_seed([(key(3), "user3".to_owned(), T0 + 9)].into_iter())
            .unwrap();
        let device = &store.known_devices("user3").unwrap()[0];
        assert_eq!((device.first_seen, device.last_seen), (T0 + 3, T0 + 9));
        assert_eq!(store.identity_count().unwrap(), 1_000);
    }

    const LINE: &[u8] = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n";

    fn authenticate(engine: &PolicyEngine, line: &[u8], now: UnixTime) -> (Verdict, u16) {
        let mut session = Session::new(engine.session_config(), true);
        assert!(session.ehlo());
        assert_eq!(session.clientid(line).code, 250);
        let decision = engine.decide(
            &mut session,
            &AuthAttempt {
                account: "alice@example.com",
                credentials_valid: true,
                peer: "192.0.2.1".parse().unwrap(),
                location: None,
                now,
            },
        );
        (decision.verdict, decision.reply.code)
    }

    fn open_engine(path: &Path) -> (PolicyEngine, Arc<SqliteStore>) {
        let store = Arc::new(SqliteStore::open(path).unwrap());
        let policy = ClientIdPolicy {
            new_device: Action::Deny,
            ..ClientIdPolicy::default()
        };
        // The key must outlive the process for a persistent history (policy token_key_file).
        let engine = PolicyEngine::new(policy, store.clone(), TokenHasher::keyed([42; 32]));
        (engine, store)
    }

    /// draft §6.3 use case 3 over a restart: a device approved once stays known.
    #[test]
    fn engine_remembers_a_device_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        {
            let (engine, store) = open_engine(&path);
            assert_eq!(
                authenticate(&engine, LINE, T0),
                (Verdict::Refuse, POLICY_REFUSED.code)
            );
            // The administrator approves the device.
            let mut session = Session::new(engine.session_config(), true);
            session.ehlo();
            session.clientid(LINE);
            let key = engine.identity_key(session.presented_identity().unwrap());
            store
                .remember_device(&key, "alice@example.com", T0 + 1)
                .unwrap();
            assert_eq!(
                authenticate(&engine, LINE, T0 + 2),
                (Verdict::Allow, AUTH_SUCCEEDED.code)
            );
        }
        let (engine, _store) = open_engine(&path);
        assert_eq!(
            authenticate(&engine, LINE, T0 + 3),
            (Verdict::Allow, AUTH_SUCCEEDED.code)
        );
        // Another device is still new.
        assert_eq!(
            authenticate(
                &engine,
                b"CLIENTID UUID 0b9e6b3c-0d0e-4a53-9c55-2f6b8b1c6a11",
                T0 + 4
            ),
            (Verdict::Refuse, POLICY_REFUSED.code)
        );
    }
}

#[cfg(feature = "redis")]
mod with_redis {
    use std::net::TcpListener;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use clientid::StoreError;
    use clientid::store::RedisStore;

    use super::*;

    /// A `redis-server` of this test's own, on a free loopback port, killed on drop.
    pub struct RedisServer {
        child: Child,
        port: u16,
        _dir: tempfile::TempDir,
    }

    impl RedisServer {
        /// `None` (with a message) when `redis-server` is not installed, unless
        /// `MAILSEC_REQUIRE_REDIS=1`, when that fails the test.
        pub fn start() -> Option<RedisServer> {
            let dir = tempfile::tempdir().unwrap();
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = match spawn(port, dir.path()) {
                Ok(child) => child,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    assert!(
                        std::env::var("MAILSEC_REQUIRE_REDIS").as_deref() != Ok("1"),
                        "redis-server not found, and MAILSEC_REQUIRE_REDIS=1"
                    );
                    eprintln!("redis-server not found: Redis store test skipped");
                    return None;
                }
                Err(e) => panic!("cannot start redis-server: {e}"),
            };
            let server = RedisServer {
                child,
                port,
                _dir: dir,
            };
            server.wait_ready();
            Some(server)
        }

        /// Stops the server (its data is lost: nothing is saved).
        pub fn stop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }

        /// Starts it again on the same port, empty.
        pub fn restart(&mut self) {
            self.stop();
            self.child = spawn(self.port, self._dir.path()).unwrap();
            self.wait_ready();
        }

        fn wait_ready(&self) {
            let deadline = Instant::now() + Duration::from_secs(10);
            while RedisStore::connect(&self.url()).is_err() {
                assert!(Instant::now() < deadline, "redis-server did not start");
                thread::sleep(Duration::from_millis(20));
            }
        }

        pub fn url(&self) -> String {
            format!("redis://127.0.0.1:{}/", self.port)
        }

        pub fn store(&self) -> RedisStore {
            RedisStore::connect(&self.url()).unwrap()
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            self.stop();
        }
    }

    fn spawn(port: u16, dir: &std::path::Path) -> std::io::Result<Child> {
        Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    }

    fn attempt(store: &RedisStore, at: UnixTime) -> Result<History, StoreError> {
        store.record_attempt(
            &Sighting {
                identity: &key(1),
                account: "a",
                network: "n",
                at,
            },
            Windows::default(),
        )
    }

    #[test]
    fn unreachable_server_is_unavailable() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let error = RedisStore::connect(&format!("redis://127.0.0.1:{port}/")).unwrap_err();
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error:?}");
        assert!(error.is_temporary());
        let error = RedisStore::connect("not a url").unwrap_err();
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error:?}");
    }

    /// A lost server is a temporary failure; the store reconnects once it is back.
    #[test]
    fn server_gone_then_back() {
        let Some(mut server) = RedisServer::start() else {
            return;
        };
        let store = server
            .store()
            .with_timeout(Duration::from_millis(500))
            .with_prefix("t:");
        assert_eq!(attempt(&store, T0).unwrap().attempts, 1);
        server.stop();
        let error = attempt(&store, T0 + 1).unwrap_err();
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error:?}");
        assert!(error.is_temporary());
        let error = store.identity_count().unwrap_err();
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error:?}");
        server.restart();
        // The new server is empty (nothing was saved): a first attempt again.
        assert_eq!(attempt(&store, T0 + 2).unwrap().attempts, 1);
        assert_eq!(store.identity_count().unwrap(), 1);
    }

    /// Several nodes (each its own connection) recording one identity at once: the script
    /// runs atomically, so no attempt is lost and each node saw every attempt before its own.
    #[test]
    fn nodes_sharing_a_server_lose_nothing() {
        const NODES: usize = 4;
        const EACH: usize = 100;
        let Some(server) = RedisServer::start() else {
            return;
        };
        let handles: Vec<_> = (0..NODES)
            .map(|_| {
                let store = server.store();
                thread::spawn(move || {
                    (0..EACH)
                        .map(|_| attempt(&store, T0).unwrap().attempts)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        let mut seen: Vec<u32> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        seen.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(NODES * EACH).unwrap()).collect();
        assert_eq!(seen, expected);
        assert_eq!(server.store().identity_count().unwrap(), 1);
    }

    #[test]
    fn prefixes_keep_histories_apart() {
        let Some(server) = RedisServer::start() else {
            return;
        };
        let one = server.store().with_prefix("one:");
        let two = server.store().with_prefix("two:");
        record(&one, &key(1), "a", "n", T0, Windows::default());
        one.remember_device(&key(1), "a", T0).unwrap();
        assert_eq!(one.identity_count().unwrap(), 1);
        assert_eq!(two.identity_count().unwrap(), 0);
        assert_eq!(two.known_devices("a").unwrap(), vec![]);
        let history = record(&two, &key(1), "a", "n", T0 + 1, Windows::default());
        assert_eq!((history.known_device, history.attempts), (false, 1));
    }

    #[test]
    fn foreign_data_is_corrupt() {
        let Some(server) = RedisServer::start() else {
            return;
        };
        let store = server.store().with_prefix("x:");
        let client = redis::Client::open(server.url()).unwrap();
        let mut connection = client.get_connection().unwrap();
        redis::cmd("SET")
            .arg("x:identities")
            .arg("not a zset")
            .exec(&mut connection)
            .unwrap();
        let error = store.identity_count().unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
        let error = attempt(&store, T0).unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    }

    /// Identities without a known device are forgotten after the retention; known devices stay,
    /// and so do their identities once forgotten only until the retention runs out.
    #[test]
    fn retention_bounds_identities() {
        let Some(server) = RedisServer::start() else {
            return;
        };
        let store = server.store().with_retention(Duration::from_secs(100));
        let w = Windows {
            accounts: 10,
            attempts: 10,
        };
        record(&store, &key(1), "a", "n", T0, w);
        record(&store, &key(2), "a", "n", T0, w);
        store.remember_device(&key(2), "a", T0).unwrap();
        assert_eq!(store.identity_count().unwrap(), 2);
        record(&store, &key(3), "a", "n", T0 + 200, w);
        // key 1 is gone, key 2 is a known device.
        assert_eq!(store.identity_count().unwrap(), 2);
        assert!(record(&store, &key(2), "a", "n", T0 + 201, w).known_device);
        assert!(store.forget_device(&key(2), "a").unwrap());
        assert_eq!(store.identity_count().unwrap(), 2);
        record(&store, &key(4), "a", "n", T0 + 400, w);
        assert_eq!(store.identity_count().unwrap(), 1);
    }
}
