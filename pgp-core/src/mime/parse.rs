//! Recognising PGP/MIME structures and cutting a multipart body into its parts.

use std::ops::Range;

use super::header::{self, ContentType, Entity};
use crate::error::Error;
use crate::limits::{Limit, Limits, check};
use crate::policy::PgpPolicy;

/// What a message is, by its top-level Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MimeKind {
    /// `multipart/signed; protocol="application/pgp-signature"` (RFC 3156 §5).
    Signed,
    /// `multipart/encrypted; protocol="application/pgp-encrypted"` (RFC 3156 §4).
    Encrypted,
    /// Anything else.
    Other,
}

/// Tells what `message` is, from its header alone.
pub fn detect(message: &[u8], policy: &PgpPolicy) -> Result<MimeKind, Error> {
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        message.len(),
    )?;
    let entity = header::split(message, &policy.limits)?;
    Ok(kind_of(&entity.content_type()))
}

pub(crate) fn kind_of(ct: &ContentType) -> MimeKind {
    // RFC 3156 §4, §5: the protocol parameter is required; its value is case-insensitive.
    let protocol = ct
        .param("protocol")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ct.is("multipart", "signed") && protocol == "application/pgp-signature" {
        MimeKind::Signed
    } else if ct.is("multipart", "encrypted") && protocol == "application/pgp-encrypted" {
        MimeKind::Encrypted
    } else {
        MimeKind::Other
    }
}

/// One body part of a multipart entity: where it sits in the entity's bytes.
#[derive(Debug, Clone)]
pub(crate) struct BodyPart {
    /// The part's bytes (header and body), without the line ending that precedes the next
    /// delimiter: RFC 2046 §5.1.1 makes that line ending part of the delimiter.
    pub(crate) range: Range<usize>,
}

/// The body parts of `entity` (a multipart whose body starts at `entity.body_offset` in
/// `bytes`), split on `boundary` only: nothing inside a part can move the delimiters.
pub(crate) fn body_parts(
    bytes: &[u8],
    entity: &Entity<'_>,
    boundary: &str,
    limits: &Limits,
) -> Result<Vec<BodyPart>, Error> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(Error::mime(
            "multipart boundary missing or longer than 70 characters (RFC 2046 §5.1.1)",
            entity.body_offset,
        ));
    }
    let dash_boundary = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut open: Option<usize> = None; // where the current part starts
    let mut line_start = entity.body_offset;
    let mut previous_line_ending = line_start; // where the line ending before this line starts
    while line_start < bytes.len() {
        let line_end = memchr::memchr(b'\n', &bytes[line_start..])
            .map(|i| line_start + i + 1)
            .unwrap_or(bytes.len());
        let line = header::trim_line_ending(&bytes[line_start..line_end]);
        if let Some(rest) = line.strip_prefix(dash_boundary.as_bytes()) {
            let closing = rest.starts_with(b"--");
            let padding = if closing { &rest[2..] } else { rest };
            // RFC 2046 §5.1.1: only transport padding (spaces, tabs) may follow.
            if padding.iter().all(|b| matches!(b, b' ' | b'\t')) {
                if let Some(start) = open.take() {
                    parts.push(BodyPart {
                        range: start..previous_line_ending.max(start),
                    });
                    check(Limit::MimeParts, limits.max_mime_parts, parts.len())?;
                }
                if closing {
                    return Ok(parts);
                }
                open = Some(line_end);
            }
        }
        previous_line_ending = line_start + line.len();
        line_start = line_end;
    }
    Err(Error::mime(
        "multipart body has no close delimiter (RFC 2046 §5.1.1)",
        bytes.len(),
    ))
}
