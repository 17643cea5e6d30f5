//! Finding the signature and the signed content in a received message (RFC 8551 §3.5).

use mail_parser::{MessageParser, MimeHeaders, PartType};

use super::SignedForm;
use crate::error::Error;
use crate::limits::{Limit, Limits, check};

/// What a received signed message consists of.
pub(crate) struct SignedParts {
    /// Which form the message has.
    pub(crate) form: SignedForm,
    /// The CMS object (decoded from its transfer encoding).
    pub(crate) cms: Vec<u8>,
    /// For multipart/signed: where the signed entity sits in the message (RFC 1847 §2.1: the
    /// bytes between the first delimiter line and the CRLF before the second delimiter).
    pub(crate) detached_content: Option<std::ops::Range<usize>>,
}

fn is_signature_type(ctype: &str, subtype: Option<&str>) -> bool {
    ctype.eq_ignore_ascii_case("application")
        && subtype.is_some_and(|s| {
            s.eq_ignore_ascii_case("pkcs7-signature") || s.eq_ignore_ascii_case("x-pkcs7-signature")
        })
}

fn is_pkcs7_mime(ctype: &str, subtype: Option<&str>) -> bool {
    ctype.eq_ignore_ascii_case("application")
        && subtype.is_some_and(|s| {
            s.eq_ignore_ascii_case("pkcs7-mime") || s.eq_ignore_ascii_case("x-pkcs7-mime")
        })
}

/// Locates the signature and the signed content of `message`.
///
/// The top-level header is read with mail-parser. multipart/signed is split on its own
/// boundary only (RFC 1847 §2.1, RFC 2046 §5.1.1): what the first part contains, even broken
/// MIME, cannot move the delimiters, and the content is never parsed, only digested.
pub(crate) fn signed_parts(message: &[u8], limits: &Limits) -> Result<SignedParts, Error> {
    check(Limit::MessageBytes, limits.max_message_bytes, message.len())?;
    let headers = MessageParser::default()
        .parse_headers(message)
        .ok_or_else(|| Error::Mime {
            reason: "no header block".into(),
        })?;
    let root = headers.parts.first().ok_or_else(|| Error::Mime {
        reason: "no MIME part".into(),
    })?;
    let Some(ct) = root.content_type() else {
        return Err(Error::Mime {
            reason: "no Content-Type: the message is not S/MIME signed".into(),
        });
    };
    let (ctype, subtype) = (ct.ctype(), ct.subtype());
    if ctype.eq_ignore_ascii_case("multipart")
        && subtype.is_some_and(|s| s.eq_ignore_ascii_case("signed"))
    {
        // RFC 8551 §3.5.3: protocol="application/pkcs7-signature" (x-pkcs7-signature from
        // older agents is accepted).
        let protocol = ct
            .attribute("protocol")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if protocol != "application/pkcs7-signature" && protocol != "application/x-pkcs7-signature"
        {
            return Err(Error::Mime {
                reason: format!("multipart/signed with protocol {protocol:?} is not S/MIME"),
            });
        }
        let boundary = ct
            .attribute("boundary")
            .filter(|b| !b.is_empty() && b.len() <= 70)
            .ok_or_else(|| Error::Mime {
                reason: "multipart/signed without a valid boundary (RFC 2046 §5.1.1)".into(),
            })?;
        // mail-parser's parse_headers does not report where the body starts: find it the way
        // the header block is split everywhere else.
        let block = secure_headers::header_block(message, &secure_headers::Limits::default())?;
        let body_start = match memchr::memchr(b'\n', &message[block.end..]) {
            Some(i) => block.end + i + 1,
            None => message.len(),
        };
        let [content, signature] = two_parts(message, body_start, boundary.as_bytes())?;
        let signature_part = MessageParser::default()
            .parse(&message[signature.clone()])
            .ok_or_else(|| Error::Mime {
                reason: "the signature part has no header".into(),
            })?;
        let sig_root = signature_part.parts.first().ok_or_else(|| Error::Mime {
            reason: "empty signature part".into(),
        })?;
        let is_sig = sig_root
            .content_type()
            .is_some_and(|c| is_signature_type(c.ctype(), c.subtype()));
        if !is_sig {
            return Err(Error::Mime {
                reason: "the second part of multipart/signed is not application/pkcs7-signature"
                    .into(),
            });
        }
        return Ok(SignedParts {
            form: SignedForm::Detached,
            cms: part_octets(sig_root)?,
            detached_content: Some(content),
        });
    }
    let smime_type = ct.attribute("smime-type").map(|s| s.to_ascii_lowercase());
    let p7m_name = ct
        .attribute("name")
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".p7m"));
    let opaque = (is_pkcs7_mime(ctype, subtype) && smime_type.as_deref().is_none_or(|t| t == "signed-data"))
        // RFC 8551 §3.2.2: application/octet-stream with a .p7m name is S/MIME too.
        || (ctype.eq_ignore_ascii_case("application")
            && subtype.is_some_and(|s| s.eq_ignore_ascii_case("octet-stream"))
            && p7m_name);
    if opaque {
        let parsed = MessageParser::default()
            .parse(message)
            .ok_or_else(|| Error::Mime {
                reason: "no header block".into(),
            })?;
        check(Limit::MimeParts, limits.max_mime_parts, parsed.parts.len())?;
        let root = parsed.parts.first().ok_or_else(|| Error::Mime {
            reason: "no MIME part".into(),
        })?;
        return Ok(SignedParts {
            form: SignedForm::Opaque,
            cms: part_octets(root)?,
            detached_content: None,
        });
    }
    Err(Error::Mime {
        reason: format!(
            "Content-Type {}/{}{} is not an S/MIME signed message",
            ctype,
            subtype.unwrap_or(""),
            smime_type
                .map(|t| format!("; smime-type={t}"))
                .unwrap_or_default()
        ),
    })
}

