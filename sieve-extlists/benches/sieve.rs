//! Speed of the RFC 6134 §2.9 examples: compile time of each script, evaluations per second on a
//! 10 KB message against 100,000-entry lists (SQLite and in memory), and raw lookups per second
//! against a 1,000,000-entry SQLite list.
//! Run: `cargo bench -p sieve-extlists --bench sieve`.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on setup errors

use std::fs;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sieve_extlists::{
    Clock, Context, ListName, ListResolver, ListType, MemoryLists, Script, SqliteLists,
};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/specs/rfc6134-examples/"
);
const SCRIPTS: [&str; 6] = ["ex1a", "ex1b", "ex2", "ex3", "ex4", "ex5"];

const ADDRBOOK: &str = "urn:ietf:params:sieve:addrbook:default";
const HOLIDAYS: &str = "tag:example.com,2011-01-01:localHolidays";
const MYLIST: &str = "tag:example.com,2010-05-28:mylist";
const DISALLOWED_IPS: &str = "tag:example.com,2011-04-10:DisallowedIPs";
const BAD_EXTENSIONS: &str = "tag:example.com,2011-04-10:BadFileNameExts";

/// Entries per list in the evaluation benchmarks, and in the lookup benchmark.
const LIST_ENTRIES: usize = 100_000;
const BIG_LIST_ENTRIES: usize = 1_000_000;
/// The size every benchmark message is padded to.
const MESSAGE_BYTES: usize = 10 * 1024;

/// 2011-12-25T12:00:00Z: a holiday in the date list.
const CHRISTMAS_NOON_2011: i64 = 1_324_814_400;

fn script_text(name: &str) -> String {
    fs::read_to_string(format!("{EXAMPLES}{name}.sieve")).unwrap()
}

/// `yyyy-mm-dd` of a day counted from 1970-01-01 (the civil-from-days algorithm).
fn date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The lists the examples query, 100,000 entries each, each holding the value the benchmark
/// message matches.
fn lists() -> Vec<(&'static str, ListType, Vec<String>)> {
    let addresses = |first: &str| {
        let mut entries: Vec<String> = (1..LIST_ENTRIES)
            .map(|i| format!("user{i}@host{}.example.org", i % 997))
            .collect();
        entries.insert(LIST_ENTRIES / 2, first.to_owned());
        entries
    };
    // 100,000 consecutive days from 1850-01-01 (-43,829) cover 2011-12-25.
    let dates: Vec<String> = (0..LIST_ENTRIES as i64).map(|d| date(d - 43_829)).collect();
    let mut ips: Vec<String> = (1..LIST_ENTRIES)
        .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 0xff, i & 0xff))
        .collect();
    ips.insert(LIST_ENTRIES / 2, "192.0.2.0/24".to_owned());
    let mut extensions: Vec<String> = (1..LIST_ENTRIES).map(|i| format!("x{i}")).collect();
    extensions.insert(LIST_ENTRIES / 2, "exe".to_owned());
    vec![
        (ADDRBOOK, ListType::Address, addresses("friend@example.org")),
        (HOLIDAYS, ListType::Date, dates),
        (MYLIST, ListType::Address, addresses("bob@example.org")),
        (DISALLOWED_IPS, ListType::Ip, ips),
        (BAD_EXTENSIONS, ListType::Extension, extensions),
    ]
}

/// A message of [`MESSAGE_BYTES`]: `head` (header fields, CRLF-terminated), then a text body.
fn message(head: &str) -> Vec<u8> {
    let mut message = format!("{head}\r\n");
    let line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n";
    while message.len() + line.len() <= MESSAGE_BYTES {
        message.push_str(line);
    }
    message.into_bytes()
}

/// A multipart message of [`MESSAGE_BYTES`] whose attachment is `report.exe`.
fn attachment_message() -> Vec<u8> {
    let mut message = String::from(
        "From: sender@example.org\r\nTo: me@example.com\r\nSubject: figures\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"report.exe\"\r\n\r\n",
    );
    let line = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n";
    while message.len() + line.len() + 8 <= MESSAGE_BYTES {
        message.push_str(line);
    }
    message.push_str("--b1--\r\n");
    message.into_bytes()
}

/// One evaluation benchmark: the script, the message, and the envelope.
struct Case {
    name: &'static str,
    script: &'static str,
    message: Vec<u8>,
    from: &'static str,
    to: &'static str,
}

