//! RFC 5228 core semantics and the extensions, evaluated end to end; every limit hit once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sieve_extlists::{
    Action, Clock, CompileErrorKind, Context, Enumeration, Error, Limits, ListError, ListMatch,
    ListName, ListResolver, ListType, MemoryLists, NoLists, Script,
};

const MESSAGE: &[u8] = b"Return-Path: <bounce@lists.example.org>\r\n\
Received: from mx.example.net (mx.example.net [192.0.2.10]) by mx.example.com; Tue, 1 Dec 2009 10:00:00 +0100\r\n\
Received: from inner.example.net (inner [198.51.100.7]) by mx.example.net; Tue, 1 Dec 2009 09:59:00 +0100\r\n\
From: \"Alice Example\" <Alice+news@Example.org>\r\n\
To: bob@example.com, Carol <carol@example.net>\r\n\
Cc: dave@example.com\r\n\
Subject: =?utf-8?q?Caf=C3=A9?= meeting\r\n\
Date: Tue, 1 Dec 2009 10:00:00 +0100\r\n\
X-Spam-Score: 7.5\r\n\
Message-ID: <1@example.org>\r\n\
\r\n\
Hello Bob,\r\nthe meeting is at noon.\r\n";

fn run(script: &str) -> Vec<Action> {
    run_with(script, MESSAGE, &Context::new(&NoLists))
}

fn run_with(script: &str, message: &[u8], context: &Context<'_>) -> Vec<Action> {
    let script = Script::compile(script).unwrap_or_else(|e| panic!("{e}"));
    script
        .evaluate(message, context)
        .unwrap_or_else(|e| panic!("{e}"))
        .actions
}

fn keep() -> Action {
    Action::Keep {
        flags: vec![],
        implicit: true,
    }
}

fn fileinto(mailbox: &str) -> Action {
    Action::Fileinto {
        mailbox: mailbox.into(),
        flags: vec![],
        copy: false,
    }
}

fn redirect(address: &str) -> Action {
    Action::Redirect {
        address: Some(address.into()),
        list: None,
        copy: false,
    }
}

fn runtime_error(script: &str, message: &[u8], context: &Context<'_>) -> Error {
    Script::compile(script)
        .unwrap()
        .evaluate(message, context)
        .unwrap_err()
}

#[test]
fn implicit_keep_and_cancelling_actions() {
    assert_eq!(run(""), [keep()]);
    assert_eq!(
        run("keep;"),
        [Action::Keep {
            flags: vec![],
            implicit: false
        }]
    );
    assert_eq!(run("discard;"), [Action::Discard]);
    assert_eq!(
        run("require \"fileinto\"; fileinto \"a\"; fileinto \"a\";"),
        [fileinto("a")]
    );
    assert_eq!(
        run("redirect \"x@example.com\"; redirect \"X@example.com\";"),
        [redirect("x@example.com")]
    );
    assert_eq!(
        run(
            "require [\"fileinto\", \"copy\"]; fileinto :copy \"a\"; redirect :copy \"x@example.com\";"
        ),
        [
            Action::Fileinto {
                mailbox: "a".into(),
                flags: vec![],
                copy: true
            },
            Action::Redirect {
                address: Some("x@example.com".into()),
                list: None,
                copy: true
            },
            keep()
        ]
    );
    // §3.3: stop ends the script; the implicit keep stays.
    assert_eq!(run("stop; discard;"), [keep()]);
}

