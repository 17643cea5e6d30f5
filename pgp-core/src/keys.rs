//! OpenPGP keys: generation, import and export (binary or ASCII-armored), password
//! protection of secret key material, and revocation certificates.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use openpgp::cert::prelude::*;
use openpgp::crypto::Password;
use openpgp::packet::signature::SignatureBuilder;
use openpgp::parse::Parse;
use openpgp::serialize::{Serialize, SerializeInto};
use openpgp::types::{ReasonForRevocation, SignatureType};
use sequoia_openpgp as openpgp;

use crate::error::Error;
use crate::limits::{Limit, Limits, check};
use crate::policy::PgpPolicy;

/// The algorithms of a generated key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CipherSuite {
    /// Ed25519 for signing, Curve25519 for encryption: small, fast, read by GnuPG 2.2. The
    /// default.
    #[default]
    Cv25519,
    /// RSA-3072, for peers that read nothing newer.
    Rsa3k,
    /// RSA-4096.
    Rsa4k,
}

impl CipherSuite {
    /// `cv25519`, `rsa3k` or `rsa4k`, as the command line spells them.
    pub fn name(self) -> &'static str {
        match self {
            CipherSuite::Cv25519 => "cv25519",
            CipherSuite::Rsa3k => "rsa3k",
            CipherSuite::Rsa4k => "rsa4k",
        }
    }

    fn sequoia(self) -> openpgp::cert::CipherSuite {
        match self {
            CipherSuite::Cv25519 => openpgp::cert::CipherSuite::Cv25519,
            CipherSuite::Rsa3k => openpgp::cert::CipherSuite::RSA3k,
            CipherSuite::Rsa4k => openpgp::cert::CipherSuite::RSA4k,
        }
    }
}

impl FromStr for CipherSuite {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "cv25519" => Ok(CipherSuite::Cv25519),
            "rsa3k" => Ok(CipherSuite::Rsa3k),
            "rsa4k" => Ok(CipherSuite::Rsa4k),
            _ => Err(Error::Usage(format!(
                "unknown cipher suite {s:?} (cv25519, rsa3k, rsa4k)"
            ))),
        }
    }
}

/// Which OpenPGP version a generated key follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum KeyProfile {
    /// Version 4 keys (RFC 4880): what GnuPG 2.2 and most deployed software read. The default.
    #[default]
    Rfc4880,
    /// Version 6 keys (RFC 9580). GnuPG 2.2 cannot read them.
    Rfc9580,
}

impl KeyProfile {
    /// `rfc4880` or `rfc9580`.
    pub fn name(self) -> &'static str {
        match self {
            KeyProfile::Rfc4880 => "rfc4880",
            KeyProfile::Rfc9580 => "rfc9580",
        }
    }
}

impl FromStr for KeyProfile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "rfc4880" => Ok(KeyProfile::Rfc4880),
            "rfc9580" => Ok(KeyProfile::Rfc9580),
            _ => Err(Error::Usage(format!(
                "unknown profile {s:?} (rfc4880, rfc9580)"
            ))),
        }
    }
}

/// How to generate a key.
#[derive(Debug, Clone, Default)]
pub struct KeyOptions {
    /// The algorithms.
    pub cipher_suite: CipherSuite,
    /// The packet version.
    pub profile: KeyProfile,
    /// Protect the secret key material with this password.
    pub password: Option<String>,
    /// How long the key stays valid; `None` means it does not expire.
    pub validity: Option<Duration>,
}

/// Why a key is revoked (RFC 9580 §5.2.3.31).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RevocationReason {
    /// No reason given (the default for a certificate made in advance).
    #[default]
    Unspecified,
    /// The key was replaced by another.
    Superseded,
    /// The secret key material may have leaked.
    Compromised,
    /// The key is no longer used.
    Retired,
}

impl RevocationReason {
    fn sequoia(self) -> ReasonForRevocation {
        match self {
            RevocationReason::Unspecified => ReasonForRevocation::Unspecified,
            RevocationReason::Superseded => ReasonForRevocation::KeySuperseded,
            RevocationReason::Compromised => ReasonForRevocation::KeyCompromised,
            RevocationReason::Retired => ReasonForRevocation::KeyRetired,
        }
    }
}

