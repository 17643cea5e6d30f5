//! `mailsec sieve …`: Sieve scripts (RFC 5228) with externally stored lists (RFC 6134) over
//! the facade: check a script, run it on a message, keep lists in a SQLite store, and print
//! the ManageSieve capabilities.
//!
//! A script that does not compile is reported the way compilers report errors, one line
//! `SCRIPT:line:column: message` on stderr, so editors and scripts can jump to it.

mod lists;
mod run;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use facade::sieve::{self, Error as SieveError, Limits, Position, Script};
use serde_json::{Value, json};

use crate::exit;
use crate::failure::Failure;
use crate::input::{is_too_large, read_file, read_stdin};
use crate::output::{write_json, write_stdout};

#[derive(Subcommand)]
pub enum Verb {
    /// Check that a script compiles: prints "ok" (exit 0), or `SCRIPT:line:column: message`
    /// on stderr (exit 65). A script that cannot be read exits 74.
    Check {
        /// The script; `-` reads it from stdin.
        script: PathBuf,
        /// Print JSON: {"valid": true, "require": [...]}, or {"valid": false, "error":
        /// "compile", "line": L, "column": C, "message": ...}.
        #[arg(long)]
        json: bool,
    },
    /// Run a script on the message on stdin and print the actions, one per line (`fileinto
    /// "spam"`, `redirect "a@example.org" :copy`, `keep (implicit)`), or with --json as
    /// {"actions": [...]}. Exit 75 (defer the delivery) when a list backend fails temporarily
    /// or the script or lists cannot be read; 65 on a script error, with the implicit keep
    /// still printed (see --help).
    Run(run::RunArgs),
    /// Lists in a SQLite list store: import, list, remove.
    #[command(subcommand)]
    Lists(lists::Verb),
    /// Print the ManageSieve capabilities (RFC 5804 §1.7, RFC 6134 §2.8): the "SIEVE"
    /// extensions this implementation supports and the "EXTLISTS" URI schemes of the lists.
    Capabilities {
        /// The lists (a SQLite list store or a TOML lists file) whose schemes EXTLISTS names.
        /// Without: no lists but the default address book.
        #[arg(long, value_name = "LISTS")]
        lists: Option<PathBuf>,
        /// Print JSON: {"sieve": "...", "extlists": "..."}.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(verb: Verb) -> ExitCode {
    match verb {
        Verb::Check { script, json } => check(&script, json).unwrap_or_else(|f| f.report(json)),
        Verb::Run(args) => run::run(&args),
        Verb::Lists(verb) => lists::run(verb),
        Verb::Capabilities { lists, json } => {
            capabilities(lists.as_deref(), json).unwrap_or_else(|f| f.report(json))
        }
    }
}

/// A script that does not compile (or is not UTF-8), with where.
pub struct CompileFailure {
    /// The script as named on the command line.
    file: String,
    /// Where the error is.
    position: Position,
    /// What is wrong.
    message: String,
}

impl CompileFailure {
    /// The line for stderr: `SCRIPT:line:column: message`.
    fn line(&self) -> String {
        format!("{}:{}: {}", self.file, self.position, self.message)
    }

    /// The JSON object for the error.
    fn to_json(&self) -> Value {
        json!({
            "error": "compile",
            "message": self.line(),
            "line": self.position.line,
            "column": self.position.column,
        })
    }
}

/// Reads and compiles the script at `path` (`-`: stdin). The outer error is a script that
/// cannot be read; the inner one a script that does not compile (or is larger than a script
/// may be).
fn load(path: &Path, limits: &Limits) -> Result<Result<Script, CompileFailure>, Failure> {
    let file = path.display().to_string();
    let data = if path == Path::new("-") {
        read_stdin(limits.max_script_bytes)
    } else {
        read_file(path, limits.max_script_bytes)
    };
    let data = match data {
        Ok(data) => data,
        Err(error) if is_too_large(&error) => {
            return Ok(Err(CompileFailure {
                file,
                position: Position { line: 1, column: 1 },
                message: format!(
                    "limit max_script_bytes exceeded (maximum {})",
                    limits.max_script_bytes
                ),
            }));
        }
        Err(error) => {
            return Err(Failure::Read {
                what: format!("script {file}"),
                error,
            });
        }
    };
    // RFC 5228 §1.2: scripts are UTF-8; say where the first bad byte is.
    let text = match String::from_utf8(data) {
        Ok(text) => text,
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let valid = String::from_utf8_lossy(valid);
            let line = valid.matches('\n').count() + 1;
            let column = valid
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            return Ok(Err(CompileFailure {
                file,
                position: Position {
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                },
                message: "the script is not UTF-8 (RFC 5228 §1.2)".to_owned(),
            }));
        }
    };
    Ok(
        Script::compile_with(&text, limits).map_err(|error| CompileFailure {
            file,
            position: error.position,
            message: error.kind.to_string(),
        }),
    )
}

fn check(path: &Path, json: bool) -> Result<ExitCode, Failure> {
    match load(path, &Limits::default())? {
        Ok(script) => {
            if json {
                write_json(&json!({ "valid": true, "require": script.required() }))?;
            } else {
                write_stdout(b"ok\n")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            if json {
                let value = json!({
                    "valid": false,
                    "error": "compile",
                    "message": failure.line(),
                    "line": failure.position.line,
                    "column": failure.position.column,
                });
                // Best effort: stderr and the exit code still tell if stdout is gone.
                let _ = write_json(&value);
            }
            eprintln!("{}", failure.line());
            Ok(ExitCode::from(exit::DATA_ERROR))
        }
    }
}

fn capabilities(lists: Option<&Path>, json: bool) -> Result<ExitCode, Failure> {
    let resolver = match lists {
        Some(path) => lists::open_lists(path)?,
        None => Box::new(sieve::NoLists),
    };
    let sieve = sieve::sieve_capability();
    let extlists = sieve::extlists_capability(resolver.as_ref());
    if json {
        write_json(&json!({ "sieve": sieve, "extlists": extlists }))?;
    } else {
        // RFC 5804 §1.7: one quoted capability name and its quoted value per line.
        write_stdout(format!("\"SIEVE\" \"{sieve}\"\n\"EXTLISTS\" \"{extlists}\"\n").as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON object for a Sieve error: `{"error": code, "message": …}`, with the line and
/// column when the error has a place in the script, the list of a deferral, and the figures
/// of a limit.
pub fn error_json(error: &SieveError, message: String) -> Value {
    let code = match error {
        SieveError::Compile(_) => "compile",
        SieveError::Defer { .. } => "defer",
        SieveError::Runtime { .. } => "runtime",
        SieveError::Limit { .. } => "limit-exceeded",
        SieveError::Store(_) => "store",
        _ => "other",
    };
    let mut value = json!({ "error": code, "message": message });
    if let Some(position) = error.position() {
        value["line"] = position.line.into();
        value["column"] = position.column.into();
    }
    match error {
        SieveError::Defer { list, .. } => value["list"] = list.as_str().into(),
        SieveError::Limit { limit, max, .. } => {
            value["limit"] = (*limit).into();
            value["max"] = (*max).into();
        }
        _ => {}
    }
    value
}
