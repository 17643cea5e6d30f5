//! Signing a whole message (draft §4.5.1, RFC 8551 §3.5): secure the header fields the policy
//! names, canonicalize the entity, sign it, and wrap it as multipart/signed or
//! application/pkcs7-mime.

use secure_headers::Policy;

use crate::error::Error;
use crate::limits::Limits;
use crate::mime::entity::{self, Split};
use crate::mime::{SignedForm, wrap};
use crate::sign::{SignRequest, sign_content};
use crate::signer::Signer;

/// How to sign a message.
#[derive(Clone, Debug, Default)]
pub struct SignOptions {
    /// Detached (multipart/signed, the default) or opaque.
    pub form: SignedForm,
    /// signingTime in seconds since the Unix epoch; `None` is now.
    pub signing_time: Option<u64>,
    /// The secure-headers policy: which fields to secure, in which form (draft §4.5.1). `None`
    /// signs without SecureHeaderFields.
    pub secure_headers: Option<Policy>,
    /// Bounds on the input message.
    pub limits: Limits,
}

pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Signs `message` (an RFC 5322 message, CRLF or LF line endings) with every signer.
///
/// The result keeps the message's header fields, except Content-*, which move into the signed
/// entity with the body; line endings follow the input's.
pub fn sign_message(
    message: &[u8],
    signers: &[Signer],
    options: &SignOptions,
) -> Result<Vec<u8>, Error> {
    if signers.is_empty() {
        return Err(Error::NoSigner);
    }
    let header_limits = options
        .secure_headers
        .as_ref()
        .map(|p| *p.limits())
        .unwrap_or_default();
    let split = entity::split(message, &options.limits, &header_limits)?;
    // draft §4.5.1 steps 1–4, from the message as the sender wrote it.
    let shf = match &options.secure_headers {
        Some(policy) => {
            let shf = secure_headers::build(message, policy)?;
            // The wrapping replaces the Content-* fields of the outer header: securing them
            // would make every signature fail on receipt.
            if let Some(field) = shf
                .fields
                .iter()
                .find(|f| f.name.trim().to_ascii_lowercase().starts_with("content-"))
            {
                return Err(Error::CannotSecure {
                    field: field.name.clone(),
                    reason: "S/MIME wrapping moves Content-* fields into the signed part".into(),
                });
            }
            Some((shf, policy.profile()))
        }
        None => None,
    };
    let signing_time = options.signing_time.unwrap_or_else(now);
    let secure_header_fields = shf.as_ref().map(|(s, p)| (s, *p));
    let le = split.line_ending;
    match options.form {
        SignedForm::Detached => {
            let mut micalgs: Vec<&str> = signers
                .iter()
                .map(|s| s.key().algorithm().digest().micalg())
                .collect();
            micalgs.sort_unstable();
            micalgs.dedup();
            // RFC 8551 §3.5.3.2: several algorithms are listed comma-separated.
            let micalg = micalgs.join(",");
            for _ in 0..4 {
                let boundary = wrap::new_boundary();
                let (mut out, entity) =
                    write_detached_head(&split, &micalg, &boundary, &options.limits)?;
                let content = &out[entity.clone()];
                if memchr::memmem::find(content, format!("--{boundary}").as_bytes()).is_some() {
                    continue;
                }
                // The digest is over the CRLF form (RFC 8551 §3.1.1); a message stored with
                // LF endings is converted for signing only.
                let crlf;
                let content: &[u8] = if le == b"\r\n" {
                    content
                } else {
                    crlf = wrap::with_line_ending(content, b"\r\n");
                    &crlf
                };
                let request = SignRequest {
                    content,
                    detached: true,
                    signing_time,
                    secure_header_fields,
                };
                let cms = sign_content(&request, signers)?;
                wrap::write_signature_part(&mut out, &boundary, &cms, le);
                return Ok(out);
            }
            Err(Error::Internal(
                "no boundary outside the content after four tries",
            ))
        }
        SignedForm::Opaque => {
            let mut content = Vec::with_capacity(split.body.len() + 512);
            entity::write_entity(&mut content, &split, b"\r\n", &options.limits)?;
            let request = SignRequest {
                content: &content,
                detached: false,
                signing_time,
                secure_header_fields,
            };
            let cms = sign_content(&request, signers)?;
            let mut out = Vec::with_capacity(message.len() + cms.len() * 4 / 3 + 512);
            wrap::write_outer_header(
                &mut out,
                &split,
                &[
                    "Content-Type: application/pkcs7-mime; smime-type=signed-data;\nname=\"smime.p7m\"",
                    "Content-Transfer-Encoding: base64",
                    "Content-Disposition: attachment; filename=\"smime.p7m\"",
                ],
                le,
            );
            wrap::write_opaque_body(&mut out, &cms, le);
            Ok(out)
        }
    }
}

/// The outer header, the preamble, the first delimiter and the entity of multipart/signed;
/// returns the output so far and where the entity lies in it.
fn write_detached_head(
    split: &Split<'_>,
    micalg: &str,
    boundary: &str,
    limits: &Limits,
) -> Result<(Vec<u8>, std::ops::Range<usize>), Error> {
    let le = split.line_ending;
    let mut out = Vec::with_capacity(split.body.len() + 8192);
    let content_type = format!(
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\nmicalg=\"{micalg}\"; boundary=\"{boundary}\""
    );
    wrap::write_outer_header(&mut out, split, &[&content_type], le);
    for line in ["", "This is an S/MIME signed message", ""] {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(le);
    }
    out.extend_from_slice(format!("--{boundary}").as_bytes());
    out.extend_from_slice(le);
    let start = out.len();
    entity::write_entity(&mut out, split, le, limits)?;
    let end = out.len();
    Ok((out, start..end))
}
