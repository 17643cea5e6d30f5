//! Checking a SignerInfo signature with the signer's public key (RFC 5652 §5.6), for every
//! algorithm [`SignatureAlgorithm`] signs with, plus the identifiers other producers use for
//! them (`rsaEncryption` as a signature algorithm, RFC 3370 §3.2) and, when allowed, SHA-1.

use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::algorithm::DigestAlgorithm;
use crate::digest;
use crate::oid;
use crate::pss;

/// How a signature is checked, resolved from the SignerInfo's algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    RsaPkcs1(DigestAlgorithm),
    RsaPss {
        digest: DigestAlgorithm,
        salt_len: usize,
    },
    Ecdsa(DigestAlgorithm),
    Ed25519,
}

impl Scheme {
    /// A short name for reports (`rsa-pkcs1-sha256`, `rsa-pss-sha256`, `ecdsa-sha256`,
    /// `ed25519`).
    pub(crate) fn name(self) -> String {
        match self {
            Scheme::RsaPkcs1(d) => format!("rsa-pkcs1-{}", d.micalg().replace('-', "")),
            Scheme::RsaPss { digest, .. } => {
                format!("rsa-pss-{}", digest.micalg().replace('-', ""))
            }
            Scheme::Ecdsa(d) => format!("ecdsa-{}", d.micalg().replace('-', "")),
            Scheme::Ed25519 => "ed25519".into(),
        }
    }

    pub(crate) fn uses_sha1(self) -> bool {
        matches!(
            self,
            Scheme::RsaPkcs1(DigestAlgorithm::Sha1)
                | Scheme::RsaPss {
                    digest: DigestAlgorithm::Sha1,
                    ..
                }
                | Scheme::Ecdsa(DigestAlgorithm::Sha1)
        )
    }
}

/// Resolves the scheme from signatureAlgorithm and digestAlgorithm. A hash named by the
/// signature algorithm must equal the digest algorithm (RFC 5754 §3.2, RFC 5758 §3.2).
pub(crate) fn scheme(
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
) -> Result<Scheme, String> {
    let with_hash = |named: DigestAlgorithm, make: fn(DigestAlgorithm) -> Scheme| {
        if named == digest {
            Ok(make(named))
        } else {
            Err(format!(
                "signature algorithm {} names {named} but the digest algorithm is {digest}",
                signature_algorithm.oid
            ))
        }
    };
    match signature_algorithm.oid {
        oid::RSA_ENCRYPTION => Ok(Scheme::RsaPkcs1(digest)),
        oid::SHA1_WITH_RSA => with_hash(DigestAlgorithm::Sha1, Scheme::RsaPkcs1),
        oid::SHA256_WITH_RSA => with_hash(DigestAlgorithm::Sha256, Scheme::RsaPkcs1),
        oid::SHA384_WITH_RSA => with_hash(DigestAlgorithm::Sha384, Scheme::RsaPkcs1),
        oid::SHA512_WITH_RSA => with_hash(DigestAlgorithm::Sha512, Scheme::RsaPkcs1),
        oid::RSASSA_PSS => {
            let params = pss::parse(signature_algorithm.parameters.as_ref())?;
            if params.digest != digest {
                return Err(format!(
                    "RSASSA-PSS hash {} differs from the digest algorithm {digest}",
                    params.digest
                ));
            }
            Ok(Scheme::RsaPss {
                digest,
                salt_len: params.salt_len,
            })
        }
        // Some producers put id-ecPublicKey here; the digest algorithm then names the hash.
        oid::EC_PUBLIC_KEY => Ok(Scheme::Ecdsa(digest)),
        oid::ECDSA_WITH_SHA1 => with_hash(DigestAlgorithm::Sha1, Scheme::Ecdsa),
        oid::ECDSA_WITH_SHA256 => with_hash(DigestAlgorithm::Sha256, Scheme::Ecdsa),
        oid::ECDSA_WITH_SHA384 => with_hash(DigestAlgorithm::Sha384, Scheme::Ecdsa),
        oid::ECDSA_WITH_SHA512 => with_hash(DigestAlgorithm::Sha512, Scheme::Ecdsa),
        oid::ED25519 => Ok(Scheme::Ed25519),
        other => Err(format!("signature algorithm {other} is not supported")),
    }
}

