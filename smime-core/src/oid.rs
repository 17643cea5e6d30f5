//! Object identifiers this crate reads and writes, each with the document that assigns it.

use const_oid::ObjectIdentifier as Oid;

/// id-data, RFC 5652 §4.
pub const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// id-signedData, RFC 5652 §5.1.
pub const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// id-contentType, RFC 5652 §11.1.
pub const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest, RFC 5652 §11.2.
pub const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime, RFC 5652 §11.3.
pub const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// smimeCapabilities, RFC 8551 §2.5.2.
pub const ID_SMIME_CAPABILITIES: Oid = Oid::new_unwrap("1.2.840.113549.1.9.15");
/// id-aa-signingCertificateV2, RFC 5035 §3.
pub const ID_AA_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// id-sha1, RFC 3370 §2.1 (verification of legacy signatures only).
pub const ID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// id-sha256, RFC 5754 §2.2.
pub const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha384, RFC 5754 §2.3.
pub const ID_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// id-sha512, RFC 5754 §2.4.
pub const ID_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// rsaEncryption, RFC 3370 §3.2 (also used as a CMS signature algorithm identifier).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// sha1WithRSAEncryption, RFC 3370 §3.2.
pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
/// sha256WithRSAEncryption, RFC 5754 §3.2.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption, RFC 5754 §3.2.
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption, RFC 5754 §3.2.
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// id-RSASSA-PSS, RFC 4056 §2.
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// id-mgf1, RFC 4055 §2.2.
pub const ID_MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
/// id-ecPublicKey, RFC 5480 §2.1.1.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// secp256r1, RFC 5480 §2.1.1.1.
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1, RFC 5480 §2.1.1.1.
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
/// ecdsa-with-SHA1, RFC 3279 §2.2.3 (verification of legacy signatures only).
pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
/// ecdsa-with-SHA256, RFC 5758 §3.2.
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384, RFC 5758 §3.2.
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512, RFC 5758 §3.2.
pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
/// id-Ed25519, RFC 8410 §3 (signature algorithm in CMS: RFC 8419 §3.1).
pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");

/// id-aes128-CBC, RFC 3565 §4.1 (advertised in SMIMECapabilities).
pub const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
/// id-aes256-CBC, RFC 3565 §4.1.
pub const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
/// id-aes128-GCM, RFC 5084 §3.2.
pub const AES128_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.6");
/// id-aes256-GCM, RFC 5084 §3.2.
pub const AES256_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.46");

/// id-kp-emailProtection, RFC 5280 §4.2.1.12.
pub const KP_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
/// pkcs-9 emailAddress, in legacy subject names (RFC 8550 §3).
pub const EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
