//! Throughput of a CLIENTID server: session events per second, and policy decisions per second
//! over each history store holding many identities.
//!
//! Run: `cargo bench -p clientid --bench session --features redis -- --warm-up-time 1 --measurement-time 3`.
//! The stores hold 1,000,000 known devices; `cargo test --benches` (criterion's test mode)
//! seeds 10,000 so that CI stays fast. The Redis benchmark starts its own `redis-server` on a
//! free loopback port, and is skipped with a message when there is none.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use clientid::store::{HistoryStore, MemoryStore, SqliteStore};
use clientid::{
    AuthAttempt, AuthOutcome, ClientIdCommand, ClientIdPolicy, IdentityKey, PolicyEngine, Session,
    SessionConfig, TokenHasher,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const LINE: &[u8] = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n";
const T0: u64 = 1_700_000_000;
const ACCOUNTS: u64 = 100_000;

/// A realistic policy: every heuristic with a history on.
const POLICY: &str = r#"
new_device = "alert"
[shared_identity]
max_accounts = 3
window_seconds = 86400
[rate]
max_attempts = 20
window_seconds = 600
[travel]
window_seconds = 3600
action = "alert"
"#;

/// How many identities the stores hold: a million when benchmarking, fewer in test mode.
fn seeded() -> u64 {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        10_000
    }
}

fn line_of(n: u64) -> String {
    format!("CLIENTID UUID 00000000-0000-4000-8000-{n:012x}\r\n")
}

fn account_of(n: u64) -> String {
    format!("user{}@example.com", n % ACCOUNTS)
}

fn key_of(hasher: &TokenHasher, n: u64) -> IdentityKey {
    let line = line_of(n);
    let command = ClientIdCommand::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    hasher.key_of(command.client_type(), command.token())
}

fn hasher() -> TokenHasher {
    TokenHasher::keyed([7; 32])
}

fn bench_session(c: &mut Criterion) {
    let config = Arc::new(SessionConfig::default());
    let mut group = c.benchmark_group("clientid/session");
    group.throughput(Throughput::Elements(1));
    group.bench_function("STARTTLS, EHLO, CLIENTID, AUTH, RSET, QUIT", |b| {
        b.iter(|| {
            let mut session = Session::new(Arc::clone(&config), false);
            session.tls_established();
            let advertised = session.ehlo();
            let reply = session.clientid(black_box(LINE));
            session.auth_started();
            session.auth_finished(AuthOutcome::Succeeded);
            session.rset();
            session.quit();
            (advertised, reply.code)
        })
    });
    group.bench_function("CLIENTID line parsing alone", |b| {
        b.iter(|| ClientIdCommand::parse(black_box(LINE)).is_ok())
    });
    group.finish();
}

/// A decision stream: three in four from a seeded (known) device for its account, one in four
/// from a device never seen; the clock moves one second per thousand decisions.
struct Workload {
    engine: PolicyEngine,
    seeded: u64,
    state: u64,
    fresh: u64,
    step: u64,
}

