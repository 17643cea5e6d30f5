//! `mailsec sieve ...` as a user and an MTA run it: the RFC 6134 §2.9 examples, lists, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

mod common;

use std::process::Output;

use common::{Scratch, json, mailsec, text};
use serde_json::json;

/// The RFC 6134 §2.9 example scripts (read in place, never copied).
fn example(name: &str) -> String {
    format!(
        "{}/../../../shared/specs/rfc6134-examples/{name}.sieve",
        env!("CARGO_MANIFEST_DIR")
    )
}

const DISALLOWED: &str = "tag:example.com,2011-04-10:DisallowedIPs";

/// The lists the examples query, as a TOML lists file.
const LISTS: &str = r#"
[[list]]
name = "tag:example.com,2011-04-10:DisallowedIPs"
type = "ip"
entries = ["192.0.2.0/24"]

[[list]]
name = ":addrbook:default"
type = "address"
entries = ["alice@example.org"]

[[list]]
name = "tag:example.com,2011-01-01:localHolidays"
type = "date"
entries = ["2026-12-25"]

[[list]]
name = "tag:example.com,2010-05-28:mylist"
type = "address"
entries = ["alice@example.org", "bob@example.org"]

[[list]]
name = "tag:example.com,2011-04-10:BadFileNameExts"
type = "extension"
entries = ["exe", "com"]
"#;

/// Example 4 looks at the first (topmost) Received field: here it names a disallowed IP.
const FROM_DISALLOWED: &[u8] = b"Received: from relay (relay [192.0.2.7]) by mx\r\n\
Received: from origin (origin [198.51.100.1]) by relay\r\n\
From: Mallory <mallory@example.net>\r\n\
Subject: offer\r\n\
\r\n\
buy\r\n";

/// The disallowed IP is only in the second Received field: `:index 1` does not see it.
const FROM_ALLOWED: &[u8] = b"Received: from relay (relay [198.51.100.1]) by mx\r\n\
Received: from origin (origin [192.0.2.7]) by relay\r\n\
From: Alice <alice@example.org>\r\n\
Subject: figures\r\n\
\r\n\
hello\r\n";

const REJECT: &str =
    r#"{"actions":[{"action":"reject","reason":"Message not allowed from this IP address"}]}"#;
const IMPLICIT_KEEP: &str = r#"{"actions":[{"action":"keep","flags":[],"implicit":true}]}"#;

fn report(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

fn ok(out: Output) -> Output {
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));
    out
}

/// Runs `mailsec sieve run` with `args` on `message` and expects exit 0; its stdout.
fn run(args: &[&str], message: &[u8]) -> String {
    let mut all = vec!["sieve", "run"];
    all.extend_from_slice(args);
    text(&ok(mailsec(&all, message)).stdout)
}

/// A SQLite list store in `scratch` with example 4's list imported from stdin, one entry per
/// line, as a string list.
fn imported_store(scratch: &Scratch) -> String {
    let db = scratch.path("lists.db");
    let out = ok(mailsec(
        &[
            "sieve", "lists", "import", "--db", &db, "--name", DISALLOWED, "--type", "string", "-",
        ],
        b"# relays we do not take mail from\n192.0.2.7\n\n198.51.100.9\r\n",
    ));
    assert_eq!(
        text(&out.stdout),
        format!("imported {DISALLOWED} (string): 2 entries\n")
    );
    db
}

#[test]
fn check_accepts_every_rfc6134_example() {
    for name in ["ex1a", "ex1b", "ex2", "ex3", "ex4", "ex5"] {
        let out = ok(mailsec(&["sieve", "check", &example(name)], b""));
        assert_eq!(text(&out.stdout), "ok\n", "{name}");
        assert!(out.stderr.is_empty(), "{name}: {}", report(&out));
    }
    let out = ok(mailsec(&["sieve", "check", "--json", &example("ex4")], b""));
    assert_eq!(
        json(&out),
        json!({ "valid": true, "require": ["variables", "extlists", "index", "reject"] })
    );
    // `-` reads the script from stdin.
    let out = ok(mailsec(&["sieve", "check", "-"], b"keep;\n"));
    assert_eq!(text(&out.stdout), "ok\n");
}

