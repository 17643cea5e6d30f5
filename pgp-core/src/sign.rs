//! Signing: detached signatures and inline (one-pass) signed messages, binary or armored.

use std::io::Write;

use openpgp::crypto::KeyPair;
use openpgp::serialize::stream::{Armorer, LiteralWriter, Message, Signer};
use openpgp::types::HashAlgorithm;
use sequoia_openpgp as openpgp;

use crate::error::Error;
use crate::keys::Key;
use crate::limits::{Limit, check};
use crate::policy::PgpPolicy;

/// The shape of a signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SignMode {
    /// A detached signature: the data travels apart (PGP/MIME, `gpg --detach-sign`).
    #[default]
    Detached,
    /// A signed message that contains the data (`gpg --sign`).
    Inline,
}

/// Signs `data` with every key of `signers` (each must hold an unlocked secret signing key
/// valid under `policy`), with SHA-256 (RFC 3156 `micalg=pgp-sha256`).
///
/// ```
/// use pgp_core::{Key, KeyOptions, PgpPolicy, SignMode, sign, verify_detached};
///
/// let (alice, _) = Key::generate("alice@example.org", &KeyOptions::default())?;
/// let policy = PgpPolicy::new();
/// let sig = sign(b"hello", &[alice.clone()], SignMode::Detached, true, &policy)?;
/// let report = verify_detached(b"hello", &sig, &[alice.public()], &policy)?;
/// assert!(report.is_valid(), "{report}");
/// # Ok::<(), pgp_core::Error>(())
/// ```
pub fn sign(
    data: &[u8],
    signers: &[Key],
    mode: SignMode,
    armor: bool,
    policy: &PgpPolicy,
) -> Result<Vec<u8>, Error> {
    check(Limit::InputBytes, policy.limits.max_input_bytes, data.len())?;
    let pairs = signing_keypairs(signers, policy)?;
    let mut out = Vec::with_capacity(data.len() + 1024);
    {
        let mut message = Message::new(&mut out);
        if armor {
            let kind = match mode {
                SignMode::Detached => openpgp::armor::Kind::Signature,
                SignMode::Inline => openpgp::armor::Kind::Message,
            };
            message = Armorer::new(message)
                .kind(kind)
                .build()
                .map_err(Error::crypto)?;
        }
        let mut signer = signer_for(message, pairs)?;
        if mode == SignMode::Detached {
            signer = signer.detached();
        }
        let mut message = signer.build().map_err(Error::crypto)?;
        if mode == SignMode::Inline {
            message = LiteralWriter::new(message).build().map_err(Error::crypto)?;
        }
        message.write_all(data).map_err(Error::crypto)?;
        message.finalize().map_err(Error::crypto)?;
    }
    Ok(out)
}

/// A stream signer over `message` with every key pair, SHA-256.
pub(crate) fn signer_for<'a>(
    message: Message<'a>,
    pairs: Vec<KeyPair>,
) -> Result<Signer<'a>, Error> {
    let mut pairs = pairs.into_iter();
    let first = pairs
        .next()
        .ok_or_else(|| Error::Usage("no signing key given".into()))?;
    let mut signer = Signer::new(message, first)
        .map_err(Error::crypto)?
        .hash_algo(HashAlgorithm::SHA256)
        .map_err(Error::crypto)?;
    for pair in pairs {
        signer = signer.add_signer(pair).map_err(Error::crypto)?;
    }
    Ok(signer)
}

/// The signing key pair of each key: its newest signing-capable, alive, unrevoked secret key
/// under the policy.
pub(crate) fn signing_keypairs(signers: &[Key], policy: &PgpPolicy) -> Result<Vec<KeyPair>, Error> {
    if signers.is_empty() {
        return Err(Error::Usage("no signing key given".into()));
    }
    let mut pairs = Vec::with_capacity(signers.len());
    for key in signers {
        let valid = key
            .cert()
            .with_policy(policy.standard(), policy.time)
            .map_err(|e| Error::NoValidKey {
                fingerprint: key.fingerprint(),
                purpose: "signing",
                reason: format!("{e:#}"),
            })?;
        // `revoked(false)` below looks at each subkey's own revocations only; a revoked
        // certificate revokes all its keys.
        if let openpgp::types::RevocationStatus::Revoked(_) = valid.revocation_status() {
            return Err(Error::NoValidKey {
                fingerprint: key.fingerprint(),
                purpose: "signing",
                reason: "the certificate is revoked".into(),
            });
        }
        let mut candidates = valid
            .keys()
            .supported()
            .alive()
            .revoked(false)
            .for_signing()
            .collect::<Vec<_>>();
        if candidates.is_empty() {
            return Err(Error::NoValidKey {
                fingerprint: key.fingerprint(),
                purpose: "signing",
                reason: "no alive, unrevoked signing-capable key".into(),
            });
        }
        // Newest first: a rotated signing subkey replaces the old one.
        candidates.sort_by_key(|ka| std::cmp::Reverse(ka.key().creation_time()));
        let secret = candidates
            .into_iter()
            .find_map(|ka| ka.key().clone().parts_into_secret().ok())
            .ok_or_else(|| Error::NoSecretKey {
                fingerprint: key.fingerprint(),
                purpose: "signing",
            })?;
        if !secret.has_unencrypted_secret() {
            return Err(Error::Locked {
                fingerprint: secret.fingerprint().to_hex(),
                message: "unlock the key with its password first".into(),
            });
        }
        pairs.push(secret.into_keypair().map_err(Error::crypto)?);
    }
    Ok(pairs)
}