#[test]
fn if_elsif_else_and_tests() {
    let script = |test: &str| {
        format!(
            "require \"fileinto\"; if {test} {{ fileinto \"yes\"; }} else {{ fileinto \"no\"; }}"
        )
    };
    let yes = [fileinto("yes")];
    let no = [fileinto("no")];
    for (test, expected) in [
        ("true", &yes),
        ("false", &no),
        ("not false", &yes),
        ("allof (true, false)", &no),
        ("anyof (false, true)", &yes),
        ("exists [\"From\", \"cc\"]", &yes),
        ("exists [\"From\", \"X-None\"]", &no),
        ("size :over 100", &yes),
        ("size :under 1K", &yes),
        ("size :over 1M", &no),
        ("header :is \"subject\" \"café meeting\"", &yes),
        ("header :contains \"Subject\" \"CAFÉ\"", &no),
        ("header :contains \"Subject\" \"MEETING\"", &yes),
        ("header :matches \"subject\" \"caf? *\"", &yes),
        (
            "header :is :comparator \"i;octet\" \"subject\" \"Café Meeting\"",
            &no,
        ),
        ("address :is \"from\" \"alice+news@example.org\"", &yes),
        ("address :localpart :is \"from\" \"alice+news\"", &yes),
        ("address :domain :is [\"to\", \"cc\"] \"example.net\"", &yes),
        ("address :all :is \"to\" \"Carol <carol@example.net>\"", &no),
        ("header :is \"x-none\" \"\"", &no),
        ("address :matches \"from\" \"*\\\\*\"", &no),
    ] {
        assert_eq!(run(&script(test)), *expected, "{test}");
    }
    assert_eq!(
        run(
            "require \"fileinto\"; if false { keep; } elsif header :contains \"to\" \"bob\" { fileinto \"bob\"; } elsif true { fileinto \"other\"; }"
        ),
        [fileinto("bob")]
    );
}

#[test]
fn envelope_and_subaddress() {
    let context = Context::new(&NoLists)
        .with_envelope(Some("Sender+tag@Example.org"), Some("me+lists@example.com"));
    let script = |test: &str| {
        format!(
            "require [\"envelope\", \"subaddress\", \"fileinto\"]; if {test} {{ fileinto \"yes\"; }}"
        )
    };
    for (test, matched) in [
        ("envelope :is \"from\" \"sender+tag@example.org\"", true),
        ("envelope :user :is \"from\" \"sender\"", true),
        ("envelope :detail :is \"to\" \"lists\"", true),
        ("envelope :detail :is \"from\" \"\"", false),
        ("envelope :domain :is \"to\" \"example.com\"", true),
        ("envelope :localpart :is \"to\" \"me+lists\"", true),
    ] {
        let actions = run_with(&script(test), MESSAGE, &context);
        assert_eq!(actions == [fileinto("yes")], matched, "{test}");
    }
    // RFC 5233 §4: no separator, no detail: :detail does not match even "".
    let plain = Context::new(&NoLists).with_envelope(Some("plain@example.org"), None);
    assert_eq!(
        run_with(
            &script("envelope :detail :matches \"from\" \"*\""),
            MESSAGE,
            &plain
        ),
        [keep()]
    );
    // RFC 5228 §5.4: the null reverse-path is "".
    let null = Context::new(&NoLists).with_envelope(Some(""), None);
    assert_eq!(
        run_with(&script("envelope :is \"from\" \"\""), MESSAGE, &null),
        [fileinto("yes")]
    );
    assert!(matches!(
        Script::compile("require \"envelope\"; if envelope \"x-part\" \"a\" { keep; }")
            .unwrap_err()
            .kind,
        CompileErrorKind::Arguments { .. }
    ));
}

#[test]
fn relational_and_numeric_comparator() {
    let script = |test: &str| {
        format!(
            "require [\"relational\", \"comparator-i;ascii-numeric\", \"fileinto\"]; if {test} {{ fileinto \"yes\"; }}"
        )
    };
    for (test, matched) in [
        (
            "address :count \"eq\" :comparator \"i;ascii-numeric\" [\"to\", \"cc\"] \"3\"",
            true,
        ),
        (
            "header :count \"gt\" :comparator \"i;ascii-numeric\" \"received\" \"1\"",
            true,
        ),
        (
            "header :count \"lt\" :comparator \"i;ascii-numeric\" \"received\" \"2\"",
            false,
        ),
        (
            "header :value \"ge\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"7\"",
            true,
        ),
        (
            "header :value \"gt\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"7\"",
            false,
        ),
        ("header :value \"lt\" \"subject\" \"d\"", true),
        (
            "header :value \"ne\" :comparator \"i;ascii-numeric\" \"subject\" \"99\"",
            true,
        ),
    ] {
        assert_eq!(run(&script(test)) == [fileinto("yes")], matched, "{test}");
    }
    assert!(matches!(
        Script::compile("require \"relational\"; if header :value \"xx\" \"a\" \"b\" { keep; }")
            .unwrap_err()
            .kind,
        CompileErrorKind::Arguments { .. }
    ));
    assert!(matches!(
        Script::compile("if header :comparator \"i;ascii-numeric\" \"a\" \"1\" { keep; }")
            .unwrap_err()
            .kind,
        CompileErrorKind::NotRequired { .. }
    ));
}