#[test]
fn check_reports_a_compile_error_as_file_line_column_and_exits_65() {
    let scratch = Scratch::new();
    let script = scratch.file("bad.sieve", "require \"fileinto\";\n\nfrobnicate;\n");
    let out = mailsec(&["sieve", "check", &script], b"");
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("{script}:3:1: ")), "{stderr}");
    assert!(stderr.contains("frobnicate"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let out = mailsec(&["sieve", "check", "--json", &script], b"");
    assert_eq!(out.status.code(), Some(65));
    let value = json(&out);
    assert_eq!(value["valid"], false);
    assert_eq!(value["error"], "compile");
    assert_eq!(value["line"], 3);
    assert_eq!(value["column"], 1);
    assert_eq!(value["message"], stderr.trim_end());

    // RFC 6134 §2.2: :list with :comparator is an error, found before the script runs.
    let script = scratch.file(
        "comparator.sieve",
        "require [\"extlists\"];\nif header :list :comparator \"i;octet\" \"from\" \":addrbook:default\" { stop; }\n",
    );
    let out = mailsec(&["sieve", "check", &script], b"");
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert!(
        text(&out.stderr).starts_with(&format!("{script}:2:")),
        "{}",
        report(&out)
    );
}

#[test]
fn check_places_bytes_that_are_not_utf8() {
    let scratch = Scratch::new();
    let script = scratch.file(
        "latin1.sieve",
        b"require \"fileinto\";\nfileinto \"caf\xe9\";\n",
    );
    let out = mailsec(&["sieve", "check", &script], b"");
    assert_eq!(out.status.code(), Some(65));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("{script}:2:14: ")), "{stderr}");
    assert!(stderr.contains("UTF-8"), "{stderr}");
}

#[test]
fn check_of_an_unreadable_script_exits_74() {
    let scratch = Scratch::new();
    let out = mailsec(&["sieve", "check", &scratch.path("absent.sieve")], b"");
    assert_eq!(out.status.code(), Some(74));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).starts_with("mailsec: reading script "));
}

#[test]
fn example_4_with_a_toml_lists_file_rejects_by_the_first_received_field() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let args = ["--script", &example("ex4"), "--lists", &lists];
    let json_args = [&args[..], &["--json"]].concat();
    assert_eq!(run(&json_args, FROM_DISALLOWED), format!("{REJECT}\n"));
    assert_eq!(run(&json_args, FROM_ALLOWED), format!("{IMPLICIT_KEEP}\n"));
    // Without --json: one readable line per action.
    assert_eq!(
        run(&args, FROM_DISALLOWED),
        "reject \"Message not allowed from this IP address\"\n"
    );
    assert_eq!(run(&args, FROM_ALLOWED), "keep (implicit)\n");
}

#[test]
fn example_4_with_an_imported_sqlite_store() {
    let scratch = Scratch::new();
    let db = imported_store(&scratch);
    let out = ok(mailsec(&["sieve", "lists", "list", "--db", &db], b""));
    assert_eq!(text(&out.stdout), format!("{DISALLOWED} string 2\n"));

    let args = ["--script", &example("ex4"), "--lists", &db, "--json"];
    assert_eq!(run(&args, FROM_DISALLOWED), format!("{REJECT}\n"));
    assert_eq!(run(&args, FROM_ALLOWED), format!("{IMPLICIT_KEEP}\n"));

    // Importing again replaces the list: 192.0.2.7 is no longer on it.
    ok(mailsec(
        &[
            "sieve", "lists", "import", "--db", &db, "--name", DISALLOWED, "--type", "string",
        ],
        b"203.0.113.5\n",
    ));
    assert_eq!(run(&args, FROM_DISALLOWED), format!("{IMPLICIT_KEEP}\n"));
}

