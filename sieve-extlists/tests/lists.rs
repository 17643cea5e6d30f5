//! The list backends: one conformance suite run against memory, directory and SQLite, plus each backend's own behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
#![cfg(feature = "sqlite")]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sieve_extlists::lists::{self, DirectoryLimits};
use sieve_extlists::{
    DirectoryLists, Enumeration, ListError, ListMatch, ListName, ListResolver, ListType,
    MemoryLists, SqliteLists,
};

/// The lists every backend is loaded with.
const LISTS: &[(&str, ListType, &[&str])] = &[
    (
        ":addrbook:default",
        ListType::Address,
        &["Alice@Example.org", "*@example.net", "*@*.Example.com"],
    ),
    (
        ":addrbook:Friends",
        ListType::Address,
        &["b@x.org", "A@x.org", "c@x.org", "a@X.org"],
    ),
    (
        "tag:example.com,2024:strings",
        ListType::String,
        &["Hello World", "exact"],
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        ListType::Ip,
        &[
            "192.0.2.0/24",
            "198.51.100.7",
            "2001:db8::/32",
            "2001:db8:1::/48",
            "::ffff:203.0.113.0/120",
            "0.0.0.0/0",
        ],
    ),
    (
        "tag:example.com,2024:v6only",
        ListType::Ip,
        &["2001:db8::/32"],
    ),
    (
        "tag:example.com,2024:ext",
        ListType::Extension,
        &[".EXE", "pdf"],
    ),
    (
        "tag:example.com,2024:dates",
        ListType::Date,
        &["2011-04-10", "2024-02-29"],
    ),
];

