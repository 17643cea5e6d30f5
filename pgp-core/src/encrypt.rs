//! Encryption to one or more recipients, optionally signed first (sign-then-encrypt, the
//! combined form of RFC 3156 §6.2).

use std::io::Write;

use openpgp::serialize::stream::{Armorer, Encryptor, LiteralWriter, Message, Recipient};
use sequoia_openpgp as openpgp;

use crate::error::Error;
use crate::keys::Key;
use crate::limits::{Limit, check};
use crate::policy::PgpPolicy;
use crate::sign::{signer_for, signing_keypairs};

/// Encrypts `data` to every certificate of `recipients` (to encrypt to yourself as well,
/// include your own certificate), signing it first with `sign_with` when that is not empty.
///
/// Each recipient contributes every encryption-capable, alive, unrevoked subkey under the
/// policy, as GnuPG does; a recipient without one is an error naming it (silently dropping a
/// recipient would send mail they cannot read). The packet versions (SEIPD v1 or v2) follow
/// what the recipients' keys announce.
///
/// ```
/// use pgp_core::{Key, KeyOptions, PgpPolicy, decrypt, encrypt};
///
/// let (bob, _) = Key::generate("bob@example.org", &KeyOptions::default())?;
/// let policy = PgpPolicy::new();
/// let sealed = encrypt(b"hi Bob", &[bob.public()], &[], true, &policy)?;
/// let opened = decrypt(&sealed, &[bob], &[], &policy)?;
/// assert_eq!(opened.content, b"hi Bob");
/// # Ok::<(), pgp_core::Error>(())
/// ```
pub fn encrypt(
    data: &[u8],
    recipients: &[Key],
    sign_with: &[Key],
    armor: bool,
    policy: &PgpPolicy,
) -> Result<Vec<u8>, Error> {
    check(Limit::InputBytes, policy.limits.max_input_bytes, data.len())?;
    check(
        Limit::Recipients,
        policy.limits.max_recipients,
        recipients.len(),
    )?;
    if recipients.is_empty() {
        return Err(Error::Usage("no recipient given".into()));
    }
    let mut keys = Vec::new();
    for cert in recipients {
        let valid = cert
            .cert()
            .with_policy(policy.standard(), policy.time)
            .map_err(|e| Error::NoValidKey {
                fingerprint: cert.fingerprint(),
                purpose: "encryption",
                reason: format!("{e:#}"),
            })?;
        // `revoked(false)` below looks at each subkey's own revocations only; a revoked
        // certificate revokes all its keys.
        if let openpgp::types::RevocationStatus::Revoked(_) = valid.revocation_status() {
            return Err(Error::NoValidKey {
                fingerprint: cert.fingerprint(),
                purpose: "encryption",
                reason: "the certificate is revoked".into(),
            });
        }
        let before = keys.len();
        keys.extend(
            valid
                .keys()
                .supported()
                .alive()
                .revoked(false)
                .for_transport_encryption()
                .for_storage_encryption()
                .map(Recipient::from),
        );
        if keys.len() == before {
            return Err(Error::NoValidKey {
                fingerprint: cert.fingerprint(),
                purpose: "encryption",
                reason: "no alive, unrevoked encryption-capable key".into(),
            });
        }
    }
    let signers = if sign_with.is_empty() {
        Vec::new()
    } else {
        signing_keypairs(sign_with, policy)?
    };
    let mut out = Vec::with_capacity(data.len() + 1024);
    {
        let mut message = Message::new(&mut out);
        if armor {
            message = Armorer::new(message).build().map_err(Error::crypto)?;
        }
        let mut message = Encryptor::for_recipients(message, keys)
            .build()
            .map_err(Error::crypto)?;
        if !signers.is_empty() {
            message = signer_for(message, signers)?
                .build()
                .map_err(Error::crypto)?;
        }
        let mut message = LiteralWriter::new(message).build().map_err(Error::crypto)?;
        message.write_all(data).map_err(Error::crypto)?;
        message.finalize().map_err(Error::crypto)?;
    }
    Ok(out)
}
