//! The five RFC 6134 §2.9 example scripts, run end to end against the SQLite and in-memory list stores.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
#![cfg(feature = "sqlite")] // half of every case runs on the SQLite store

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use sieve_extlists::{
    Action, Clock, Context, Error, Limits, ListResolver, ListType, MemoryLists, Outcome, Script,
    SqliteLists,
};

/// The example scripts, read from the specification directory (never copied into the project).
const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/specs/rfc6134-examples/"
);

const ADDRBOOK: &str = "urn:ietf:params:sieve:addrbook:default";
const HOLIDAYS: &str = "tag:example.com,2011-01-01:localHolidays";
const MYLIST: &str = "tag:example.com,2010-05-28:mylist";
const DISALLOWED_IPS: &str = "tag:example.com,2011-04-10:DisallowedIPs";
const BAD_EXTENSIONS: &str = "tag:example.com,2011-04-10:BadFileNameExts";

fn example_text(name: &str) -> String {
    let path = format!("{EXAMPLES}{name}.sieve");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn example(name: &str) -> Script {
    Script::compile(&example_text(name)).unwrap_or_else(|e| panic!("{name}.sieve: {e}"))
}

/// One list to load into both stores: name, type, entries.
type ListSpec<'a> = (&'a str, ListType, &'a [&'a str]);

/// The same lists in an SQLite file (imported) and in memory.
struct Stores {
    _dir: tempfile::TempDir,
    path: PathBuf,
    sqlite: SqliteLists,
    memory: MemoryLists,
}

