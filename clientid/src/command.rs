//! The CLIENTID command (draft §4) and its formal syntax (draft §5): parsing a line received by a
//! server, and building one for a client to send.
//!
//! The parser reads the line once, left to right, and stops at the first byte that breaks the
//! grammar, so the error names the earliest fault. The grammar bounds a valid command to 156
//! bytes (verb, two SP, 16 + 128 argument characters, CRLF); the parser allocates only the two
//! arguments of a valid line, and never more than those bounds, whatever the input's size.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::error::SyntaxError;
use crate::rule::{
    MAX_TOKEN_LEN, MAX_TYPE_LEN, Rule, Strictness, VERB, is_type_char, is_vchar, run_length,
};

/// A client-id-type (draft §5): 1 to 16 letters, digits or `-` (and `_` when lenient).
///
/// Comparison, ordering and hashing ignore ASCII case, because draft §5 makes "all alphabetic
/// characters case-insensitive": `uuid` and `UUID` name the same type. [`ClientIdType::as_str`]
/// keeps the spelling the client sent, for logs.
#[derive(Debug, Clone)]
pub struct ClientIdType(String);

impl ClientIdType {
    /// Validates a client-id-type under the strict grammar.
    ///
    /// ```
    /// use clientid::ClientIdType;
    /// assert_eq!(ClientIdType::new("UUID")?, ClientIdType::new("uuid")?);
    /// assert!(ClientIdType::new("DEVICE_ID").is_err());
    /// # Ok::<(), clientid::SyntaxError>(())
    /// ```
    pub fn new(value: &str) -> Result<Self, SyntaxError> {
        Self::with_strictness(value, Strictness::Strict)
    }

    /// Validates a client-id-type; offsets in the error count from the start of `value`.
    pub fn with_strictness(value: &str, strictness: Strictness) -> Result<Self, SyntaxError> {
        Self::from_bytes(value.as_bytes(), strictness)
    }

    /// Validates a client-id-type given as bytes (from C, or from the network).
    pub fn from_bytes(value: &[u8], strictness: Strictness) -> Result<Self, SyntaxError> {
        let length = scan_type(value, 0, strictness)?;
        if length < value.len() {
            return Err(unexpected(value, length, Rule::ClientIdType));
        }
        Ok(ClientIdType(ascii_to_string(value)))
    }

    /// The type as the client spelled it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for ClientIdType {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for ClientIdType {}

impl Hash for ClientIdType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_uppercase());
        }
        state.write_u8(0xff);
    }
}

impl PartialOrd for ClientIdType {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ClientIdType {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn upper(s: &str) -> impl Iterator<Item = u8> + '_ {
            s.bytes().map(|b| b.to_ascii_uppercase())
        }
        upper(&self.0).cmp(upper(&other.0))
    }
}

impl fmt::Display for ClientIdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client-id-token (draft §5): 1 to 128 printable US-ASCII characters (VCHAR).
///
/// The token is opaque data (a UUID, a licence key, a cookie) and compares byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientIdToken(String);

impl ClientIdToken {
    /// Validates a client-id-token; offsets in the error count from the start of `value`.
    ///
    /// ```
    /// use clientid::{ClientIdToken, SyntaxError};
    /// assert!(ClientIdToken::new("08:9e:01:70:f6:46").is_ok());
    /// assert!(matches!(ClientIdToken::new("two words"), Err(SyntaxError::BadCharacter { offset: 3, .. })));
    /// ```
    pub fn new(value: &str) -> Result<Self, SyntaxError> {
        Self::from_bytes(value.as_bytes())
    }

