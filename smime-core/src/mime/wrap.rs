//! Writing the signed message around the entity (RFC 8551 §3.5.2, §3.5.3; RFC 1847 §2.1).

use super::entity::{Split, write_base64_lines, write_lines};

/// The outer header: the message's own fields except Content-* (kept byte for byte, so the
/// secured fields compare on receipt), MIME-Version, and the new Content-* `fields` (a `\n`
/// in one of them folds the line there).
pub(crate) fn write_outer_header(out: &mut Vec<u8>, split: &Split<'_>, fields: &[&str], le: &[u8]) {
    for field in &split.outer {
        out.extend_from_slice(field);
        if !field.ends_with(b"\n") {
            out.extend_from_slice(le);
        }
    }
    match split.mime_version {
        Some(field) => {
            out.extend_from_slice(field);
            if !field.ends_with(b"\n") {
                out.extend_from_slice(le);
            }
        }
        None => {
            out.extend_from_slice(b"MIME-Version: 1.0");
            out.extend_from_slice(le);
        }
    }
    for field in fields {
        for (i, line) in field.split('\n').enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(le);
        }
    }
}

/// A boundary that cannot occur in base64 or quoted-printable text ("=_" is not valid in
/// either, RFC 2045 §6.7) and is random besides.
pub(crate) fn new_boundary() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("----=_mailsec_{hex}")
}

/// The signature part and the closing delimiter of multipart/signed (RFC 8551 §3.5.3.1).
pub(crate) fn write_signature_part(out: &mut Vec<u8>, boundary: &str, cms: &[u8], le: &[u8]) {
    out.extend_from_slice(le);
    out.extend_from_slice(format!("--{boundary}").as_bytes());
    out.extend_from_slice(le);
    for line in [
        "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: attachment; filename=\"smime.p7s\"",
        "Content-Description: S/MIME Cryptographic Signature",
        "",
    ] {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(le);
    }
    write_base64_lines(out, cms, le);
    out.extend_from_slice(format!("--{boundary}--").as_bytes());
    out.extend_from_slice(le);
}

/// The body of application/pkcs7-mime (RFC 8551 §3.5.2): the CMS object in base64.
pub(crate) fn write_opaque_body(out: &mut Vec<u8>, cms: &[u8], le: &[u8]) {
    out.extend_from_slice(le);
    write_base64_lines(out, cms, le);
}

/// Rewrites CRLF as `le` (for messages stored with LF endings).
pub(crate) fn with_line_ending(bytes: &[u8], le: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    write_lines(&mut out, bytes, le);
    out
}