impl FromStr for RevocationReason {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "unspecified" => Ok(RevocationReason::Unspecified),
            "superseded" => Ok(RevocationReason::Superseded),
            "compromised" => Ok(RevocationReason::Compromised),
            "retired" => Ok(RevocationReason::Retired),
            _ => Err(Error::Usage(format!(
                "unknown revocation reason {s:?} (unspecified, superseded, compromised, retired)"
            ))),
        }
    }
}

/// An OpenPGP key: a certificate (the public part), with or without its secret key material.
///
/// ```
/// use pgp_core::{Key, KeyOptions};
///
/// let (key, _revocation) = Key::generate("Alice <alice@example.org>", &KeyOptions::default())?;
/// assert!(key.has_secret());
/// let cert = Key::from_bytes(&key.export_cert(true)?)?;
/// assert!(!cert.has_secret());
/// assert_eq!(cert.fingerprint(), key.fingerprint());
/// assert_eq!(cert.emails(), ["alice@example.org"]);
/// # Ok::<(), pgp_core::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Key {
    cert: Cert,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("fingerprint", &self.fingerprint())
            .field("user_ids", &self.user_ids())
            .field("has_secret", &self.has_secret())
            .finish()
    }
}

impl From<Cert> for Key {
    fn from(cert: Cert) -> Self {
        Key { cert }
    }
}

impl Key {
    /// Generates a general-purpose key (certify+sign primary, signing subkey, encryption
    /// subkey) for `userid`, and its revocation certificate (ASCII-armored), which the owner
    /// should keep apart from the key.
    pub fn generate(userid: &str, options: &KeyOptions) -> Result<(Key, Vec<u8>), Error> {
        if userid.trim().is_empty() {
            return Err(Error::Usage("a key needs a user ID".into()));
        }
        let profile = match options.profile {
            KeyProfile::Rfc4880 => openpgp::Profile::RFC4880,
            KeyProfile::Rfc9580 => openpgp::Profile::RFC9580,
        };
        let mut builder = CertBuilder::general_purpose(Some(userid))
            .set_cipher_suite(options.cipher_suite.sequoia())
            .set_profile(profile)
            .map_err(Error::crypto)?
            .set_validity_period(options.validity);
        if options.profile == KeyProfile::Rfc4880 {
            // sequoia advertises SEIPD v2 on every key it makes; senders would then use it,
            // and GnuPG 2.2 cannot read it. A v4 key asks for SEIPD v1 (RFC 9580 §5.2.3.32).
            builder = builder
                .set_features(openpgp::types::Features::empty().set_seipdv1())
                .map_err(Error::crypto)?;
        }
        if let Some(password) = &options.password {
            builder = builder.set_password(Some(Password::from(password.as_str())));
        }
        let (cert, revocation) = builder.generate().map_err(Error::crypto)?;
        let revocation = openpgp::Packet::from(revocation);
        let armored = armor_packets(openpgp::armor::Kind::PublicKey, &[revocation], &cert)?;
        Ok((Key { cert }, armored))
    }

    /// Reads one key, ASCII-armored or binary, public or secret.
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, Error> {
        check(
            Limit::InputBytes,
            Limits::default().max_input_bytes,
            bytes.len(),
        )?;
        let cert = Cert::from_bytes(bytes).map_err(|e| Error::malformed("key", e))?;
        Ok(Key { cert })
    }

    /// Reads every key of a key ring (concatenated or armored key blocks), up to
    /// `limits.max_certificates`.
    pub fn read_keyring(bytes: &[u8], limits: &Limits) -> Result<Vec<Key>, Error> {
        check(Limit::InputBytes, limits.max_input_bytes, bytes.len())?;
        let parser = CertParser::from_bytes(bytes).map_err(|e| Error::malformed("key", e))?;
        let mut keys = Vec::new();
        for cert in parser {
            let cert = cert.map_err(|e| Error::malformed("key", e))?;
            keys.push(Key { cert });
            check(Limit::Certificates, limits.max_certificates, keys.len())?;
        }
        if keys.is_empty() {
            return Err(Error::malformed("key", "no key found"));
        }
        Ok(keys)
    }

    /// The primary key's fingerprint, upper-case hex without spaces.
    pub fn fingerprint(&self) -> String {
        self.cert.fingerprint().to_hex()
    }

    /// The primary key's key ID, upper-case hex.
    pub fn key_id(&self) -> String {
        self.cert.keyid().to_hex()
    }

