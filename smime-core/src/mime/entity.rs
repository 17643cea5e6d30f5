//! The MIME entity that gets signed (RFC 8551 §3.1): the message's Content-* fields and body,
//! in canonical form (CRLF line endings, §3.1.1) and safe for 7-bit transport (§3.1.2:
//! "any content that is not 7-bit MUST be encoded", since a relay that converts 8-bit to
//! 7-bit would break the signature).

use mail_parser::{MessageParser, MimeHeaders, PartType};
use secure_headers::{HeaderBlock, header_block};

use crate::error::Error;
use crate::limits::{Limit, Limits, check};

/// RFC 5322 §2.1.1: lines MUST be no more than 998 characters, excluding the CRLF.
const MAX_LINE: usize = 998;

/// A message split into what stays in the outer header and what is signed.
pub(crate) struct Split<'m> {
    /// Fields that stay outside (From, To, Subject, …), raw, as received.
    pub(crate) outer: Vec<&'m [u8]>,
    /// The message's own MIME-Version field, kept outside as received.
    pub(crate) mime_version: Option<&'m [u8]>,
    /// Content-* fields, which describe the body and so move into the signed entity.
    pub(crate) content: Vec<&'m [u8]>,
    /// The body.
    pub(crate) body: &'m [u8],
    /// The line ending the message uses.
    pub(crate) line_ending: &'static [u8],
}

/// Splits `message` into outer fields, Content-* fields and body.
pub(crate) fn split<'m>(
    message: &'m [u8],
    limits: &Limits,
    header_limits: &secure_headers::Limits,
) -> Result<Split<'m>, Error> {
    check(Limit::MessageBytes, limits.max_message_bytes, message.len())?;
    let block: HeaderBlock<'m> = header_block(message, header_limits)?;
    let body_start = match memchr::memchr(b'\n', &message[block.end..]) {
        Some(i) => block.end + i + 1,
        None => message.len(),
    };
    let mut out = Split {
        outer: Vec::new(),
        mime_version: None,
        content: Vec::new(),
        body: &message[body_start..],
        line_ending: block.line_ending,
    };
    for field in &block.fields {
        let raw = &message[field.range()];
        let key = field.key();
        if key.starts_with("content-") {
            out.content.push(raw);
        } else if key == "mime-version" && out.mime_version.is_none() {
            out.mime_version = Some(raw);
        } else {
            out.outer.push(raw);
        }
    }
    Ok(out)
}

