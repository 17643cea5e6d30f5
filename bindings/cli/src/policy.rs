//! `mailsec policy check`: is a policy file usable, and what does it say.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use facade::headers::{self, FieldRule};
use facade::{Error, Policy};
use serde_json::{Value, json};

use crate::exit;
use crate::failure::Failure;
use crate::input::{read_file, read_stdin};
use crate::output::{write_json, write_stdout};

/// Largest policy file read.
const MAX_POLICY: usize = 1 << 20;

#[derive(Subcommand)]
pub enum Verb {
    /// Check a policy file as a whole: unknown tables and keys, misspelt values and
    /// inconsistencies are errors with line and column (exit 65). Prints "ok" and a summary.
    Check {
        /// The policy file; `-` reads it from stdin.
        file: PathBuf,
        /// Print JSON: {"valid": true, "secure_headers": {...}}, or the error as an object.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(verb: Verb) -> ExitCode {
    match verb {
        Verb::Check { file, json } => check(&file, json).unwrap_or_else(|f| f.report(json)),
    }
}

fn check(file: &Path, json: bool) -> Result<ExitCode, Failure> {
    let (what, data) = if file == Path::new("-") {
        ("stdin".to_owned(), read_stdin(MAX_POLICY))
    } else {
        let what = format!("policy file {}", file.display());
        (what, read_file(file, MAX_POLICY))
    };
    let data = data.map_err(|error| Failure::Read {
        what: what.clone(),
        error,
    })?;
    // Here the file is the input: whatever is wrong with it is bad input (65), not the
    // configuration error (75) it is for the commands that use a policy.
    let Ok(text) = String::from_utf8(data) else {
        return Ok(invalid(json, None, None, &format!("{what} is not UTF-8")));
    };
    let policy = match Policy::from_toml_str(&text) {
        Ok(policy) => policy,
        Err(Error::Policy(error)) => {
            return Ok(invalid(json, error.line, error.column, &error.to_string()));
        }
        Err(other) => return Err(Failure::Facade(other)),
    };
    if json {
        write_json(&json!({
            "valid": true,
            "secure_headers": policy.secure_headers().map(secure_headers_json),
        }))?;
    } else {
        let mut out = String::from("ok\n");
        match policy.secure_headers() {
            Some(policy) => out.push_str(&secure_headers_summary(policy)),
            None => out.push_str("no [secure_headers] table\n"),
        }
        write_stdout(out.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reports an unusable policy: `mailsec: line L, column C: ...` on stderr, exit 65.
fn invalid(json: bool, line: Option<usize>, column: Option<usize>, message: &str) -> ExitCode {
    if json {
        // Best effort: stderr and the exit code still tell if stdout is gone.
        let _ = write_json(&json!({
            "valid": false,
            "error": "policy",
            "line": line,
            "column": column,
            "message": message,
        }));
    }
    eprintln!("mailsec: {message}");
    ExitCode::from(exit::DATA_ERROR)
}

fn is_mandatory(policy: &headers::Policy, name: &str) -> bool {
    policy
        .mandatory()
        .iter()
        .any(|m| m.eq_ignore_ascii_case(name))
}

fn profile_names(policy: &headers::Policy) -> Vec<&'static str> {
    policy
        .accepted_profiles()
        .iter()
        .map(|p| p.name())
        .collect()
}

fn secure_headers_summary(policy: &headers::Policy) -> String {
    let mut out = format!(
        "secure_headers: profile {}, accepts {}, canonicalization {}\n",
        policy.profile(),
        profile_names(policy).join(", "),
        policy.canonicalization(),
    );
    for name in policy.fields() {
        out.push_str(&format!("  {name}: "));
        match policy.rule(name) {
            Some(FieldRule::Modified { value }) => {
                out.push_str(&format!("modified to {}", json!(value)));
            }
            Some(rule) => out.push_str(rule.status().name()),
            None => out.push('?'),
        }
        if is_mandatory(policy, name) {
            out.push_str(", mandatory");
        }
        out.push('\n');
    }
    out
}

fn secure_headers_json(policy: &headers::Policy) -> Value {
    let fields: Vec<Value> = policy
        .fields()
        .iter()
        .map(|name| {
            let rule = policy.rule(name);
            let mut field = json!({
                "name": name,
                "status": rule.map(|r| r.status().name()),
                "mandatory": is_mandatory(policy, name),
            });
            if let (Some(FieldRule::Modified { value }), Some(object)) =
                (rule, field.as_object_mut())
            {
                object.insert("value".to_owned(), value.as_str().into());
            }
            field
        })
        .collect();
    json!({
        "profile": policy.profile().name(),
        "accept": profile_names(policy),
        "canonicalization": policy.canonicalization().name(),
        "fields": fields,
        "limits": policy.limits(),
    })
}
