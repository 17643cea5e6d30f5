//! `mailsec pgp sign|verify|encrypt|decrypt`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use facade::pgp::{
    self, DecryptionReport, Key, PgpPolicy, SignMode, VerificationReport,
    mime::{self, MimeKind, Opened},
};
use serde_json::{Map, Value, json};

use super::files::{
    certificates, certificates_and_store, existing_store, read_message, read_named, secret_keys,
    write_output,
};
use crate::exit;
use crate::failure::Failure;
use crate::output::{write_json, write_stdout};

/// Who signs, and in which form.
#[derive(Args)]
pub struct SignArgs {
    /// The signer's secret key (armored or binary); repeat for several signers.
    #[arg(long, value_name = "FILE", required = true)]
    key: Vec<PathBuf>,
    /// The password of protected keys, in the first line of this file.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Print a detached signature instead of a signed message.
    #[arg(long, conflicts_with = "mime")]
    detached: bool,
    /// Sign the RFC 5322 message on stdin as PGP/MIME: multipart/signed (RFC 3156 §5), the
    /// header fields protected inside (RFC 9788).
    #[arg(long)]
    mime: bool,
    /// Print binary OpenPGP instead of ASCII armor.
    #[arg(long, conflicts_with = "mime")]
    binary: bool,
}

/// What to verify against, and where the content goes.
#[derive(Args)]
#[command(group(
    ArgGroup::new("certificates")
        .required(true)
        .multiple(true)
        .args(["cert", "cert_store"])
))]
pub struct VerifyArgs {
    /// Certificates of the signers (armored or binary; a file may hold several); repeatable.
    #[arg(long, value_name = "FILE")]
    cert: Vec<PathBuf>,
    /// A key store directory: every certificate in it is a candidate signer.
    #[arg(long, value_name = "DIR")]
    cert_store: Option<PathBuf>,
    /// The detached signature (armored or binary) over the data on stdin.
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,
    /// Write the verified content (of an inline signed message, or the signed MIME entity of a
    /// PGP/MIME message) to this file, replacing it; stdout then carries the report.
    #[arg(long, value_name = "FILE", conflicts_with = "signature")]
    output: Option<PathBuf>,
    /// Print the report as JSON instead of the content: {"valid": ..., "form": "detached" |
    /// "inline" | "mime", "signatures": [...]} (PGP/MIME adds "kind" and "headers"), or the
    /// error as an object.
    #[arg(long)]
    pub(super) json: bool,
}

/// Who receives, who signs.
#[derive(Args)]
#[command(group(
    ArgGroup::new("recipients")
        .required(true)
        .multiple(true)
        .args(["recipient_cert", "recipient"])
))]
pub struct EncryptArgs {
    /// A recipient's certificate (armored or binary; every certificate in the file is a
    /// recipient); repeatable.
    #[arg(long, value_name = "FILE")]
    recipient_cert: Vec<PathBuf>,
    /// The key store directory --recipient looks up.
    #[arg(long, value_name = "DIR", requires = "recipient")]
    store: Option<PathBuf>,
    /// A recipient in --store: an e-mail address, a fingerprint or a key ID. Every valid key
    /// matching it is a recipient; none is an error. Repeatable.
    #[arg(long, value_name = "QUERY", requires = "store")]
    recipient: Vec<String>,
    /// Sign with this secret key before encrypting; repeatable.
    #[arg(long, value_name = "FILE")]
    sign_with: Vec<PathBuf>,
    /// The password of protected signing keys, in the first line of this file.
    #[arg(long, value_name = "FILE", requires = "sign_with")]
    password_file: Option<PathBuf>,
    /// Encrypt the RFC 5322 message on stdin as PGP/MIME: multipart/encrypted (RFC 3156 §4).
    #[arg(long)]
    mime: bool,
    /// Print binary OpenPGP instead of ASCII armor.
    #[arg(long, conflicts_with = "mime")]
    binary: bool,
}

/// Who decrypts, what to verify against, where the content goes.
#[derive(Args)]
pub struct DecryptArgs {
    /// A secret key (armored or binary); repeat to try several.
    #[arg(long, value_name = "FILE", required = true)]
    key: Vec<PathBuf>,
    /// The password of protected keys, in the first line of this file.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// The signers' certificates: the signatures inside must be valid (else exit 1, and the
    /// content is not written); repeatable.
    #[arg(long, value_name = "FILE")]
    verify_with: Vec<PathBuf>,
    /// A key store directory of signers' certificates, as --verify-with.
    #[arg(long, value_name = "DIR")]
    cert_store: Option<PathBuf>,
    /// Write the content to this file, replacing it; stdout then carries the report.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the report as JSON instead of the content: {"valid": ..., "form": "inline" |
    /// "mime", "decryption": {...}, "signatures": [...]} (PGP/MIME adds "kind" and
    /// "headers"), or the error as an object. "valid" says whether the signatures are valid.
    #[arg(long)]
    pub(super) json: bool,
}

