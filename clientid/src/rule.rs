//! The grammar rules of the CLIENTID command (draft §5), named so that errors can say which one
//! a line broke, and the character classes they are built from.

use std::fmt;

/// Longest client-id-type the grammar allows: `1*16 client-id-type-char` (draft §5).
pub const MAX_TYPE_LEN: usize = 16;
/// Longest client-id-token the grammar allows: `1*128 VCHAR` (draft §5).
pub const MAX_TOKEN_LEN: usize = 128;
/// The command verb (draft §4); matched case-insensitively (draft §5: "all alphabetic
/// characters are case-insensitive").
pub const VERB: &str = "CLIENTID";

/// A rule of the CLIENTID command grammar that an input can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The command verb `CLIENTID` (draft §4).
    Verb,
    /// The single space that separates the verb and the two arguments (draft §4, RFC 5321 §4.1.1).
    Sp,
    /// `client-id-type = 1*16 client-id-type-char`, `client-id-type-char = ALPHA / DIGIT / "-"`
    /// (draft §5).
    ClientIdType,
    /// `client-id-token = 1*128 VCHAR` (draft §5).
    ClientIdToken,
    /// The end of the command line: nothing, or one CRLF (RFC 5321 §2.3.8).
    Crlf,
}

impl Rule {
    /// The rule's name as the draft's ABNF (or RFC 5321) spells it.
    pub fn abnf_name(self) -> &'static str {
        match self {
            Rule::Verb => "\"CLIENTID\"",
            Rule::Sp => "SP",
            Rule::ClientIdType => "client-id-type",
            Rule::ClientIdToken => "client-id-token",
            Rule::Crlf => "CRLF",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abnf_name())
    }
}

/// How closely a client-id-type must follow the ABNF.
///
/// The draft's grammar (§5) is normative and allows only letters, digits and `-` in a
/// client-id-type, yet its own §7 lists `DEVICE_ID` as an example type. [`Strictness::Strict`]
/// follows the grammar; [`Strictness::Lenient`] also accepts `_` in the type, so that clients
/// built from §7's example interoperate. Nothing else is relaxed: lengths, the single SP, the
/// token's VCHAR range and the US-ASCII restriction hold in both modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strictness {
    /// The draft §5 ABNF exactly (the default).
    #[default]
    Strict,
    /// The ABNF, plus `_` in client-id-type (draft §7 names `DEVICE_ID`).
    Lenient,
}

impl Strictness {
    /// [`Strictness::Lenient`] when `lenient`, else [`Strictness::Strict`]: the mapping of a
    /// `lenient` switch (a flag, a keyword argument, a command-line option).
    pub fn from_lenient(lenient: bool) -> Self {
        if lenient {
            Strictness::Lenient
        } else {
            Strictness::Strict
        }
    }
}

/// `client-id-type-char = ALPHA / DIGIT / "-"` (draft §5), plus `_` when lenient.
pub(crate) fn is_type_char(byte: u8, strictness: Strictness) -> bool {
    byte.is_ascii_alphanumeric()
        || byte == b'-'
        || (byte == b'_' && strictness == Strictness::Lenient)
}

/// `VCHAR = %x21-7E` (RFC 5234 Appendix B.1).
pub(crate) fn is_vchar(byte: u8) -> bool {
    (0x21..=0x7e).contains(&byte)
}

/// Length of the run of bytes from `start` that satisfy `class`.
pub(crate) fn run_length(bytes: &[u8], start: usize, class: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| class(b)).count())
}