    /// Fingerprints of the primary key and every subkey.
    pub fn key_fingerprints(&self) -> Vec<String> {
        self.cert
            .keys()
            .map(|k| k.key().fingerprint().to_hex())
            .collect()
    }

    /// The user IDs, as text (lossy for non-UTF-8 user IDs).
    pub fn user_ids(&self) -> Vec<String> {
        self.cert
            .userids()
            .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
            .collect()
    }

    /// The e-mail addresses of the user IDs, normalized (lower-case) as sequoia does.
    pub fn emails(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .cert
            .userids()
            .filter_map(|u| u.userid().email_normalized().ok().flatten())
            .collect();
        out.dedup();
        out
    }

    /// The packet version of the primary key (4 or 6).
    pub fn version(&self) -> u8 {
        self.cert.primary_key().key().version()
    }

    /// Whether any secret key material is present.
    pub fn has_secret(&self) -> bool {
        self.cert.is_tsk()
    }

    /// Whether some secret key material is password-protected.
    pub fn is_locked(&self) -> bool {
        self.cert
            .keys()
            .secret()
            .any(|k| !k.key().has_unencrypted_secret())
    }

    /// The same key with every password-protected secret decrypted with `password`.
    pub fn unlock(&self, password: &str) -> Result<Key, Error> {
        let password = Password::from(password);
        let mut packets: Vec<openpgp::Packet> = Vec::new();
        for ka in self.cert.keys().secret() {
            if ka.key().has_unencrypted_secret() {
                continue;
            }
            let key = ka
                .key()
                .clone()
                .decrypt_secret(&password)
                .map_err(|e| Error::Locked {
                    fingerprint: ka.key().fingerprint().to_hex(),
                    message: format!("{e:#}"),
                })?;
            packets.push(if ka.primary() {
                key.role_into_primary().into()
            } else {
                key.role_into_subordinate().into()
            });
        }
        self.with_packets(packets)
    }

    /// The same key with every secret protected by `password`.
    pub fn lock(&self, password: &str) -> Result<Key, Error> {
        let unlocked = if self.is_locked() {
            return Err(Error::Locked {
                fingerprint: self.fingerprint(),
                message: "unlock the key before protecting it with another password".into(),
            });
        } else {
            self
        };
        let password = Password::from(password);
        let mut packets: Vec<openpgp::Packet> = Vec::new();
        for ka in unlocked.cert.keys().secret() {
            let key = ka
                .key()
                .clone()
                .encrypt_secret(&password)
                .map_err(Error::crypto)?;
            packets.push(if ka.primary() {
                key.role_into_primary().into()
            } else {
                key.role_into_subordinate().into()
            });
        }
        self.with_packets(packets)
    }

    fn with_packets(&self, packets: Vec<openpgp::Packet>) -> Result<Key, Error> {
        let (cert, _) = self
            .cert
            .clone()
            .insert_packets(packets)
            .map_err(Error::crypto)?;
        Ok(Key { cert })
    }

    /// The public certificate alone.
    pub fn public(&self) -> Key {
        Key {
            cert: self.cert.clone().strip_secret_key_material(),
        }
    }

    /// The public certificate, ASCII-armored or binary.
    pub fn export_cert(&self, armored: bool) -> Result<Vec<u8>, Error> {
        if armored {
            self.cert.armored().to_vec().map_err(Error::crypto)
        } else {
            self.cert.to_vec().map_err(Error::crypto)
        }
    }

    /// The key with its secret key material (as protected as it is now), ASCII-armored or
    /// binary. Fails when there is no secret key material.
    pub fn export_secret(&self, armored: bool) -> Result<Vec<u8>, Error> {
        if !self.has_secret() {
            return Err(Error::NoSecretKey {
                fingerprint: self.fingerprint(),
                purpose: "exportable",
            });
        }
        let tsk = self.cert.as_tsk();
        if armored {
            tsk.armored().to_vec().map_err(Error::crypto)
        } else {
            tsk.to_vec().map_err(Error::crypto)
        }
    }

    /// Merges what `other` knows about the same key (user IDs, subkeys, signatures, secret
    /// key material) into this one: nothing is lost.
    pub fn merge(self, other: Key) -> Result<Key, Error> {
        if self.cert.fingerprint() != other.cert.fingerprint() {
            return Err(Error::Usage(format!(
                "cannot merge {} into {}: different keys",
                other.fingerprint(),
                self.fingerprint()
            )));
        }
        let cert = self
            .cert
            .merge_public_and_secret(other.cert)
            .map_err(Error::crypto)?;
        Ok(Key { cert })
    }

