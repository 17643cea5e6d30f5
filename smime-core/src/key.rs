//! Private keys and the signing seam.
//!
//! [`SignatureBackend`] is what a signer needs from a key: the algorithm, and a signature over
//! the DER of the signed attributes. [`SoftwareKey`] implements it with the RustCrypto crates
//! (`rsa`, `p256`, `p384`, `ed25519-dalek`); a PKCS#11 token or an HSM implements the same
//! trait, and nothing else in the crate changes.

use std::fmt;

use der::Decode;
use pkcs8::DecodePrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use signature::hazmat::PrehashSigner;
use signature::{SignatureEncoding, Signer as _};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};

use crate::algorithm::{KeyKind, SignatureAlgorithm};
use crate::digest;
use crate::error::Error;
use crate::oid;

/// What a signer needs from a private key, wherever it lives.
pub trait SignatureBackend: Send + Sync {
    /// The algorithm this key signs with.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// The public key, checked against the signer's certificate.
    fn public_key(&self) -> Result<SubjectPublicKeyInfoOwned, Error>;

    /// Signs `message`: the DER encoding of the SignedAttributes (RFC 5652 §5.4). The backend
    /// hashes it with [`SignatureAlgorithm::digest`] where the algorithm is hash-then-sign.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

/// A private key held in memory.
pub struct SoftwareKey {
    algorithm: SignatureAlgorithm,
    key: KeyMaterial,
}

enum KeyMaterial {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl SoftwareKey {
    /// Reads a private key from PEM: `PRIVATE KEY` (PKCS#8, any of our key types),
    /// `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1), and picks the key's default
    /// algorithm ([`SignatureAlgorithm::default_for`]).
    pub fn from_pem(pem: &[u8]) -> Result<SoftwareKey, Error> {
        let (label, der) = der::pem::decode_vec(pem).map_err(|e| Error::Key {
            reason: format!("not a PEM private key: {e}"),
        })?;
        match label {
            "PRIVATE KEY" => SoftwareKey::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => {
                let key = RsaPrivateKey::from_pkcs1_der(&der).map_err(|e| Error::Key {
                    reason: format!("PKCS#1 RSA key: {e}"),
                })?;
                SoftwareKey::with_material(KeyMaterial::Rsa(Box::new(key)))
            }
            "EC PRIVATE KEY" => SoftwareKey::from_sec1_der(&der),
            "ENCRYPTED PRIVATE KEY" => Err(Error::Key {
                reason: "the key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)"
                    .into(),
            }),
            other => Err(Error::Key {
                reason: format!("PEM label {other:?} is not a private key"),
            }),
        }
    }

    /// Reads a PKCS#8 `PrivateKeyInfo` (RFC 5958) in DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SoftwareKey, Error> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| Error::Key {
            reason: format!("PKCS#8: {e}"),
        })?;
        let bad = |e: pkcs8::Error| Error::Key {
            reason: format!("PKCS#8: {e}"),
        };
        let material = match info.algorithm.oid {
            oid::RSA_ENCRYPTION => {
                KeyMaterial::Rsa(Box::new(RsaPrivateKey::from_pkcs8_der(der).map_err(bad)?))
            }
            oid::ED25519 => KeyMaterial::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(bad)?,
            )),
            oid::EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
                match curve {
                    Some(oid::SECP256R1) => KeyMaterial::P256(
                        p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?,
                    ),
                    Some(oid::SECP384R1) => KeyMaterial::P384(
                        p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?,
                    ),
                    other => {
                        return Err(Error::Key {
                            reason: format!(
                                "elliptic curve {} is not supported (P-256 and P-384 are)",
                                other
                                    .map(|o| o.to_string())
                                    .unwrap_or_else(|| "(none)".into())
                            ),
                        });
                    }
                }
            }
            other => {
                return Err(Error::Key {
                    reason: format!("key algorithm {other} is not supported"),
                });
            }
        };
        SoftwareKey::with_material(material)
    }

    fn from_sec1_der(der: &[u8]) -> Result<SoftwareKey, Error> {
        if let Ok(key) = p256::SecretKey::from_sec1_der(der) {
            return SoftwareKey::with_material(KeyMaterial::P256(key.into()));
        }
        if let Ok(key) = p384::SecretKey::from_sec1_der(der) {
            return SoftwareKey::with_material(KeyMaterial::P384(key.into()));
        }
        Err(Error::Key {
            reason: "SEC1 key is not on P-256 or P-384".into(),
        })
    }

    fn with_material(key: KeyMaterial) -> Result<SoftwareKey, Error> {
        let kind = key.kind();
        Ok(SoftwareKey {
            algorithm: SignatureAlgorithm::default_for(kind),
            key,
        })
    }

    /// The same key signing with another algorithm of its kind (e.g. RSA-PSS instead of
    /// PKCS#1 v1.5).
    pub fn with_algorithm(mut self, algorithm: SignatureAlgorithm) -> Result<SoftwareKey, Error> {
        if algorithm.key_kind() != self.key.kind() {
            return Err(Error::UnsupportedAlgorithm {
                what: format!(
                    "{} needs {:?} key, this is {:?} key",
                    algorithm,
                    algorithm.key_kind(),
                    self.key.kind()
                ),
            });
        }
        self.algorithm = algorithm;
        Ok(self)
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }
}