#[test]
fn lists_import_of_a_toml_file_and_list_as_json() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let db = scratch.path("store.db");
    let out = ok(mailsec(
        &[
            "sieve", "lists", "import", "--db", &db, "--toml", &lists, "--json",
        ],
        b"",
    ));
    assert_eq!(json(&out)["lists"].as_array().map(Vec::len), Some(5));
    let out = ok(mailsec(
        &["sieve", "lists", "list", "--db", &db, "--json"],
        b"",
    ));
    let listed = json(&out);
    let listed = listed["lists"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.contains(&json!({ "name": DISALLOWED, "type": "ip", "entries": 1 })));
    // The default address book is listed by its canonical name (RFC 6134 §2.6).
    assert!(listed.contains(&json!({
        "name": "urn:ietf:params:sieve:addrbook:default", "type": "address", "entries": 1,
    })));
    let args = ["--script", &example("ex4"), "--lists", &db, "--json"];
    assert_eq!(run(&args, FROM_DISALLOWED), format!("{REJECT}\n"));

    // Remove: 0 when the list was there, 1 when it is not.
    let out = ok(mailsec(
        &["sieve", "lists", "remove", "--db", &db, DISALLOWED],
        b"",
    ));
    assert_eq!(text(&out.stdout), format!("removed {DISALLOWED}\n"));
    let out = mailsec(&["sieve", "lists", "remove", "--db", &db, DISALLOWED], b"");
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
}

#[test]
fn lists_of_a_missing_store_is_an_io_error_and_creates_nothing() {
    let scratch = Scratch::new();
    let db = scratch.path("absent.db");
    let out = mailsec(&["sieve", "lists", "list", "--db", &db], b"");
    assert_eq!(out.status.code(), Some(74), "{}", report(&out));
    assert!(!std::path::Path::new(&db).exists());
}

#[test]
fn a_bad_entry_is_refused_and_changes_nothing() {
    let scratch = Scratch::new();
    let db = imported_store(&scratch);
    let out = mailsec(
        &[
            "sieve", "lists", "import", "--db", &db, "--name", DISALLOWED, "--type", "ip",
        ],
        b"192.0.2.0/24\nnot an address\n",
    );
    assert_ne!(out.status.code(), Some(0), "{}", report(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("entry 2"), "{stderr}");
    let out = ok(mailsec(&["sieve", "lists", "list", "--db", &db], b""));
    assert_eq!(text(&out.stdout), format!("{DISALLOWED} string 2\n"));
}

#[test]
fn example_1_files_spam_by_the_score_header_and_the_address_book() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let script = example("ex1a");
    let message = |score: u32| {
        format!("From: someone@example.net\r\nX-Spam-Score: {score}\r\nSubject: s\r\n\r\nbody\r\n")
    };
    for (from, score, expected) in [
        // Known senders (in :addrbook:default) may score up to 8.
        ("alice@example.org", 0, "keep (implicit)\n"),
        ("alice@example.org", 5, "keep (implicit)\n"),
        ("alice@example.org", 9, "fileinto \"spam\"\n"),
        // Unknown senders only up to 3.
        ("mallory@example.net", 0, "keep (implicit)\n"),
        ("mallory@example.net", 5, "fileinto \"spam\"\n"),
        ("mallory@example.net", 9, "fileinto \"spam\"\n"),
    ] {
        let out = run(
            &[
                "--script",
                &script,
                "--lists",
                &lists,
                "--from",
                from,
                "--to",
                "me@example.com",
                "--spam-header",
                "X-Spam-Score",
                "--spam-max",
                "10",
            ],
            message(score).as_bytes(),
        );
        assert_eq!(out, expected, "{from} scoring {score}");
    }
    // Without --spam-header the message was not tested (RFC 5235 §3.1: 0): kept.
    let out = run(
        &[
            "--script",
            &script,
            "--lists",
            &lists,
            "--from",
            "mallory@example.net",
        ],
        message(9).as_bytes(),
    );
    assert_eq!(out, "keep (implicit)\n");
}

