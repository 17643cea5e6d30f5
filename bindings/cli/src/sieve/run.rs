//! `mailsec sieve run`: evaluate a script on the message on stdin and print the actions.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use facade::Error;
use facade::sieve::{self, Action, Clock, Context, Limits, Outcome, Script};
use serde_json::{Value, json};

use super::CompileFailure;
use crate::exit;
use crate::failure::Failure;
use crate::input::{is_too_large, read_stdin};
use crate::output::{write_json, write_stdout};

/// What to run, on what, and how.
#[derive(Args)]
#[command(after_long_help = "\
Exit codes: 0 the actions are printed; 75 defer the delivery and try again later: a list \
backend failed temporarily or did not answer within --list-timeout (RFC 6134 §3), or the \
script or the lists cannot be read or used (as when a script cannot be fetched); no actions \
are printed, only the error; 65 the script does not compile or failed at run time, or the \
message is larger than allowed; 74 the message on stdin cannot be read; 2 usage.

On 65 the error is on stderr (SCRIPT:line:column: message) and stdout still carries the \
fallback, `keep (implicit)` (with --json {\"actions\": [the implicit keep], \"error\": {...}}): \
RFC 5228 §2.10.6 says a script error ends in an implicit keep, so a caller that ignores the \
exit code still files the message in the inbox. The actions an erring script took before the \
error are not carried out.")]
pub struct RunArgs {
    /// The Sieve script.
    #[arg(long, value_name = "FILE")]
    script: PathBuf,
    /// The lists `:list`, `redirect :list` and `valid_ext_list` query: a SQLite list store
    /// (`mailsec sieve lists import`) or a TOML lists file. Without: no lists (every list is
    /// unknown).
    #[arg(long, value_name = "LISTS")]
    lists: Option<PathBuf>,
    /// The envelope sender (MAIL FROM; an empty string for the null sender `<>`).
    #[arg(long, value_name = "ADDR")]
    from: Option<String>,
    /// The envelope recipient (RCPT TO).
    #[arg(long, value_name = "ADDR")]
    to: Option<String>,
    /// The authenticated sender (SMTP AUTH), for `envelope "auth"`.
    #[arg(long, value_name = "ID")]
    auth: Option<String>,
    /// Print {"actions": [...]} (and "trace" with --trace) instead of one line per action.
    #[arg(long)]
    json: bool,
    /// The current time for `currentdate` (RFC 5260), e.g. 2026-11-23T10:00:00+01:00 (its
    /// offset is the local zone). Default: the system clock, UTC.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    now: Option<Clock>,
    /// The header field holding the spam score, for `spamtest` (RFC 5235). Without it,
    /// spamtest says the message was not tested.
    #[arg(long, value_name = "NAME")]
    spam_header: Option<String>,
    /// The score in --spam-header that means certainly spam.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10.0,
        requires = "spam_header"
    )]
    spam_max: f64,
    /// The header field holding the virus score, for `virustest` (RFC 5235).
    #[arg(long, value_name = "NAME")]
    virus_header: Option<String>,
    /// The highest score in --virus-header.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 5.0,
        requires = "virus_header"
    )]
    virus_max: f64,
    /// Allow redirects only to addresses in this domain (repeatable); a redirect elsewhere is
    /// a runtime error (RFC 6134 §3). Default: any domain.
    #[arg(long = "redirect-domain", value_name = "DOMAIN")]
    redirect_domains: Vec<String>,
    /// The most members a `redirect :list` may expand to (RFC 6134 §3).
    #[arg(long, value_name = "N")]
    max_list_recipients: Option<usize>,
    /// How long one list query may take, in seconds, before the delivery is deferred.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    list_timeout: Option<Duration>,
    /// Write the message the deliveries apply to, when `enclose` (RFC 5703 §6) replaced it,
    /// to this file.
    #[arg(long, value_name = "FILE")]
    enclosed: Option<PathBuf>,
    /// Trace each test evaluated: on stderr, or under "trace" with --json.
    #[arg(long)]
    trace: bool,
}

pub fn run(args: &RunArgs) -> ExitCode {
    match evaluate(args) {
        Ok(Evaluated::Done(outcome)) => {
            print_outcome(args, &outcome).unwrap_or_else(|f| f.report(args.json))
        }
        Ok(Evaluated::Compile(failure)) => {
            eprintln!("{}", failure.line());
            fallback(args, failure.to_json())
        }
        Ok(Evaluated::Failed { line, json }) => {
            eprintln!("{line}");
            fallback(args, json)
        }
        Ok(Evaluated::Unusable(failure)) => {
            // Like a policy that cannot be used: the operator's to fix, defer meanwhile.
            let _ = failure.report(args.json);
            ExitCode::from(exit::TEMPORARY_FAILURE)
        }
        Err(failure) => failure.report(args.json),
    }
}

/// How an evaluation ended, short of a failure of the command itself.
enum Evaluated {
    /// The script ran.
    Done(Outcome),
    /// The script or the lists cannot be read: as when a script cannot be fetched, the
    /// delivery is deferred (RFC 6134 §3).
    Unusable(Failure),
    /// The script does not compile.
    Compile(CompileFailure),
    /// The script failed at run time, or the message was too large to run it on: the line
    /// for stderr and the error as JSON.
    Failed { line: String, json: Value },
}

