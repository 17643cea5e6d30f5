//! Client side of draft §3: reading a server's EHLO reply to learn whether it advertises the
//! CLIENTID keyword, which a client must see before it sends the command (draft §4).
//!
//! RFC 5321 §4.1.1.1 gives the reply's shape: a first line carrying the server's domain and
//! greeting, then one line per extension, `ehlo-keyword *(SP ehlo-param)`; every line but the
//! last has `-` after the code. The reply comes from the network, so it is read under
//! [`EhloLimits`] and its framing is checked; keyword lines are read liberally (servers still send
//! the pre-standard `AUTH=LOGIN` form), and keywords compare without regard to case.

use crate::error::EhloError;
use crate::rule::VERB;

/// Bounds on an EHLO reply read from the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EhloLimits {
    /// Largest reply accepted, in bytes (default 64 KiB; real replies are well under 1 KiB).
    pub max_bytes: usize,
    /// Most lines accepted (default 512).
    pub max_lines: usize,
}

impl Default for EhloLimits {
    fn default() -> Self {
        EhloLimits {
            max_bytes: 64 * 1024,
            max_lines: 512,
        }
    }
}

/// One extension line of an EHLO reply: `ehlo-keyword *(SP ehlo-param)` (RFC 5321 §4.1.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EhloExtension {
    /// The keyword as the server spelled it.
    pub keyword: String,
    /// The parameters that follow it, split on SP.
    pub params: Vec<String>,
}

/// A positive (250) reply to EHLO, split into its greeting and extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EhloReply {
    greeting: String,
    extensions: Vec<EhloExtension>,
}

impl EhloReply {
    /// Parses a complete EHLO reply under the default [`EhloLimits`]. Lines end in CRLF (a bare LF
    /// is accepted too); the last line's line ending may be missing.
    ///
    /// ```
    /// use clientid::EhloReply;
    /// // draft §8.1, after STARTTLS
    /// let reply = EhloReply::parse(b"250-server.example.com\r\n250-AUTH LOGIN\r\n250 CLIENTID\r\n")?;
    /// assert!(reply.advertises_clientid());
    /// assert_eq!(reply.greeting(), "server.example.com");
    /// # Ok::<(), clientid::EhloError>(())
    /// ```
    pub fn parse(reply: &[u8]) -> Result<Self, EhloError> {
        Self::parse_with_limits(reply, EhloLimits::default())
    }

    /// Parses a complete EHLO reply under the given limits.
    pub fn parse_with_limits(reply: &[u8], limits: EhloLimits) -> Result<Self, EhloError> {
        if reply.len() > limits.max_bytes {
            return Err(EhloError::TooLarge {
                limit: limits.max_bytes,
            });
        }
        let mut lines = Lines::new(reply);
        let mut greeting = None;
        let mut extensions = Vec::new();
        let mut final_seen = false;
        let mut number = 0;
        while let Some((offset, line)) = lines.next_line() {
            number += 1;
            if number > limits.max_lines {
                return Err(EhloError::TooManyLines {
                    limit: limits.max_lines,
                });
            }
            if final_seen {
                return Err(EhloError::TrailingData {
                    line: number,
                    offset,
                });
            }
            let reply_line = ReplyLine::split(line).ok_or(EhloError::MalformedLine {
                line: number,
                offset,
            })?;
            if reply_line.code != 250 {
                return Err(if number == 1 {
                    EhloError::NotAccepted {
                        code: reply_line.code,
                        line: number,
                    }
                } else {
                    EhloError::MixedCodes {
                        line: number,
                        offset,
                        expected: 250,
                        found: reply_line.code,
                    }
                });
            }
            final_seen = !reply_line.continues;
            let text = String::from_utf8_lossy(reply_line.text);
            match greeting {
                None => greeting = Some(text.into_owned()),
                Some(_) => extensions.extend(extension(&text)),
            }
        }
        match greeting {
            None => Err(EhloError::Empty),
            Some(_) if !final_seen => Err(EhloError::Truncated { line: number }),
            Some(greeting) => Ok(EhloReply {
                greeting,
                extensions,
            }),
        }
    }

    /// The first line's text: the server's domain and optional greeting.
    pub fn greeting(&self) -> &str {
        &self.greeting
    }

    /// The extension lines, in the order the server sent them.
    pub fn extensions(&self) -> &[EhloExtension] {
        &self.extensions
    }

    /// Whether the server advertises `keyword` (compared without regard to ASCII case).
    pub fn advertises(&self, keyword: &str) -> bool {
        self.extensions
            .iter()
            .any(|e| e.keyword.eq_ignore_ascii_case(keyword))
    }

    /// Whether the server advertises CLIENTID (draft §3), so that the client may send the
    /// command (draft §4).
    pub fn advertises_clientid(&self) -> bool {
        self.advertises(VERB)
    }
}

/// `ehlo-line = ehlo-keyword *( SP ehlo-param )`; an empty line carries no extension.
fn extension(text: &str) -> Option<EhloExtension> {
    let mut words = text.split(' ').filter(|w| !w.is_empty());
    let keyword = words.next()?.to_owned();
    Some(EhloExtension {
        keyword,
        params: words.map(str::to_owned).collect(),
    })
}

/// A reply line split into `Reply-code ( "-" / SP / end ) text` (RFC 5321 §4.2).
struct ReplyLine<'a> {
    code: u16,
    continues: bool,
    text: &'a [u8],
}

impl<'a> ReplyLine<'a> {
    fn split(line: &'a [u8]) -> Option<Self> {
        let digits = line.get(..3)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let code = digits
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        let (continues, text) = match line.get(3) {
            None => (false, &line[3..]),
            Some(b'-') => (true, &line[4..]),
            Some(b' ') => (false, &line[4..]),
            Some(_) => return None,
        };
        Some(ReplyLine {
            code,
            continues,
            text,
        })
    }
}

/// Splits a reply into lines at CRLF or bare LF, keeping each line's offset.
struct Lines<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes, position: 0 }
    }

    fn next_line(&mut self) -> Option<(usize, &'a [u8])> {
        let rest = self.bytes.get(self.position..).filter(|r| !r.is_empty())?;
        let start = self.position;
        let (line, consumed) = match rest.iter().position(|&b| b == b'\n') {
            Some(lf) => (&rest[..lf], lf + 1),
            None => (rest, rest.len()),
        };
        self.position += consumed;
        Some((start, line.strip_suffix(b"\r").unwrap_or(line)))
    }
}
