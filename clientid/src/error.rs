//! Errors: what a CLIENTID line or an EHLO reply broke, and where.

use std::fmt;

use crate::rule::{MAX_TOKEN_LEN, MAX_TYPE_LEN, Rule};

/// SMTP reply code for a malformed CLIENTID command (draft §4, §8.4).
pub const REPLY_SYNTAX_ERROR_IN_PARAMETERS: u16 = 501;
/// SMTP reply code for a command the server does not recognise (RFC 5321 §4.2.2).
pub const REPLY_COMMAND_UNRECOGNIZED: u16 = 500;

/// A CLIENTID command line, client-id-type or client-id-token that breaks the draft §5 grammar.
///
/// Every variant says which [`Rule`] was broken ([`SyntaxError::rule`]) and at which byte offset
/// of the input, counted from 0 ([`SyntaxError::offset`]). A server answers all of them with
/// [`SyntaxError::reply_code`]: 501 (draft §4), except a line whose verb is not CLIENTID at all,
/// which is an unrecognised command (500).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntaxError {
    /// The input is empty (or only a CRLF).
    #[error("empty input")]
    Empty,
    /// The line's verb is not CLIENTID.
    #[error("not a CLIENTID command: the verb at offset 0 is not CLIENTID")]
    NotClientId,
    /// The input ends where a client-id-type must start.
    #[error("client-id-type missing at offset {offset}")]
    MissingType {
        /// Where the type should have started.
        offset: usize,
    },
    /// The input ends where a client-id-token must start (draft §8.4: `CLIENTID MAC`).
    #[error("client-id-token missing at offset {offset}")]
    MissingToken {
        /// Where the token should have started.
        offset: usize,
    },
    /// The client-id-type is longer than 16 characters.
    #[error(
        "client-id-type too long: {length} characters, at most {MAX_TYPE_LEN} (offset {offset} is one too many)"
    )]
    TypeTooLong {
        /// Offset of the first character beyond the limit.
        offset: usize,
        /// How many type characters the input holds.
        length: usize,
    },
    /// The client-id-token is longer than 128 characters.
    #[error(
        "client-id-token too long: {length} characters, at most {MAX_TOKEN_LEN} (offset {offset} is one too many)"
    )]
    TokenTooLong {
        /// Offset of the first character beyond the limit.
        offset: usize,
        /// How many token characters the input holds.
        length: usize,
    },
    /// A US-ASCII byte that the grammar does not allow where it stands.
    #[error("bad character {} at offset {offset}: {expected} expected", ByteName(*.byte))]
    BadCharacter {
        /// Offset of the byte.
        offset: usize,
        /// The byte found.
        byte: u8,
        /// The rule that the byte breaks.
        expected: Rule,
    },
    /// A byte outside US-ASCII: the command is ASCII only (draft §5: VCHAR, ALPHA, DIGIT).
    #[error(
        "non-ASCII byte {} at offset {offset} ({expected} expected): CLIENTID is US-ASCII only",
        ByteName(*.byte)
    )]
    NonAscii {
        /// Offset of the byte.
        offset: usize,
        /// The byte found.
        byte: u8,
        /// The rule whose place the byte took.
        expected: Rule,
    },
    /// A third argument follows the token; CLIENTID takes exactly two (draft §4).
    #[error("extra argument at offset {offset}: CLIENTID takes a type and a token only")]
    ExtraArgument {
        /// Offset of the extra argument's first byte.
        offset: usize,
    },
}

impl SyntaxError {
    /// The byte offset in the input where the error was found (0 for [`SyntaxError::Empty`] and
    /// [`SyntaxError::NotClientId`]).
    pub fn offset(&self) -> usize {
        match *self {
            SyntaxError::Empty | SyntaxError::NotClientId => 0,
            SyntaxError::MissingType { offset }
            | SyntaxError::MissingToken { offset }
            | SyntaxError::TypeTooLong { offset, .. }
            | SyntaxError::TokenTooLong { offset, .. }
            | SyntaxError::BadCharacter { offset, .. }
            | SyntaxError::NonAscii { offset, .. }
            | SyntaxError::ExtraArgument { offset } => offset,
        }
    }

    /// The grammar rule the input broke.
    pub fn rule(&self) -> Rule {
        match *self {
            SyntaxError::Empty | SyntaxError::NotClientId => Rule::Verb,
            SyntaxError::MissingType { .. } | SyntaxError::TypeTooLong { .. } => Rule::ClientIdType,
            SyntaxError::MissingToken { .. } | SyntaxError::TokenTooLong { .. } => {
                Rule::ClientIdToken
            }
            SyntaxError::BadCharacter { expected, .. } | SyntaxError::NonAscii { expected, .. } => {
                expected
            }
            SyntaxError::ExtraArgument { .. } => Rule::Crlf,
        }
    }