    /// Validates a client-id-token given as bytes (from C, or from the network).
    pub fn from_bytes(value: &[u8]) -> Result<Self, SyntaxError> {
        let length = scan_token(value, 0)?;
        if length < value.len() {
            return Err(unexpected(value, length, Rule::ClientIdToken));
        }
        Ok(ClientIdToken(ascii_to_string(value)))
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientIdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A well-formed `CLIENTID client-id-type client-id-token` command (draft §4).
///
/// [`Display`](fmt::Display) writes the command without its line ending;
/// [`ClientIdCommand::to_line`] adds the CRLF that goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientIdCommand {
    client_type: ClientIdType,
    token: ClientIdToken,
}

impl ClientIdCommand {
    /// Builds the command a client sends, from an already validated type and token.
    ///
    /// ```
    /// use clientid::{ClientIdCommand, ClientIdToken, ClientIdType};
    /// let command = ClientIdCommand::new(
    ///     ClientIdType::new("UUID")?,
    ///     ClientIdToken::new("23bf83be-aad7-46aa-9e0f-39191ccf402f")?,
    /// );
    /// assert_eq!(command.to_line(), "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n");
    /// # Ok::<(), clientid::SyntaxError>(())
    /// ```
    pub fn new(client_type: ClientIdType, token: ClientIdToken) -> Self {
        ClientIdCommand { client_type, token }
    }

    /// Parses one command line under the strict grammar, with or without its trailing CRLF.
    ///
    /// ```
    /// use clientid::{ClientIdCommand, SyntaxError};
    /// let command = ClientIdCommand::parse(b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n")?;
    /// assert_eq!(command.client_type().as_str(), "UUID");
    ///
    /// // draft §8.4: a single argument is answered with 501.
    /// let error = ClientIdCommand::parse(b"CLIENTID MAC").unwrap_err();
    /// assert_eq!(error, SyntaxError::MissingToken { offset: 12 });
    /// assert_eq!(error.reply_code(), 501);
    /// # Ok::<(), SyntaxError>(())
    /// ```
    pub fn parse(line: &[u8]) -> Result<Self, SyntaxError> {
        Self::parse_with(line, Strictness::Strict)
    }

    /// Parses one command line, with or without its trailing CRLF, under the given strictness.
    pub fn parse_with(line: &[u8], strictness: Strictness) -> Result<Self, SyntaxError> {
        parse_line(line, strictness)
    }

    /// The client-id-type.
    pub fn client_type(&self) -> &ClientIdType {
        &self.client_type
    }

    /// The client-id-token.
    pub fn token(&self) -> &ClientIdToken {
        &self.token
    }

    /// The command as sent on the wire, ending in CRLF.
    pub fn to_line(&self) -> String {
        format!("{self}\r\n")
    }
}

impl fmt::Display for ClientIdCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VERB} {} {}", self.client_type, self.token)
    }
}

/// draft §4–§5: `"CLIENTID" SP client-id-type SP client-id-token [CRLF]`.
fn parse_line(line: &[u8], strictness: Strictness) -> Result<ClientIdCommand, SyntaxError> {
    let body = line.strip_suffix(b"\r\n").unwrap_or(line);
    if body.is_empty() {
        return Err(SyntaxError::Empty);
    }

    // The verb is the leading run of printable characters; it must be CLIENTID in any case.
    let verb_len = run_length(body, 0, is_vchar);
    if verb_len == 0 {
        return Err(unexpected(body, 0, Rule::Verb));
    }
    if !body[..verb_len].eq_ignore_ascii_case(VERB.as_bytes()) {
        return Err(SyntaxError::NotClientId);
    }

    let type_start = expect_sp(body, verb_len, |offset| SyntaxError::MissingType { offset })?;
    let type_len = scan_type(body, type_start, strictness)?;

    let token_start = expect_separator_after_type(body, type_start + type_len)?;
    let token_len = scan_token(body, token_start)?;

    expect_end(body, token_start + token_len)?;

    let text = |start: usize, len: usize| ascii_to_string(&body[start..start + len]);
    Ok(ClientIdCommand {
        client_type: ClientIdType(text(type_start, type_len)),
        token: ClientIdToken(text(token_start, token_len)),
    })
}

/// Bytes already checked to be US-ASCII, as a String. ASCII is valid UTF-8, so this is one copy;
/// the lossy conversion only spares the code an unreachable error path.
fn ascii_to_string(ascii: &[u8]) -> String {
    String::from_utf8_lossy(ascii).into_owned()
}

