//! Arbitrary bytes as a Sieve script (RFC 5228 §8): compiling never panics; an error names a
//! position inside the script and prints as "line:column: message"; compiling is deterministic;
//! tighter limits never let through a script that the default limits refuse.

use mailsec::sieve::{CompileError, Limits, Script};

pub fn check(data: &[u8]) {
    // The compiler takes text; lossy decoding keeps every input useful.
    let source = String::from_utf8_lossy(data);
    let first = Script::compile(&source);
    match &first {
        Ok(script) => {
            for capability in script.required() {
                assert!(!capability.is_empty(), "empty capability in require");
            }
        }
        Err(error) => check_error(&source, error),
    }
    let again = Script::compile(&source);
    assert_eq!(
        first.as_ref().err(),
        again.as_ref().err(),
        "compiling twice gives different results"
    );

    let small = Script::compile_with(&source, &small_limits());
    match &small {
        Ok(script) => {
            let Ok(full) = &first else {
                panic!("accepted under small limits, refused under the defaults: {first:?}");
            };
            assert_eq!(script.required(), full.required());
        }
        Err(error) => check_error(&source, error),
    }
}

/// Limits far below the defaults.
fn small_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_script_bytes = 2048;
    limits.max_nesting = 4;
    limits.max_string_bytes = 64;
    limits.max_variables = 4;
    limits.max_variable_bytes = 64;
    limits
}

/// The position is a character of the script, or just past the end of a line.
fn check_error(source: &str, error: &CompileError) {
    let position = error.position;
    let lines: Vec<&str> = source.split('\n').collect();
    let line = usize::try_from(position.line).unwrap_or(usize::MAX);
    assert!(
        (1..=lines.len()).contains(&line),
        "line {} outside 1..={}: {error}",
        position.line,
        lines.len()
    );
    let columns = lines[line - 1].chars().count() + 1;
    let column = usize::try_from(position.column).unwrap_or(usize::MAX);
    assert!(
        (1..=columns).contains(&column),
        "column {} outside 1..={columns} of line {line}: {error}",
        position.column
    );
    let shown = error.to_string();
    let prefix = format!("{}:{}: ", position.line, position.column);
    assert!(
        shown.starts_with(&prefix),
        "{shown:?} does not start with {prefix:?}"
    );
}