/// A delimiter line found in a multipart body: where the line starts (after the preceding line
/// ending), where its CRLF-before begins, where the line ends, and whether it closes.
struct Delimiter {
    before: usize,
    after: usize,
    close: bool,
}

/// The delimiter lines of `boundary` in `message[body_start..]` (RFC 2046 §5.1.1: "--"
/// boundary, then "--" for the close delimiter, then optional transport padding, then the
/// line ending; a delimiter starts the body or follows a line ending, which belongs to it).
fn delimiters(message: &[u8], body_start: usize, boundary: &[u8]) -> Vec<Delimiter> {
    let mut marker = Vec::with_capacity(boundary.len() + 2);
    marker.extend_from_slice(b"--");
    marker.extend_from_slice(boundary);
    let body = &message[body_start..];
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(body, &marker) {
        let line_start = body_start + at;
        let before = if at == 0 {
            line_start
        } else if body[at - 1] == b'\n' {
            if at >= 2 && body[at - 2] == b'\r' {
                line_start - 2
            } else {
                line_start - 1
            }
        } else {
            continue;
        };
        let mut pos = line_start + marker.len();
        let close = message[pos..].starts_with(b"--");
        if close {
            pos += 2;
        }
        while matches!(message.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        let after = match message.get(pos) {
            None => pos,
            Some(b'\n') => pos + 1,
            Some(b'\r') if message.get(pos + 1) == Some(&b'\n') => pos + 2,
            // The boundary is a prefix of something longer: not a delimiter.
            _ => continue,
        };
        found.push(Delimiter {
            before,
            after,
            close,
        });
        if close {
            break;
        }
    }
    found
}

/// The two body parts of multipart/signed (RFC 1847 §2.1), as ranges of `message`.
fn two_parts(
    message: &[u8],
    body_start: usize,
    boundary: &[u8],
) -> Result<[std::ops::Range<usize>; 2], Error> {
    let found = delimiters(message, body_start, boundary);
    let parts = found.windows(2).filter(|w| !w[0].close).count();
    match found.last() {
        Some(last) if last.close => {}
        _ => {
            return Err(Error::Mime {
                reason: "multipart/signed has no close delimiter".into(),
            });
        }
    }
    if parts != 2 {
        return Err(Error::Mime {
            reason: format!("multipart/signed has {parts} body parts, not 2"),
        });
    }
    Ok([
        found[0].after..found[1].before,
        found[1].after..found[2].before,
    ])
}

/// A part's body with its transfer encoding undone.
fn part_octets(part: &mail_parser::MessagePart<'_>) -> Result<Vec<u8>, Error> {
    if part.is_encoding_problem {
        return Err(Error::Mime {
            reason: "the CMS part's transfer encoding is broken".into(),
        });
    }
    match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => Ok(b.to_vec()),
        PartType::Text(t) | PartType::Html(t) => Ok(t.as_bytes().to_vec()),
        _ => Err(Error::Mime {
            reason: "the CMS part is not a leaf part".into(),
        }),
    }
}