fn evaluate(args: &RunArgs) -> Result<Evaluated, Failure> {
    let mut limits = Limits::default();
    if let Some(max) = args.max_list_recipients {
        limits.max_list_recipients = max;
    }
    if let Some(timeout) = args.list_timeout {
        limits.list_timeout = timeout;
    }
    let script: Script = match super::load(&args.script, &limits) {
        Ok(Ok(script)) => script,
        Ok(Err(failure)) => return Ok(Evaluated::Compile(failure)),
        Err(failure) => return Ok(Evaluated::Unusable(failure)),
    };
    let lists: Box<dyn sieve::ListResolver> = match &args.lists {
        Some(path) => match super::lists::open_lists(path) {
            Ok(lists) => lists,
            Err(failure) => return Ok(Evaluated::Unusable(failure)),
        },
        None => Box::new(sieve::NoLists),
    };
    let message = match read_stdin(limits.max_message_bytes) {
        Ok(message) => message,
        Err(error) if is_too_large(&error) => {
            let line = format!("mailsec: reading the message on stdin: {error}");
            let json = json!({
                "error": "limit-exceeded",
                "message": line,
                "limit": "max_message_bytes",
                "max": limits.max_message_bytes,
            });
            return Ok(Evaluated::Failed { line, json });
        }
        Err(error) => {
            return Err(Failure::Read {
                what: "the message on stdin".to_owned(),
                error,
            });
        }
    };
    let mut context = Context::new(lists.as_ref())
        .with_envelope(args.from.as_deref(), args.to.as_deref())
        .with_limits(limits)
        .with_trace(args.trace);
    context.envelope.auth.clone_from(&args.auth);
    if let Some(clock) = args.now {
        context = context.with_clock(clock);
    }
    if let Some(header) = &args.spam_header {
        context = context.with_spamtest(header, args.spam_max);
    }
    if let Some(header) = &args.virus_header {
        context = context.with_virustest(header, args.virus_max);
    }
    if !args.redirect_domains.is_empty() {
        context = context.with_redirect_domains(args.redirect_domains.clone());
    }
    match script.evaluate(&message, &context) {
        Ok(outcome) => Ok(Evaluated::Done(outcome)),
        // RFC 6134 §3: a list backend that is down defers the delivery, like a script that
        // cannot be fetched; no fallback is printed.
        Err(error) if error.is_defer() => Err(Failure::Facade(Error::Sieve(error))),
        Err(error) => {
            let line = match error.position() {
                Some(_) => format!("{}:{error}", args.script.display()),
                None => format!("mailsec: {error}"),
            };
            let json = super::error_json(&error, line.clone());
            Ok(Evaluated::Failed { line, json })
        }
    }
}

/// After a script error: the implicit keep on stdout (RFC 5228 §2.10.6), exit 65.
fn fallback(args: &RunArgs, error: Value) -> ExitCode {
    let keep = Action::Keep {
        flags: Vec::new(),
        implicit: true,
    };
    let written = if args.json {
        write_json(&json!({ "actions": [keep], "error": error }))
    } else {
        write_stdout(format!("{}\n", action_line(&keep)).as_bytes())
    };
    match written {
        Ok(()) => ExitCode::from(exit::DATA_ERROR),
        Err(failure) => failure.report(false),
    }
}

