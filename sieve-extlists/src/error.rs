//! Errors: compile errors carry the line and column of the script; evaluation errors say
//! whether the host should defer the delivery (RFC 6134 §3) or treat it as a script error
//! (RFC 5228 §2.10.6: the host then files the message with an implicit keep).

use std::fmt;
use std::time::Duration;

/// A place in the script: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What is wrong with a script, found before it runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct CompileError {
    /// Where the offending token starts.
    pub position: Position,
    /// What is wrong.
    pub kind: CompileErrorKind,
}

impl CompileError {
    pub(crate) fn new(position: Position, kind: CompileErrorKind) -> Self {
        Self { position, kind }
    }
}

/// The kinds of compile error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// The text is not Sieve (RFC 5228 §8): an unterminated string, a stray character, a
    /// missing `;`.
    #[error("syntax error: {0}")]
    Syntax(String),
    /// A command that no supported extension defines.
    #[error("unknown command \"{0}\"")]
    UnknownCommand(String),
    /// A test that no supported extension defines.
    #[error("unknown test \"{0}\"")]
    UnknownTest(String),
    /// `require` names a capability this implementation does not have (RFC 5228 §3.2).
    #[error("unsupported extension \"{0}\" in require")]
    UnsupportedExtension(String),
    /// A command, test, tag or comparator used without the `require` that enables it.
    #[error("\"{used}\" needs require \"{extension}\"")]
    NotRequired {
        /// What the script used.
        used: String,
        /// The capability it needs.
        extension: String,
    },
    /// Arguments that do not fit the command or test: a missing or extra argument, a tag the
    /// command does not take, a string where a number is needed.
    #[error("{name}: {detail}")]
    Arguments {
        /// The command or test.
        name: String,
        /// What does not fit.
        detail: String,
    },
    /// RFC 6134 §2.2: `:list` together with `:comparator` MUST be an error.
    #[error("{0}: :list cannot be combined with :comparator (RFC 6134 §2.2)")]
    ListWithComparator(String),
    /// RFC 6134 §2.2: `:list` on a test that does not support it.
    #[error("{0}: this test does not support the :list match type (RFC 6134 §2.2)")]
    ListNotSupported(String),
    /// A list name that is not an absolute URI, or an addrbook URN without a name (RFC 6134
    /// §2.5, §2.6).
    #[error("invalid list name \"{name}\": {reason}")]
    InvalidListName {
        /// The name as written.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A command where it may not stand: `require` after other commands, `elsif`/`else`
    /// without `if`, `break` outside `foreverypart`.
    #[error("{0}")]
    Misplaced(String),
    /// A compile-time limit was hit.
    #[error("limit {limit} exceeded (maximum {max})")]
    Limit {
        /// The [`crate::Limits`] field.
        limit: &'static str,
        /// Its value.
        max: u64,
    },
}

/// Why a list backend could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// The backend is unreachable or busy: try the delivery again later (RFC 6134 §3).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The backend did not answer within the deadline; temporary like [`ListError::Temporary`].
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// No such list.
    #[error("no such list")]
    UnknownList,
    /// The list exists but cannot answer the question (RFC 6134 §2.2: runtime error).
    #[error("{0}")]
    Permanent(String),
}

impl ListError {
    /// Whether the delivery should be deferred rather than fail.
    pub fn is_temporary(&self) -> bool {
        matches!(self, ListError::Temporary(_) | ListError::Timeout(_))
    }
}

/// Why an evaluation (or a list store operation) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The script does not compile.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// A list backend failed temporarily: defer the delivery and try again later, as when the
    /// script itself cannot be fetched (RFC 6134 §3).
    #[error("defer: list {list}: {reason}")]
    Defer {
        /// The list queried.
        list: String,
        /// The backend's words.
        reason: ListError,
    },
    /// A runtime error in the script (RFC 5228 §2.10.6): the host files the message as if by
    /// an implicit keep.
    #[error("{position}: runtime error: {message}")]
    Runtime {
        /// The command or test that failed.
        position: Position,
        /// What failed.
        message: String,
    },
    /// An evaluation limit was hit: a runtime error naming the limit.
    #[error("{position}: limit {limit} exceeded (maximum {max})")]
    Limit {
        /// Where it was hit.
        position: Position,
        /// The [`crate::Limits`] field.
        limit: &'static str,
        /// Its value.
        max: u64,
    },
    /// A list store could not be opened, read or written.
    #[error("list store: {0}")]
    Store(String),
}

impl Error {
    /// Whether the host should defer the delivery (exit code 75, SMTP 4xx).
    pub fn is_defer(&self) -> bool {
        matches!(self, Error::Defer { .. })
    }

    /// The script position the error refers to, when it has one.
    pub fn position(&self) -> Option<Position> {
        match self {
            Error::Compile(e) => Some(e.position),
            Error::Runtime { position, .. } | Error::Limit { position, .. } => Some(*position),
            Error::Defer { .. } | Error::Store(_) => None,
        }
    }
}