    /// A revocation certificate for this key (ASCII-armored), signed with its primary key.
    /// Importing it (see [`Key::merge`] and [`Key::apply_revocation`]) revokes the key.
    pub fn revocation_certificate(
        &self,
        reason: RevocationReason,
        message: &str,
    ) -> Result<Vec<u8>, Error> {
        let mut signer = self.primary_signer()?;
        let sig = SignatureBuilder::new(SignatureType::KeyRevocation)
            .set_reason_for_revocation(reason.sequoia(), message.as_bytes())
            .map_err(Error::crypto)?
            .sign_direct_key(&mut signer, self.cert.primary_key().key())
            .map_err(Error::crypto)?;
        armor_packets(openpgp::armor::Kind::PublicKey, &[sig.into()], &self.cert)
    }

    /// The key with a revocation certificate (armored or binary signature) applied.
    pub fn apply_revocation(&self, revocation: &[u8]) -> Result<Key, Error> {
        let packets = openpgp::PacketPile::from_bytes(revocation)
            .map_err(|e| Error::malformed("revocation", e))?;
        let sigs: Vec<openpgp::Packet> = packets
            .into_children()
            .filter(|p| matches!(p, openpgp::Packet::Signature(_)))
            .collect();
        if sigs.is_empty() {
            return Err(Error::malformed("revocation", "no signature packet"));
        }
        let key = self.with_packets(sigs)?;
        if !key.is_revoked(&PgpPolicy::new()) {
            return Err(Error::malformed(
                "revocation",
                "the signature does not revoke this key",
            ));
        }
        Ok(key)
    }

    /// Whether the primary key is revoked under `policy`.
    pub fn is_revoked(&self, policy: &PgpPolicy) -> bool {
        matches!(
            self.cert.revocation_status(policy.standard(), policy.time),
            openpgp::types::RevocationStatus::Revoked(_)
        )
    }

    /// Why this certificate is or is not usable under `policy`: `None` when it is valid
    /// (bound, alive, not revoked), otherwise the reason.
    pub fn invalidity(&self, policy: &PgpPolicy) -> Option<String> {
        match self.cert.with_policy(policy.standard(), policy.time) {
            Err(e) => Some(format!("{e:#}")),
            Ok(valid) => {
                if let Err(e) = valid.alive() {
                    return Some(format!("{e:#}"));
                }
                if let openpgp::types::RevocationStatus::Revoked(_) = valid.revocation_status() {
                    return Some("revoked".into());
                }
                None
            }
        }
    }

    /// The underlying sequoia certificate.
    pub fn cert(&self) -> &Cert {
        &self.cert
    }

    fn primary_signer(&self) -> Result<openpgp::crypto::KeyPair, Error> {
        let primary = self.cert.primary_key().key().clone();
        if !primary.has_secret() {
            return Err(Error::NoSecretKey {
                fingerprint: self.fingerprint(),
                purpose: "certification",
            });
        }
        let secret = primary.parts_into_secret().map_err(Error::crypto)?;
        if !secret.has_unencrypted_secret() {
            return Err(Error::Locked {
                fingerprint: self.fingerprint(),
                message: "unlock the key first".into(),
            });
        }
        secret.into_keypair().map_err(Error::crypto)
    }
}

/// ASCII-armors `packets` with the certificate's fingerprint and user ID as comments, the way
/// `gpg --gen-revoke` output reads.
fn armor_packets(
    kind: openpgp::armor::Kind,
    packets: &[openpgp::Packet],
    cert: &Cert,
) -> Result<Vec<u8>, Error> {
    let mut headers = vec![(
        "Comment".to_string(),
        format!("Revocation certificate for {}", cert.fingerprint()),
    )];
    if let Some(uid) = cert.userids().next() {
        headers.push((
            "Comment".to_string(),
            String::from_utf8_lossy(uid.userid().value()).into_owned(),
        ));
    }
    let mut out = Vec::new();
    let mut writer =
        openpgp::armor::Writer::with_headers(&mut out, kind, headers).map_err(Error::crypto)?;
    for p in packets {
        p.serialize(&mut writer).map_err(Error::crypto)?;
    }
    writer.finalize().map_err(Error::crypto)?;
    Ok(out)
}
