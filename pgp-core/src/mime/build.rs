//! Building PGP/MIME messages (RFC 3156 §4, §5, §6.2) with the header fields protected inside
//! (RFC 9788).

use base64::Engine as _;

use super::header::{self, Entity, Field};
use super::parse;
use crate::encrypt::encrypt as encrypt_bytes;
use crate::error::Error;
use crate::keys::Key;
use crate::limits::{Limit, check};
use crate::policy::PgpPolicy;
use crate::sign::{SignMode, sign as sign_bytes};

/// RFC 5322 §2.1.1: at most 998 characters per line, CRLF excluded.
const MAX_LINE: usize = 998;

/// The header fields copied into the protected part (RFC 9788 §2.1: the user-facing fields a
/// reader relies on). Trace and transport fields (Received, DKIM-Signature…) stay outside:
/// relays add and change them legitimately.
pub(crate) const PROTECTED_FIELDS: &[&str] = &[
    "date",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "subject",
    "message-id",
    "in-reply-to",
    "references",
    "keywords",
    "comments",
    "mail-followup-to",
];

/// What an encrypted message shows outside instead of its subject (RFC 9788 §4.1,
/// `hcp_baseline`).
pub(crate) const OBSCURED_SUBJECT: &str = "[...]";

/// Signs `message` (a whole RFC 5322 message) with `signers`, returning a
/// `multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256` message
/// (RFC 3156 §5). The signed part holds the message's Content-* fields, a copy of its
/// user-facing header fields (RFC 9788, `hp="clear"`), and its body, 7-bit safe.
pub fn sign(message: &[u8], signers: &[Key], policy: &PgpPolicy) -> Result<Vec<u8>, Error> {
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        message.len(),
    )?;
    let entity = header::split(message, &policy.limits)?;
    let inner = protected_entity(message, &entity, "clear", policy)?;
    // RFC 3156 §5: the signature is over the part exactly as it is sent, in canonical (CRLF)
    // form, without the CRLF that precedes the boundary.
    let signature = sign_bytes(&inner, signers, SignMode::Detached, true, policy)?;
    let boundary = new_boundary()?;
    let mut out = Vec::with_capacity(inner.len() + signature.len() + 1024);
    write_outer_fields(&mut out, &entity, false);
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha256;\r\n \
             protocol=\"application/pgp-signature\";\r\n boundary=\"{boundary}\"\r\n\r\n\
             This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--{boundary}\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&inner);
    out.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\
             Content-Description: OpenPGP digital signature\r\n\
             Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n"
        )
        .as_bytes(),
    );
    push_crlf_lines(&mut out, &signature);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Ok(out)
}

/// Encrypts `message` to `recipients`, signing inside the encryption with `sign_with` when it
/// is not empty (RFC 3156 §6.2, the combined form GnuPG-based clients send), returning a
/// `multipart/encrypted; protocol="application/pgp-encrypted"` message (§4). The encrypted
/// part carries the header fields (RFC 9788, `hp="cipher"`); outside, the Subject becomes
/// `[...]`.
pub fn encrypt(
    message: &[u8],
    recipients: &[Key],
    sign_with: &[Key],
    policy: &PgpPolicy,
) -> Result<Vec<u8>, Error> {
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        message.len(),
    )?;
    let entity = header::split(message, &policy.limits)?;
    let inner = protected_entity(message, &entity, "cipher", policy)?;
    let encrypted = encrypt_bytes(&inner, recipients, sign_with, true, policy)?;
    let boundary = new_boundary()?;
    let mut out = Vec::with_capacity(encrypted.len() + 1024);
    write_outer_fields(&mut out, &entity, true);
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n \
             protocol=\"application/pgp-encrypted\";\r\n boundary=\"{boundary}\"\r\n\r\n\
             This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n\
             --{boundary}\r\nContent-Type: application/pgp-encrypted\r\n\
             Content-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n\
             --{boundary}\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
             Content-Description: OpenPGP encrypted message\r\n\
             Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n"
        )
        .as_bytes(),
    );
    push_crlf_lines(&mut out, &encrypted);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Ok(out)
}

