//! Locating header fields in a raw RFC 5322 message, keeping their exact bytes.
//!
//! `mail-parser` finds the fields; this module keeps the raw slices it points at, because the
//! `simple` algorithm (RFC 6376 §3.4.1) and the DCA rewrites (§4.6) need the bytes exactly as
//! they arrived, folding included.

use std::ops::Range;

use mail_parser::{HeaderName, MessageParser};

use crate::error::Error;
use crate::limits::{Limit, Limits};

/// One header field as it appears in the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawField<'m> {
    /// The bytes before the colon (WSP before the colon included, as received).
    pub name: &'m [u8],
    /// The bytes after the colon, folding included, without the terminating line ending.
    pub value: &'m [u8],
    /// Where the whole field, line ending included, sits in the message.
    pub span: (usize, usize),
}

impl RawField<'_> {
    /// The name as used to look fields up: WSP trimmed, ASCII-lowercased.
    pub fn key(&self) -> String {
        field_key(self.name)
    }

    /// The span as a range.
    pub fn range(&self) -> Range<usize> {
        self.span.0..self.span.1
    }
}

/// The lookup key of a field name: WSP trimmed, ASCII-lowercased (RFC 5322 field names are
/// case-insensitive).
pub(crate) fn field_key(name: &[u8]) -> String {
    let trimmed = name.trim_ascii();
    String::from_utf8_lossy(trimmed).to_ascii_lowercase()
}

/// The header block of a message: its fields in order and where the block ends.
#[derive(Clone, Debug)]
pub struct HeaderBlock<'m> {
    /// The fields, in message order.
    pub fields: Vec<RawField<'m>>,
    /// Where the header block ends (the start of the empty line, or the end of the input):
    /// where a field appended to the block goes. Not just past the last field: lines that are
    /// not fields may follow it, and a field put before a line starting with WSP would absorb
    /// that line as a continuation.
    pub end: usize,
    /// When the line at `end` (the separator, or a trailing fragment) is whitespace starting
    /// with SP or HT, where it ends and whether it has a line ending: a field appended before
    /// it would absorb it as a continuation, so the DCA rewrites replace it with a plain line
    /// ending (or drop a fragment) when they append a field.
    pub folding_tail: Option<(usize, bool)>,
    /// The line ending the message uses (`\r\n`, or `\n` for messages stored with bare LF).
    pub line_ending: &'static [u8],
}

/// A parser that keeps every field unparsed: only offsets are wanted, and parsing structured
/// values would cost time and allocations for nothing. Made per call (one small map) rather
/// than kept in a static, so that embedders' leak checkers see nothing outstanding.
fn offsets_only_parser() -> MessageParser {
    // A non-empty header map makes every field go through the map or the default, which is
    // set to skip the value.
    MessageParser::new()
        .ignore_header(HeaderName::Other("x-mailsec-unused".into()))
        .default_header_ignore()
}

/// Length of the header block, found the way mail-parser walks it, so that both agree on where
/// it ends: at the first line that is empty or only whitespace where a field could start
/// (a whitespace line right after a field is a continuation of it), or at the end of the input
/// — minus a trailing whitespace-only fragment.
fn header_block_len(message: &[u8]) -> usize {
    let is_space = |b: u8| b.is_ascii_whitespace() && b != b'\n';
    let mut pos = 0;
    loop {
        let line_start = pos;
        while pos < message.len() && is_space(message[pos]) {
            pos += 1;
        }
        match message.get(pos) {
            None | Some(b'\n') => return line_start,
            Some(_) => {}
        }
        // The name runs to a colon preceded by something other than whitespace and colons;
        // a line ending first means the line is not a field.
        let mut seen_name = false;
        loop {
            match message.get(pos) {
                None => return message.len(),
                Some(b'\n') => {
                    pos += 1;
                    break;
                }
                Some(b':') if seen_name => {
                    pos += 1;
                    // The value runs to a line ending not followed by SP or HT.
                    loop {
                        match message[pos..].iter().position(|&b| b == b'\n') {
                            None => return message.len(),
                            Some(i) => {
                                pos += i + 1;
                                if !matches!(message.get(pos), Some(b' ' | b'\t')) {
                                    break;
                                }
                            }
                        }
                    }
                    break;
                }
                Some(&b) => {
                    seen_name |= b != b':' && !b.is_ascii_whitespace();
                    pos += 1;
                }
            }
        }
    }
}

/// Split the header block of `message` into fields.
///
/// Lines that are not fields (no colon) are skipped, as `mail-parser` skips them; they are
/// never secured and stay untouched by the DCA rewrites.
pub fn header_block<'m>(message: &'m [u8], limits: &Limits) -> Result<HeaderBlock<'m>, Error> {
    let block_len = header_block_len(message);
    let folding_tail = match message.get(block_len) {
        Some(b' ' | b'\t') => Some(
            match message[block_len..].iter().position(|&b| b == b'\n') {
                Some(i) => (block_len + i + 1, true),
                None => (message.len(), false),
            },
        ),
        _ => None,
    };
    if block_len > limits.max_header_bytes {
        return Err(Error::LimitExceeded {
            limit: Limit::HeaderBytes,
            max: limits.max_header_bytes,
            actual: block_len,
        });
    }
    let line_ending: &'static [u8] = match message[..block_len].iter().position(|&b| b == b'\n') {
        Some(i) if i > 0 && message[i - 1] == b'\r' => b"\r\n",
        Some(_) => b"\n",
        None => b"\r\n",
    };
    let block = &message[..block_len];
    let mut fields = Vec::new();
    if let Some(parsed) = offsets_only_parser().parse_headers(block) {
        for header in parsed.headers() {
            if fields.len() == limits.max_header_fields {
                return Err(Error::LimitExceeded {
                    limit: Limit::HeaderFields,
                    max: limits.max_header_fields,
                    actual: parsed.headers().len(),
                });
            }
            let start = header.offset_field as usize;
            let value_start = header.offset_start as usize;
            let end = (header.offset_end as usize).min(block_len);
            // A field is a name, a colon, a value: mail-parser also reports a trailing line
            // without a colon (at the end of the input), which is not a field.
            if !(start < value_start && value_start <= end) || block[value_start - 1] != b':' {
                continue;
            }
            if end - start > limits.max_field_bytes {
                return Err(Error::LimitExceeded {
                    limit: Limit::FieldBytes,
                    max: limits.max_field_bytes,
                    actual: end - start,
                });
            }
            let value = strip_line_ending(&block[value_start..end]);
            fields.push(RawField {
                name: &block[start..value_start - 1],
                value,
                span: (start, end),
            });
        }
    }
    Ok(HeaderBlock {
        fields,
        end: block_len,
        folding_tail,
        line_ending,
    })
}

/// The field without its line ending: CRLF or a bare LF. A CR with no LF after it (at the end
/// of the input) is part of the value, or a field appended later would change it.
fn strip_line_ending(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(bytes)
}
