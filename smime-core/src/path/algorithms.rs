//! Signature algorithm policy, applied before certval so that an unsupported or disallowed
//! algorithm is reported as such rather than as a bad signature.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    DSA_WITH_SHA_1, ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_RSASSA_PSS,
    SHA_1_WITH_RSA_ENCRYPTION, SHA_224_WITH_RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION,
    SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use const_oid::db::rfc8410::ID_ED_25519;

/// ecdsa-with-SHA1 (RFC 3279 §2.2.3); not in const-oid's database.
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
/// sha-1WithRSASignature (OIW), an old alias of sha1WithRSAEncryption.
const SHA_1_WITH_RSA_OIW: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.29");

/// Whether a certificate signature algorithm may be used: certval can verify it and policy
/// allows it. Supported by certval with
/// this crate's features: RSA PKCS#1 v1.5 with SHA-2 (and SHA-1), RSASSA-PSS, ECDSA with
/// SHA-256/384/512 on P-256/P-384/P-521, Ed25519. DSA and ECDSA with SHA-224 are not.
/// RSASSA-PSS is passed through whatever its hash; certval itself refuses PSS over SHA-1.
pub(crate) fn is_allowed(oid: &ObjectIdentifier, allow_sha1: bool) -> bool {
    match *oid {
        SHA_224_WITH_RSA_ENCRYPTION
        | SHA_256_WITH_RSA_ENCRYPTION
        | SHA_384_WITH_RSA_ENCRYPTION
        | SHA_512_WITH_RSA_ENCRYPTION
        | ID_RSASSA_PSS
        | ECDSA_WITH_SHA_256
        | ECDSA_WITH_SHA_384
        | ECDSA_WITH_SHA_512
        | ID_ED_25519 => true,
        // Only this SHA-1 variant is verifiable by certval (feature `sha1_sig`).
        SHA_1_WITH_RSA_ENCRYPTION => allow_sha1,
        SHA_1_WITH_RSA_OIW | ECDSA_WITH_SHA_1 | DSA_WITH_SHA_1 => false,
        _ => false,
    }
}

/// True for the SHA-1 based signature algorithms, used to drop SHA-1 signed CRLs.
pub(crate) fn is_sha1(oid: &ObjectIdentifier) -> bool {
    matches!(
        *oid,
        SHA_1_WITH_RSA_ENCRYPTION | SHA_1_WITH_RSA_OIW | ECDSA_WITH_SHA_1 | DSA_WITH_SHA_1
    )
}