#[test]
fn variables_and_match_variables() {
    let actions = run(r#"require ["variables", "fileinto"];
        if header :matches "from" "*<*@*>" { set "user" "${2}"; set :lower "domain" "${3}"; }
        set :upperfirst "greeting" "hello ${user}";
        set :length "n" "${domain}";
        fileinto "${greeting}/${domain}/${n}/${unknown}/${0}";"#);
    assert_eq!(
        actions,
        [fileinto(
            "Hello Alice+news/example.org/11//\"Alice Example\" <Alice+news@Example.org>"
        )]
    );
    // Failed matches leave match variables alone; :quotewildcard escapes.
    let actions = run(r#"require ["variables", "fileinto"];
        if header :matches "subject" "* meeting" { }
        if header :matches "subject" "nothing*" { }
        set :quotewildcard "q" "a*b?c\\";
        fileinto "${1}|${q}";"#);
    assert_eq!(actions, [fileinto("Café|a\\*b\\?c\\\\")]);
    // RFC 5229 §3: names are case-insensitive; ${hex:} with encoded-character.
    let actions = run(
        r#"require ["variables", "fileinto", "encoded-character"]; set "Box" "x"; fileinto "${BOX}${hex:2d 41}${unicode:263a}";"#,
    );
    assert_eq!(actions, [fileinto("x-A\u{263a}")]);
    // Without "variables", ${...} is literal text.
    assert_eq!(
        run(r#"require "fileinto"; fileinto "${x}";"#),
        [fileinto("${x}")]
    );
}

#[test]
fn date_index_and_currentdate() {
    let script = |test: &str| {
        format!(
            "require [\"date\", \"index\", \"relational\", \"fileinto\"]; if {test} {{ fileinto \"yes\"; }}"
        )
    };
    let context = Context::new(&NoLists).with_clock(Clock::Fixed {
        unix: 1_259_658_000,
        offset_minutes: -300,
    });
    for (test, matched) in [
        ("date :originalzone \"date\" \"hour\" \"10\"", true),
        ("date :zone \"+0000\" \"date\" \"hour\" \"09\"", true),
        ("date \"date\" \"hour\" \"04\"", true),
        (
            "date :zone \"+0000\" \"date\" \"date\" \"2009-12-01\"",
            true,
        ),
        ("date :zone \"+0000\" \"date\" \"weekday\" \"2\"", true),
        ("date \"x-none\" \"year\" \"2009\"", false),
        (
            "currentdate :zone \"+0100\" \"iso8601\" \"2009-12-01T10:00:00+01:00\"",
            true,
        ),
        ("currentdate \"zone\" \"-0500\"", true),
        ("currentdate :value \"ge\" \"date\" \"2009-11-30\"", true),
        (
            "header :index 1 :contains \"received\" \"192.0.2.10\"",
            true,
        ),
        (
            "header :index 2 :contains \"received\" \"192.0.2.10\"",
            false,
        ),
        (
            "header :index 1 :last :contains \"received\" \"198.51.100.7\"",
            true,
        ),
        ("header :index 3 :contains \"received\" \"\"", false),
    ] {
        assert_eq!(
            run_with(&script(test), MESSAGE, &context) == [fileinto("yes")],
            matched,
            "{test}"
        );
    }
    assert!(
        Script::compile("require \"date\"; if date \"date\" \"fortnight\" \"1\" { keep; }")
            .is_err()
    );
    assert!(
        Script::compile("require \"date\"; if currentdate :zone \"0100\" \"date\" \"1\" { keep; }")
            .is_err()
    );
}

#[test]
fn spamtest_and_virustest() {
    let script = r#"require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto", "variables"];
        if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "untested"; stop; }
        if spamtest :value "ge" :comparator "i;ascii-numeric" "7" { fileinto "spam"; }
        if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "75" { fileinto "75"; }
        if virustest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "virus-untested"; }"#;
    assert_eq!(run(script), [fileinto("untested")]);
    let context = Context::new(&NoLists).with_spamtest("X-Spam-Score", 10.0);
    // 7.5 of 10: 1 + ⌊9 × 0.75⌋ = 7; 75 %.
    assert_eq!(
        run_with(script, MESSAGE, &context),
        [fileinto("spam"), fileinto("75"), fileinto("virus-untested")]
    );
}

#[test]
fn reject_rules() {
    assert_eq!(
        run("require \"reject\"; reject \"go away\";"),
        [Action::Reject {
            reason: "go away".into()
        }]
    );
    assert_eq!(
        run("require \"ereject\"; ereject \"no\";"),
        [Action::Ereject {
            reason: "no".into()
        }]
    );
    let context = Context::new(&NoLists);
    for script in [
        "require \"reject\"; keep; reject \"x\";",
        "require \"reject\"; reject \"x\"; redirect \"a@example.com\";",
        "require [\"reject\", \"ereject\"]; reject \"x\"; ereject \"y\";",
    ] {
        assert!(
            matches!(
                runtime_error(script, MESSAGE, &context),
                Error::Runtime { .. }
            ),
            "{script}"
        );
    }
}

#[test]
fn imap4flags() {
    let actions = run(r#"require ["imap4flags", "fileinto", "variables"];
        setflag "\\Seen";
        addflag ["$Important \\Seen", "$Work"];
        removeflag "$work";
        fileinto "a";
        fileinto :flags "\\Flagged" "b";
        addflag "mine" "x y";
        if hasflag :contains "important" { fileinto "c"; }
        if hasflag "mine" "y" { keep; }"#);
    assert_eq!(
        actions,
        [
            Action::Fileinto {
                mailbox: "a".into(),
                flags: vec!["\\Seen".into(), "$Important".into()],
                copy: false
            },
            Action::Fileinto {
                mailbox: "b".into(),
                flags: vec!["\\Flagged".into()],
                copy: false
            },
            Action::Fileinto {
                mailbox: "c".into(),
                flags: vec!["\\Seen".into(), "$Important".into()],
                copy: false
            },
            Action::Keep {
                flags: vec!["\\Seen".into(), "$Important".into()],
                implicit: false
            },
        ]
    );
    // The implicit keep carries the internal flags.
    assert_eq!(
        run("require \"imap4flags\"; addflag \"\\\\Seen\";"),
        [Action::Keep {
            flags: vec!["\\Seen".into()],
            implicit: true
        }]
    );
}

#[test]
fn body_test() {
    let script =
        |test: &str| format!("require [\"body\", \"fileinto\"]; if {test} {{ fileinto \"yes\"; }}");
    for (test, matched) in [
        ("body :contains \"noon\"", true),
        ("body :raw :contains \"Hello Bob\"", true),
        ("body :content \"text\" :contains \"noon\"", true),
        ("body :content \"image\" :contains \"noon\"", false),
        ("body :text :matches \"*MEETING*\"", true),
    ] {
        assert_eq!(run(&script(test)) == [fileinto("yes")], matched, "{test}");
    }
}

const MULTIPART: &[u8] = b"From: a@example.org\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsee attached\r\n\
--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n\
--b2\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b2--\r\n\
--b1\r\nContent-Type: application/octet-stream; name=\"setup.EXE\"\r\nContent-Disposition: attachment; filename=\"setup.EXE\"\r\n\r\nTVo=\r\n--b1--\r\n";

#[test]
fn mime_foreverypart_and_break() {
    let actions = run_with(
        r#"require ["foreverypart", "mime", "variables", "fileinto"];
        set "seen" "";
        foreverypart :name "outer" {
            if header :mime :contenttype "content-type" "text/html" { set "seen" "${seen}html,"; }
            if header :mime :subtype "content-type" "octet-stream" { set "seen" "${seen}bin,"; break :name "outer"; }
            if header :mime :type "content-type" "multipart" { set "seen" "${seen}multi,"; }
        }
        if header :mime :anychild :param "filename" :matches "content-disposition" "*.exe" { set "seen" "${seen}exe"; }
        if exists :mime :anychild "content-disposition" { set "seen" "${seen}!"; }
        fileinto "${seen}";"#,
        MULTIPART,
        &Context::new(&NoLists),
    );
    let actions2 = run_with(
        r#"require ["foreverypart", "mime", "fileinto"];
        if header :mime :anychild :param "filename" :matches "content-disposition" "*.exe" { fileinto "exe"; }"#,
        MULTIPART,
        &Context::new(&NoLists),
    );
    assert_eq!(actions2, [fileinto("exe")]);
    assert_eq!(actions, [fileinto("multi,html,bin,exe!")]);
    let actions = run_with(
        r#"require ["foreverypart", "mime", "fileinto"];
        if header :mime :anychild :param "filename" :matches "content-disposition" "*.exe" { fileinto "exe"; }
        if exists :mime :anychild "content-disposition" { fileinto "attachment"; }"#,
        MULTIPART,
        &Context::new(&NoLists),
    );
    assert_eq!(actions, [fileinto("exe"), fileinto("attachment")]);
}

#[test]
fn enclose_replaces_the_message() {
    let script = Script::compile("require \"enclose\"; enclose :subject \"Warning\" :headers [\"X-Filtered: yes\"] \"unsafe\";").unwrap();
    let outcome = script.evaluate(MULTIPART, &Context::new(&NoLists)).unwrap();
    assert_eq!(
        outcome.actions,
        [
            Action::Enclose {
                subject: Some("Warning".into()),
                headers: vec!["X-Filtered: yes".into()],
                reason: "unsafe".into()
            },
            keep()
        ]
    );
    let enclosed = outcome.message.unwrap();
    let text = String::from_utf8_lossy(&enclosed);
    assert!(
        text.contains("Subject: Warning\r\n")
            && text.contains("X-Filtered: yes\r\n")
            && text.contains("Content-Type: message/rfc822")
    );
    assert!(enclosed.windows(MULTIPART.len()).any(|w| w == MULTIPART));
}

#[test]
fn enotify() {
    assert_eq!(
        run(
            r#"require ["enotify", "variables"]; notify :importance "1" :message "from ${1}" :options ["o=1"] "mailto:me@example.com";"#
        ),
        [
            Action::Notify {
                method: "mailto:me@example.com".into(),
                from: None,
                importance: 1,
                options: vec!["o=1".into()],
                message: Some("from ".into())
            },
            keep()
        ]
    );
    assert!(Script::compile("require \"enotify\"; notify \"gopher:x\";").is_err());
    let script = |test: &str| {
        format!("require [\"enotify\", \"fileinto\"]; if {test} {{ fileinto \"yes\"; }}")
    };
    assert_eq!(
        run(&script(
            "valid_notify_method [\"mailto:a@example.com\", \"xmpp:b@example.com\"]"
        )),
        [fileinto("yes")]
    );
    assert_eq!(run(&script("valid_notify_method \"foo:bar\"")), [keep()]);
    assert_eq!(
        run(&script(
            "notify_method_capability \"xmpp:b@example.com\" \"Online\" \"maybe\""
        )),
        [fileinto("yes")]
    );
}

#[test]
fn ihave_and_error() {
    assert_eq!(
        run(
            "require [\"ihave\", \"fileinto\"]; if ihave \"x-future\" { x_future; } elsif ihave \"fileinto\" { fileinto \"ok\"; }"
        ),
        [fileinto("ok")]
    );
    let error = runtime_error(
        "require \"ihave\"; error \"stop here\";",
        MESSAGE,
        &Context::new(&NoLists),
    );
    assert!(
        matches!(&error, Error::Runtime { message, .. } if message.contains("stop here")),
        "{error}"
    );
}

#[test]
fn trace_records_tests() {
    let script =
        Script::compile("if anyof (false, header :contains \"subject\" \"meeting\") { keep; }")
            .unwrap();
    let outcome = script
        .evaluate(MESSAGE, &Context::new(&NoLists).with_trace(true))
        .unwrap();
    let names: Vec<(&str, bool)> = outcome
        .trace
        .iter()
        .map(|t| (t.name.as_str(), t.result))
        .collect();
    assert_eq!(names, [("false", false), ("header", true), ("anyof", true)]);
    assert_eq!(outcome.trace[1].position.line, 1);
}

// ---- lists ---------------------------------------------------------------------------------

fn lists() -> MemoryLists {
    let mut lists = MemoryLists::new();
    lists
        .insert(
            ":addrbook:default",
            ListType::Address,
            ["alice+news@example.org", "*@friends.example"],
        )
        .unwrap();
    lists
        .insert("tag:example.com,2026:ips", ListType::Ip, ["192.0.2.0/24"])
        .unwrap();
    lists
        .insert(
            "tag:example.com,2026:team",
            ListType::Address,
            ["a@example.com", "b@example.net"],
        )
        .unwrap();
    lists
        .insert(
            "tag:example.com,2026:patterns",
            ListType::Address,
            ["*@example.com"],
        )
        .unwrap();
    lists
}

#[test]
fn list_match_sets_match_variable() {
    let lists = lists();
    let context = Context::new(&lists);
    let actions = run_with(
        r#"require ["extlists", "variables", "fileinto"];
        if address :list ["cc", "from"] ":ADDRBOOK:%44efault" { fileinto "known/${0}"; }"#,
        MESSAGE,
        &context,
    );
    assert_eq!(actions, [fileinto("known/alice+news@example.org")]);
    let actions = run_with(
        r#"require ["extlists", "fileinto", "valid_ext_list"];
        if valid_ext_list [":addrbook:default", "tag:example.com,2026:ips"] { fileinto "valid"; }
        if valid_ext_list "tag:example.com,2026:nope" { fileinto "invalid"; }
        if valid_ext_list "not a uri" { fileinto "invalid"; }"#
            .replace(", \"valid_ext_list\"", "")
            .as_str(),
        MESSAGE,
        &context,
    );
    assert_eq!(actions, [fileinto("valid")]);
}

#[test]
fn redirect_list_enumerates_or_fails() {
    let lists = lists();
    let context = Context::new(&lists);
    assert_eq!(
        run_with(
            "require \"extlists\"; redirect :list \"tag:example.com,2026:team\";",
            MESSAGE,
            &context
        ),
        [
            Action::Redirect {
                address: Some("a@example.com".into()),
                list: Some("tag:example.com,2026:team".into()),
                copy: false
            },
            Action::Redirect {
                address: Some("b@example.net".into()),
                list: Some("tag:example.com,2026:team".into()),
                copy: false
            },
        ]
    );
    // §2.3: a list of patterns cannot be enumerated.
    let error = runtime_error(
        "require \"extlists\"; redirect :list \"tag:example.com,2026:patterns\";",
        MESSAGE,
        &context,
    );
    assert!(
        matches!(&error, Error::Runtime { message, .. } if message.contains("cannot be enumerated")),
        "{error}"
    );
    // §3: the domain allowlist.
    let restricted = Context::new(&lists).with_redirect_domains(vec!["example.com".into()]);
    let error = runtime_error(
        "require \"extlists\"; redirect :list \"tag:example.com,2026:team\";",
        MESSAGE,
        &restricted,
    );
    assert!(
        matches!(&error, Error::Runtime { message, .. } if message.contains("example.net")),
        "{error}"
    );
    let error = runtime_error(
        "require \"extlists\"; redirect :list \"tag:example.com,2026:unknown\";",
        MESSAGE,
        &context,
    );
    assert!(matches!(error, Error::Runtime { .. }), "{error}");
}

/// A backend that fails the way it is told to, and counts queries.
struct Failing {
    error: Option<ListError>,
    delay: Duration,
    queries: AtomicUsize,
}

impl ListResolver for Failing {
    fn schemes(&self) -> Vec<String> {
        vec!["tag".into()]
    }
    fn is_valid(&self, _list: &ListName) -> Result<bool, ListError> {
        self.error.clone().map_or(Ok(true), Err)
    }
    fn find_first(
        &self,
        _list: &ListName,
        values: &[&str],
        _deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        self.queries.fetch_add(values.len(), Ordering::SeqCst);
        std::thread::sleep(self.delay);
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(None),
        }
    }
    fn enumerate(
        &self,
        _list: &ListName,
        _max: usize,
        _deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(Enumeration::Handled),
        }
    }
}