pub fn sign(args: &SignArgs) -> Result<ExitCode, Failure> {
    let keys = secret_keys(&args.key, args.password_file.as_deref(), "signing")?;
    let message = read_message()?;
    let policy = PgpPolicy::new();
    let signed = if args.mime {
        mime::sign(&message, &keys, &policy)?
    } else {
        let mode = if args.detached {
            SignMode::Detached
        } else {
            SignMode::Inline
        };
        pgp::sign(&message, &keys, mode, !args.binary, &policy)?
    };
    write_stdout(&signed)?;
    Ok(ExitCode::SUCCESS)
}

pub fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let certs = certificates_and_store(&args.cert, "certificate file", args.cert_store.as_deref())?;
    let policy = PgpPolicy::new();
    if let Some(path) = &args.signature {
        let signature = read_named(path, "signature file")?;
        let data = read_message()?;
        let report = pgp::verify_detached(&data, &signature, &certs, &policy)?;
        let valid = report.is_valid();
        if args.json {
            write_json(&signatures_json(valid, "detached", &report))?;
        } else {
            write_stdout(text_report("OpenPGP detached signature", valid, &report).as_bytes())?;
        }
        return Ok(verdict(valid));
    }
    let message = read_message()?;
    if mime_kind(&message, &policy)? != MimeKind::Other {
        let opened = mime::open(&message, &[], &certs, &policy)?;
        let valid = opened.is_valid();
        if valid && let Some(path) = &args.output {
            write_output(path, &opened.content, true, false)?;
        }
        if args.json {
            write_json(&mime_json(&opened)?)?;
        } else {
            write_stdout(text_report("PGP/MIME message", valid, &opened).as_bytes())?;
        }
        return Ok(verdict(valid));
    }
    let verified = pgp::verify_inline(&message, &certs, &policy)?;
    let valid = verified.report.is_valid();
    let report = || signatures_json(valid, "inline", &verified.report);
    let text = || text_report("OpenPGP signed message", valid, &verified.report);
    deliver(
        &verified.content,
        valid,
        args.output.as_deref(),
        args.json,
        &report,
        &text,
    )?;
    Ok(verdict(valid))
}

pub fn encrypt(args: &EncryptArgs) -> Result<ExitCode, Failure> {
    let policy = PgpPolicy::new();
    let mut recipients = certificates(&args.recipient_cert, "certificate file")?;
    if let Some(dir) = &args.store {
        recipients.extend(store_recipients(dir, &args.recipient, &policy)?);
    }
    let signers = secret_keys(&args.sign_with, args.password_file.as_deref(), "signing")?;
    let message = read_message()?;
    let encrypted = if args.mime {
        mime::encrypt(&message, &recipients, &signers, &policy)?
    } else {
        pgp::encrypt(&message, &recipients, &signers, !args.binary, &policy)?
    };
    write_stdout(&encrypted)?;
    Ok(ExitCode::SUCCESS)
}

/// The valid keys of the store in `dir` matching each query; a query matching none is an
/// error (mail nobody can read is worse than mail not sent).
fn store_recipients(
    dir: &Path,
    queries: &[String],
    policy: &PgpPolicy,
) -> Result<Vec<Key>, Failure> {
    let store = existing_store(dir)?;
    let mut recipients = Vec::new();
    for query in queries {
        let found = store.lookup(query)?;
        let reasons: Vec<String> = found
            .iter()
            .filter_map(|k| Some(format!("{}: {}", k.fingerprint(), k.invalidity(policy)?)))
            .collect();
        let valid: Vec<Key> = found
            .iter()
            .filter(|k| k.invalidity(policy).is_none())
            .map(Key::public)
            .collect();
        if valid.is_empty() {
            let why = if found.is_empty() {
                format!("no key in store {} matches {query:?}", dir.display())
            } else {
                format!(
                    "no valid key in store {} matches {query:?} ({})",
                    dir.display(),
                    reasons.join("; ")
                )
            };
            return Err(pgp::Error::Usage(why).into());
        }
        recipients.extend(valid);
    }
    Ok(recipients)
}