/// The name a report shows: a [`SignatureAlgorithm`](crate::SignatureAlgorithm) name where
/// the key tells the curve (`ecdsa-p256-sha256`), the scheme's otherwise.
pub(crate) fn report_name(scheme: Scheme, key: &PublicKey) -> String {
    match (scheme, key) {
        (Scheme::Ecdsa(d), PublicKey::P256(_)) => {
            format!("ecdsa-p256-{}", d.micalg().replace('-', ""))
        }
        (Scheme::Ecdsa(d), PublicKey::P384(_)) => {
            format!("ecdsa-p384-{}", d.micalg().replace('-', ""))
        }
        _ => scheme.name(),
    }
}

/// A public key we can verify with.
pub(crate) enum PublicKey {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl PublicKey {
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, String> {
        let bits = spki.subject_public_key.raw_bytes();
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => RsaPublicKey::from_pkcs1_der(bits)
                .map(PublicKey::Rsa)
                .map_err(|e| format!("RSA public key: {e}")),
            oid::EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
                match curve {
                    Some(oid::SECP256R1) => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P256)
                        .map_err(|e| format!("P-256 public key: {e}")),
                    Some(oid::SECP384R1) => p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P384)
                        .map_err(|e| format!("P-384 public key: {e}")),
                    _ => Err("elliptic curve is not supported (P-256 and P-384 are)".into()),
                }
            }
            oid::ED25519 => {
                let bytes: [u8; 32] = bits
                    .try_into()
                    .map_err(|_| "Ed25519 public key is not 32 bytes".to_string())?;
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map(PublicKey::Ed25519)
                    .map_err(|e| format!("Ed25519 public key: {e}"))
            }
            other => Err(format!("public key algorithm {other} is not supported")),
        }
    }

    /// Checks `signature` over `message` (the signed attributes as received, re-tagged SET).
    pub(crate) fn verify(
        &self,
        scheme: Scheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let bad = |e: &dyn std::fmt::Display| format!("signature does not verify: {e}");
        match (self, scheme) {
            (PublicKey::Rsa(key), Scheme::RsaPkcs1(d)) => {
                let hashed = digest::digest(d, message);
                let padding = match d {
                    DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
                    DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                    DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                    DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, &hashed, signature).map_err(|e| bad(&e))
            }
            (
                PublicKey::Rsa(key),
                Scheme::RsaPss {
                    digest: d,
                    salt_len,
                },
            ) => {
                let hashed = digest::digest(d, message);
                let result = match d {
                    DigestAlgorithm::Sha1 => key.verify(
                        Pss::<sha1::Sha1>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                    DigestAlgorithm::Sha256 => key.verify(
                        Pss::<sha2::Sha256>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                    DigestAlgorithm::Sha384 => key.verify(
                        Pss::<sha2::Sha384>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                    DigestAlgorithm::Sha512 => key.verify(
                        Pss::<sha2::Sha512>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                };
                result.map_err(|e| bad(&e))
            }
            (PublicKey::P256(key), Scheme::Ecdsa(d)) => {
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(|e| bad(&e))?;
                key.verify_prehash(&digest::digest(d, message), &sig)
                    .map_err(|e| bad(&e))
            }
            (PublicKey::P384(key), Scheme::Ecdsa(d)) => {
                let sig = p384::ecdsa::Signature::from_der(signature).map_err(|e| bad(&e))?;
                key.verify_prehash(&digest::digest(d, message), &sig)
                    .map_err(|e| bad(&e))
            }
            (PublicKey::Ed25519(key), Scheme::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|e| bad(&e))?;
                key.verify(message, &sig).map_err(|e| bad(&e))
            }
            _ => Err(format!(
                "the certificate's key cannot check a {} signature",
                scheme.name()
            )),
        }
    }
}

/// Whether two SubjectPublicKeyInfo are the same key (compared as DER).
pub(crate) fn same_key(a: &SubjectPublicKeyInfoOwned, b: &SubjectPublicKeyInfoOwned) -> bool {
    // The key bits decide; parameters may be encoded differently (absent or NULL).
    a.algorithm.oid == b.algorithm.oid && a.subject_public_key == b.subject_public_key
}