/// The outer header: every field of the message except its Content-* fields and MIME-Version
/// (the new ones describe the multipart), with the subject obscured when encrypting.
fn write_outer_fields(out: &mut Vec<u8>, entity: &Entity<'_>, obscure_subject: bool) {
    for field in &entity.fields {
        if is_content_field(field) || field.is("mime-version") {
            continue;
        }
        if obscure_subject && field.is("subject") {
            out.extend_from_slice(format!("Subject: {OBSCURED_SUBJECT}\r\n").as_bytes());
            continue;
        }
        push_crlf_lines(out, field.raw);
        out.extend_from_slice(b"\r\n");
    }
}

fn is_content_field(field: &Field<'_>) -> bool {
    field.name.len() > 8 && field.name[..8].eq_ignore_ascii_case("content-")
}

/// The protected part: Content-Type (with `hp`), the other Content-* fields, copies of the
/// protected header fields, then the body, all CRLF and 7-bit safe (RFC 3156 §3, §5).
fn protected_entity(
    message: &[u8],
    entity: &Entity<'_>,
    hp: &str,
    policy: &PgpPolicy,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(message.len() + 512);
    let ct = entity.content_type();
    let reencode = transfer_encoding(entity, &ct);
    // RFC 9788 §2.1.1: the hp parameter says the part carries the protected header fields.
    match entity.field("content-type") {
        Some(field) => {
            push_crlf_lines(&mut out, field.raw);
            out.extend_from_slice(format!(";\r\n hp=\"{hp}\"\r\n").as_bytes());
        }
        None => out.extend_from_slice(
            format!("Content-Type: text/plain; charset=us-ascii; hp=\"{hp}\"\r\n").as_bytes(),
        ),
    }
    for field in &entity.fields {
        if reencode.is_some() && field.is("content-transfer-encoding") {
            continue;
        }
        let protected = PROTECTED_FIELDS.iter().any(|n| field.is(n));
        if (is_content_field(field) && !field.is("content-type")) || protected {
            push_crlf_lines(&mut out, field.raw);
            out.extend_from_slice(b"\r\n");
        }
    }
    if let Some(cte) = reencode {
        out.extend_from_slice(format!("Content-Transfer-Encoding: {}\r\n", cte.name()).as_bytes());
    }
    // Appending `hp` must not change how the Content-Type reads: a malformed field that a
    // lenient parser repairs differently once extended would make the receiver see another
    // structure than the sender did.
    let rebuilt = header::split(&out, &policy.limits)?.content_type();
    if rebuilt.mime_type != ct.mime_type
        || rebuilt.subtype != ct.subtype
        || parse::kind_of(&rebuilt) != parse::kind_of(&ct)
        || rebuilt.param("boundary") != ct.param("boundary")
    {
        return Err(Error::mime(
            "the Content-Type field is malformed (its parameters do not parse)",
            0,
        ));
    }
    write_body(&mut out, message, entity, &ct, 0, policy)?;
    Ok(out)
}