/// A backend under test, with whatever must outlive it.
struct Backend {
    label: &'static str,
    lists: Box<dyn ListResolver>,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> MemoryLists {
    let mut lists = MemoryLists::new();
    for (name, list_type, entries) in LISTS {
        lists
            .insert(name, *list_type, entries.iter().copied())
            .unwrap();
    }
    lists
}

fn write_list_file(dir: &Path, file: &str, name: &str, list_type: ListType, entries: &[&str]) {
    let mut text = format!(
        "# name: {name}\n# type: {}\n# a comment\n\n",
        list_type.as_str()
    );
    for entry in entries {
        text.push_str(entry);
        text.push('\n');
    }
    std::fs::write(dir.join(file), text).unwrap();
}

fn directory() -> (DirectoryLists, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for (index, (name, list_type, entries)) in LISTS.iter().enumerate() {
        write_list_file(
            dir.path(),
            &format!("{index}.list"),
            name,
            *list_type,
            entries,
        );
    }
    std::fs::write(dir.path().join("notes.txt"), "not a list file").unwrap();
    (DirectoryLists::open(dir.path()).unwrap(), dir)
}

fn sqlite_file() -> (SqliteLists, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let lists = SqliteLists::open(dir.path().join("lists.db")).unwrap();
    for (name, list_type, entries) in LISTS {
        lists
            .import(name, *list_type, entries.iter().copied())
            .unwrap();
    }
    (lists, dir)
}

fn backends() -> Vec<Backend> {
    let (dir_lists, dir) = directory();
    let (sqlite, sqlite_dir) = sqlite_file();
    let in_memory = SqliteLists::open_in_memory().unwrap();
    for (name, list_type, entries) in LISTS {
        in_memory
            .import(name, *list_type, entries.iter().copied())
            .unwrap();
    }
    vec![
        Backend {
            label: "memory",
            lists: Box::new(memory()),
            _dir: None,
        },
        Backend {
            label: "directory",
            lists: Box::new(dir_lists),
            _dir: Some(dir),
        },
        Backend {
            label: "sqlite file",
            lists: Box::new(sqlite),
            _dir: Some(sqlite_dir),
        },
        Backend {
            label: "sqlite in memory",
            lists: Box::new(in_memory),
            _dir: None,
        },
    ]
}

fn later() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

fn name(text: &str) -> ListName {
    ListName::parse(text).unwrap()
}

/// (list, value, the entry it matches)
const MATCHES: &[(&str, &str, Option<&str>)] = &[
    // Addresses: case-insensitive, domain and subdomain wildcards; the default book's name too.
    (
        ":ADDRBOOK:DEFAULT",
        "alice@example.org",
        Some("alice@example.org"),
    ),
    (
        ":addrbook:default",
        "ALICE@EXAMPLE.ORG",
        Some("alice@example.org"),
    ),
    (
        ":addrbook:%44efault",
        "bob@Example.NET",
        Some("*@example.net"),
    ),
    (":addrbook:default", "bob@sub.example.net", None),
    (
        ":addrbook:default",
        "x@mail.example.com",
        Some("*@*.example.com"),
    ),
    (
        ":addrbook:default",
        "x@a.b.EXAMPLE.com",
        Some("*@*.example.com"),
    ),
    (":addrbook:default", "x@example.com", None),
    (":addrbook:default", "alice@example.org.evil", None),
    (":addrbook:default", "nobody", None),
    (":addrbook:default", "", None),
    // Strings: octet for octet.
    (
        "tag:example.com,2024:strings",
        "Hello World",
        Some("Hello World"),
    ),
    ("tag:example.com,2024:strings", "hello world", None),
    ("tag:example.com,2024:strings", "exac", None),
    // IP: CIDR v4/v6, longest prefix first, IPv4-mapped values and entries, non-IP values.
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "192.0.2.200",
        Some("192.0.2.0/24"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "198.51.100.7",
        Some("198.51.100.7"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "198.51.100.8",
        Some("0.0.0.0/0"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "::ffff:192.0.2.5",
        Some("192.0.2.0/24"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "203.0.113.9",
        Some("::ffff:203.0.113.0/120"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "2001:db8:1::5",
        Some("2001:db8:1::/48"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "2001:DB8:2::1",
        Some("2001:db8::/32"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "[2001:db8::1]",
        Some("2001:db8::/32"),
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "2001:db9::1",
        None,
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "not an ip",
        None,
    ),
    (
        "tag:example.com,2011-04-10:DisallowedIPs",
        "192.0.2.0/24",
        None,
    ),
    ("tag:example.com,2024:v6only", "::ffff:192.0.2.5", None),
    ("tag:example.com,2024:v6only", "192.0.2.5", None),
    // Extensions: the text after the last dot, or a bare extension; case-insensitive.
    ("tag:example.com,2024:ext", "Invoice.PDF.exe", Some(".EXE")),
    ("tag:example.com,2024:ext", "report.Pdf", Some("pdf")),
    ("tag:example.com,2024:ext", "PDF", Some("pdf")),
    ("tag:example.com,2024:ext", ".exe", Some(".EXE")),
    ("tag:example.com,2024:ext", "exe.txt", None),
    ("tag:example.com,2024:ext", "archive.", None),
    // Dates: equal as dates.
    (
        "tag:example.com,2024:dates",
        "2011-04-10",
        Some("2011-04-10"),
    ),
    (
        "tag:example.com,2024:dates",
        "2024-02-29T23:59:59+02:00",
        Some("2024-02-29"),
    ),
    ("tag:example.com,2024:dates", "2011-04-11", None),
    ("tag:example.com,2024:dates", "2011-4-10", None),
    ("tag:example.com,2024:dates", "yesterday", None),
];

#[test]
fn every_type_matches_the_same_on_every_backend() {
    for backend in backends() {
        for (list, value, expected) in MATCHES {
            let found = backend
                .lists
                .find_first(&name(list), &[value], later())
                .unwrap();
            let expected = expected.map(|entry| ListMatch {
                value_index: 0,
                entry: entry.to_owned(),
            });
            assert_eq!(found, expected, "{}: {list} {value:?}", backend.label);
        }
    }
}

#[test]
fn find_first_stops_at_the_first_member() {
    for backend in backends() {
        let found = backend
            .lists
            .find_first(
                &name(":addrbook:default"),
                &["nobody@x.org", "bob@example.net", "alice@example.org"],
                later(),
            )
            .unwrap();
        assert_eq!(
            found,
            Some(ListMatch {
                value_index: 1,
                entry: "*@example.net".into()
            }),
            "{}",
            backend.label
        );
        assert_eq!(
            backend
                .lists
                .find_first(&name(":addrbook:default"), &[], later())
                .unwrap(),
            None
        );
    }
}

#[test]
fn only_plain_address_lists_enumerate() {
    for backend in backends() {
        let label = backend.label;
        let friends = name(":addrbook:Friends");
        let Enumeration::Members(mut members) =
            backend.lists.enumerate(&friends, 10, later()).unwrap()
        else {
            panic!("{label}: the friends book is enumerable");
        };
        members.sort();
        assert_eq!(members, ["a@x.org", "b@x.org", "c@x.org"], "{label}");
        // At most max + 1, so the caller can tell the list is too long.
        let Enumeration::Members(members) = backend.lists.enumerate(&friends, 1, later()).unwrap()
        else {
            panic!("{label}: the friends book is enumerable");
        };
        assert_eq!(members.len(), 2, "{label}");
        for list in [
            ":addrbook:default",
            "tag:example.com,2024:strings",
            "tag:example.com,2011-04-10:DisallowedIPs",
        ] {
            assert_eq!(
                backend.lists.enumerate(&name(list), 10, later()).unwrap(),
                Enumeration::NotEnumerable,
                "{label}: {list}"
            );
        }
        // Book names other than "default" keep their case (RFC 6134 §2.6).
        assert_eq!(
            backend
                .lists
                .enumerate(&name(":addrbook:friends"), 10, later()),
            Err(ListError::UnknownList),
            "{label}"
        );
    }
}

#[test]
fn unknown_lists() {
    for backend in backends() {
        let label = backend.label;
        let missing = name("tag:example.com,2024:missing");
        assert_eq!(backend.lists.is_valid(&missing), Ok(false), "{label}");
        assert_eq!(
            backend.lists.is_valid(&name(":Addrbook:DEFAULT")),
            Ok(true),
            "{label}"
        );
        assert_eq!(
            backend.lists.find_first(&missing, &["x"], later()),
            Err(ListError::UnknownList),
            "{label}"
        );
        assert_eq!(
            backend.lists.enumerate(&missing, 10, later()),
            Err(ListError::UnknownList),
            "{label}"
        );
        assert_eq!(backend.lists.schemes(), ["tag", "urn"], "{label}");
        assert_eq!(
            sieve_extlists::extlists_capability(&backend.lists),
            "tag urn",
            "{label}"
        );
    }
}

#[test]
fn a_deadline_already_past_is_a_timeout() {
    for backend in backends() {
        let past = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        let found =
            backend
                .lists
                .find_first(&name(":addrbook:default"), &["alice@example.org"], past);
        assert!(
            matches!(found, Err(ListError::Timeout(_))),
            "{}: {found:?}",
            backend.label
        );
        assert!(found.unwrap_err().is_temporary());
        let members = backend
            .lists
            .enumerate(&name(":addrbook:Friends"), 10, past);
        assert!(
            matches!(members, Err(ListError::Timeout(_))),
            "{}: {members:?}",
            backend.label
        );
    }
}

#[test]
fn eight_threads_look_up_concurrently() {
    for backend in backends() {
        let lists: Arc<dyn ListResolver> = Arc::from(backend.lists);
        let threads: Vec<_> = (0..8)
            .map(|thread| {
                let lists = Arc::clone(&lists);
                std::thread::spawn(move || {
                    let ips = name("tag:example.com,2011-04-10:DisallowedIPs");
                    let book = name(":addrbook:default");
                    for i in 0..300u32 {
                        let ip = format!("192.0.2.{}", (i + thread) % 256);
                        let found = lists.find_first(&ips, &[&ip], later()).unwrap();
                        assert_eq!(found.map(|m| m.entry), Some("192.0.2.0/24".to_owned()));
                        let address = format!("user{i}@example.net");
                        let found = lists
                            .find_first(&book, &["nobody@x.org", &address], later())
                            .unwrap();
                        assert_eq!(
                            found,
                            Some(ListMatch {
                                value_index: 1,
                                entry: "*@example.net".into()
                            })
                        );
                    }
                })
            })
            .collect();
        for thread in threads {
            thread
                .join()
                .unwrap_or_else(|_| panic!("{}: a lookup thread failed", backend.label));
        }
    }
}

#[test]
fn bad_entries_are_refused_with_the_list_and_position() {
    let cases: &[(ListType, &str)] = &[
        (ListType::Address, "not an address"),
        (ListType::Address, "a*@example.org"),
        (ListType::Ip, "192.0.2.1/24"),
        (ListType::Ip, "example.org"),
        (ListType::Extension, "tar.gz"),
        (ListType::Date, "2023-02-29"),
    ];
    for (list_type, bad) in cases {
        let mut memory = MemoryLists::new();
        let err = memory
            .insert("tag:x,2024:l", *list_type, [*bad])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tag:x,2024:l") && err.contains("entry 1") && err.contains(bad),
            "{err}"
        );
        let sqlite = SqliteLists::open_in_memory().unwrap();
        let err = sqlite
            .import("tag:x,2024:l", *list_type, [*bad])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tag:x,2024:l") && err.contains("entry 1") && err.contains(bad),
            "{err}"
        );
        assert!(sqlite.lists().unwrap().is_empty(), "nothing is stored");
    }
}

fn fast_limits() -> DirectoryLimits {
    let mut limits = DirectoryLimits::default();
    limits.check_interval = Duration::ZERO;
    limits
}

#[test]
fn a_directory_is_reloaded_when_a_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    write_list_file(
        dir.path(),
        "block.list",
        "tag:x,2024:block",
        ListType::Ip,
        &["192.0.2.0/24"],
    );
    let lists = DirectoryLists::open_with(dir.path(), fast_limits()).unwrap();
    let block = name("tag:x,2024:block");
    assert!(
        lists
            .find_first(&block, &["198.51.100.1"], later())
            .unwrap()
            .is_none()
    );

    // Edited in place: the new entry is seen without reopening.
    write_list_file(
        dir.path(),
        "block.list",
        "tag:x,2024:block",
        ListType::Ip,
        &["192.0.2.0/24", "198.51.100.0/24"],
    );
    let file = std::fs::File::options()
        .append(true)
        .open(dir.path().join("block.list"))
        .unwrap();
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(file);
    assert_eq!(
        lists
            .find_first(&block, &["198.51.100.1"], later())
            .unwrap()
            .map(|m| m.entry)
            .as_deref(),
        Some("198.51.100.0/24")
    );

    // A new file is a new list.
    write_list_file(
        dir.path(),
        "book.list",
        ":addrbook:default",
        ListType::Address,
        &["a@x.org"],
    );
    assert_eq!(lists.is_valid(&name(":addrbook:default")), Ok(true));
    assert_eq!(lists.lists().len(), 2);

    // A broken file defers rather than answering from a half-written list.
    std::fs::write(
        dir.path().join("block.list"),
        "# name: tag:x,2024:block\n# type: ip\nnot-an-ip\n",
    )
    .unwrap();
    let broken = lists.find_first(&block, &["192.0.2.1"], later());
    assert!(
        matches!(&broken, Err(ListError::Temporary(message)) if message.contains("block.list:3:")),
        "{broken:?}"
    );
    assert_eq!(lists.reload_now().unwrap().len(), 1);

    // A removed file takes its list with it.
    std::fs::remove_file(dir.path().join("block.list")).unwrap();
    assert_eq!(lists.is_valid(&block), Ok(false));
    assert_eq!(
        lists.find_first(&block, &["192.0.2.1"], later()),
        Err(ListError::UnknownList)
    );
}

#[test]
fn directory_limits_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    write_list_file(
        dir.path(),
        "a.list",
        "tag:x,2024:a",
        ListType::String,
        &["one", "two", "three"],
    );
    let mut limits = fast_limits();
    limits.max_entries = 2;
    let err = DirectoryLists::open_with(dir.path(), limits)
        .unwrap_err()
        .to_string();
    assert!(err.contains("a.list:7: more than 2 entries"), "{err}");
    let mut limits = fast_limits();
    limits.max_file_bytes = 16;
    let err = DirectoryLists::open_with(dir.path(), limits)
        .unwrap_err()
        .to_string();
    assert!(err.contains("larger than the limit of 16 bytes"), "{err}");
    write_list_file(
        dir.path(),
        "b.list",
        "TAG:x,2024:a",
        ListType::String,
        &["x"],
    );
    let err = DirectoryLists::open(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("b.list: list tag:x,2024:a is already defined by"),
        "{err}"
    );
    assert!(DirectoryLists::open(dir.path().join("missing")).is_err());
}

#[test]
fn a_busy_database_is_a_temporary_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lists.db");
    let lists = SqliteLists::open(&path).unwrap();
    lists
        .import(":addrbook:default", ListType::Address, ["a@x.org"])
        .unwrap();
    let book = name(":addrbook:default");
    assert!(
        lists
            .find_first(&book, &["a@x.org"], later())
            .unwrap()
            .is_some()
    );

    // Another process holds the database exclusively.
    lists.close_idle();
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE scratch (x);",
        )
        .unwrap();
    let started = Instant::now();
    let busy = lists.find_first(&book, &["a@x.org"], later());
    assert!(matches!(&busy, Err(ListError::Temporary(_))), "{busy:?}");
    assert!(busy.unwrap_err().is_temporary());
    assert!(started.elapsed() < Duration::from_secs(5));
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    assert!(
        lists
            .find_first(&book, &["a@x.org"], later())
            .unwrap()
            .is_some()
    );
}

const TOML: &str = r#"
[[list]]
name = "tag:example.com,2011-04-10:DisallowedIPs"
type = "ip"        # address | string | ip | extension | date
entries = ["192.0.2.0/24", "198.51.100.7"]

[[list]]
name = ":addrbook:DEFAULT"
type = "address"
file = "addrbook.txt"     # one entry per line, relative to the TOML file's directory
"#;

fn toml_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lists.toml"), TOML).unwrap();
    std::fs::write(
        dir.path().join("addrbook.txt"),
        "# my friends\nAlice@Example.org\n*@example.net\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_toml_lists_file() {
    let dir = toml_dir();
    let lists = MemoryLists::from_toml_file(dir.path().join("lists.toml")).unwrap();
    let infos = lists.lists();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[1].name, "urn:ietf:params:sieve:addrbook:default");
    assert_eq!(infos[1].entries, 2);
    let found = lists
        .find_first(&name(":addrbook:default"), &["bob@example.NET"], later())
        .unwrap();
    assert_eq!(found.map(|m| m.entry).as_deref(), Some("*@example.net"));

