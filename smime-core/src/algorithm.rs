//! The digest and signature algorithms we sign with, how they are identified in CMS
//! (RFC 5652 §10.1, RFC 5754, RFC 4056, RFC 5758, RFC 8419) and named in `micalg` (RFC 8551 §3.5.3.2).

use std::fmt;

use der::Any;
use der::asn1::Null;
use spki::AlgorithmIdentifierOwned;

use crate::error::Error;
use crate::oid;

/// A message digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1: read in legacy signatures when the verifier allows it, never used to sign.
    Sha1,
    /// SHA-256 (RFC 5754 §2.2).
    Sha256,
    /// SHA-384 (RFC 5754 §2.3).
    Sha384,
    /// SHA-512 (RFC 5754 §2.4).
    Sha512,
}

impl DigestAlgorithm {
    /// The object identifier.
    pub fn oid(self) -> const_oid::ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha1 => oid::ID_SHA1,
            DigestAlgorithm::Sha256 => oid::ID_SHA256,
            DigestAlgorithm::Sha384 => oid::ID_SHA384,
            DigestAlgorithm::Sha512 => oid::ID_SHA512,
        }
    }

    /// The algorithm an object identifier names, if we know it.
    pub fn from_oid(oid: &const_oid::ObjectIdentifier) -> Option<DigestAlgorithm> {
        [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|d| d.oid() == *oid)
    }

    /// The `micalg` parameter value (RFC 8551 §3.5.3.2).
    pub fn micalg(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha-1",
            DigestAlgorithm::Sha256 => "sha-256",
            DigestAlgorithm::Sha384 => "sha-384",
            DigestAlgorithm::Sha512 => "sha-512",
        }
    }

    /// The AlgorithmIdentifier, parameters absent (RFC 5754 §2: implementations MUST accept
    /// absent and NULL, and SHOULD generate absent).
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.micalg())
    }
}

/// A signature algorithm we sign with (and verify).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 5754 §3.2).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (RFC 4056).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.
    RsaPssSha512,
    /// ECDSA on P-256 with SHA-256 (RFC 5753 §2.1.1, RFC 5758 §3.2).
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384Sha384,
    /// Ed25519 (RFC 8419), with SHA-512 as the message digest.
    Ed25519,
}

/// Every algorithm, for option parsing and help texts.
pub const ALL_SIGNATURE_ALGORITHMS: [SignatureAlgorithm; 9] = [
    SignatureAlgorithm::RsaPkcs1Sha256,
    SignatureAlgorithm::RsaPkcs1Sha384,
    SignatureAlgorithm::RsaPkcs1Sha512,
    SignatureAlgorithm::RsaPssSha256,
    SignatureAlgorithm::RsaPssSha384,
    SignatureAlgorithm::RsaPssSha512,
    SignatureAlgorithm::EcdsaP256Sha256,
    SignatureAlgorithm::EcdsaP384Sha384,
    SignatureAlgorithm::Ed25519,
];

/// The kind of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// An RSA key.
    Rsa,
    /// An elliptic-curve key on P-256.
    P256,
    /// An elliptic-curve key on P-384.
    P384,
    /// An Ed25519 key.
    Ed25519,
}