#[test]
fn example_2_notifies_on_a_holiday_by_the_fixed_clock() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let args = |now: &'static str| {
        vec![
            "--script".to_owned(),
            example("ex2"),
            "--lists".to_owned(),
            lists.clone(),
            "--now".to_owned(),
            now.to_owned(),
        ]
    };
    let message = b"From: a@example.org\r\nSubject: s\r\n\r\nb\r\n";
    let holiday = args("2026-12-25T10:00:00+01:00");
    let holiday: Vec<&str> = holiday.iter().map(String::as_str).collect();
    assert_eq!(
        run(&holiday, message),
        "notify :importance \"2\" \"xmpp:romeo@im.example.com\"\nkeep (implicit)\n"
    );
    // 00:30 UTC on the holiday, but still the 24th in the local zone of --now.
    let eve = args("2026-12-24T23:30:00-01:00");
    let eve: Vec<&str> = eve.iter().map(String::as_str).collect();
    assert_eq!(run(&eve, message), "keep (implicit)\n");
}

#[test]
fn example_3_redirects_to_the_list_members_within_the_allowed_domains() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let script = example("ex3");
    // `header :list` compares the whole field value: a bare address.
    let message = b"From: alice@example.org\r\nSubject: to all\r\n\r\nhi\r\n";
    let base = [
        "--script",
        &script,
        "--lists",
        &lists,
        "--to",
        "me+mylist@example.com",
    ];
    let out = run(
        &[&base[..], &["--redirect-domain", "example.org"]].concat(),
        message,
    );
    let list = "tag:example.com,2010-05-28:mylist";
    assert_eq!(
        out,
        format!(
            "redirect \"alice@example.org\" :list \"{list}\"\nredirect \"bob@example.org\" :list \"{list}\"\n"
        )
    );

    // A redirect outside --redirect-domain is a runtime error: exit 65, the error on stderr
    // with the script's line, and the implicit keep still on stdout (RFC 5228 §2.10.6).
    let mut all = vec!["sieve", "run"];
    all.extend_from_slice(&base);
    all.extend_from_slice(&["--redirect-domain", "example.net"]);
    let out = mailsec(&all, message);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(text(&out.stdout), "keep (implicit)\n");
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("{script}:7:")), "{stderr}");
    assert!(stderr.contains("runtime error"), "{stderr}");

    all.push("--json");
    let out = mailsec(&all, message);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    let value = json(&out);
    assert_eq!(
        value["actions"],
        json!([{ "action": "keep", "flags": [], "implicit": true }])
    );
    assert_eq!(value["error"]["error"], "runtime");
    assert_eq!(value["error"]["line"], 7);

    // RFC 6134 §3: a list longer than --max-list-recipients is not expanded.
    let mut all = vec!["sieve", "run"];
    all.extend_from_slice(&base);
    all.extend_from_slice(&["--max-list-recipients", "1"]);
    let out = mailsec(&all, message);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(text(&out.stdout), "keep (implicit)\n");
    assert!(
        text(&out.stderr).contains("max_list_recipients"),
        "{}",
        report(&out)
    );
}

#[test]
fn example_5_encloses_the_message_and_writes_the_new_one() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let enclosed = scratch.path("enclosed.eml");
    let message = b"From: a@example.org\r\nSubject: files\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
--b\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"run.EXE\"\r\n\r\nAAAA\r\n--b--\r\n";
    let out = run(
        &[
            "--script",
            &example("ex5"),
            "--lists",
            &lists,
            "--enclosed",
            &enclosed,
            "--json",
        ],
        message,
    );
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["actions"][0]["action"], "enclose");
    assert_eq!(value["actions"][0]["subject"], "Warning");
    assert_eq!(value["actions"][1]["implicit"], true);
    let written = std::fs::read_to_string(&enclosed).unwrap();
    assert!(written.contains("Subject: Warning"), "{written}");
    assert!(written.contains("filename=\"run.EXE\""), "{written}");
}