fn print_outcome(args: &RunArgs, outcome: &Outcome) -> Result<ExitCode, Failure> {
    if let (Some(path), Some(message)) = (&args.enclosed, &outcome.message) {
        std::fs::write(path, message).map_err(|error| {
            Failure::Facade(Error::Io {
                what: format!("writing {}", path.display()),
                message: error.to_string(),
            })
        })?;
    }
    if args.json {
        let mut value = json!({ "actions": outcome.actions });
        if args.trace {
            value["trace"] = serde_json::to_value(&outcome.trace)
                .map_err(|e| Failure::Internal(e.to_string()))?;
        }
        write_json(&value)?;
    } else {
        for event in &outcome.trace {
            let detail = if event.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", event.detail)
            };
            eprintln!(
                "trace: {}:{}: {} {}{detail}",
                args.script.display(),
                event.position,
                event.name,
                event.result,
            );
        }
        let mut out = String::new();
        for action in &outcome.actions {
            out.push_str(&action_line(action));
            out.push('\n');
        }
        write_stdout(out.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One action in Sieve-like words: `fileinto "spam" :copy`. Strings are quoted as JSON
/// strings, so that a line break in a reason stays `\n` and every action is one line.
pub fn action_line(action: &Action) -> String {
    fn quote(text: &str) -> String {
        Value::from(text).to_string()
    }
    fn list(items: &[String]) -> String {
        Value::from(items.to_vec()).to_string()
    }
    fn flags(flags: &[String]) -> String {
        if flags.is_empty() {
            String::new()
        } else {
            format!(" :flags {}", list(flags))
        }
    }
    fn copy(copy: bool) -> &'static str {
        if copy { " :copy" } else { "" }
    }
    match action {
        Action::Keep { flags: f, implicit } => {
            let implicit = if *implicit { " (implicit)" } else { "" };
            format!("keep{}{implicit}", flags(f))
        }
        Action::Fileinto {
            mailbox,
            flags: f,
            copy: c,
        } => format!("fileinto {}{}{}", quote(mailbox), flags(f), copy(*c)),
        Action::Redirect {
            address,
            list: from_list,
            copy: c,
        } => {
            let mut line = "redirect".to_owned();
            if let Some(address) = address {
                line.push_str(&format!(" {}", quote(address)));
            }
            if let Some(name) = from_list {
                // RFC 6134 §2.3: the list handler redirects to the members.
                line.push_str(&format!(" :list {}", quote(name)));
            }
            line + copy(*c)
        }
        Action::Discard => "discard".to_owned(),
        Action::Reject { reason } => format!("reject {}", quote(reason)),
        Action::Ereject { reason } => format!("ereject {}", quote(reason)),
        Action::Notify {
            method,
            from,
            importance,
            options,
            message,
        } => {
            let mut line = "notify".to_owned();
            if let Some(from) = from {
                line.push_str(&format!(" :from {}", quote(from)));
            }
            line.push_str(&format!(" :importance \"{importance}\""));
            if !options.is_empty() {
                line.push_str(&format!(" :options {}", list(options)));
            }
            if let Some(message) = message {
                line.push_str(&format!(" :message {}", quote(message)));
            }
            format!("{line} {}", quote(method))
        }
        Action::Enclose {
            subject,
            headers,
            reason,
        } => {
            let mut line = "enclose".to_owned();
            if let Some(subject) = subject {
                line.push_str(&format!(" :subject {}", quote(subject)));
            }
            if !headers.is_empty() {
                line.push_str(&format!(" :headers {}", list(headers)));
            }
            format!("{line} {}", quote(reason))
        }
        // An action this build cannot name in words: its JSON form.
        other => format!(
            "{} {}",
            other.name(),
            serde_json::to_string(other).unwrap_or_default()
        ),
    }
}

/// A number of seconds (`5`, `0.5`) as a duration.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text}: {e}"))
}

/// An RFC 3339 date-time (§5.6: `2026-11-23T10:00:00Z`, `2026-11-23T10:00:00.5+01:00`) as
/// a fixed clock; its offset is the local zone for `currentdate` without `:zone`.
fn parse_rfc3339(text: &str) -> Result<Clock, String> {
    let bad = || format!("\"{text}\" is not an RFC 3339 date-time (2026-11-23T10:00:00+01:00)");
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let digits = bytes.get(range).ok_or_else(bad)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        digits
            .iter()
            .try_fold(0i64, |n, d| {
                n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
            })
            .ok_or_else(bad)
    };
    let at = |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return Err(bad());
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = bytes.get(19..).ok_or_else(bad)?;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) =>
        {
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if hours > 23 || minutes > 59 {
                return Err(bad());
            }
            let offset = hours * 60 + minutes;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return Err(bad()),
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    // RFC 3339 §5.7: a leap second (60) is allowed; the clock counts it as the next second.
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 60 {
        return Err(bad());
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let unix = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Ok(Clock::Fixed {
        unix,
        offset_minutes: i32::try_from(offset_minutes).map_err(|_| bad())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_instants() {
        assert_eq!(
            parse_rfc3339("1970-01-01T00:00:00Z"),
            Ok(Clock::Fixed {
                unix: 0,
                offset_minutes: 0
            })
        );
        // date -d 2026-11-23T10:00:00+01:00 +%s
        assert_eq!(
            parse_rfc3339("2026-11-23T10:00:00.25+01:00"),
            Ok(Clock::Fixed {
                unix: 1_795_424_400,
                offset_minutes: 60
            })
        );
        assert_eq!(
            parse_rfc3339("2000-02-29t23:59:60-05:30"),
            Ok(Clock::Fixed {
                unix: 951_888_600,
                offset_minutes: -330
            })
        );
        for bad in [
            "",
            "2026-11-23",
            "2026-11-23T10:00:00",
            "2026-02-29T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T10:00:00.Z",
            "2026-11-23T10:00:00+1:00",
            "+026-11-23T10:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn actions_in_words() {
        let keep = Action::Keep {
            flags: Vec::new(),
            implicit: true,
        };
        assert_eq!(action_line(&keep), "keep (implicit)");
        let fileinto = Action::Fileinto {
            mailbox: "spam".into(),
            flags: vec!["\\Seen".into()],
            copy: true,
        };
        assert_eq!(
            action_line(&fileinto),
            r#"fileinto "spam" :flags ["\\Seen"] :copy"#
        );
        let redirect = Action::Redirect {
            address: Some("a@b".into()),
            list: None,
            copy: true,
        };
        assert_eq!(action_line(&redirect), r#"redirect "a@b" :copy"#);
        let reject = Action::Reject {
            reason: "no \"thanks\"\r\nbye".into(),
        };
        assert_eq!(action_line(&reject), r#"reject "no \"thanks\"\r\nbye""#);
    }
}
