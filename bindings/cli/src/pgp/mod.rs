//! `mailsec pgp …`: OpenPGP keys, signatures and encryption (RFC 9580, RFC 4880) and PGP/MIME
//! (RFC 3156) over the facade.
//!
//! Where results go, for every verb: a message is read from stdin; what is produced (a signed
//! or encrypted message, a signature, decrypted or verified content) goes to stdout. A report
//! goes to stdout when stdout does not carry content: as text, or as one JSON object with
//! `--json` (as `mailsec smime verify --json` does). Content that a failed verification
//! covers is never written.

mod files;
mod key;
mod message;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory as _, Subcommand};
use facade::pgp::Error as PgpError;
use serde_json::{Value, json};

use crate::failure::Failure;

#[derive(Subcommand)]
pub enum Verb {
    /// Keys: generate one, export its certificate, and a key store directory (import, list).
    #[command(subcommand)]
    Key(key::Verb),
    /// Sign stdin and print the result: an inline signed message (armored) by default, a
    /// detached signature with --detached, or with --mime a whole RFC 5322 message in and a
    /// PGP/MIME multipart/signed message (RFC 3156 §5) out. Unusable keys exit 75 (a locked key
    /// without --password-file, a certificate without secret key material), unreadable key files
    /// 65.
    Sign(message::SignArgs),
    /// Verify: with --signature, a detached signature over stdin, and print the report;
    /// without, stdin is an inline signed message (its content is printed when valid) or a
    /// PGP/MIME message (detected; the report is printed). Exits 0 when valid, 1 when not, 65
    /// when stdin or the signature cannot be read as OpenPGP.
    Verify(message::VerifyArgs),
    /// Encrypt stdin to the recipients (armored), signing it first with --sign-with; with
    /// --mime a whole RFC 5322 message in and a PGP/MIME multipart/encrypted message
    /// (RFC 3156 §4, §6.2) out. A recipient without a valid encryption key exits 75.
    Encrypt(message::EncryptArgs),
    /// Decrypt stdin (an OpenPGP message, or a PGP/MIME multipart/encrypted message, detected)
    /// and print the content (for PGP/MIME, the decrypted MIME entity). With --verify-with or
    /// --cert-store the signatures inside must be valid (else exit 1 and no content). Exits 65
    /// when stdin is malformed, unprotected (no integrity protection: refused) or not
    /// encrypted to any of the keys.
    Decrypt(message::DecryptArgs),
}

pub fn run(verb: Verb) -> ExitCode {
    let (result, json) = match verb {
        Verb::Key(verb) => return key::run(verb),
        Verb::Sign(args) => (message::sign(&args), false),
        Verb::Verify(args) => (message::verify(&args), args.json),
        Verb::Encrypt(args) => (message::encrypt(&args), false),
        Verb::Decrypt(args) => (message::decrypt(&args), args.json),
    };
    result.unwrap_or_else(|failure| failure.report(json))
}

impl From<PgpError> for Failure {
    fn from(error: PgpError) -> Failure {
        Failure::Facade(one_line(error).into())
    }
}

/// The error with its messages on one line each: sequoia's parser explains over several
/// lines, and an error is one line on stderr.
pub fn one_line(error: PgpError) -> PgpError {
    fn join(text: String) -> String {
        if text.contains(['\n', '\r']) {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            text
        }
    }
    match error {
        PgpError::Malformed { what, message } => PgpError::Malformed {
            what,
            message: join(message),
        },
        PgpError::Mime { message, offset } => PgpError::Mime {
            message: join(message),
            offset,
        },
        PgpError::NoValidKey {
            fingerprint,
            purpose,
            reason,
        } => PgpError::NoValidKey {
            fingerprint,
            purpose,
            reason: join(reason),
        },
        PgpError::Locked {
            fingerprint,
            message,
        } => PgpError::Locked {
            fingerprint,
            message: join(message),
        },
        PgpError::Usage(message) => PgpError::Usage(join(message)),
        PgpError::Crypto(message) => PgpError::Crypto(join(message)),
        PgpError::Store { path, message } => PgpError::Store {
            path,
            message: join(message),
        },
        other => other,
    }
}

/// The JSON object for an OpenPGP error: `{"error": code, "message": …}`, with the byte
/// offset of a MIME error and the figures of a limit.
pub fn error_json(error: &PgpError, message: String) -> Value {
    let code = match error {
        PgpError::Malformed { .. } => "malformed",
        PgpError::Mime { .. } => "mime",
        PgpError::Limit { .. } => "limit-exceeded",
        PgpError::NoSecretKey { .. } => "no-secret-key",
        PgpError::NoValidKey { .. } => "no-valid-key",
        PgpError::Locked { .. } => "locked",
        PgpError::NoDecryptionKey { .. } => "no-decryption-key",
        PgpError::Unprotected => "unprotected",
        PgpError::Usage(_) => "unusable",
        PgpError::Crypto(_) => "crypto",
        PgpError::Store { .. } => "store",
        _ => "other",
    };
    match error {
        PgpError::Mime { offset, .. } => {
            json!({ "error": code, "message": message, "offset": offset })
        }
        PgpError::Limit { limit, max, actual } => json!({
            "error": code,
            "message": message,
            "limit": limit,
            "max": max,
            "actual": actual,
        }),
        _ => json!({ "error": code, "message": message }),
    }
}

/// Tells a usage error clap cannot check the way clap tells its own: on stderr, with the
/// verb's usage, exit 2. `path` names the verb below `pgp` (`["key", "generate"]`).
fn usage_error(path: &[&str], message: &str) -> ExitCode {
    let mut command = crate::Cli::command();
    command.build();
    let mut found = command.find_subcommand_mut("pgp");
    for name in path {
        found = found.and_then(|c| c.find_subcommand_mut(name));
    }
    let error = match found {
        Some(verb) => verb.error(ErrorKind::ArgumentConflict, message),
        None => clap::Error::raw(ErrorKind::ArgumentConflict, message),
    };
    // Best effort: the exit code still tells if stderr is gone.
    let _ = error.print();
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
}