#[test]
fn a_compile_error_in_run_still_prints_the_implicit_keep() {
    let scratch = Scratch::new();
    let script = scratch.file("bad.sieve", "if true {\n  fileinto \"x\";\n}\n");
    let out = mailsec(&["sieve", "run", "--script", &script], FROM_ALLOWED);
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    assert_eq!(text(&out.stdout), "keep (implicit)\n");
    assert!(
        text(&out.stderr).starts_with(&format!("{script}:2:3: ")),
        "{}",
        report(&out)
    );
}

#[test]
fn an_unknown_list_is_a_runtime_error_with_the_fallback() {
    // No --lists: no list exists.
    let out = mailsec(
        &["sieve", "run", "--script", &example("ex4"), "--json"],
        FROM_DISALLOWED,
    );
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    let value = json(&out);
    assert_eq!(value["actions"][0]["implicit"], true);
    assert_eq!(value["error"]["error"], "runtime");
    assert_eq!(value["error"]["line"], 4);
}

#[test]
fn a_list_store_held_by_another_process_defers_with_75() {
    let scratch = Scratch::new();
    let db = imported_store(&scratch);
    let holder = rusqlite::Connection::open(&db).unwrap();
    let mode: String = holder
        .query_row("PRAGMA locking_mode = EXCLUSIVE", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "exclusive");
    holder
        .execute_batch("BEGIN EXCLUSIVE; UPDATE lists SET handled = handled;")
        .unwrap();
    let out = mailsec(
        &[
            "sieve",
            "run",
            "--script",
            &example("ex4"),
            "--lists",
            &db,
            "--json",
        ],
        FROM_DISALLOWED,
    );
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    // No actions: the MTA defers the delivery and tries again.
    let value = json(&out);
    assert!(value.get("actions").is_none(), "{value}");
    assert_eq!(value["error"], "store");
    assert!(text(&out.stderr).contains("locked"), "{}", report(&out));
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    // Released: the same delivery goes through.
    let args = ["--script", &example("ex4"), "--lists", &db, "--json"];
    assert_eq!(run(&args, FROM_DISALLOWED), format!("{REJECT}\n"));
}

