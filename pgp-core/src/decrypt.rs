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
    let scan = scan(message);
    if scan.unprotected {
        return Err(Error::Unprotected);
    }
    if scan.truncated_seipd {
        // sequoia 2.4.2 panics on a SEIPD v1 body too short for its quick-check bytes and the
        // MDC (parse.rs, PacketParser::decrypt_); such a packet cannot be a message anyway.
        return Err(Error::malformed(
            "message",
            "SEIPD v1 packet too short to hold a message and its MDC (RFC 9580 §5.13.1)",
        ));
    }
    let helper = Helper::new(verify_with, keys);
    let builder = DecryptorBuilder::from_bytes(message)
        .map_err(|e| Error::malformed("message", e))?
        // Bound what sequoia holds back for verification by our own output limit.
        .buffer_size(
            policy
                .limits
                .max_output_bytes
                .saturating_add(1)
                .min(openpgp::parse::stream::DEFAULT_BUFFER_SIZE),
        );
    let mut decryptor = match builder.with_policy(policy.standard(), policy.time, helper) {
        Ok(d) => d,
        Err(e) => return Err(classify(e, message)),
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

/// Turns a failure to start decrypting into the error that says why: no key for any
/// recipient, or a malformed message.
fn classify(e: impl std::fmt::Display, message: &[u8]) -> Error {
    let text = format!("{e:#}");
    let scan = scan(message);
    if text.contains("session key") && !scan.recipients.is_empty() {
        return Error::NoDecryptionKey {
            recipients: scan.recipients.join(", "),
        };
    }
    Error::malformed("message", text)
}

/// What the packet headers of a message say, read without decrypting anything.
#[derive(Debug, Default)]
struct Scan {
    /// Key IDs (or fingerprints) named by the PKESK packets.
    recipients: Vec<String>,
    /// A Symmetrically Encrypted Data packet (tag 9, no integrity protection) is present.
    unprotected: bool,
    /// A SEIPD v1 packet is shorter than the smallest valid one.
    truncated_seipd: bool,
}

/// The smallest SEIPD v1 body sequoia can take apart: 16 octets of random prefix (the
/// largest block size), the 2 quick-check octets, and the 22-octet MDC packet.
const MIN_SEIPD_V1_BODY: usize = 16 + 2 + 22;

/// Top-level packets past this many are not scanned (a message has a handful).
const MAX_SCANNED_PACKETS: usize = 10_000;

fn scan(message: &[u8]) -> Scan {
    use openpgp::Packet;
    use openpgp::parse::{PacketParser, PacketParserResult};
    let mut scan = Scan::default();
    let Ok(mut ppr) = PacketParser::from_bytes(message) else {
        return scan;
    };
    let mut seen = 0usize;
    while let PacketParserResult::Some(mut pp) = ppr {
        seen += 1;
        if seen > MAX_SCANNED_PACKETS {
            break;
        }
        match &pp.packet {
            Packet::PKESK(p) => scan.recipients.push(
                p.recipient()
                    .map(|h| h.to_hex())
                    .unwrap_or_else(|| "anonymous".into()),
            ),
            Packet::SEIP(openpgp::packet::SEIP::V1(_)) => {
                // The body is at most the input, whose size is already bounded.
                let short = pp
                    .buffer_unread_content()
                    .map_or(true, |body| body.len() < MIN_SEIPD_V1_BODY);
                scan.truncated_seipd |= short;
            }
            p if p.tag() == openpgp::packet::Tag::SED => scan.unprotected = true,
            _ => {}
        }
        // Never descend into encrypted containers: `next` skips their body.
        ppr = match pp.next() {
            Ok((_, next)) => next,
            Err(_) => break,
        };
    }
    scan
}
