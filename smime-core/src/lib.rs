//! # smime-core — CMS and S/MIME
//!
//! Signs messages with CMS SignedData (RFC 5652) carrying the SecureHeaderFields attribute
//! built by `secure-headers` (RFC 7508, draft-cailleux-secure-headers-05 §4.5), wraps them as
//! S/MIME 4.0 messages (RFC 8551 §3.5: `multipart/signed`, or opaque
//! `application/pkcs7-mime`), and verifies received ones: the signature over the signed
//! attributes as received, the signer's certificate path (RFC 5280 §6 through `certval`, with
//! the RFC 8550 §4.4 leaf rules), the From/Sender address against the certificate (RFC 8550
//! §3), and every secured header field. Verification never fails on a bad signature: it
//! returns a [`SmimeReport`] that says what was checked and what failed.
//!
//! Signature algorithms: RSA PKCS#1 v1.5 and RSA-PSS with SHA-256/384/512, ECDSA P-256 and
//! P-384, Ed25519 (RFC 8419). Keys sit behind [`SignatureBackend`], the seam a PKCS#11 token or
//! an HSM plugs into. RSA uses the `rsa` crate, whose advisory RUSTSEC-2023-0071 (Marvin,
//! timing of PKCS#1 v1.5 *decryption*) lists no patched version; signing is blinded and this
//! crate never decrypts with it.
//!
//! ```
//! use smime_core::{sign_message, verify_message, SignOptions, Signer, VerifyOptions};
//! use smime_core::path::TrustAnchors;
//! use secure_headers::{Policy, Verdict};
//!
//! # let pki = |f: &str| std::fs::read(format!("{}/../tests/fixtures/pki/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
//! // Test-only keys and certificates (tests/fixtures/pki).
//! let signer = Signer::from_pem(&pki("alice-p256.pem"), &pki("alice-p256.key"))?
//!     .with_chain(smime_core::load_certificates(&pki("intermediate.pem"))?);
//! let policy = Policy::from_toml_str(r#"
//!     [secure_headers]
//!     fields = ["From", "To", "Subject"]
//!     mandatory = ["From", "Subject"]
//! "#)?;
//! let message = b"From: alice@example.com\r\nTo: bob@example.org\r\n\
//!                 Subject: Quarterly figures\r\n\r\nSee attached.\r\n";
//!
//! // Sending side (draft §4.5.1): multipart/signed with SecureHeaderFields inside.
//! let options = SignOptions { secure_headers: Some(policy.clone()), ..SignOptions::default() };
//! let signed = sign_message(message, &[signer], &options)?;
//!
//! // Receiving side (§4.5.2): signature, certificate path, address, secured fields.
//! let mut verify = VerifyOptions::new(TrustAnchors::from_pem(&pki("root.pem"))?);
//! verify.secure_headers = Some(policy);
//! assert!(verify_message(&signed, &verify)?.is_valid());
//!
//! // A relay rewrites the Subject: the signature still holds, the secured field does not.
//! let text = String::from_utf8(signed).unwrap().replace("Quarterly figures", "Pay now");
//! let report = verify_message(text.as_bytes(), &verify)?;
//! assert!(!report.is_valid());
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod algorithm;
mod attributes;
mod certificate;
mod digest;
mod error;
mod ess;
mod key;
mod limits;
pub mod oid;
mod pss;
mod received;
mod sign;
mod signer;
mod verify_key;

pub use algorithm::{ALL_SIGNATURE_ALGORITHMS, DigestAlgorithm, KeyKind, SignatureAlgorithm};
pub use certificate::{
    SignerIdentifierKind, certificate_matches_address, email_addresses, load_certificates, subject,
    subject_key_identifier,
};
pub use error::Error;
pub use key::{SignatureBackend, SoftwareKey};
pub use limits::{Limit, Limits};
pub use sign::{SignRequest, sign_content};
pub use signer::Signer;
mod mime;
pub mod path;
pub use path::TrustAnchors;
mod report;
mod sign_message;
mod verify;

pub use mime::SignedForm;
pub use report::{
    AddressMatch, ChainOutcome, HeadersOutcome, SignatureFailure, SignatureVerdict, SignerIdentity,
    SignerReport, SmimeReport,
};
pub use sign_message::{SignOptions, sign_message};
pub use verify::{VerifyOptions, verify_message, verify_signed_data};
