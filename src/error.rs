//! The facade's one error type, wrapping each crate's errors, and the kind of failure each is.

/// What kind of failure an [`Error`] is, which decides what a caller does with it: an MTA bounces
/// bad input and defers on a temporary failure; the command line maps kinds to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input (a command, a message, a reply, a signature) is malformed or exceeds a limit;
    /// retrying will not help.
    BadInput,
    /// The configuration (policy file) is unusable: the operator must fix it; messages should
    /// be deferred meanwhile, not bounced.
    Config,
    /// A file or stream could not be read or written.
    Io,
    /// A backend (an external list, a store) is temporarily unavailable: defer and try again
    /// later (RFC 6134 §3; exit code 75, SMTP 4xx).
    Temporary,
}

/// Any error of the mailsec crates.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CLIENTID command, type or token breaks the draft §5 grammar.
    #[error("CLIENTID syntax: {0}")]
    ClientIdSyntax(#[from] clientid::SyntaxError),
    /// An EHLO reply is malformed or not positive.
    #[error("EHLO reply: {0}")]
    EhloReply(#[from] clientid::EhloError),
    /// A message or SecureHeaderFields structure cannot be processed under the policy.
    #[error("secure headers: {0}")]
    SecureHeaders(#[from] secure_headers::Error),
    /// The `[clientid]` table of the policy is inconsistent.
    #[error("policy: {0}")]
    ClientIdPolicy(#[from] clientid::policy::PolicyConfigError),
    /// The CLIENTID history store failed.
    #[error("CLIENTID history: {0}")]
    ClientIdStore(#[from] clientid::StoreError),
    /// The policy file is unusable (with line and column when it came from TOML text).
    #[error("policy: {0}")]
    Policy(#[from] secure_headers::PolicyError),
    /// S/MIME signing or verification could not run (bad message, key or certificate).
    #[error("S/MIME: {0}")]
    Smime(#[from] smime_core::Error),
    /// OpenPGP or PGP/MIME could not run (bad message, key, or key store).
    #[cfg(feature = "pgp")]
    #[error("OpenPGP: {0}")]
    Pgp(#[from] pgp_core::Error),
    /// A Sieve script does not compile, fails at run time, or a list backend failed.
    #[error("Sieve: {0}")]
    Sieve(#[from] sieve_extlists::Error),
    /// A file could not be read.
    #[error("{what}: {message}")]
    Io {
        /// What was being read.
        what: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::ClientIdSyntax(_) | Error::EhloReply(_) | Error::SecureHeaders(_) => {
                ErrorKind::BadInput
            }
            Error::Policy(_) | Error::ClientIdPolicy(_) => ErrorKind::Config,
            Error::ClientIdStore(e) if e.is_temporary() => ErrorKind::Io,
            Error::ClientIdStore(_) => ErrorKind::Config,
            // A bad message is bad input; a key, certificate or algorithm the operator
            // configured is configuration.
            Error::Smime(e) if e.is_bad_input() => ErrorKind::BadInput,
            Error::Smime(_) => ErrorKind::Config,
            #[cfg(feature = "pgp")]
            Error::Pgp(e) if e.is_bad_input() => ErrorKind::BadInput,
            #[cfg(feature = "pgp")]
            Error::Pgp(pgp_core::Error::Store { .. }) => ErrorKind::Io,
            #[cfg(feature = "pgp")]
            Error::Pgp(_) => ErrorKind::Config,
            Error::Sieve(e) if e.is_defer() => ErrorKind::Temporary,
            Error::Sieve(sieve_extlists::Error::Store(_)) => ErrorKind::Io,
            Error::Sieve(_) => ErrorKind::BadInput,
            Error::Io { .. } => ErrorKind::Io,
        }
    }

    /// The SMTP reply code a server answers this error with, where the error arises from an SMTP
    /// command.
    pub fn smtp_reply_code(&self) -> Option<u16> {
        match self {
            Error::ClientIdSyntax(e) => Some(e.reply_code()),
            Error::EhloReply(_)
            | Error::SecureHeaders(_)
            | Error::Policy(_)
            | Error::ClientIdPolicy(_)
            | Error::ClientIdStore(_)
            | Error::Smime(_)
            | Error::Sieve(_)
            | Error::Io { .. } => None,
            #[cfg(feature = "pgp")]
            Error::Pgp(_) => None,
        }
    }
}

impl From<sieve_extlists::CompileError> for Error {
    fn from(e: sieve_extlists::CompileError) -> Self {
        Error::Sieve(e.into())
    }
}

impl From<sieve_extlists::ListNameError> for Error {
    fn from(e: sieve_extlists::ListNameError) -> Self {
        Error::Sieve(sieve_extlists::Error::Store(e.to_string()))
    }
}