impl Stores {
    fn new(lists: &[ListSpec<'_>]) -> Stores {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lists.sqlite");
        let sqlite = SqliteLists::open(&path).unwrap();
        let mut memory = MemoryLists::new();
        for (name, list_type, entries) in lists {
            let imported = sqlite
                .import(name, *list_type, entries.iter().copied())
                .unwrap();
            assert_eq!(imported, entries.len(), "{name}: entries imported");
            memory
                .insert(name, *list_type, entries.iter().copied())
                .unwrap();
        }
        Stores {
            _dir: dir,
            path,
            sqlite,
            memory,
        }
    }

    /// Both stores, named for assertion messages.
    fn each(&self) -> [(&'static str, &dyn ListResolver); 2] {
        [("sqlite", &self.sqlite), ("memory", &self.memory)]
    }
}

fn implicit_keep() -> Action {
    Action::Keep {
        flags: vec![],
        implicit: true,
    }
}

fn fileinto_spam() -> Action {
    Action::Fileinto {
        mailbox: "spam".into(),
        flags: vec![],
        copy: false,
    }
}

fn run(script: &Script, message: &[u8], context: &Context<'_>) -> Outcome {
    script
        .evaluate(message, context)
        .unwrap_or_else(|e| panic!("evaluation failed: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Example 1 (RFC 6134 §2.9.1): address book + spamtest (RFC 5235) + relational (RFC 5231).

fn spam_message(score: u32) -> Vec<u8> {
    format!(
        "From: Someone <someone@example.org>\r\nTo: me@example.com\r\nSubject: offer\r\n\
         X-Spam-Score: {score}\r\nMessage-ID: <1@example.org>\r\n\r\nBody.\r\n"
    )
    .into_bytes()
}

fn addrbook() -> Stores {
    Stores::new(&[(
        ADDRBOOK,
        ListType::Address,
        &[
            "friend@example.org",
            "Colleague@Example.COM",
            "*@family.example",
        ],
    )])
}

/// Both forms of example 1 must agree: a known sender tolerates spamtest values up to 7, an
/// unknown one up to 2. RFC 5235 §3.2 leaves the scale to the implementation (1 = tested and
/// not spam … 10 = certainly spam); this one maps a score s of at most max to 1 + ⌊9·s/max⌋, so
/// with a maximum of 10 the scores 1 to 10 are the spamtest values 1 to 10.
fn check_example_1(name: &str) {
    let script = example(name);
    let stores = addrbook();
    let cases: &[(&str, u32, Action)] = &[
        ("friend@example.org", 5, implicit_keep()),
        ("friend@example.org", 9, fileinto_spam()),
        // Address books are queried without regard to case (RFC 6134 §2.5).
        ("colleague@example.com", 5, implicit_keep()),
        ("FRIEND@EXAMPLE.ORG", 9, fileinto_spam()),
        ("aunt@family.example", 7, implicit_keep()),
        ("stranger@example.net", 4, fileinto_spam()),
        ("stranger@example.net", 2, implicit_keep()),
        ("stranger@example.net", 3, fileinto_spam()),
        ("friend@example.org.evil.example", 5, fileinto_spam()),
    ];
    for (backend, lists) in stores.each() {
        for (from, score, expected) in cases {
            let context = Context::new(lists)
                .with_envelope(Some(from), Some("me@example.com"))
                .with_spamtest("X-Spam-Score", 10.0);
            let outcome = run(&script, &spam_message(*score), &context);
            assert_eq!(
                outcome.actions,
                std::slice::from_ref(expected),
                "{name} on {backend}: envelope from {from}, spam score {score}"
            );
        }
    }
}

#[test]
fn example_1_first_form() {
    check_example_1("ex1a");
}

#[test]
fn example_1_second_form_with_variables() {
    check_example_1("ex1b");
}

// ---------------------------------------------------------------------------------------------
// Example 2 (RFC 6134 §2.9.2): currentdate (RFC 5260 §5) against a list of dates, enotify.

/// 2011-12-25T00:00:00Z.
const CHRISTMAS_2011: i64 = 1_324_771_200;

#[test]
fn example_2_holidays() {
    let script = example("ex2");
    let stores = Stores::new(&[(
        HOLIDAYS,
        ListType::Date,
        &["2011-01-01", "2011-07-04", "2011-12-25"],
    )]);
    let notify = Action::Notify {
        method: "xmpp:romeo@im.example.com".into(),
        from: None,
        // RFC 5435 §3.4: the default importance is "2".
        importance: 2,
        options: vec![],
        message: None,
    };
    let message = b"From: juliet@example.org\r\nTo: romeo@example.com\r\nSubject: hi\r\n\r\nhi\r\n";
    // (instant, local offset in minutes, holiday?) — without :zone the local zone decides the
    // date (RFC 5260 §4.1, §5).
    let cases: &[(i64, i32, bool)] = &[
        (CHRISTMAS_2011 + 12 * 3600, 0, true),
        (CHRISTMAS_2011 + 2 * 86_400 + 12 * 3600, 0, false),
        (CHRISTMAS_2011 - 30 * 60, 60, true),
        (CHRISTMAS_2011 + 30 * 60, -60, false),
        (CHRISTMAS_2011 - 30 * 60, 0, false),
    ];
    for (backend, lists) in stores.each() {
        for &(unix, offset_minutes, holiday) in cases {
            let context = Context::new(lists).with_clock(Clock::Fixed {
                unix,
                offset_minutes,
            });
            let outcome = run(&script, message, &context);
            let expected = if holiday {
                // RFC 5435 §8: notify does not cancel the implicit keep.
                vec![notify.clone(), implicit_keep()]
            } else {
                vec![implicit_keep()]
            };
            assert_eq!(
                outcome.actions, expected,
                "{backend}: clock {unix} offset {offset_minutes}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Example 3 (RFC 6134 §2.9.3): subaddress, header :list, redirect :list (§2.3).

const MEMBERS: &[&str] = &["alexey@example.com", "bob@example.org", "carol@example.net"];

fn list_message(from: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: alexey+mylist@example.com\r\nSubject: to the list\r\n\
         Message-ID: <3@example.org>\r\n\r\nHello all.\r\n"
    )
    .into_bytes()
}

fn redirect_to(address: &str) -> Action {
    Action::Redirect {
        address: Some(address.into()),
        list: Some(MYLIST.into()),
        copy: false,
    }
}

#[test]
fn example_3_private_mailing_list() {
    let script = example("ex3");
    let stores = Stores::new(&[(MYLIST, ListType::Address, MEMBERS)]);
    let everyone: Vec<Action> = MEMBERS.iter().map(|m| redirect_to(m)).collect();
    let cases: &[(&str, &str, Vec<Action>)] = &[
        // A member writes to the list: everyone gets it, and the redirects cancel the keep.
        (
            "alexey+mylist@example.com",
            "bob@example.org",
            everyone.clone(),
        ),
        (
            "alexey+mylist@example.com",
            "Carol@Example.NET",
            everyone.clone(),
        ),
        // Not a member.
        (
            "alexey+mylist@example.com",
            "mallory@example.net",
            vec![implicit_keep()],
        ),
        // Not sent to the list's subaddress.
        (
            "alexey+other@example.com",
            "bob@example.org",
            vec![implicit_keep()],
        ),
        (
            "alexey@example.com",
            "bob@example.org",
            vec![implicit_keep()],
        ),
    ];
    for (backend, lists) in stores.each() {
        for (to, from, expected) in cases {
            let context = Context::new(lists).with_envelope(Some(from), Some(to));
            let outcome = run(&script, &list_message(from), &context);
            assert_eq!(
                &outcome.actions, expected,
                "{backend}: envelope to {to}, From: {from}"
            );
        }
        // An allowlist of redirect domains that admits every member changes nothing.
        let context = Context::new(lists)
            .with_envelope(Some("bob@example.org"), Some("alexey+mylist@example.com"))
            .with_redirect_domains(vec![
                "example.com".into(),
                "example.org".into(),
                "example.net".into(),
            ]);
        let outcome = run(&script, &list_message("bob@example.org"), &context);
        assert_eq!(outcome.actions, everyone, "{backend}: allowlist admits all");
    }
}

#[test]
fn example_3_list_with_a_pattern_is_not_enumerable() {
    // RFC 6134 §2.3: a list holding an address pattern cannot be redirected to: runtime error.
    let script = example("ex3");
    let stores = Stores::new(&[(
        MYLIST,
        ListType::Address,
        &["bob@example.org", "*@example.net"],
    )]);
    for (backend, lists) in stores.each() {
        let context = Context::new(lists)
            .with_envelope(Some("bob@example.org"), Some("alexey+mylist@example.com"));
        let error = script
            .evaluate(&list_message("bob@example.org"), &context)
            .expect_err("redirect :list to a pattern list must fail");
        assert!(
            matches!(error, Error::Runtime { position, .. } if position.line == 7),
            "{backend}: {error:?}"
        );
    }
}

#[test]
fn example_3_recipient_limit() {
    // RFC 6134 §3: implementations SHOULD limit the number of recipients.
    let script = example("ex3");
    let stores = Stores::new(&[(MYLIST, ListType::Address, MEMBERS)]);
    let mut limits = Limits::default();
    limits.max_list_recipients = 2;
    for (backend, lists) in stores.each() {
        let context = Context::new(lists)
            .with_envelope(Some("bob@example.org"), Some("alexey+mylist@example.com"))
            .with_limits(limits.clone());
        let error = script
            .evaluate(&list_message("bob@example.org"), &context)
            .expect_err("three members exceed a limit of two");
        assert!(
            matches!(
                error,
                Error::Limit { position, limit: "max_list_recipients", max: 2 } if position.line == 7
            ),
            "{backend}: {error:?}"
        );
    }
}

#[test]
fn example_3_redirect_domain_allowlist() {
    // RFC 6134 §3: limits on the domains recipients belong to; carol@example.net is outside.
    let script = example("ex3");
    let stores = Stores::new(&[(MYLIST, ListType::Address, MEMBERS)]);
    for (backend, lists) in stores.each() {
        let context = Context::new(lists)
            .with_envelope(Some("bob@example.org"), Some("alexey+mylist@example.com"))
            .with_redirect_domains(vec!["example.com".into(), "example.org".into()]);
        let error = script
            .evaluate(&list_message("bob@example.org"), &context)
            .expect_err("a member outside the allowed domains must be refused");
        assert!(
            matches!(error, Error::Runtime { position, .. } if position.line == 7),
            "{backend}: {error:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Example 4 (RFC 6134 §2.9.4): header :index (RFC 5260 §6), :matches variables (RFC 5229
// §3.2), string :list, reject (RFC 5429).

fn received(ip: &str, host: &str) -> String {
    format!(
        "Received: from {host} ({host} [{ip}]) by mx.example.com with ESMTPS id 4Qx; \
         Mon, 11 Apr 2011 10:00:00 +0000\r\n"
    )
}

#[test]
fn example_4_ip_block_list() {
    let script = example("ex4");
    let stores = Stores::new(&[(
        DISALLOWED_IPS,
        ListType::Ip,
        &["192.0.2.0/24", "203.0.113.99", "2001:db8::/32"],
    )]);
    let reject = Action::Reject {
        reason: "Message not allowed from this IP address".into(),
    };
    let tail = "From: a@example.net\r\nTo: me@example.com\r\nSubject: s\r\n\r\nbody\r\n";
    let cases: Vec<(String, Vec<Action>)> = vec![
        (
            received("192.0.2.10", "mail.example.net") + tail,
            vec![reject.clone()],
        ),
        (
            received("203.0.113.99", "relay.example.net") + tail,
            vec![reject.clone()],
        ),
        (
            received("198.51.100.7", "mail.example.net") + tail,
            vec![implicit_keep()],
        ),
        (
            received("203.0.113.98", "mail.example.net") + tail,
            vec![implicit_keep()],
        ),
        // Only the first (topmost) Received counts (:index 1).
        (
            received("198.51.100.7", "mx2.example.com")
                + &received("192.0.2.10", "mail.example.net")
                + tail,
            vec![implicit_keep()],
        ),
        (
            received("192.0.2.200", "mx2.example.com")
                + &received("198.51.100.7", "mail.example.net")
                + tail,
            vec![reject.clone()],
        ),
        // No Received field at all.
        (tail.to_owned(), vec![implicit_keep()]),
    ];
    for (backend, lists) in stores.each() {
        for (message, expected) in &cases {
            let outcome = run(&script, message.as_bytes(), &Context::new(lists));
            assert_eq!(&outcome.actions, expected, "{backend}: {message}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Example 5 (RFC 6134 §2.9.5): foreverypart, header :mime :param (RFC 5703 §3, §4.2),
// enclose (RFC 5703 §6), break.

/// The `text:` argument of example 5's enclose, as RFC 5228 §2.4.2 defines its value: the lines
/// between `text:` and the lone ".", each with its line ending.
fn example_5_reason() -> String {
    let text = example_text("ex5");
    let start = text.find("text:").expect("text: in ex5") + "text:".len();
    let body = &text[start..];
    let body = &body[body.find('\n').expect("line end after text:") + 1..];
    let end = body.find("\n.\n").expect("terminating dot in ex5") + 1;
    body[..end].replace("\r\n", "\n").replace('\n', "\r\n")
}

fn multipart(parts: &[&str]) -> String {
    let mut message = String::from(
        "From: sender@example.org\r\nTo: me@example.com\r\nSubject: quarterly figures\r\n\
         Message-ID: <5@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\nPreamble.\r\n",
    );
    message.push_str("--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee attached.\r\n");
    for part in parts {
        message.push_str("--b1\r\n");
        message.push_str(part);
        message.push_str("\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAA\r\n");
    }
    message.push_str("--b1--\r\n");
    message
}

#[test]
fn example_5_unsafe_attachments() {
    let script = example("ex5");
    let stores = Stores::new(&[(
        BAD_EXTENSIONS,
        ListType::Extension,
        &["exe", "com", "bat", "scr", "pif"],
    )]);
    let enclose = Action::Enclose {
        subject: Some("Warning".into()),
        headers: vec![],
        reason: example_5_reason(),
    };
    let cases: &[(&str, &[&str], bool)] = &[
        (
            "filename in Content-Disposition",
            &["Content-Type: application/octet-stream\r\n\
               Content-Disposition: attachment; filename=\"report.EXE\""],
            true,
        ),
        (
            "filename in Content-Type",
            &["Content-Type: application/octet-stream; filename=\"report.EXE\""],
            true,
        ),
        (
            "two unsafe attachments, one enclose (break)",
            &[
                "Content-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename=\"setup.exe\"",
                "Content-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename=\"run.bat\"",
            ],
            true,
        ),
        (
            "safe attachment",
            &[
                "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=\"notes.txt\"",
            ],
            false,
        ),
        (
            // The script asks for the "filename" parameter; "name" is another parameter.
            "unsafe name only in the Content-Type name parameter",
            &[
                "Content-Type: application/octet-stream; name=\"report.EXE\"\r\n\
               Content-Disposition: attachment; filename=\"report.txt\"",
            ],
            false,
        ),
        (
            "extension only as a prefix",
            &["Content-Type: application/octet-stream\r\n\
               Content-Disposition: attachment; filename=\"exe.notes\""],
            false,
        ),
    ];
    for (backend, lists) in stores.each() {
        for (what, parts, unsafe_attachment) in cases {
            let message = multipart(parts);
            let outcome = run(&script, message.as_bytes(), &Context::new(lists));
            if *unsafe_attachment {
                assert_eq!(
                    outcome.actions,
                    [enclose.clone(), implicit_keep()],
                    "{backend}: {what}"
                );
                let enclosed = outcome
                    .message
                    .as_deref()
                    .unwrap_or_else(|| panic!("{backend}: {what}: no enclosed message"));
                check_enclosed(enclosed, &message, &example_5_reason(), what);
            } else {
                assert_eq!(outcome.actions, [implicit_keep()], "{backend}: {what}");
                assert_eq!(outcome.message, None, "{backend}: {what}");
            }
        }
    }
}

/// RFC 5703 §6: the new message has the given subject, the reason as its text, and the original
/// message, unchanged, as a message/rfc822 part.
fn check_enclosed(enclosed: &[u8], original: &str, reason: &str, what: &str) {
    let text = String::from_utf8_lossy(enclosed);
    let (head, _) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("{what}: enclosed message has no header/body split"));
    assert!(
        head.lines()
            .any(|l| l.eq_ignore_ascii_case("Subject: Warning")),
        "{what}: subject of the new message:\n{head}"
    );
    assert!(
        text.to_ascii_lowercase()
            .contains("content-type: message/rfc822"),
        "{what}: no message/rfc822 part:\n{text}"
    );
    assert!(
        text.contains(original),
        "{what}: original not enclosed verbatim:\n{text}"
    );
    assert!(
        text.contains(reason.trim_end()),
        "{what}: reason text missing:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// RFC 6134 §3: a temporary failure of a list store defers the delivery.

#[test]
fn locked_sqlite_store_defers() {
    let script = example("ex1a");
    let stores = addrbook();
    let mut limits = Limits::default();
    limits.list_timeout = Duration::from_millis(200);
    let context = Context::new(&stores.sqlite)
        .with_envelope(Some("friend@example.org"), Some("me@example.com"))
        .with_spamtest("X-Spam-Score", 10.0)
        .with_limits(limits);

    // Let go of the store's pooled connections so that another process can lock the file.
    stores.sqlite.close_idle();
    let locker = rusqlite::Connection::open(&stores.path).unwrap();
    // A writer that keeps every other connection out, whatever the journal mode: exclusive
    // locking mode, then a write inside an exclusive transaction.
    let mode: String = locker
        .query_row("PRAGMA locking_mode = EXCLUSIVE", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "exclusive");
    locker
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE lock_holder (x INTEGER);")
        .unwrap();
    let error = script
        .evaluate(&spam_message(9), &context)
        .expect_err("a locked store must not answer");
    assert!(error.is_defer(), "{error:?}");
    match &error {
        Error::Defer { list, reason } => {
            assert!(
                list.to_ascii_lowercase().contains("addrbook:default"),
                "{list}"
            );
            assert!(reason.is_temporary(), "{reason:?}");
        }
        other => panic!("not a deferral: {other:?}"),
    }
    locker.execute_batch("ROLLBACK;").unwrap();
    drop(locker);

    // Once the lock is gone the same evaluation succeeds.
    let outcome = run(&script, &spam_message(9), &context);
    assert_eq!(outcome.actions, [fileinto_spam()]);
}
