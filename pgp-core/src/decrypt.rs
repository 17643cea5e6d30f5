//! Decryption, with the signatures inside checked.

use openpgp::parse::Parse;
use openpgp::parse::stream::DecryptorBuilder;
use sequoia_openpgp as openpgp;

use crate::error::Error;
use crate::helper::Helper;
use crate::keys::Key;
use crate::limits::{Limit, check};
use crate::policy::PgpPolicy;
use crate::report::DecryptionReport;
use crate::verify::{ReadError, read_bounded};

/// A decrypted message: the content, and what was checked.
#[derive(Debug, Clone)]
pub struct Decrypted {
    /// The plaintext (the literal data).
    pub content: Vec<u8>,
    /// Which key decrypted it, how it was protected, and its signatures.
    pub report: DecryptionReport,
}

/// Decrypts `message` (armored or binary) with the first of `keys` (unlocked secret keys)
/// that can, checking signatures inside against `verify_with`.
///
/// Refuses data without integrity protection ([`Error::Unprotected`]): RFC 9580 §5.7 says such
/// data MUST NOT be decrypted without warning, and a gateway cannot warn anybody.
pub fn decrypt(
    message: &[u8],
    keys: &[Key],
    verify_with: &[Key],
    policy: &PgpPolicy,
) -> Result<Decrypted, Error> {
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        message.len(),
    )?;
    if let Some(locked) = keys.iter().find(|k| k.is_locked()) {
        return Err(Error::Locked {
            fingerprint: locked.fingerprint(),
            message: "unlock the key with its password first".into(),
        });
    }
    let helper = Helper::new(verify_with, keys, policy);
    let builder =
        DecryptorBuilder::from_bytes(message).map_err(|e| Error::malformed("message", e))?;
    let mut decryptor = match builder.with_policy(policy.standard(), policy.time, helper) {
        Ok(d) => d,
        Err(e) => return Err(classify(e, message, policy)),
    };
    let content =
        read_bounded(&mut decryptor, policy.limits.max_output_bytes).map_err(|e| match e {
            ReadError::Limit(actual) => Error::Limit {
                limit: Limit::OutputBytes,
                max: policy.limits.max_output_bytes,
                actual,
            },
            ReadError::Io(e) => Error::malformed("message", e),
        })?;
    let helper = decryptor.into_helper();
    let seen = helper.seen;
    let protection = match seen.protection {
        Some(p) if !seen.unprotected => p,
        _ => return Err(Error::Unprotected),
    };
    Ok(Decrypted {
        content,
        report: DecryptionReport {
            recipients: seen.recipients,
            decrypted_with: seen.decrypted_with,
            decrypted_with_cert: seen.decrypted_with_cert,
            symmetric_algorithm: seen.symmetric_algorithm,
            aead_algorithm: seen.aead_algorithm,
            protection,
            compressed: seen.compressed,
            signatures: helper.report,
        },
    })
}

/// Turns a failure to start decrypting into the error that says why: unprotected data,
/// no key for any recipient, or a malformed message.
fn classify(
    e: impl std::fmt::Display + std::fmt::Debug,
    message: &[u8],
    policy: &PgpPolicy,
) -> Error {
    let text = format!("{e:#}");
    match recipients_and_protection(message, policy) {
        Some((_, true)) => Error::Unprotected,
        Some((recipients, false)) if text.contains("session key") => Error::NoDecryptionKey {
            recipients: recipients.join(", "),
        },
        _ => Error::malformed("message", text),
    }
}

/// The recipients named by the PKESK packets, and whether the data is a SED packet, from the
/// packet headers alone (no decryption).
fn recipients_and_protection(message: &[u8], policy: &PgpPolicy) -> Option<(Vec<String>, bool)> {
    use openpgp::Packet;
    use openpgp::parse::{PacketParser, PacketParserResult};
    let _ = policy;
    let mut ppr = PacketParser::from_bytes(message).ok()?;
    let mut recipients = Vec::new();
    let mut unprotected = false;
    let mut seen = 0usize;
    while let PacketParserResult::Some(pp) = ppr {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        match &pp.packet {
            Packet::PKESK(p) => recipients.push(
                p.recipient()
                    .map(|h| h.to_hex())
                    .unwrap_or_else(|| "anonymous".into()),
            ),
            p if p.tag() == openpgp::packet::Tag::SED => unprotected = true,
            _ => {}
        }
        // Never descend into encrypted containers: `next` skips their body.
        ppr = pp.next().ok()?.1;
    }
    Some((recipients, unprotected))
}