fn failing(error: Option<ListError>) -> Failing {
    Failing {
        error,
        delay: Duration::ZERO,
        queries: AtomicUsize::new(0),
    }
}

#[test]
fn list_failures_defer_or_fail() {
    let script =
        "require \"extlists\"; if header :list \"from\" \"tag:example.com,2026:x\" { discard; }";
    let temporary = failing(Some(ListError::Temporary("connection refused".into())));
    let error = runtime_error(script, MESSAGE, &Context::new(&temporary));
    assert!(error.is_defer(), "{error}");
    let permanent = failing(Some(ListError::Permanent("cannot query".into())));
    assert!(matches!(
        runtime_error(script, MESSAGE, &Context::new(&permanent)),
        Error::Runtime { .. }
    ));
    // A backend slower than the timeout counts as a temporary failure.
    let slow = Failing {
        error: None,
        delay: Duration::from_millis(30),
        queries: AtomicUsize::new(0),
    };
    let limits = small(|l| l.list_timeout = Duration::from_millis(5));
    let error = runtime_error(script, MESSAGE, &Context::new(&slow).with_limits(limits));
    assert!(
        matches!(
            &error,
            Error::Defer {
                reason: ListError::Timeout(_),
                ..
            }
        ),
        "{error}"
    );
    // valid_ext_list defers on a temporary failure too.
    let error = runtime_error(
        "require \"extlists\"; if valid_ext_list \"tag:a,2026:b\" { keep; }",
        MESSAGE,
        &Context::new(&temporary),
    );
    assert!(error.is_defer());
    // The list handler redirects on the engine's behalf.
    let handled = failing(None);
    assert_eq!(
        run_with(
            "require \"extlists\"; redirect :list \"tag:example.com,2026:x\";",
            MESSAGE,
            &Context::new(&handled)
        ),
        [Action::Redirect {
            address: None,
            list: Some("tag:example.com,2026:x".into()),
            copy: false
        }]
    );
}