    let same = MemoryLists::from_toml_str(TOML, dir.path()).unwrap();
    assert_eq!(same.lists(), infos);
}

#[test]
fn toml_errors_give_line_and_column() {
    let cases: &[(&str, &str)] = &[
        (
            "[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\nentries = [\"192.0.2.0/24\", \"nope\"]\n",
            "4:28: list tag:x,2024:l: invalid entry \"nope\"",
        ),
        (
            "[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\nentries = []\nextra = true\n",
            "5:1: unknown field `extra`",
        ),
        ("[lists]\n", "1:2: unknown field `lists`"),
        (
            "[[list]]\nname = \"tag:x,2024:l\"\ntype = \"word\"\nentries = []\n",
            "3:8: unknown list type \"word\"",
        ),
        (
            "[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\nentries = []\nfile = \"x.txt\"\n",
            "1:1: list tag:x,2024:l: give exactly one of entries or file",
        ),
        (
            "[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\nentries = [1]\n",
            "4:12:",
        ),
        ("[[list]]\nname = \"tag:x,2024:l\"\n type = \n", "3:9:"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lists.toml");
    for (text, expected) in cases {
        std::fs::write(&path, text).unwrap();
        let err = MemoryLists::from_toml_file(&path).unwrap_err().to_string();
        assert!(
            err.contains(&format!("lists.toml:{expected}")),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn open_chooses_the_backend_by_content() {
    let dir = toml_dir();
    let toml_path = dir.path().join("lists.toml");
    let from_toml = lists::open(&toml_path).unwrap();
    assert_eq!(from_toml.is_valid(&name(":addrbook:default")), Ok(true));

    let db_path = dir.path().join("lists.db");
    let store = SqliteLists::open(&db_path).unwrap();
    let imported = store.import_toml(&toml_path).unwrap();
    assert_eq!(
        imported.iter().map(|i| i.entries).collect::<Vec<_>>(),
        [2, 2]
    );
    assert_eq!(
        store.lists().unwrap(),
        MemoryLists::from_toml_file(&toml_path).unwrap().lists()
    );
    drop(store);
    let from_db = lists::open(&db_path).unwrap();
    let found = from_db
        .find_first(
            &name("tag:example.com,2011-04-10:DisallowedIPs"),
            &["192.0.2.9"],
            later(),
        )
        .unwrap();
    assert_eq!(found.map(|m| m.entry).as_deref(), Some("192.0.2.0/24"));

    let list_dir = dir.path().join("lists.d");
    std::fs::create_dir(&list_dir).unwrap();
    write_list_file(
        &list_dir,
        "x.list",
        "tag:x,2024:x",
        ListType::String,
        &["x"],
    );
    assert_eq!(
        lists::open(&list_dir)
            .unwrap()
            .is_valid(&name("tag:x,2024:x")),
        Ok(true)
    );

    assert!(lists::open(dir.path().join("missing.toml")).is_err());
}

#[test]
fn a_bad_toml_import_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lists.toml");
    std::fs::write(
        &path,
        "[[list]]\nname = \"tag:x,2024:a\"\ntype = \"string\"\nentries = [\"a\"]\n\
         [[list]]\nname = \"tag:x,2024:b\"\ntype = \"date\"\nentries = [\"2024-99-01\"]\n",
    )
    .unwrap();
    let store = SqliteLists::open_in_memory().unwrap();
    let err = store.import_toml(&path).unwrap_err().to_string();
    assert!(err.contains("lists.toml:8:12: list tag:x,2024:b"), "{err}");
    assert!(store.lists().unwrap().is_empty());
    assert!(store.remove("tag:x,2024:a").is_ok_and(|removed| !removed));
}