impl KeyMaterial {
    fn kind(&self) -> KeyKind {
        match self {
            KeyMaterial::Rsa(_) => KeyKind::Rsa,
            KeyMaterial::P256(_) => KeyKind::P256,
            KeyMaterial::P384(_) => KeyKind::P384,
            KeyMaterial::Ed25519(_) => KeyKind::Ed25519,
        }
    }
}

fn signing_failed(e: impl fmt::Display) -> Error {
    Error::Signing {
        reason: e.to_string(),
    }
}

impl SignatureBackend for SoftwareKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key(&self) -> Result<SubjectPublicKeyInfoOwned, Error> {
        let der = match &self.key {
            KeyMaterial::Rsa(k) => k.to_public_key().to_public_key_der(),
            KeyMaterial::P256(k) => k.verifying_key().to_public_key_der(),
            KeyMaterial::P384(k) => k.verifying_key().to_public_key_der(),
            KeyMaterial::Ed25519(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|e| Error::Key {
            reason: format!("public key: {e}"),
        })?;
        Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let hashed = || digest::digest(self.algorithm.digest(), message);
        match &self.key {
            KeyMaterial::Rsa(key) => {
                // Blinded (sign_with_rng): the private operation does not leak timing about
                // the key (RFC 8017 §5.1.2 note).
                let mut rng = rand::rng();
                let signature = match self.algorithm {
                    SignatureAlgorithm::RsaPkcs1Sha256 => {
                        key.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed())
                    }
                    SignatureAlgorithm::RsaPkcs1Sha384 => {
                        key.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<sha2::Sha384>(), &hashed())
                    }
                    SignatureAlgorithm::RsaPkcs1Sha512 => {
                        key.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<sha2::Sha512>(), &hashed())
                    }
                    SignatureAlgorithm::RsaPssSha256 => {
                        key.sign_with_rng(&mut rng, Pss::<sha2::Sha256>::new(), &hashed())
                    }
                    SignatureAlgorithm::RsaPssSha384 => {
                        key.sign_with_rng(&mut rng, Pss::<sha2::Sha384>::new(), &hashed())
                    }
                    SignatureAlgorithm::RsaPssSha512 => {
                        key.sign_with_rng(&mut rng, Pss::<sha2::Sha512>::new(), &hashed())
                    }
                    other => return Err(Error::Internal(mismatch(other))),
                };
                signature.map_err(signing_failed)
            }
            // RFC 5753 §2.1.1 / RFC 5758 §3.2: ECDSA signs the digest; the value is the DER
            // Ecdsa-Sig-Value. Nonces are deterministic (RFC 6979).
            KeyMaterial::P256(key) => {
                let signature: p256::ecdsa::Signature =
                    key.sign_prehash(&hashed()).map_err(signing_failed)?;
                Ok(signature.to_der().to_vec())
            }
            KeyMaterial::P384(key) => {
                let signature: p384::ecdsa::Signature =
                    key.sign_prehash(&hashed()).map_err(signing_failed)?;
                Ok(signature.to_der().to_vec())
            }
            // RFC 8419 §3.1: PureEdDSA over the DER of the signed attributes.
            KeyMaterial::Ed25519(key) => Ok(key.sign(message).to_vec()),
        }
    }
}

fn mismatch(algorithm: SignatureAlgorithm) -> &'static str {
    match algorithm.key_kind() {
        KeyKind::Rsa => "RSA algorithm on a non-RSA key",
        _ => "algorithm does not match the key",
    }
}