// ---- limits: each one hit ---------------------------------------------------------------------

fn small(change: fn(&mut Limits)) -> Limits {
    let mut limits = Limits::default();
    change(&mut limits);
    limits
}

fn limit_of(error: Error) -> &'static str {
    match error {
        Error::Limit { limit, .. } => limit,
        Error::Compile(e) => match e.kind {
            CompileErrorKind::Limit { limit, .. } => limit,
            other => panic!("not a limit: {other}"),
        },
        other => panic!("not a limit: {other}"),
    }
}

fn evaluate_limited(
    script: &str,
    message: &[u8],
    limits: Limits,
    lists: &dyn ListResolver,
) -> Error {
    let compiled = Script::compile(script).unwrap();
    compiled
        .evaluate(message, &Context::new(lists).with_limits(limits))
        .unwrap_err()
}

#[test]
fn compile_limits() {
    let compile =
        |script: &str, limits: Limits| Script::compile_with(script, &limits).unwrap_err().into();
    assert_eq!(
        limit_of(compile("keep;", small(|l| l.max_script_bytes = 4))),
        "max_script_bytes"
    );
    assert_eq!(
        limit_of(compile(
            "if true { if true { keep; } }",
            small(|l| l.max_nesting = 1)
        )),
        "max_nesting"
    );
    assert_eq!(
        limit_of(compile(
            "redirect \"aaaa@example.com\";",
            small(|l| l.max_string_bytes = 8)
        )),
        "max_string_bytes"
    );
    assert_eq!(
        limit_of(compile(
            "require \"variables\"; set \"a\" \"\"; set \"b\" \"\";",
            small(|l| l.max_variables = 1)
        )),
        "max_variables"
    );
}

