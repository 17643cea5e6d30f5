//! Verification of detached signatures and of inline signed messages.

use std::io::Read;

use openpgp::parse::Parse;
use openpgp::parse::stream::{DetachedVerifierBuilder, VerifierBuilder};
use sequoia_openpgp as openpgp;

use crate::error::Error;
use crate::helper::Helper;
use crate::keys::Key;
use crate::limits::{Limit, check};
use crate::policy::PgpPolicy;
use crate::report::VerificationReport;

/// Verifies a detached `signature` (armored or binary) over `data` with the certificates
/// `certs`. A signature by a signer not in `certs` is reported as
/// [`SignatureVerdict::UnknownSigner`](crate::SignatureVerdict::UnknownSigner), not an error;
/// an error means the signature could not be read at all.
pub fn verify_detached(
    data: &[u8],
    signature: &[u8],
    certs: &[Key],
    policy: &PgpPolicy,
) -> Result<VerificationReport, Error> {
    check(Limit::InputBytes, policy.limits.max_input_bytes, data.len())?;
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        signature.len(),
    )?;
    let helper = Helper::new(certs, &[]);
    let mut verifier = DetachedVerifierBuilder::from_bytes(signature)
        .map_err(|e| Error::malformed("signature", e))?
        .with_policy(policy.standard(), policy.time, helper)
        .map_err(|e| Error::malformed("signature", e))?;
    verifier
        .verify_bytes(data)
        .map_err(|e| Error::malformed("signature", e))?;
    Ok(verifier.into_helper().report)
}

/// A verified inline message: the content, and what was checked.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The signed content (the literal data).
    pub content: Vec<u8>,
    /// The signatures, checked.
    pub report: VerificationReport,
}

/// Verifies an inline signed message (armored or binary) and returns its content.
pub fn verify_inline(message: &[u8], certs: &[Key], policy: &PgpPolicy) -> Result<Verified, Error> {
    check(
        Limit::InputBytes,
        policy.limits.max_input_bytes,
        message.len(),
    )?;
    let helper = Helper::new(certs, &[]);
    let mut verifier = VerifierBuilder::from_bytes(message)
        .map_err(|e| Error::malformed("message", e))?
        // Bound what sequoia holds back for verification by our own output limit.
        .buffer_size(
            policy
                .limits
                .max_output_bytes
                .saturating_add(1)
                .min(openpgp::parse::stream::DEFAULT_BUFFER_SIZE),
        )
        .with_policy(policy.standard(), policy.time, helper)
        .map_err(|e| Error::malformed("message", e))?;
    let content =
        read_bounded(&mut verifier, policy.limits.max_output_bytes).map_err(|e| match e {
            ReadError::Limit(actual) => Error::Limit {
                limit: Limit::OutputBytes,
                max: policy.limits.max_output_bytes,
                actual,
            },
            ReadError::Io(e) => Error::malformed("message", e),
        })?;
    let report = verifier.into_helper().report;
    Ok(Verified { content, report })
}

pub(crate) enum ReadError {
    Limit(usize),
    Io(std::io::Error),
}

/// Reads at most `max` octets; one more means the limit is hit (a compression bomb stops
/// here instead of filling memory).
pub(crate) fn read_bounded(reader: &mut dyn Read, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(ReadError::Io)?;
    if out.len() > max {
        return Err(ReadError::Limit(out.len()));
    }
    Ok(out)
}