#[test]
fn a_list_query_past_its_timeout_defers_with_75() {
    let scratch = Scratch::new();
    for lists in [scratch.file("lists.toml", LISTS), imported_store(&scratch)] {
        let out = mailsec(
            &[
                "sieve",
                "run",
                "--script",
                &example("ex4"),
                "--lists",
                &lists,
                "--list-timeout",
                "0",
                "--json",
            ],
            FROM_DISALLOWED,
        );
        assert_eq!(out.status.code(), Some(75), "{}", report(&out));
        let value = json(&out);
        assert!(value.get("actions").is_none(), "{value}");
        assert_eq!(value["error"], "defer");
        assert_eq!(value["list"], DISALLOWED);
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("mailsec: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn an_unreadable_script_defers_with_75() {
    let scratch = Scratch::new();
    let script = scratch.path("absent.sieve");
    let out = mailsec(&["sieve", "run", "--script", &script], FROM_ALLOWED);
    assert_eq!(out.status.code(), Some(75), "{}", report(&out));
    assert!(out.stdout.is_empty(), "{}", report(&out));
    assert!(text(&out.stderr).starts_with("mailsec: reading script "));
}

#[test]
fn a_script_larger_than_the_limit_is_a_compile_error() {
    let scratch = Scratch::new();
    let script = scratch.file("huge.sieve", "#".repeat((1 << 20) + 1));
    let out = mailsec(&["sieve", "check", &script], b"");
    assert_eq!(out.status.code(), Some(65), "{}", report(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("{script}:1:1: ")), "{stderr}");
    assert!(stderr.contains("max_script_bytes"), "{stderr}");
}

#[test]
fn unusable_lists_defer_with_75() {
    let scratch = Scratch::new();
    let broken = scratch.file("broken.toml", "[[list]]\nname = \"tag:a,2020:b\"\n");
    for lists in [broken, scratch.path("absent.toml")] {
        let out = mailsec(
            &[
                "sieve",
                "run",
                "--script",
                &example("ex4"),
                "--lists",
                &lists,
            ],
            FROM_DISALLOWED,
        );
        assert_eq!(out.status.code(), Some(75), "{lists}: {}", report(&out));
        assert!(out.stdout.is_empty(), "{}", report(&out));
    }
}

#[test]
fn trace_goes_to_stderr_or_under_trace() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let script = example("ex4");
    let out = ok(mailsec(
        &[
            "sieve", "run", "--script", &script, "--lists", &lists, "--trace",
        ],
        FROM_DISALLOWED,
    ));
    assert_eq!(
        text(&out.stdout),
        "reject \"Message not allowed from this IP address\"\n"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&format!("trace: {script}:4:")) && l.contains("192.0.2.0/24")),
        "{stderr}"
    );

    let out = ok(mailsec(
        &[
            "sieve", "run", "--script", &script, "--lists", &lists, "--trace", "--json",
        ],
        FROM_DISALLOWED,
    ));
    let value = json(&out);
    let trace = value["trace"].as_array().unwrap();
    assert!(
        trace
            .iter()
            .any(|e| e["name"] == "string" && e["result"] == true && e["position"]["line"] == 4),
        "{value}"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn capabilities_for_managesieve() {
    let out = ok(mailsec(&["sieve", "capabilities"], b""));
    let shown = text(&out.stdout);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 2, "{shown}");
    assert!(lines[0].starts_with("\"SIEVE\" \""), "{shown}");
    for extension in ["extlists", "envelope", "fileinto", "variables", "index"] {
        assert!(
            lines[0].split([' ', '"']).any(|word| word == extension),
            "{extension}: {shown}"
        );
    }
    // RFC 6134 §2.8: the default address book's scheme is always there.
    assert_eq!(lines[1], "\"EXTLISTS\" \"urn\"");

    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let out = ok(mailsec(
        &["sieve", "capabilities", "--lists", &lists, "--json"],
        b"",
    ));
    let value = json(&out);
    assert_eq!(value["extlists"], "tag urn");
    assert!(
        value["sieve"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|e| e == "extlists")
    );
}

#[test]
fn usage_errors_exit_2() {
    let scratch = Scratch::new();
    let lists = scratch.file("lists.toml", LISTS);
    let db = scratch.path("x.db");
    let ex4 = example("ex4");
    for args in [
        vec!["sieve"],
        vec!["sieve", "check"],
        vec!["sieve", "run"],
        vec!["sieve", "run", "--lists", &lists],
        vec!["sieve", "run", "--script", &ex4, "--now", "yesterday"],
        vec![
            "sieve",
            "run",
            "--script",
            &ex4,
            "--now",
            "2026-02-30T00:00:00Z",
        ],
        vec!["sieve", "run", "--script", &ex4, "--spam-max", "10"],
        vec!["sieve", "run", "--script", &ex4, "--list-timeout", "-1"],
        vec!["sieve", "lists", "import", "--db", &db],
        vec![
            "sieve", "lists", "import", "--db", &db, "--name", DISALLOWED,
        ],
        vec![
            "sieve", "lists", "import", "--db", &db, "--toml", &lists, "--name", DISALLOWED,
        ],
        vec![
            "sieve", "lists", "import", "--db", &db, "--name", DISALLOWED, "--type", "bogus",
        ],
        vec!["sieve", "lists", "list"],
    ] {
        let out = mailsec(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Nothing was created by the refused imports.
    assert!(!std::path::Path::new(&db).exists());
}

#[test]
fn help_documents_the_fallback() {
    let out = ok(mailsec(&["sieve", "run", "--help"], b""));
    let help = text(&out.stdout);
    assert!(help.contains("keep (implicit)"), "{help}");
    assert!(help.contains("RFC 5228 §2.10.6"), "{help}");
}