/// Expects one SP at `offset`; returns the offset after it.
fn expect_sp(
    bytes: &[u8],
    offset: usize,
    missing: impl Fn(usize) -> SyntaxError,
) -> Result<usize, SyntaxError> {
    match bytes.get(offset) {
        None => Err(missing(offset)),
        Some(b' ') => Ok(offset + 1),
        Some(_) => Err(unexpected(bytes, offset, Rule::Sp)),
    }
}

/// After the type's run of type characters: the SP before the token. A printable or 8-bit byte
/// here is a character the type does not allow (`DEVICE_ID`), anything else a bad separator.
fn expect_separator_after_type(bytes: &[u8], offset: usize) -> Result<usize, SyntaxError> {
    match bytes.get(offset) {
        Some(&byte) if is_vchar(byte) || !byte.is_ascii() => {
            Err(unexpected(bytes, offset, Rule::ClientIdType))
        }
        _ => expect_sp(bytes, offset, |offset| SyntaxError::MissingToken { offset }),
    }
}

/// draft §5 `client-id-type = 1*16 client-id-type-char`: the length of the type at `start`.
fn scan_type(bytes: &[u8], start: usize, strictness: Strictness) -> Result<usize, SyntaxError> {
    let length = run_length(bytes, start, |b| is_type_char(b, strictness));
    if length == 0 {
        return match bytes.get(start) {
            None => Err(SyntaxError::MissingType { offset: start }),
            Some(_) => Err(unexpected(bytes, start, Rule::ClientIdType)),
        };
    }
    if length > MAX_TYPE_LEN {
        return Err(SyntaxError::TypeTooLong {
            offset: start + MAX_TYPE_LEN,
            length,
        });
    }
    Ok(length)
}

/// draft §5 `client-id-token = 1*128 VCHAR`: the length of the token at `start`.
fn scan_token(bytes: &[u8], start: usize) -> Result<usize, SyntaxError> {
    let length = run_length(bytes, start, is_vchar);
    if length == 0 {
        return match bytes.get(start) {
            None => Err(SyntaxError::MissingToken { offset: start }),
            Some(_) => Err(unexpected(bytes, start, Rule::ClientIdToken)),
        };
    }
    if length > MAX_TOKEN_LEN {
        return Err(SyntaxError::TokenTooLong {
            offset: start + MAX_TOKEN_LEN,
            length,
        });
    }
    Ok(length)
}

/// After the token the line must end. SP followed by more text is a third argument; SP at the end
/// is trailing whitespace, which the grammar does not allow either. Any other byte is one the
/// token cannot hold (a control or 8-bit character inside it).
fn expect_end(bytes: &[u8], offset: usize) -> Result<(), SyntaxError> {
    match bytes.get(offset) {
        None => Ok(()),
        Some(b' ') => {
            let spaces = run_length(bytes, offset, |b| b == b' ');
            match bytes.get(offset + spaces) {
                None => Err(unexpected(bytes, offset, Rule::Crlf)),
                Some(&byte) if is_vchar(byte) => Err(SyntaxError::ExtraArgument {
                    offset: offset + spaces,
                }),
                Some(_) => Err(unexpected(bytes, offset + spaces, Rule::Crlf)),
            }
        }
        Some(_) => Err(unexpected(bytes, offset, Rule::ClientIdToken)),
    }
}

/// The error for the byte at `offset`, which breaks `expected`: 8-bit bytes and stray line breaks
/// get their own diagnosis, because they are what a broken client most often sends.
fn unexpected(bytes: &[u8], offset: usize, expected: Rule) -> SyntaxError {
    match bytes.get(offset).copied() {
        None => SyntaxError::Empty,
        Some(byte) if !byte.is_ascii() => SyntaxError::NonAscii {
            offset,
            byte,
            expected,
        },
        Some(byte @ (b'\r' | b'\n')) => SyntaxError::BadCharacter {
            offset,
            byte,
            expected: Rule::Crlf,
        },
        Some(byte) => SyntaxError::BadCharacter {
            offset,
            byte,
            expected,
        },
    }
}