/// Writes the rest of an entity's header (the empty line) and its body, made 7-bit safe:
/// multiparts part by part, leaves that are not safe re-encoded in base64.
fn write_body(
    out: &mut Vec<u8>,
    bytes: &[u8],
    entity: &Entity<'_>,
    ct: &header::ContentType,
    depth: usize,
    policy: &PgpPolicy,
) -> Result<(), Error> {
    check(Limit::MimeDepth, policy.limits.max_mime_depth, depth + 1)?;
    if ct.mime_type == "multipart"
        && let Some(boundary) = ct.param("boundary")
        && !is_safe(entity.body)
    {
        out.extend_from_slice(b"\r\n");
        let parts = parse::body_parts(bytes, entity, boundary, &policy.limits)?;
        let mut cursor = entity.body_offset;
        for part in parts {
            // Preamble or the delimiter before this part, verbatim apart from line endings.
            push_crlf_lines(out, &bytes[cursor..part.range.start]);
            let part_bytes = &bytes[part.range.clone()];
            let child = header::split(part_bytes, &policy.limits)?;
            for field in &child.fields {
                if !is_safe(field.raw) {
                    return Err(Error::mime(
                        "a header field of a body part is not 7-bit (RFC 3156 §3)",
                        part.range.start,
                    ));
                }
            }
            let child_ct = child.content_type();
            let reencode = transfer_encoding(&child, &child_ct);
            write_fields(out, &child, reencode);
            write_body(out, part_bytes, &child, &child_ct, depth + 1, policy)?;
            cursor = part.range.end;
        }
        // The close delimiter and the epilogue.
        push_crlf_lines(out, &bytes[cursor..]);
        return Ok(());
    }
    out.extend_from_slice(b"\r\n");
    // RFC 3156 §3: data that is not 7-bit MUST be encoded. Only identity encodings (7bit,
    // 8bit, binary) get here unsafe, so the raw body is the data.
    match transfer_encoding(entity, ct) {
        None => push_crlf_lines(out, entity.body),
        Some(Reencode::QuotedPrintable) => {
            let encoded = quoted_printable::encode(entity.body);
            // RFC 3156 §5: "From " at the start of a line is mangled by mbox transports;
            // encoding its F keeps the line intact.
            for line in encoded.split_inclusive(|b| *b == b'\n') {
                match line.strip_prefix(b"From ") {
                    Some(rest) => {
                        out.extend_from_slice(b"=46rom ");
                        out.extend_from_slice(rest);
                    }
                    None => out.extend_from_slice(line),
                }
            }
            if !out.ends_with(b"\r\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
        Some(Reencode::Base64) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(entity.body);
            for chunk in encoded.as_bytes().chunks(76) {
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    Ok(())
}

/// The transfer encoding a leaf is re-encoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reencode {
    /// Text stays readable by clients without OpenPGP.
    QuotedPrintable,
    /// Anything else.
    Base64,
}

impl Reencode {
    fn name(self) -> &'static str {
        match self {
            Reencode::QuotedPrintable => "quoted-printable",
            Reencode::Base64 => "base64",
        }
    }
}

/// How a leaf's body must be re-encoded, if at all: when it is not safe as it stands and its
/// transfer encoding is an identity (7bit, 8bit, binary), so the raw body is the data. A body
/// already in quoted-printable or base64 is left alone: re-encoding it would change the data.
fn transfer_encoding(entity: &Entity<'_>, ct: &header::ContentType) -> Option<Reencode> {
    if ct.mime_type == "multipart" || is_safe(entity.body) {
        return None;
    }
    let identity = entity
        .field("content-transfer-encoding")
        .map(|f| f.normalized_value().to_ascii_lowercase())
        .is_none_or(|cte| matches!(cte.as_str(), "7bit" | "8bit" | "binary"));
    if !identity {
        return None;
    }
    Some(if ct.mime_type == "text" {
        Reencode::QuotedPrintable
    } else {
        Reencode::Base64
    })
}

/// Writes a body part's fields; when its body is re-encoded, its Content-Transfer-Encoding
/// is replaced by base64.
fn write_fields(out: &mut Vec<u8>, entity: &Entity<'_>, reencode: Option<Reencode>) {
    for field in &entity.fields {
        if reencode.is_some() && field.is("content-transfer-encoding") {
            continue;
        }
        push_crlf_lines(out, field.raw);
        out.extend_from_slice(b"\r\n");
    }
    if let Some(cte) = reencode {
        out.extend_from_slice(format!("Content-Transfer-Encoding: {}\r\n", cte.name()).as_bytes());
    }
}

/// Whether `bytes` survive any mail transport unchanged once their line endings are CRLF
/// (RFC 3156 §3 and §5): ASCII, no NUL, no lone CR, lines of at most 998 octets, no trailing
/// white space, no line starting with "From " (which mbox transports mangle).
pub(crate) fn is_safe(bytes: &[u8]) -> bool {
    if !bytes.is_ascii() || memchr::memchr(0, bytes).is_some() {
        return false;
    }
    bytes.split(|b| *b == b'\n').all(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.len() <= MAX_LINE
            && memchr::memchr(b'\r', line).is_none()
            && !matches!(line.last(), Some(b' ' | b'\t'))
            && !line.starts_with(b"From ")
    })
}

/// Appends `bytes` with every line ending written as CRLF.
pub(crate) fn push_crlf_lines(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut rest = bytes;
    while let Some(lf) = memchr::memchr(b'\n', rest) {
        let line = rest[..lf].strip_suffix(b"\r").unwrap_or(&rest[..lf]);
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
        rest = &rest[lf + 1..];
    }
    out.extend_from_slice(rest);
}

/// A fresh boundary: random, so no content can contain it by chance.
fn new_boundary() -> Result<String, Error> {
    let mut random = [0u8; 18];
    sequoia_openpgp::crypto::random(&mut random).map_err(Error::crypto)?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random);
    Ok(format!("=_pgp_{token}"))
}
