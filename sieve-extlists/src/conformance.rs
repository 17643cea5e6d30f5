//! Pigeonhole's Sieve test suite (../shared/conformance/pigeonhole-tests) as conformance data:
//! every script parses; scripts Pigeonhole expects to fail compiling fail here too; scripts it
//! expects to compile do, whenever they only need capabilities we support.

use std::path::{Path, PathBuf};

use crate::compile::compile;
use crate::lexer::tokenize;
use crate::limits::Limits;
use crate::parser::{self, Argument};

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/pigeonhole-tests")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "sieve" || e == "svtest")
        {
            out.push(path);
        }
    }
    out.sort();
}

/// The capabilities a script requires, from its `require` commands.
fn required(source: &str) -> Option<Vec<String>> {
    let limits = Limits::default();
    let tokens = tokenize(source, &limits).ok()?;
    let tree = parser::parse(&tokens, &limits, crate::Position::default()).ok()?;
    Some(
        tree.iter()
            .filter(|c| c.name == "require")
            .flat_map(|c| c.arguments.iter())
            .flat_map(|a| match a {
                Argument::Strings { values, .. } => values.clone(),
                _ => Vec::new(),
            })
            .map(|v| v.to_ascii_lowercase())
            .collect(),
    )
}

fn read(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn in_dir(path: &Path, dir: &str) -> bool {
    path.components().any(|c| c.as_os_str() == dir)
}

/// Files whose point is a lexical or grammatical error (Pigeonhole's `recover` scripts are
/// syntax errors it recovers from to report more of them).
fn meant_not_to_parse(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    (in_dir(path, "errors") && matches!(name, "lexer.sieve" | "parser.sieve"))
        || (in_dir(path, "recover") && name != "commands-semicolon.sieve")
}

/// Error scripts whose error depends on Pigeonhole's environment or its own limits, not on
/// the RFCs: a mailbox that does not exist in its test store, a mailbox name that is not
/// UTF-8 (a Rust string cannot hold one; ours stays literal), notify prohibited by its
/// configuration, its limit of four nested loops, and its action and redirect limits.
const ENVIRONMENT_ERRORS: &[&str] = &[
    "execute/errors/fileinto.sieve",
    "execute/errors/fileinto-bad-utf8.sieve",
    "extensions/enotify/errors/notify-prohibited.sieve",
    "extensions/mime/errors/limits.sieve",
    "execute/errors/actions-limit.sieve",
    "execute/errors/redirect-limit.sieve",
];

/// Error scripts that compile and must fail when run.
fn runtime_error_expected(path: &Path) -> bool {
    in_dir(path, "execute") && in_dir(path, "errors")
        || path.ends_with("extensions/ihave/errors/error.sieve")
}

#[test]
fn pigeonhole_scripts_parse() {
    let mut all = Vec::new();
    files(&suite(), &mut all);
    assert!(
        all.len() > 300,
        "the Pigeonhole suite is missing: {}",
        suite().display()
    );
    let limits = Limits::default();
    let mut failures = Vec::new();
    for path in &all {
        let Some(source) = read(path) else { continue };
        let parsed = tokenize(&source, &limits)
            .and_then(|t| parser::parse(&t, &limits, crate::Position::default()));
        if parsed.is_err() != meant_not_to_parse(path) {
            failures.push(format!("{}: {:?}", path.display(), parsed.err()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn pigeonhole_error_scripts_fail_and_valid_scripts_compile() {
    let mut all = Vec::new();
    files(&suite(), &mut all);
    let mut failures = Vec::new();
    let (mut errors_checked, mut valid_checked) = (0, 0);
    for path in all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "sieve"))
    {
        let Some(source) = read(path) else { continue };
        let Some(required) = required(&source) else {
            continue;
        };
        if !required
            .iter()
            .all(|r| crate::CAPABILITIES.contains(&r.as_str()))
        {
            continue;
        }
        if ENVIRONMENT_ERRORS.iter().any(|e| path.ends_with(e)) {
            continue;
        }
        let in_errors = in_dir(path, "errors") || in_dir(path, "recover");
        let result = compile(&source, &Limits::default());
        if runtime_error_expected(path) {
            errors_checked += 1;
            let script = match result {
                Ok(program) => crate::Script::from_program(program),
                Err(e) => {
                    failures.push(format!(
                        "{}: {e}, Pigeonhole expects it to compile and fail at run time",
                        path.display()
                    ));
                    continue;
                }
            };
            let lists = crate::NoLists;
            if script
                .evaluate(
                    b"From: a@example.com\r\n\r\nbody\r\n",
                    &crate::Context::new(&lists),
                )
                .is_ok()
            {
                failures.push(format!(
                    "{}: ran without error, Pigeonhole expects a runtime error",
                    path.display()
                ));
            }
        } else if in_errors {
            errors_checked += 1;
            if result.is_ok() {
                failures.push(format!(
                    "{}: compiled, Pigeonhole expects errors",
                    path.display()
                ));
            }
        } else {
            valid_checked += 1;
            if let Err(e) = result {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    assert!(
        errors_checked > 20 && valid_checked > 10,
        "{errors_checked} error scripts, {valid_checked} valid scripts"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
