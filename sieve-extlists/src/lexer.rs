//! The lexer (RFC 5228 §2 and §8.1): identifiers, tags, numbers with K/M/G, quoted and
//! multi-line strings, comments, and punctuation, each with its line and column.

use crate::error::{CompileError, CompileErrorKind, Position};
use crate::limits::Limits;

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// `identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")`, lower-cased (Sieve is
    /// case-insensitive in identifiers, RFC 5228 §2.2).
    Identifier(String),
    /// `tag = ":" identifier`, lower-cased, without the colon.
    Tag(String),
    /// `number = 1*DIGIT [ QUANTIFIER ]`, already multiplied (RFC 5228 §2.4.1).
    Number(u64),
    /// A quoted or multi-line string, escapes and dot-stuffing removed.
    String(String),
    /// `[`
    LeftBracket,
    /// `]`
    RightBracket,
    /// `(`
    LeftParen,
    /// `)`
    RightParen,
    /// `{`
    LeftBrace,
    /// `}`
    RightBrace,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spanned {
    pub(crate) token: Token,
    pub(crate) position: Position,
}

struct Lexer<'a> {
    source: &'a str,
    bytes: &'a [u8],
    offset: usize,
    line: u32,
    line_start: usize,
    /// The last column computed (byte offset, column): columns count characters, and
    /// counting from here keeps long lines linear.
    column_cache: std::cell::Cell<(usize, u32)>,
    limits: &'a Limits,
}

