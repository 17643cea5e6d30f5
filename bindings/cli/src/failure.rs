//! Why a command could not do its job, and how that is told: a line on stderr, an object on
//! stdout with `--json`, and an exit code.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use facade::Error;
use facade::headers::PolicyError;
use facade::smime::Error as SmimeError;
use serde_json::{Value, json};

use crate::exit;
use crate::input::is_too_large;
use crate::output::write_stdout;

/// A failure of a command (not a negative answer: those are exit 1 with a normal report).
pub enum Failure {
    /// The facade refused the input or the configuration; the exit code follows its kind.
    Facade(Error),
    /// The facade refused the contents of files named on the command line (a certificate, a
    /// key); the exit code follows its kind.
    File {
        /// The files ("key file k.pem").
        what: String,
        /// What the facade said.
        error: Error,
    },
    /// The policy file at `path` is unusable: a configuration error, like the facade's.
    Policy {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        error: PolicyError,
    },
    /// Input could not be read, or was larger than allowed.
    Read {
        /// What was being read ("stdin", "structure file x.hex").
        what: String,
        /// Why.
        error: io::Error,
    },
    /// A structure is not valid hex or base64.
    Encoding(String),
    /// Output could not be written (e.g. a closed pipe).
    Write(io::Error),
    /// Output could not be produced (a bug: JSON serialization failed).
    Internal(String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Facade(error)
    }
}

impl From<facade::headers::Error> for Failure {
    fn from(error: facade::headers::Error) -> Failure {
        Failure::Facade(Error::from(error))
    }
}

impl From<facade::smime::Error> for Failure {
    fn from(error: facade::smime::Error) -> Failure {
        Failure::Facade(Error::from(error))
    }
}

impl Failure {
    /// Reports the failure on stderr (and as a JSON object on stdout when `json`), and returns
    /// the exit code.
    pub fn report(self, json: bool) -> ExitCode {
        if json && !matches!(self, Failure::Write(_)) {
            // Best effort: if stdout is gone, stderr and the exit code still tell.
            let _ = write_stdout(format!("{}\n", self.to_json()).as_bytes());
        }
        eprintln!("mailsec: {}", self.message());
        self.exit_code()
    }

    fn message(&self) -> String {
        match self {
            Failure::Facade(error) => error.to_string(),
            Failure::File { what, error } => format!("{what}: {error}"),
            Failure::Policy { path, error } => format!("policy file {}: {error}", path.display()),
            Failure::Read { what, error } => format!("reading {what}: {error}"),
            Failure::Encoding(message) => message.clone(),
            Failure::Write(error) => format!("writing stdout: {error}"),
            Failure::Internal(message) => format!("internal error: {message}"),
        }
    }

    fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Facade(error) | Failure::File { error, .. } => exit::for_error(error),
            Failure::Policy { error, .. } => exit::for_error(&Error::Policy(error.clone())),
            Failure::Read { error, .. } if is_too_large(error) => ExitCode::from(exit::DATA_ERROR),
            Failure::Read { .. } | Failure::Write(_) => ExitCode::from(exit::IO_ERROR),
            Failure::Encoding(_) => ExitCode::from(exit::DATA_ERROR),
            Failure::Internal(_) => ExitCode::from(exit::TEMPORARY_FAILURE),
        }
    }

    fn to_json(&self) -> Value {
        let message = self.message();
        match self {
            Failure::Facade(Error::SecureHeaders(error))
            | Failure::Facade(Error::Smime(SmimeError::Headers(error)))
            | Failure::File {
                error: Error::Smime(SmimeError::Headers(error)),
                ..
            } => json!({
                "error": error.code(),
                "message": message,
                "offset": error.offset(),
            }),
            Failure::Facade(Error::Policy(error)) | Failure::Policy { error, .. } => json!({
                "error": "policy",
                "message": message,
                "line": error.line,
                "column": error.column,
            }),
            Failure::Facade(Error::Smime(error))
            | Failure::File {
                error: Error::Smime(error),
                ..
            } => json!({
                "error": error.code(),
                "message": message,
                "offset": match error {
                    SmimeError::Malformed { offset, .. } => *offset,
                    _ => None,
                },
            }),
            Failure::Facade(Error::Pgp(error))
            | Failure::File {
                error: Error::Pgp(error),
                ..
            } => crate::pgp::error_json(error, message),
            Failure::Facade(Error::Sieve(error))
            | Failure::File {
                error: Error::Sieve(error),
                ..
            } => crate::sieve::error_json(error, message),
            Failure::Facade(Error::Io { .. }) | Failure::Read { .. } | Failure::Write(_) => {
                json!({ "error": "io", "message": message })
            }
            Failure::Facade(_) | Failure::File { .. } => {
                json!({ "error": "other", "message": message })
            }
            Failure::Internal(_) => json!({ "error": "internal", "message": message }),
            Failure::Encoding(_) => json!({ "error": "encoding", "message": message }),
        }
    }
}
