//! Header field canonicalization, RFC 6376 §3.4.1 (`simple`) and §3.4.2 (`relaxed`), as
//! draft §4.3 and §4.5.1 step 2 use it: the name and the value of each field are
//! canonicalized separately and stored without the colon and the line ending.

use std::borrow::Cow;

use crate::model::CanonAlgorithm;

fn is_wsp(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// Canonical form of a field name as received (the bytes before the colon).
///
/// `simple` keeps it unchanged (§3.4.1). `relaxed` lowercases it and deletes the WSP before
/// the colon (§3.4.2: "Convert all header field names ... to lowercase", "Delete any WSP
/// characters remaining before and after the colon").
pub fn canonical_name(raw: &[u8], algorithm: CanonAlgorithm) -> Cow<'_, [u8]> {
    match algorithm {
        CanonAlgorithm::Simple => Cow::Borrowed(raw),
        CanonAlgorithm::Relaxed => {
            let end = raw.iter().rposition(|&b| !is_wsp(b)).map_or(0, |i| i + 1);
            let trimmed = &raw[..end];
            if trimmed.iter().any(u8::is_ascii_uppercase) {
                Cow::Owned(trimmed.to_ascii_lowercase())
            } else {
                Cow::Borrowed(trimmed)
            }
        }
    }
}

/// Canonical form of a field value as received (the bytes after the colon, without the
/// terminating line ending).
///
/// `simple` keeps it unchanged, leading space and folding included (§3.4.1: "does not change
/// header fields in any way"). `relaxed` (§3.4.2) unfolds continuation lines (a line ending
/// followed by WSP), reduces every run of WSP to one SP, and deletes WSP at the start (after
/// the colon) and at the end of the value. Tabs therefore never survive `relaxed`.
pub fn canonical_value(raw: &[u8], algorithm: CanonAlgorithm) -> Cow<'_, [u8]> {
    match algorithm {
        CanonAlgorithm::Simple => Cow::Borrowed(raw),
        CanonAlgorithm::Relaxed => Cow::Owned(relaxed_value(raw)),
    }
}

fn relaxed_value(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < raw.len() {
        let byte = raw[i];
        // Unfold: CRLF (or a bare LF, for messages stored with LF endings) followed by WSP.
        let fold_len = if raw[i..].starts_with(b"\r\n") {
            2
        } else if byte == b'\n' {
            1
        } else {
            0
        };
        if fold_len > 0 && raw.get(i + fold_len).copied().is_some_and(is_wsp) {
            i += fold_len;
            continue;
        }
        if is_wsp(byte) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(byte);
        }
        i += 1;
    }
    out
}

/// Canonical form of a whole field (`name:value` and CRLF) exactly as RFC 6376 defines it
/// for DKIM, from the field's raw bytes (name, colon, value, optional line ending).
///
/// This is the form the RFC 6376 §3.4.5 examples show; SecureHeaderFields stores the name and
/// the value parts of it.
pub fn canonical_field(raw: &[u8], algorithm: CanonAlgorithm) -> Vec<u8> {
    let body = raw
        .strip_suffix(b"\r\n")
        .or_else(|| raw.strip_suffix(b"\n"))
        .unwrap_or(raw);
    let (name, value) = match body.iter().position(|&b| b == b':') {
        Some(colon) => (&body[..colon], &body[colon + 1..]),
        None => (body, &body[body.len()..]),
    };
    let mut out = Vec::with_capacity(raw.len() + 2);
    out.extend_from_slice(&canonical_name(name, algorithm));
    out.push(b':');
    out.extend_from_slice(&canonical_value(value, algorithm));
    out.extend_from_slice(b"\r\n");
    out
}

/// One header field of a message in canonical form.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CanonicalField {
    /// The canonical name (lossily decoded if the message's name is not ASCII).
    pub name: String,
    /// The canonical value.
    pub value: crate::FieldValue,
}

/// Every header field of `message` in canonical form, in message order: what
/// `mailsec headers canon` prints, and what a signature under `algorithm` would carry for
/// each field.
pub fn canonical_header(
    message: &[u8],
    algorithm: CanonAlgorithm,
    limits: &crate::Limits,
) -> Result<Vec<CanonicalField>, crate::Error> {
    let block = crate::header_block(message, limits)?;
    Ok(block
        .fields
        .iter()
        .map(|raw| CanonicalField {
            name: String::from_utf8_lossy(&canonical_name(raw.name, algorithm)).into_owned(),
            value: crate::FieldValue::raw(canonical_value(raw.value, algorithm).into_owned()),
        })
        .collect())
}
