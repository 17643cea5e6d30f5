//! A MIME entity's header block: its fields as they arrived, and its Content-Type.
//!
//! Fields are split by hand only as far as RFC 5322 §2.2 goes (a field is a line and its
//! continuation lines; the block ends at the first empty line), because the exact bytes
//! matter: they are what was signed. Interpreting a field (Content-Type parameters, quoting,
//! RFC 2231 continuations) is left to mail-parser.

use mail_parser::{MessageParser, MimeHeaders};

use crate::error::Error;
use crate::limits::{Limit, Limits, check};

/// One header field, as it arrived.
#[derive(Debug, Clone)]
pub(crate) struct Field<'a> {
    /// The field's name, as written.
    pub(crate) name: &'a str,
    /// The whole field, continuation lines included, without its final line ending.
    pub(crate) raw: &'a [u8],
}

impl Field<'_> {
    /// The value unfolded (RFC 5322 §2.2.3) and with runs of white space collapsed, for
    /// comparisons that must not depend on how a relay refolded the field.
    pub(crate) fn normalized_value(&self) -> String {
        let value = &self.raw[self.name.len() + 1..];
        let text = String::from_utf8_lossy(value);
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Whether the field is called `name` (case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A MIME entity split into header fields and body.
#[derive(Debug, Clone)]
pub(crate) struct Entity<'a> {
    /// The header fields, in order.
    pub(crate) fields: Vec<Field<'a>>,
    /// The header block, up to and including the empty line.
    pub(crate) header: &'a [u8],
    /// The body.
    pub(crate) body: &'a [u8],
    /// Offset of the body in the bytes the entity was split from.
    pub(crate) body_offset: usize,
}

/// The Content-Type of an entity, lower-cased type and subtype, parameters as given.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContentType {
    pub(crate) mime_type: String,
    pub(crate) subtype: String,
    pub(crate) params: Vec<(String, String)>,
}

impl ContentType {
    pub(crate) fn is(&self, mime_type: &str, subtype: &str) -> bool {
        self.mime_type == mime_type && self.subtype == subtype
    }

    /// A parameter's value (parameter names are case-insensitive, RFC 2045 §5.1).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `bytes` into header fields and body.
pub(crate) fn split<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Entity<'a>, Error> {
    let mut fields: Vec<Field<'a>> = Vec::new();
    let mut pos = 0;
    let mut current: Option<(usize, usize)> = None; // (start, name end)
    loop {
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map(|i| pos + i + 1);
        let next = line_end.unwrap_or(bytes.len());
        let line = &bytes[pos..next];
        let content = trim_line_ending(line);
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation && let Some((start, name_end)) = current.take() {
            push_field(&mut fields, bytes, start, name_end, pos, limits)?;
        }
        if content.is_empty() {
            // The empty line (or the end of input) ends the header block.
            return Ok(Entity {
                fields,
                header: &bytes[..next],
                body: &bytes[next..],
                body_offset: next,
            });
        }
        if !continuation {
            let colon = memchr::memchr(b':', content)
                .ok_or_else(|| Error::mime("header line without a colon (RFC 5322 §2.2)", pos))?;
            let name = &content[..colon];
            if name.is_empty() || !name.iter().all(|b| (33..=126).contains(b)) {
                return Err(Error::mime("malformed header field name", pos));
            }
            current = Some((pos, pos + colon));
        } else if current.is_none() {
            return Err(Error::mime(
                "continuation line before any header field",
                pos,
            ));
        }
        if line_end.is_none() {
            if let Some((start, name_end)) = current.take() {
                push_field(&mut fields, bytes, start, name_end, next, limits)?;
            }
            return Ok(Entity {
                fields,
                header: bytes,
                body: &[],
                body_offset: bytes.len(),
            });
        }
        pos = next;
    }
}

fn push_field<'a>(
    fields: &mut Vec<Field<'a>>,
    bytes: &'a [u8],
    start: usize,
    name_end: usize,
    end: usize,
    limits: &Limits,
) -> Result<(), Error> {
    check(
        Limit::HeaderFields,
        limits.max_header_fields,
        fields.len() + 1,
    )?;
    let name = std::str::from_utf8(&bytes[start..name_end])
        .map_err(|_| Error::mime("header field name is not ASCII", start))?;
    fields.push(Field {
        name,
        raw: trim_line_ending(&bytes[start..end]),
    });
    Ok(())
}

/// `line` without its trailing CRLF or LF.
pub(crate) fn trim_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl Entity<'_> {
    /// The entity's Content-Type, by mail-parser; RFC 2045 §5.2's default when absent.
    pub(crate) fn content_type(&self) -> ContentType {
        let default = ContentType {
            mime_type: "text".into(),
            subtype: "plain".into(),
            params: vec![("charset".into(), "us-ascii".into())],
        };
        if !self.fields.iter().any(|f| f.is("content-type")) {
            return default;
        }
        let Some(parsed) = MessageParser::default().parse_headers(self.header) else {
            return default;
        };
        let Some(ct) = parsed.parts.first().and_then(|p| p.content_type()) else {
            return default;
        };
        ContentType {
            mime_type: ct.ctype().to_ascii_lowercase(),
            subtype: ct.subtype().unwrap_or_default().to_ascii_lowercase(),
            params: ct
                .attributes()
                .unwrap_or_default()
                .iter()
                .map(|a| (a.name.to_string(), a.value.to_string()))
                .collect(),
        }
    }

    /// The first field called `name`.
    pub(crate) fn field(&self, name: &str) -> Option<&Field<'_>> {
        self.fields.iter().find(|f| f.is(name))
    }
}

/// The body of a leaf entity with its Content-Transfer-Encoding undone, by mail-parser.
pub(crate) fn decoded_body(entity_bytes: &[u8], offset: usize) -> Result<Vec<u8>, Error> {
    let parsed = MessageParser::default()
        .parse(entity_bytes)
        .ok_or_else(|| Error::mime("part cannot be parsed", offset))?;
    let part = parsed
        .parts
        .first()
        .ok_or_else(|| Error::mime("empty part", offset))?;
    if part.is_encoding_problem {
        return Err(Error::mime("broken Content-Transfer-Encoding", offset));
    }
    match &part.body {
        mail_parser::PartType::Binary(b) | mail_parser::PartType::InlineBinary(b) => Ok(b.to_vec()),
        mail_parser::PartType::Text(t) | mail_parser::PartType::Html(t) => {
            Ok(t.as_bytes().to_vec())
        }
        _ => Err(Error::mime("expected a leaf part", offset)),
    }
}