/// Writes `bytes` with every line ending (CRLF, bare LF, or a bare CR) as `le`.
///
/// A bare CR left in the entity would be ambiguous once written: followed by the line ending
/// that precedes a delimiter, it would read as CRLF and leave the signed part one byte short.
/// Text bodies with bare CRs are quoted-printable encoded before they get here
/// ([`is_7bit_safe`]); what remains (a preamble, an epilogue, a header) is canonicalized.
pub(crate) fn write_lines(out: &mut Vec<u8>, bytes: &[u8], le: &[u8]) {
    let mut start = 0;
    let mut skip_lf_at = usize::MAX;
    for at in memchr::memchr2_iter(b'\r', b'\n', bytes) {
        if at == skip_lf_at {
            start = at + 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..at]);
        out.extend_from_slice(le);
        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            skip_lf_at = at + 1;
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Writes one raw header field, making sure it ends with a line ending.
fn write_field(out: &mut Vec<u8>, raw: &[u8], le: &[u8]) {
    write_lines(out, raw, le);
    if !raw.ends_with(b"\n") {
        out.extend_from_slice(le);
    }
}

/// Whether `bytes` can travel over 7-bit SMTP unchanged once its line endings are CRLF:
/// ASCII without NUL, no CR outside CRLF, no line over 998 octets (RFC 2045 §2.7).
pub(crate) fn is_7bit_safe(bytes: &[u8]) -> bool {
    if !bytes.is_ascii() || memchr::memchr(0, bytes).is_some() {
        return false;
    }
    if memchr::memchr_iter(b'\r', bytes).any(|cr| bytes.get(cr + 1) != Some(&b'\n')) {
        return false;
    }
    let mut line_start = 0;
    for lf in memchr::memchr_iter(b'\n', bytes) {
        if lf - line_start > MAX_LINE + 1 {
            return false;
        }
        line_start = lf + 1;
    }
    bytes.len() - line_start <= MAX_LINE
}

/// Writes the signed entity of `split` into `out`, with `le` line endings. The digest is
/// computed over it as CRLF text, so `le` only changes how the message is stored.
pub(crate) fn write_entity(
    out: &mut Vec<u8>,
    split: &Split<'_>,
    le: &[u8],
    limits: &Limits,
) -> Result<(), Error> {
    let has_content_type = split.content.iter().any(|f| field_is(f, "content-type"));
    let body_safe = is_7bit_safe(split.body);
    if body_safe {
        // The common case: nothing to re-encode, one pass over the body.
        for field in &split.content {
            write_field(out, field, le);
        }
        if !has_content_type {
            // RFC 2045 §5.2: the default is text/plain; charset=us-ascii, and the body is
            // ASCII. Written out so that the signed entity says what it is.
            out.extend_from_slice(b"Content-Type: text/plain; charset=us-ascii");
            out.extend_from_slice(le);
        }
        out.extend_from_slice(le);
        write_lines(out, split.body, le);
        return Ok(());
    }
    // Re-encode what is not 7-bit safe, part by part.
    let mut entity = Vec::with_capacity(split.body.len() + 256);
    for field in &split.content {
        write_field(&mut entity, field, b"\r\n");
    }
    if !has_content_type {
        let charset = if std::str::from_utf8(split.body).is_ok() {
            "utf-8"
        } else {
            "unknown-8bit"
        };
        entity.extend_from_slice(
            format!("Content-Type: text/plain; charset={charset}\r\n").as_bytes(),
        );
    }
    entity.extend_from_slice(b"\r\n");
    entity.extend_from_slice(split.body);
    let mut parts = 0;
    let safe = make_safe(&entity, 0, limits, &mut parts)?;
    write_lines(out, &safe, le);
    Ok(())
}

fn field_is(raw: &[u8], key: &str) -> bool {
    raw.split(|&b| b == b':')
        .next()
        .is_some_and(|name| name.trim_ascii().eq_ignore_ascii_case(key.as_bytes()))
}

/// Returns `entity` (a header block and a body) with every leaf part that is not 7-bit safe
/// re-encoded: quoted-printable for text, base64 otherwise (RFC 8551 §3.1.2). Multipart
/// bodies are rebuilt around their re-encoded children; the bytes between children
/// (preamble, delimiters, epilogue) are kept.
fn make_safe(
    entity: &[u8],
    depth: usize,
    limits: &Limits,
    parts: &mut usize,
) -> Result<Vec<u8>, Error> {
    check(Limit::MimeDepth, limits.max_mime_depth, depth)?;
    *parts += 1;
    check(Limit::MimeParts, limits.max_mime_parts, *parts)?;
    let message = MessageParser::default()
        .parse(entity)
        .ok_or_else(|| Error::Mime {
            reason: "the entity to sign has no header block".into(),
        })?;
    check(
        Limit::MimeParts,
        limits.max_mime_parts,
        *parts + message.parts.len(),
    )?;
    let root = message.parts.first().ok_or_else(|| Error::Mime {
        reason: "empty entity".into(),
    })?;
    let body_start = (root.offset_body as usize).min(entity.len());
    let header = &entity[..body_start];
    let body = &entity[body_start..];
    // 8-bit header fields (RFC 6532) are left alone: encoding is about bodies.
    if is_7bit_safe(body) {
        return Ok(entity.to_vec());
    }
    match &root.body {
        PartType::Multipart(children) => {
            // RFC 2045 §6.4: a multipart entity is never encoded itself; its parts are.
            let mut out = Vec::with_capacity(entity.len());
            out.extend_from_slice(header);
            let mut cursor = body_start;
            for &child in children {
                let part = message
                    .parts
                    .get(child as usize)
                    .ok_or(Error::Internal("child part"))?;
                let start = (part.offset_header as usize).clamp(cursor, entity.len());
                let end = (part.offset_end as usize).clamp(start, entity.len());
                out.extend_from_slice(&entity[cursor..start]);
                out.extend_from_slice(&make_safe(&entity[start..end], depth + 1, limits, parts)?);
                cursor = end;
            }
            out.extend_from_slice(&entity[cursor..]);
            Ok(out)
        }
        PartType::Message(_) => {
            // RFC 2046 §5.2.1: message/rfc822 is never encoded either: make its body safe.
            let mut out = header.to_vec();
            out.extend_from_slice(&make_safe(body, depth + 1, limits, parts)?);
            Ok(out)
        }
        _ => {
            let encoding = root
                .content_transfer_encoding()
                .map(|e| e.to_ascii_lowercase());
            if matches!(encoding.as_deref(), Some("base64" | "quoted-printable")) {
                return Err(Error::Mime {
                    reason: format!(
                        "a part declared {} holds data that is not 7-bit",
                        encoding.unwrap_or_default()
                    ),
                });
            }
            let is_text = root
                .content_type()
                .is_none_or(|ct| ct.ctype().eq_ignore_ascii_case("text"));
            let mut out = Vec::with_capacity(body.len() * 4 / 3 + header.len() + 64);
            for line in header_lines(header) {
                if !field_is(line, "content-transfer-encoding") {
                    out.extend_from_slice(line);
                }
            }
            // Drop the empty line that ends the header; it is written after the new field.
            while out.ends_with(b"\r\n\r\n") || out.ends_with(b"\n\n") {
                out.truncate(out.len() - if out.ends_with(b"\r\n") { 2 } else { 1 });
            }
            if is_text {
                out.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
                // Text line breaks stay line breaks (RFC 2045 §6.7 rule 4).
                let mut lines = body.split(|&b| b == b'\n').peekable();
                while let Some(line) = lines.next() {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let encoded = quoted_printable::encode(line);
                    out.extend_from_slice(&encoded);
                    if lines.peek().is_some() {
                        out.extend_from_slice(b"\r\n");
                    }
                }
            } else {
                out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
                write_base64_lines(&mut out, body, b"\r\n");
            }
            Ok(out)
        }
    }
}

/// The lines of a header block, each with its line ending.
fn header_lines(header: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = header;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // A field with its continuation lines.
        let mut end = 0;
        loop {
            match memchr::memchr(b'\n', &rest[end..]) {
                Some(i) => {
                    end += i + 1;
                    if !matches!(rest.get(end), Some(b' ' | b'\t')) || end == rest.len() {
                        break;
                    }
                }
                None => {
                    end = rest.len();
                    break;
                }
            }
        }
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// Base64 in lines of 76 characters (RFC 2045 §6.8).
pub(crate) fn write_base64_lines(out: &mut Vec<u8>, data: &[u8], le: &[u8]) {
    use base64::Engine as _;
    for chunk in data.chunks(57) {
        let start = out.len();
        out.resize(start + 76, 0);
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(chunk, &mut out[start..])
            .unwrap_or(0);
        out.truncate(start + written);
        out.extend_from_slice(le);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ending_becomes_the_chosen_one() {
        let mut out = Vec::new();
        write_lines(&mut out, b"a\r\nb\nc\rd\r\r\ne\r", b"\r\n");
        assert_eq!(out, b"a\r\nb\r\nc\r\nd\r\n\r\ne\r\n");
        let mut out = Vec::new();
        write_lines(&mut out, b"a\r\nb\nc\rd", b"\n");
        assert_eq!(out, b"a\nb\nc\nd");
    }

    #[test]
    fn seven_bit_safety() {
        assert!(is_7bit_safe(b"plain\r\ntext\n"));
        assert!(!is_7bit_safe(b"bare\rcr"));
        assert!(!is_7bit_safe("caf\u{e9}".as_bytes()));
        assert!(!is_7bit_safe(b"nul\0"));
        assert!(!is_7bit_safe(&[b'x'; 999]));
        assert!(is_7bit_safe(&[b'x'; 998]));
    }
}
