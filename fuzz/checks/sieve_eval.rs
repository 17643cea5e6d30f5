//! A Sieve script and a message from arbitrary bytes (script, NUL, message), evaluated under small
//! limits against in-memory lists of every type (RFC 6134): no panic; the same result twice and
//! with tracing on; at most `max_actions` actions besides the implicit keep, and `max_redirects`
//! redirects; the implicit keep present exactly when no action cancelled it (RFC 5228 §2.10.2,
//! RFC 5429 §2.4), once and last; at most one reject or ereject, and never with a delivery
//! (RFC 5429 §2.4); an enclosed message exactly when `enclose` ran (RFC 5703 §6); errors point
//! inside the script, and in-memory lists never defer.

use std::sync::LazyLock;
use std::time::Duration;

use mailsec::sieve::{Action, Clock, Context, Error, Limits, ListType, MemoryLists, Script};

/// The message used when the input holds no NUL.
const DEFAULT_MESSAGE: &[u8] = b"From: Alice <alice@example.org>\r\nTo: me+members@example.com\r\n\
Subject: hello\r\nDate: Thu, 1 Jan 2026 10:00:00 +0100\r\nX-Spam-Score: 3\r\n\r\nhello\r\n";

/// A few lists of each type; `members` can be enumerated, `pattern` cannot.
static LISTS: LazyLock<MemoryLists> = LazyLock::new(|| {
    let specs: &[(&str, ListType, &[&str])] = &[
        (
            ":addrbook:default",
            ListType::Address,
            &["alice@example.org", "*@friends.example", "*@*.example.net"],
        ),
        (
            "tag:example.com,2026:members",
            ListType::Address,
            &["alice@example.org", "bob@example.com", "carol@example.net"],
        ),
        (
            "tag:example.com,2026:pattern",
            ListType::Address,
            &["*@example.net", "dave@example.org"],
        ),
        (
            "tag:example.com,2026:words",
            ListType::String,
            &["spam", "Hello", "ietf", ""],
        ),
        (
            "tag:example.com,2026:ips",
            ListType::Ip,
            &["192.0.2.0/24", "2001:db8::/32", "198.51.100.1"],
        ),
        (
            "tag:example.com,2026:exts",
            ListType::Extension,
            &["exe", ".bat", "pdf"],
        ),
        (
            "tag:example.com,2026:dates",
            ListType::Date,
            &["2026-01-01", "2026-12-25"],
        ),
    ];
    let mut lists = MemoryLists::new();
    for (name, list_type, entries) in specs {
        if let Err(error) = lists.insert(name, *list_type, entries.iter().copied()) {
            panic!("fuzz list {name}: {error}");
        }
    }
    lists
});

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_script_bytes = 8192;
    limits.max_nesting = 8;
    limits.max_string_bytes = 1024;
    limits.max_variables = 16;
    limits.max_variable_bytes = 1024;
    limits.max_match_work = 50_000;
    limits.max_message_bytes = 64 * 1024;
    limits.max_mime_parts = 16;
    limits.max_actions = 8;
    limits.max_redirects = 3;
    limits.max_list_queries = 16;
    limits.max_list_recipients = 2;
    limits.list_timeout = Duration::from_secs(10);
    limits
}

pub fn check(data: &[u8]) {
    let (script, message) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, DEFAULT_MESSAGE),
    };
    let source = String::from_utf8_lossy(script);
    let limits = limits();
    let Ok(script) = Script::compile_with(&source, &limits) else {
        return;
    };
    let lists: &MemoryLists = &LISTS;
    let context = Context::new(lists)
        .with_envelope(Some("alice@example.org"), Some("me+members@example.com"))
        .with_clock(Clock::Fixed {
            unix: 1_767_268_800, // 2026-01-01T12:00:00Z
            offset_minutes: 60,
        })
        .with_spamtest("X-Spam-Score", 10.0)
        .with_virustest("X-Virus-Score", 5.0)
        .with_limits(limits.clone());

    let result = script.evaluate(message, &context);
    let again = script.evaluate(message, &context);
    assert_eq!(result, again, "two evaluations differ");
    let traced = script.evaluate(message, &context.clone().with_trace(true));
    match (&result, &traced) {
        (Ok(plain), Ok(traced)) => {
            assert_eq!(plain.actions, traced.actions, "tracing changed the actions");
            assert_eq!(plain.message, traced.message, "tracing changed the message");
            assert!(plain.trace.is_empty(), "a trace without asking");
        }
        (Err(plain), Err(traced)) => assert_eq!(plain, traced, "tracing changed the error"),
        _ => panic!("tracing changed the result: {result:?} / {traced:?}"),
    }

    match result {
        Ok(outcome) => {
            let actions = &outcome.actions;
            assert!(
                actions.len() <= limits.max_actions + 1,
                "{} actions: {actions:?}",
                actions.len()
            );
            let redirects = actions
                .iter()
                .filter(|a| matches!(a, Action::Redirect { .. }))
                .count();
            assert!(redirects <= limits.max_redirects, "{redirects} redirects");
            let rejects = actions
                .iter()
                .filter(|a| matches!(a, Action::Reject { .. } | Action::Ereject { .. }))
                .count();
            assert!(rejects <= 1, "more than one reject: {actions:?}");
            // RFC 5429 §2.4: no delivery together with a reject, not even with :copy.
            let delivers = actions.iter().any(|a| {
                matches!(
                    a,
                    Action::Keep { .. } | Action::Fileinto { .. } | Action::Redirect { .. }
                )
            });
            assert!(
                rejects == 0 || !delivers,
                "reject with a delivery: {actions:?}"
            );
            let cancelled = actions.iter().any(|a| match a {
                Action::Keep { implicit, .. } => !implicit,
                Action::Fileinto { copy, .. } | Action::Redirect { copy, .. } => !copy,
                Action::Discard | Action::Reject { .. } | Action::Ereject { .. } => true,
                _ => false,
            });
            let implicit: Vec<usize> = actions
                .iter()
                .enumerate()
                .filter(|(_, a)| matches!(a, Action::Keep { implicit: true, .. }))
                .map(|(i, _)| i)
                .collect();
            if cancelled {
                assert!(
                    implicit.is_empty(),
                    "implicit keep after a cancelling action: {actions:?}"
                );
            } else {
                assert_eq!(
                    implicit,
                    [actions.len() - 1],
                    "implicit keep missing or not last: {actions:?}"
                );
            }
            let enclosed = actions.iter().any(|a| matches!(a, Action::Enclose { .. }));
            assert_eq!(
                enclosed,
                outcome.message.is_some(),
                "enclose without a message or the reverse"
            );
        }
        Err(error) => {
            assert!(!error.is_defer(), "in-memory lists deferred: {error}");
            assert!(
                !matches!(error, Error::Compile(_) | Error::Store(_)),
                "{error:?}"
            );
            if let Some(position) = error.position() {
                let lines: Vec<&str> = source.split('\n').collect();
                let line = usize::try_from(position.line).unwrap_or(usize::MAX);
                assert!((1..=lines.len()).contains(&line), "{error}");
                let columns = lines[line - 1].chars().count() + 1;
                let column = usize::try_from(position.column).unwrap_or(usize::MAX);
                assert!((1..=columns).contains(&column), "{error}");
            }
        }
    }
}