fn cases() -> Vec<Case> {
    let received = "Received: from mail.example.net (mail.example.net [192.0.2.10]) by mx.example.com \
                    with ESMTPS id 4Qx; Mon, 11 Apr 2011 10:00:00 +0000\r\n";
    let common = "To: me@example.com\r\nSubject: benchmark\r\nMessage-ID: <b@example.org>\r\n";
    let spam = message(&format!(
        "From: friend@example.org\r\n{common}X-Spam-Score: 9\r\n"
    ));
    vec![
        Case {
            name: "ex1a (known sender, fileinto spam)",
            script: "ex1a",
            message: spam.clone(),
            from: "friend@example.org",
            to: "me@example.com",
        },
        Case {
            name: "ex1b (known sender, fileinto spam)",
            script: "ex1b",
            message: spam,
            from: "friend@example.org",
            to: "me@example.com",
        },
        Case {
            name: "ex2 (holiday, notify)",
            script: "ex2",
            message: message(&format!("From: friend@example.org\r\n{common}")),
            from: "friend@example.org",
            to: "me@example.com",
        },
        Case {
            // The sender is on the 100,000-member list; redirect :list stops at the default
            // max_list_recipients (100) with a limit error, as a host would configure it.
            name: "ex3 (member, redirect :list hits max_list_recipients)",
            script: "ex3",
            message: message(&format!("From: bob@example.org\r\n{common}")),
            from: "bob@example.org",
            to: "alexey+mylist@example.com",
        },
        Case {
            name: "ex3 (non-member, keep)",
            script: "ex3",
            message: message(&format!("From: mallory@example.net\r\n{common}")),
            from: "mallory@example.net",
            to: "alexey+mylist@example.com",
        },
        Case {
            name: "ex4 (blocked IP, reject)",
            script: "ex4",
            message: message(&format!("{received}From: a@example.net\r\n{common}")),
            from: "a@example.net",
            to: "me@example.com",
        },
        Case {
            name: "ex5 (report.exe, enclose)",
            script: "ex5",
            message: attachment_message(),
            from: "sender@example.org",
            to: "me@example.com",
        },
    ]
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("sieve/compile");
    group.throughput(Throughput::Elements(1));
    for name in SCRIPTS {
        let text = script_text(name);
        Script::compile(&text).unwrap();
        group.bench_function(name, |b| b.iter(|| Script::compile(black_box(&text))));
    }
    group.finish();
}

fn bench_evaluate(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteLists::open(dir.path().join("lists.sqlite")).unwrap();
    let mut memory = MemoryLists::new();
    for (name, list_type, entries) in lists() {
        sqlite
            .import(name, list_type, entries.iter().map(String::as_str))
            .unwrap();
        memory
            .insert(name, list_type, entries.iter().map(String::as_str))
            .unwrap();
    }
    let backends: [(&str, &dyn ListResolver); 2] = [("sqlite", &sqlite), ("memory", &memory)];
    for (backend, lists) in backends {
        let mut group = c.benchmark_group(format!("sieve/evaluate/{backend} 100k"));
        group.throughput(Throughput::Elements(1));
        for case in cases() {
            let script = Script::compile(&script_text(case.script)).unwrap();
            let context = Context::new(lists)
                .with_envelope(Some(case.from), Some(case.to))
                .with_clock(Clock::Fixed {
                    unix: CHRISTMAS_NOON_2011,
                    offset_minutes: 0,
                })
                .with_spamtest("X-Spam-Score", 10.0);
            // Each case takes the branch its name says (or ends at the limit it names).
            let first = script.evaluate(&case.message, &context);
            match (case.script, &first) {
                ("ex3", Err(sieve_extlists::Error::Limit { .. })) => {}
                ("ex3", Ok(outcome)) if case.from == "mallory@example.net" => {
                    assert!(outcome.implicit_keep(), "{}", case.name);
                }
                (_, Ok(outcome)) => assert!(
                    outcome.actions.iter().any(|a| a.name() != "keep"),
                    "{}: {:?}",
                    case.name,
                    outcome.actions
                ),
                (_, Err(error)) => panic!("{}: {error}", case.name),
            }
            group.bench_function(case.name, |b| {
                b.iter(|| script.evaluate(black_box(&case.message), &context))
            });
        }
        group.finish();
    }
}

fn bench_lookup(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteLists::open(dir.path().join("big.sqlite")).unwrap();
    let name = "tag:example.com,2026:big";
    sqlite
        .import(
            name,
            ListType::Address,
            (0..BIG_LIST_ENTRIES).map(|i| format!("user{i}@host{}.example.org", i % 997)),
        )
        .unwrap();
    let list = ListName::parse(name).unwrap();
    let deadline = || Instant::now() + Duration::from_secs(5);
    let hits: Vec<String> = (0..1024)
        .map(|i| {
            let i = (i * 7919) % BIG_LIST_ENTRIES;
            format!("user{i}@host{}.example.org", i % 997)
        })
        .collect();
    let misses: Vec<String> = (0..1024)
        .map(|i| format!("nobody{i}@elsewhere.example.net"))
        .collect();
    assert!(
        sqlite
            .find_first(&list, &[hits[1].as_str()], deadline())
            .unwrap()
            .is_some()
    );
    assert!(
        sqlite
            .find_first(&list, &[misses[1].as_str()], deadline())
            .unwrap()
            .is_none()
    );

    let mut group = c.benchmark_group("sieve/lookup/sqlite 1M address");
    group.throughput(Throughput::Elements(1));
    for (kind, values) in [("hit", &hits), ("miss", &misses)] {
        let mut next = 0;
        group.bench_function(kind, |b| {
            b.iter(|| {
                next = (next + 1) % values.len();
                sqlite.find_first(&list, &[black_box(values[next].as_str())], deadline())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_compile, bench_evaluate, bench_lookup);
criterion_main!(benches);