impl SignatureAlgorithm {
    /// The name used in options and reports (`rsa-pkcs1-sha256`, `ecdsa-p256-sha256`, …).
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => "rsa-pkcs1-sha256",
            SignatureAlgorithm::RsaPkcs1Sha384 => "rsa-pkcs1-sha384",
            SignatureAlgorithm::RsaPkcs1Sha512 => "rsa-pkcs1-sha512",
            SignatureAlgorithm::RsaPssSha256 => "rsa-pss-sha256",
            SignatureAlgorithm::RsaPssSha384 => "rsa-pss-sha384",
            SignatureAlgorithm::RsaPssSha512 => "rsa-pss-sha512",
            SignatureAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            SignatureAlgorithm::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            SignatureAlgorithm::Ed25519 => "ed25519",
        }
    }

    /// The algorithm with this [`name`](Self::name), case-insensitively.
    pub fn from_name(name: &str) -> Option<SignatureAlgorithm> {
        ALL_SIGNATURE_ALGORITHMS
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The default algorithm for a key: PKCS#1 v1.5 with SHA-256 for RSA (what every S/MIME
    /// client reads), the curve's own hash for ECDSA, Ed25519 for Ed25519.
    pub fn default_for(kind: KeyKind) -> SignatureAlgorithm {
        match kind {
            KeyKind::Rsa => SignatureAlgorithm::RsaPkcs1Sha256,
            KeyKind::P256 => SignatureAlgorithm::EcdsaP256Sha256,
            KeyKind::P384 => SignatureAlgorithm::EcdsaP384Sha384,
            KeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
        }
    }

    /// The kind of key it needs.
    pub fn key_kind(self) -> KeyKind {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256
            | SignatureAlgorithm::RsaPkcs1Sha384
            | SignatureAlgorithm::RsaPkcs1Sha512
            | SignatureAlgorithm::RsaPssSha256
            | SignatureAlgorithm::RsaPssSha384
            | SignatureAlgorithm::RsaPssSha512 => KeyKind::Rsa,
            SignatureAlgorithm::EcdsaP256Sha256 => KeyKind::P256,
            SignatureAlgorithm::EcdsaP384Sha384 => KeyKind::P384,
            SignatureAlgorithm::Ed25519 => KeyKind::Ed25519,
        }
    }

    /// The message digest algorithm (the SignerInfo digestAlgorithm). RFC 8419 §3.1: with
    /// Ed25519 it MUST be SHA-512.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256
            | SignatureAlgorithm::RsaPssSha256
            | SignatureAlgorithm::EcdsaP256Sha256 => DigestAlgorithm::Sha256,
            SignatureAlgorithm::RsaPkcs1Sha384
            | SignatureAlgorithm::RsaPssSha384
            | SignatureAlgorithm::EcdsaP384Sha384 => DigestAlgorithm::Sha384,
            SignatureAlgorithm::RsaPkcs1Sha512
            | SignatureAlgorithm::RsaPssSha512
            | SignatureAlgorithm::Ed25519 => DigestAlgorithm::Sha512,
        }
    }

    /// The SignerInfo signatureAlgorithm.
    ///
    /// RSA PKCS#1 v1.5 uses the `shaNNNWithRSAEncryption` identifiers with NULL parameters
    /// (RFC 5754 §3.2); PSS carries RSASSA-PSS-params (RFC 4056 §2); ECDSA and Ed25519
    /// identifiers have absent parameters (RFC 5758 §3.2, RFC 8410 §3).
    pub fn identifier(self) -> Result<AlgorithmIdentifierOwned, Error> {
        let null = || Any::encode_from(&Null).map_err(Error::from);
        Ok(match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: oid::SHA256_WITH_RSA,
                parameters: Some(null()?),
            },
            SignatureAlgorithm::RsaPkcs1Sha384 => AlgorithmIdentifierOwned {
                oid: oid::SHA384_WITH_RSA,
                parameters: Some(null()?),
            },
            SignatureAlgorithm::RsaPkcs1Sha512 => AlgorithmIdentifierOwned {
                oid: oid::SHA512_WITH_RSA,
                parameters: Some(null()?),
            },
            SignatureAlgorithm::RsaPssSha256
            | SignatureAlgorithm::RsaPssSha384
            | SignatureAlgorithm::RsaPssSha512 => AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(Any::encode_from(&crate::pss::params_for(self.digest())?)?),
            },
            SignatureAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA256,
                parameters: None,
            },
            SignatureAlgorithm::EcdsaP384Sha384 => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA384,
                parameters: None,
            },
            SignatureAlgorithm::Ed25519 => AlgorithmIdentifierOwned {
                oid: oid::ED25519,
                parameters: None,
            },
        })
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
