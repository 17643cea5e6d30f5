//! # secure-headers — the SecureHeaderFields signed attribute
//!
//! Decides which header fields of a message an S/MIME signature protects, in which canonical
//! form, and tells a receiver what holds for each of them. Carries no cryptography:
//! `smime-core` signs and verifies the bytes this crate produces.
//!
//! Spec: RFC 7508 (Securing Header Fields with S/MIME), the published form of
//! draft-cailleux-secure-headers-05, whose legacy wire layout is supported on request
//! ([`Profile`]); header canonicalization from RFC 6376 §3.4.1–§3.4.2 ([`canon`]).
//!
//! ```
//! use secure_headers::{build, verify, Policy, Profile, SecureHeaderFields, Verdict};
//!
//! let policy = Policy::from_toml_str(r#"
//!     [secure_headers]
//!     fields = ["From", "To", "Subject"]
//!     mandatory = ["From"]
//! "#)?;
//! let message = b"From: John Doe <jdoe@example.com>\r\n\
//!                 To: Mary Smith <mary@example.com>\r\n\
//!                 Subject: This is a test\r\n\r\nHello\r\n";
//!
//! // Signing side (draft §4.5.1): build the structure and encode the attribute value.
//! let shf = build(message, &policy)?;
//! let der = shf.to_der(Profile::Rfc7508)?;
//!
//! // Receiving side (§4.5.2): decode it from the signature and compare with the message.
//! let received = SecureHeaderFields::from_der(&der, Profile::Rfc7508, policy.limits())?;
//! let tampered = b"From: John Doe <jdoe@example.com>\r\n\
//!                  To: Mary Smith <mary@example.com>\r\n\
//!                  Subject: Pay this invoice\r\n\r\nHello\r\n";
//! let report = verify(&received, tampered, &policy)?;
//! assert!(!report.is_valid());
//! assert!(matches!(report.field("subject").map(|f| &f.verdict), Some(Verdict::Mismatch(_))));
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod builder;
pub mod canon;
mod dca;
mod error;
mod limits;
mod matching;
mod message;
mod model;
pub mod oid;
mod policy;
mod profile;
mod report;
mod signers;
mod verify;
mod wire;

pub use builder::build;
pub use dca::{apply, restore};
pub use error::Error;
pub use limits::{Limit, Limits};
pub use message::{HeaderBlock, RawField, header_block};
pub use model::{
    CanonAlgorithm, FieldStatus, FieldValue, SecureHeaderField, SecureHeaderFields, ValueDefect,
};
pub use oid::{ID_AA_SECURE_HEADER_FIELDS, ID_AA_SECURE_HEADER_FIELDS_DRAFT05};
pub use policy::{FieldRule, Policy, PolicyError, PolicySpec, StatusSpec};
pub use profile::Profile;
pub use report::{
    ExtraField, FieldReport, MandatoryMissing, MismatchReason, Verdict, VerificationReport,
};
pub use signers::{SignerAgreement, signers_agree};
pub use verify::verify;