pub fn decrypt(args: &DecryptArgs) -> Result<ExitCode, Failure> {
    let keys = secret_keys(&args.key, args.password_file.as_deref(), "decryption")?;
    let certs = certificates_and_store(
        &args.verify_with,
        "certificate file",
        args.cert_store.as_deref(),
    )?;
    let verifying = !args.verify_with.is_empty() || args.cert_store.is_some();
    let policy = PgpPolicy::new();
    let message = read_message()?;
    let (content, valid, report, text) = if mime_kind(&message, &policy)? == MimeKind::Encrypted {
        let opened = mime::open(&message, &keys, &certs, &policy)?;
        let valid = opened.is_valid();
        let report = mime_json(&opened)?;
        let text = text_report("PGP/MIME message", valid, &opened);
        (opened.content, valid, report, text)
    } else {
        let decrypted = pgp::decrypt(&message, &keys, &certs, &policy)?;
        let valid = decrypted.report.signatures.is_valid();
        let report = decryption_json(valid, &decrypted.report)?;
        let text = text_report(
            "OpenPGP encrypted message",
            valid,
            &format!("{}", decrypted.report),
        );
        (decrypted.content, valid, report, text)
    };
    deliver(
        &content,
        valid || !verifying,
        args.output.as_deref(),
        args.json,
        &|| report.clone(),
        &|| text.clone(),
    )?;
    Ok(verdict(valid || !verifying))
}

/// What `message` is: OpenPGP (armored, or binary packets) is never taken for a MIME message;
/// other input is PGP/MIME when its header's Content-Type says so. Input without a readable
/// MIME header is read as OpenPGP, whose error then says what is wrong with it.
fn mime_kind(message: &[u8], policy: &PgpPolicy) -> Result<MimeKind, Failure> {
    let start = message
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(message.len());
    let rest = &message[start..];
    // RFC 9580 §6.2: armor begins with "-----BEGIN PGP "; §4.2: every packet header has
    // bit 7 set, which no RFC 5322 header field name has.
    if rest.starts_with(b"-----BEGIN PGP ") || rest.first().is_some_and(|b| b & 0x80 != 0) {
        return Ok(MimeKind::Other);
    }
    match mime::detect(message, policy) {
        Err(pgp::Error::Mime { .. }) => Ok(MimeKind::Other),
        other => Ok(other?),
    }
}

/// Writes `content` where it goes, and the report where it goes (module doc): the content to
/// `output`, else to stdout unless `json`; the report (`json` or `text`) to stdout when stdout
/// does not carry the content. Content that failed verification (`release` false) is not
/// written; the reason is then said on stderr when stdout does not carry the report.
fn deliver(
    content: &[u8],
    release: bool,
    output: Option<&Path>,
    json: bool,
    report: &dyn Fn() -> Value,
    text: &dyn Fn() -> String,
) -> Result<(), Failure> {
    if release && let Some(path) = output {
        write_output(path, content, true, false)?;
    }
    if json {
        write_json(&report())
    } else if output.is_some() {
        write_stdout(text().as_bytes())
    } else if release {
        write_stdout(content)
    } else {
        let text = text();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        eprintln!("mailsec: {}", lines.join("; "));
        Ok(())
    }
}

fn verdict(valid: bool) -> ExitCode {
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::NEGATIVE)
    }
}

/// `WHAT: VALID` then the report's lines, indented.
fn text_report(what: &str, valid: bool, report: &dyn std::fmt::Display) -> String {
    let mut text = format!("{what}: {}\n", if valid { "VALID" } else { "INVALID" });
    for line in report.to_string().lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// `{"valid", "form", "signatures": [...]}`.
fn signatures_json(valid: bool, form: &str, report: &VerificationReport) -> Value {
    json!({ "valid": valid, "form": form, "signatures": report.signatures })
}

/// `{"valid", "form": "inline", "decryption": {... without its signatures}, "signatures": [...]}`.
fn decryption_json(valid: bool, report: &DecryptionReport) -> Result<Value, Failure> {
    Ok(json!({
        "valid": valid,
        "form": "inline",
        "decryption": without_signatures(to_value(report)?),
        "signatures": report.signatures.signatures,
    }))
}

/// The Opened report, shaped as the others: `{"valid", "form": "mime", "kind", "decryption",
/// "signatures": [...], "headers": [...]}`.
fn mime_json(opened: &Opened) -> Result<Value, Failure> {
    let mut object = Map::new();
    object.insert("valid".to_owned(), Value::Bool(opened.is_valid()));
    object.insert("form".to_owned(), Value::from("mime"));
    if let Value::Object(fields) = to_value(opened)? {
        for (name, value) in fields {
            let value = match name.as_str() {
                "signatures" => to_value(&opened.signatures.signatures)?,
                "decryption" => without_signatures(value),
                _ => value,
            };
            object.insert(name, value);
        }
    }
    Ok(Value::Object(object))
}

/// A decryption report without its signatures (shown once, at the top level).
fn without_signatures(mut value: Value) -> Value {
    if let Some(object) = value.as_object_mut() {
        object.remove("signatures");
    }
    value
}

fn to_value(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Internal(e.to_string()))
}