/// Splits a script into tokens.
pub(crate) fn tokenize(source: &str, limits: &Limits) -> Result<Vec<Spanned>, CompileError> {
    if source.len() > limits.max_script_bytes {
        return Err(CompileError::new(
            Position { line: 1, column: 1 },
            CompileErrorKind::Limit {
                limit: "max_script_bytes",
                max: limits.max_script_bytes as u64,
            },
        ));
    }
    let mut lexer = Lexer {
        source,
        bytes: source.as_bytes(),
        offset: 0,
        line: 1,
        line_start: 0,
        column_cache: std::cell::Cell::new((0, 0)),
        limits,
    };
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

impl Lexer<'_> {
    fn position_at(&self, offset: usize) -> Position {
        let (cached_offset, cached_column) = self.column_cache.get();
        let (from, base) = if cached_offset >= self.line_start && cached_offset <= offset {
            (cached_offset, cached_column)
        } else {
            (self.line_start, 0)
        };
        let column = base
            + self
                .source
                .get(from..offset)
                .map_or(0, |s| s.chars().count() as u32);
        self.column_cache.set((offset, column));
        Position {
            line: self.line,
            column: column + 1,
        }
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> CompileError {
        CompileError::new(
            self.position_at(offset),
            CompileErrorKind::Syntax(message.into()),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.offset).copied()
    }

    /// Advances one byte, keeping line accounting (LF ends a line; CRLF and bare LF both
    /// count once).
    fn bump(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.offset += 1;
        if byte == b'\n' {
            self.line += 1;
            self.line_start = self.offset;
        }
        Some(byte)
    }

    fn skip_white_space_and_comments(&mut self) -> Result<(), CompileError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => {
                    self.bump();
                }
                // hash-comment = "#" *octet-not-crlf CRLF
                Some(b'#') => {
                    while let Some(byte) = self.peek() {
                        if byte == b'\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                // bracket-comment = "/*" *not-star 1*STAR *(not-star-slash *not-star 1*STAR) "/"
                Some(b'/') if self.bytes.get(self.offset + 1) == Some(&b'*') => {
                    let start = self.offset;
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            Some(b'*') if self.peek() == Some(b'/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                            None => return Err(self.error(start, "unterminated /* comment")),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn next_token(&mut self) -> Result<Option<Spanned>, CompileError> {
        self.skip_white_space_and_comments()?;
        let start = self.offset;
        let position = self.position_at(start);
        let Some(byte) = self.peek() else {
            return Ok(None);
        };
        let token = match byte {
            b'[' => self.single(Token::LeftBracket),
            b']' => self.single(Token::RightBracket),
            b'(' => self.single(Token::LeftParen),
            b')' => self.single(Token::RightParen),
            b'{' => self.single(Token::LeftBrace),
            b'}' => self.single(Token::RightBrace),
            b',' => self.single(Token::Comma),
            b';' => self.single(Token::Semicolon),
            b'"' => Token::String(self.quoted_string()?),
            b':' => {
                self.bump();
                match self.peek() {
                    Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
                        Token::Tag(self.identifier())
                    }
                    _ => return Err(self.error(start, "\":\" must begin a tag such as :is")),
                }
            }
            b'0'..=b'9' => Token::Number(self.number()?),
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let word = self.identifier();
                if word == "text" && self.peek() == Some(b':') {
                    self.bump();
                    Token::String(self.multi_line(start)?)
                } else {
                    Token::Identifier(word)
                }
            }
            _ => {
                let shown = self
                    .source
                    .get(start..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                return Err(self.error(start, format!("unexpected character {shown:?}")));
            }
        };
        Ok(Some(Spanned { token, position }))
    }

    fn single(&mut self, token: Token) -> Token {
        self.bump();
        token
    }

    fn identifier(&mut self) -> String {
        let start = self.offset;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b == b'_' {
                self.bump();
            } else {
                break;
            }
        }
        self.source[start..self.offset].to_ascii_lowercase()
    }

    /// RFC 5228 §2.4.1: a number with an optional K, M or G quantifier; numbers that do not fit
    /// in 64 bits are an error rather than wrapping.
    fn number(&mut self) -> Result<u64, CompileError> {
        let start = self.offset;
        let mut value: u64 = 0;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            self.bump();
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .ok_or_else(|| self.error(start, "number too large"))?;
        }
        let multiplier: u64 = match self.peek() {
            Some(b'k' | b'K') => 1 << 10,
            Some(b'm' | b'M') => 1 << 20,
            Some(b'g' | b'G') => 1 << 30,
            _ => 1,
        };
        if multiplier != 1 {
            self.bump();
        }
        if let Some(b) = self.peek()
            && (b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(self.error(
                self.offset,
                "a number is followed by K, M, G or a separator",
            ));
        }
        value
            .checked_mul(multiplier)
            .ok_or_else(|| self.error(start, "number too large"))
    }

    fn check_length(&self, start: usize, length: usize) -> Result<(), CompileError> {
        if length > self.limits.max_string_bytes {
            return Err(CompileError::new(
                self.position_at(start),
                CompileErrorKind::Limit {
                    limit: "max_string_bytes",
                    max: self.limits.max_string_bytes as u64,
                },
            ));
        }
        Ok(())
    }

    /// RFC 5228 §2.4.2: `\\` and `\"` are the escapes; any other backslash pair stands for the
    /// second character.
    fn quoted_string(&mut self) -> Result<String, CompileError> {
        let start = self.offset;
        let start_line = (self.line, self.line_start);
        self.bump();
        let mut value = String::new();
        loop {
            let chunk_start = self.offset;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' {
                    break;
                }
                self.bump();
            }
            value.push_str(&self.source[chunk_start..self.offset]);
            self.check_length(start, value.len())?;
            match self.bump() {
                Some(b'"') => return Ok(value),
                Some(_) => {
                    // The escaped character, which may be multi-byte.
                    let Some(c) = self
                        .source
                        .get(self.offset..)
                        .and_then(|s| s.chars().next())
                    else {
                        break;
                    };
                    for _ in 0..c.len_utf8() {
                        self.bump();
                    }
                    value.push(c);
                }
                None => break,
            }
        }
        self.line = start_line.0;
        self.line_start = start_line.1;
        Err(self.error(start, "unterminated string"))
    }

    /// RFC 5228 §2.4.2: `text:` [white space or comment] CRLF, then lines up to a line holding
    /// a single "."; a leading ".." stands for ".".
    fn multi_line(&mut self, start: usize) -> Result<String, CompileError> {
        while let Some(b' ' | b'\t') = self.peek() {
            self.bump();
        }
        if self.peek() == Some(b'#') {
            while let Some(b) = self.peek() {
                if b == b'\n' {
                    break;
                }
                self.bump();
            }
        }
        if self.peek() == Some(b'\r') {
            self.bump();
        }
        if self.bump() != Some(b'\n') {
            return Err(self.error(start, "text: must be followed by the end of the line"));
        }
        let mut value = String::new();
        loop {
            let line_begin = self.offset;
            while let Some(b) = self.peek() {
                if b == b'\n' {
                    break;
                }
                self.bump();
            }
            let mut line = &self.source[line_begin..self.offset];
            let ended = self.bump().is_some();
            if let Some(stripped) = line.strip_suffix('\r') {
                line = stripped;
            }
            if line == "." {
                return Ok(value);
            }
            if !ended {
                return Err(self.error(
                    start,
                    "unterminated text: block (a line with a single \".\" ends it)",
                ));
            }
            value.push_str(
                line.strip_prefix('.')
                    .filter(|l| l.starts_with('.'))
                    .unwrap_or(line),
            );
            value.push_str("\r\n");
            self.check_length(start, value.len())?;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lex(s: &str) -> Vec<Token> {
        tokenize(s, &Limits::default())
            .unwrap()
            .into_iter()
            .map(|t| t.token)
            .collect()
    }

    #[test]
    fn numbers_with_quantifiers() {
        assert_eq!(
            lex("1 2K 3M 1G"),
            [
                Token::Number(1),
                Token::Number(2048),
                Token::Number(3 << 20),
                Token::Number(1 << 30)
            ]
        );
        assert!(tokenize("99999999999999999999", &Limits::default()).is_err());
        assert!(tokenize("17179869184G", &Limits::default()).is_err());
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(lex(r#""a\"b\\c\d""#), [Token::String("a\"b\\cd".into())]);
        assert_eq!(
            lex("text:  # comment\r\nline1\r\n..dot\r\n.\r\n"),
            [Token::String("line1\r\n.dot\r\n".into())]
        );
        assert_eq!(lex("text:\n.\n"), [Token::String(String::new())]);
    }

    #[test]
    fn comments_and_positions() {
        let tokens = tokenize("# c\n/* x\n y */ keep;", &Limits::default()).unwrap();
        assert_eq!(tokens[0].token, Token::Identifier("keep".into()));
        assert_eq!(tokens[0].position, Position { line: 3, column: 7 });
    }

    #[test]
    fn errors_have_positions() {
        let e = tokenize("keep;\n  \"abc", &Limits::default()).unwrap_err();
        assert_eq!(e.position, Position { line: 2, column: 3 });
        let e = tokenize("keep; /* open", &Limits::default()).unwrap_err();
        assert_eq!(e.position, Position { line: 1, column: 7 });
        assert!(tokenize("text:\nabc\n", &Limits::default()).is_err());
        assert!(tokenize("a $", &Limits::default()).is_err());
    }

    #[test]
    fn string_limit() {
        let limits = Limits {
            max_string_bytes: 4,
            ..Limits::default()
        };
        let e = tokenize("\"abcde\"", &limits).unwrap_err();
        assert!(matches!(
            e.kind,
            CompileErrorKind::Limit {
                limit: "max_string_bytes",
                ..
            }
        ));
        let limits = Limits {
            max_script_bytes: 3,
            ..Limits::default()
        };
        assert!(matches!(
            tokenize("keep;", &limits).unwrap_err().kind,
            CompileErrorKind::Limit {
                limit: "max_script_bytes",
                ..
            }
        ));
    }
}