#[test]
fn evaluation_limits() {
    let lists = lists();
    let cases: Vec<(&str, &[u8], Limits, &str)> = vec![
        (
            "require \"fileinto\"; fileinto \"a\"; fileinto \"b\"; fileinto \"c\";",
            MESSAGE,
            small(|l| l.max_actions = 2),
            "max_actions",
        ),
        (
            "redirect \"a@example.com\"; redirect \"b@example.com\";",
            MESSAGE,
            small(|l| l.max_redirects = 1),
            "max_redirects",
        ),
        (
            "require \"extlists\"; if address :list [\"to\", \"cc\"] \":addrbook:default\" { keep; }",
            MESSAGE,
            small(|l| l.max_list_queries = 2),
            "max_list_queries",
        ),
        (
            "require \"extlists\"; redirect :list \"tag:example.com,2026:team\";",
            MESSAGE,
            small(|l| l.max_list_recipients = 1),
            "max_list_recipients",
        ),
        (
            "require \"foreverypart\"; foreverypart { keep; }",
            MULTIPART,
            small(|l| l.max_mime_parts = 2),
            "max_mime_parts",
        ),
        (
            "if header :matches \"received\" \"*a*b*c*d*e*f*g*h*i*j*k*l*m*n*\" { keep; }",
            MESSAGE,
            small(|l| l.max_match_work = 2000),
            "max_match_work",
        ),
        (
            "keep;",
            MESSAGE,
            small(|l| l.max_message_bytes = 100),
            "max_message_bytes",
        ),
        (
            "require \"variables\"; set \"a\" \"0123456789\"; set \"b\" \"${a}${a}${a}\";",
            MESSAGE,
            small(|l| l.max_variable_bytes = 20),
            "max_variable_bytes",
        ),
        (
            "require [\"variables\", \"fileinto\"]; set \"a\" \"0123456789\"; fileinto \"${a}${a}${a}${a}\";",
            MESSAGE,
            small(|l| l.max_string_bytes = 30),
            "max_string_bytes",
        ),
    ];
    for (script, message, limits, expected) in cases {
        assert_eq!(
            limit_of(evaluate_limited(script, message, limits, &lists)),
            expected,
            "{script}"
        );
    }
}