impl Workload {
    fn new(store: Arc<dyn HistoryStore>, seeded: u64) -> Workload {
        let policy: ClientIdPolicy = toml::from_str(POLICY).unwrap_or_else(|e| panic!("{e}"));
        Workload {
            engine: PolicyEngine::new(policy, store, hasher()),
            seeded,
            state: 0x9e37_79b9_7f4a_7c15,
            fresh: seeded,
            step: 0,
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64: cheap, and the same sequence for every store.
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn decide(&mut self) -> u16 {
        self.step += 1;
        let random = self.next_random();
        let n = if random.is_multiple_of(4) {
            self.fresh += 1;
            self.fresh
        } else {
            (random >> 2) % self.seeded
        };
        self.decide_for(n).reply.code
    }

    fn decide_for(&self, n: u64) -> clientid::Decision {
        let line = line_of(n);
        let account = account_of(n);
        let mut session = Session::new(self.engine.session_config(), true);
        session.ehlo();
        session.clientid(line.as_bytes());
        let peer = std::net::IpAddr::from([198, 51, (n >> 8) as u8, n as u8]);
        self.engine.decide(
            &mut session,
            &AuthAttempt {
                account: &account,
                credentials_valid: true,
                peer,
                location: None,
                now: T0 + self.step / 1_000,
            },
        )
    }
}

fn bench_decisions(c: &mut Criterion, name: &str, store: Arc<dyn HistoryStore>, seeded: u64) {
    let mut workload = Workload::new(store, seeded);
    // The seeded devices are known, and a new one is noticed: the benchmark measures what it says.
    let known = workload.decide_for(seeded / 2);
    assert!(known.findings.is_empty(), "{}", known.log_line());
    let new = workload.decide_for(u64::MAX >> 16);
    assert_eq!(new.findings.len(), 1, "{}", new.log_line());
    let mut group = c.benchmark_group("clientid/decide");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("{name}, {seeded} known devices"), |b| {
        b.iter(|| workload.decide())
    });
    group.finish();
}

fn report_seeding(name: &str, n: u64, started: Instant) {
    let elapsed = started.elapsed();
    eprintln!(
        "{name}: seeded {n} known devices in {:.2} s ({:.0} per second)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
}

fn bench_memory(c: &mut Criterion) {
    let n = seeded();
    // Room for the seeded devices and every new identity the benchmark brings.
    let store = Arc::new(MemoryStore::with_capacity(
        usize::try_from(4 * n).unwrap_or(usize::MAX),
    ));
    let hasher = hasher();
    let started = Instant::now();
    for i in 0..n {
        store
            .remember_device(&key_of(&hasher, i), &account_of(i), T0)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    report_seeding("memory", n, started);
    bench_decisions(c, "memory", store, n);
}

fn bench_sqlite(c: &mut Criterion) {
    let n = seeded();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store =
        SqliteStore::open(dir.path().join("history.sqlite")).unwrap_or_else(|e| panic!("{e}"));
    let hasher = hasher();
    let started = Instant::now();
    store
        .bulk_seed((0..n).map(|i| (key_of(&hasher, i), account_of(i), T0)))
        .unwrap_or_else(|e| panic!("{e}"));
    report_seeding("sqlite (bulk_seed)", n, started);
    bench_decisions(c, "sqlite file", Arc::new(store), n);
}

#[cfg(feature = "redis")]
mod redis_server {
    use std::net::TcpListener;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use clientid::store::RedisStore;

    /// A `redis-server` of the benchmark's own, killed on drop.
    pub struct RedisServer {
        child: Child,
        pub url: String,
        _dir: tempfile::TempDir,
    }

    impl RedisServer {
        pub fn start() -> Option<RedisServer> {
            let dir = tempfile::tempdir().ok()?;
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .ok()?
                .port();
            let child = match Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            {
                Ok(child) => child,
                Err(e) => {
                    eprintln!("redis-server not started ({e}): Redis benchmark skipped");
                    return None;
                }
            };
            let server = RedisServer {
                child,
                url: format!("redis://127.0.0.1:{port}/"),
                _dir: dir,
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while RedisStore::connect(&server.url).is_err() {
                if Instant::now() > deadline {
                    eprintln!("redis-server did not start: Redis benchmark skipped");
                    return None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Some(server)
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(feature = "redis")]
fn bench_redis(c: &mut Criterion) {
    use clientid::store::RedisStore;

    let Some(server) = redis_server::RedisServer::start() else {
        return;
    };
    let n = seeded();
    let started = Instant::now();
    // Seeded through the store itself, from a few connections at once.
    const SEEDERS: u64 = 4;
    std::thread::scope(|scope| {
        for seeder in 0..SEEDERS {
            let url = &server.url;
            scope.spawn(move || {
                let store = RedisStore::connect(url).unwrap_or_else(|e| panic!("{e}"));
                let hasher = hasher();
                for i in (seeder..n).step_by(SEEDERS as usize) {
                    store
                        .remember_device(&key_of(&hasher, i), &account_of(i), T0)
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            });
        }
    });
    report_seeding("redis (remember_device, 4 connections)", n, started);
    let store = RedisStore::connect(&server.url).unwrap_or_else(|e| panic!("{e}"));
    bench_decisions(c, "redis loopback", Arc::new(store), n);
    drop(server);
}

#[cfg(not(feature = "redis"))]
fn bench_redis(_: &mut Criterion) {
    eprintln!("built without the `redis` feature: Redis benchmark skipped");
}

criterion_group!(
    benches,
    bench_session,
    bench_memory,
    bench_sqlite,
    bench_redis
);
criterion_main!(benches);