    /// A stable, machine-readable name for the kind of error (`"missing-token"`,
    /// `"type-too-long"`…), for logs, JSON output and bindings.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::Empty => "empty",
            SyntaxError::NotClientId => "not-clientid",
            SyntaxError::MissingType { .. } => "missing-type",
            SyntaxError::MissingToken { .. } => "missing-token",
            SyntaxError::TypeTooLong { .. } => "type-too-long",
            SyntaxError::TokenTooLong { .. } => "token-too-long",
            SyntaxError::BadCharacter { .. } => "bad-character",
            SyntaxError::NonAscii { .. } => "non-ascii",
            SyntaxError::ExtraArgument { .. } => "extra-argument",
        }
    }

    /// The SMTP reply code a server gives for this error: 501 for a malformed CLIENTID command
    /// (draft §4), 500 when the line is not a CLIENTID command at all (RFC 5321 §4.2.2).
    pub fn reply_code(&self) -> u16 {
        match self {
            SyntaxError::NotClientId => REPLY_COMMAND_UNRECOGNIZED,
            _ => REPLY_SYNTAX_ERROR_IN_PARAMETERS,
        }
    }
}

/// An EHLO reply that is not a well-formed positive reply (RFC 5321 §4.1.1.1, §4.2).
///
/// Offsets count bytes from the start of the reply; line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EhloError {
    /// The reply holds no line.
    #[error("empty EHLO reply")]
    Empty,
    /// The reply is larger than [`crate::EhloLimits::max_bytes`].
    #[error("EHLO reply larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
    /// The reply has more lines than [`crate::EhloLimits::max_lines`].
    #[error("EHLO reply has more than the limit of {limit} lines")]
    TooManyLines {
        /// The limit that was hit.
        limit: usize,
    },
    /// A line does not start with a three-digit reply code followed by `-`, SP or its end.
    #[error("line {line} (offset {offset}) does not start with a reply code")]
    MalformedLine {
        /// 1-based line number.
        line: usize,
        /// Offset of the line's first byte.
        offset: usize,
    },
    /// The server refused EHLO or answered with another code than 250.
    #[error("EHLO was answered with {code}, not 250 (line {line})")]
    NotAccepted {
        /// The reply code received.
        code: u16,
        /// 1-based line number.
        line: usize,
    },
    /// Lines of one reply carry different codes (RFC 5321 §4.2.1 requires the same code).
    #[error("line {line} (offset {offset}) carries code {found}, the reply began with {expected}")]
    MixedCodes {
        /// 1-based line number.
        line: usize,
        /// Offset of the line's first byte.
        offset: usize,
        /// The code on the first line.
        expected: u16,
        /// The code found on this line.
        found: u16,
    },
    /// The last line announces a continuation (`250-`) but the reply ends.
    #[error("EHLO reply ends on a continuation line (line {line})")]
    Truncated {
        /// 1-based number of the last line.
        line: usize,
    },
    /// Lines follow the final (`250 `) line.
    #[error("data after the final line of the EHLO reply, at line {line} (offset {offset})")]
    TrailingData {
        /// 1-based line number of the first extra line.
        line: usize,
        /// Offset of its first byte.
        offset: usize,
    },
}

impl EhloError {
    /// The byte offset in the reply where the error was found, where it has one.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            EhloError::MalformedLine { offset, .. }
            | EhloError::MixedCodes { offset, .. }
            | EhloError::TrailingData { offset, .. } => Some(offset),
            EhloError::NotAccepted { .. } => Some(0),
            EhloError::Empty
            | EhloError::TooLarge { .. }
            | EhloError::TooManyLines { .. }
            | EhloError::Truncated { .. } => None,
        }
    }
}

/// Shows a byte the way an SMTP reader wants to see it: named if it is whitespace or a line
/// break, quoted if printable, in hex otherwise.
struct ByteName(u8);

impl fmt::Display for ByteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            b' ' => f.write_str("SP"),
            b'\t' => f.write_str("HTAB"),
            b'\r' => f.write_str("CR"),
            b'\n' => f.write_str("LF"),
            b if b.is_ascii_graphic() => write!(f, "'{}'", b as char),
            b => write!(f, "0x{b:02X}"),
        }
    }
}