/// Compile once, evaluate from many threads.
#[test]
fn one_script_many_threads() {
    let script = Script::compile("require [\"extlists\", \"fileinto\"]; if address :list \"from\" \":addrbook:default\" { fileinto \"known\"; }").unwrap();
    let lists = lists();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..50 {
                    let outcome = script.evaluate(MESSAGE, &Context::new(&lists)).unwrap();
                    assert_eq!(outcome.actions, [fileinto("known")]);
                }
            });
        }
    });
}

/// Hostile messages and scripts: no panic, whatever the bytes.
#[test]
fn garbage_messages_evaluate() {
    let script = Script::compile(
        r#"require ["mime", "foreverypart", "body", "date", "variables", "extlists", "enclose"];
        foreverypart { if header :mime :anychild :param "name" "content-type" "*" { set "x" "${0}"; } }
        if body :text :contains "x" { keep; }
        if date :originalzone "date" "std11" "*" { keep; }
        if header :list "from" ":addrbook:default" { keep; }
        enclose "x";"#,
    )
    .unwrap();
    let lists = lists();
    for message in [
        &b""[..],
        b"\r\n\r\n",
        b"From:\r\n",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n",
        &[0xff; 64],
        b"Date: 99 Foo 99999 99:99:99 +9999\r\n\r\n",
    ] {
        script.evaluate(message, &Context::new(&lists)).unwrap();
    }
}
