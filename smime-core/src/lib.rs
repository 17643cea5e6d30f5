//! # smime-core — CMS and S/MIME
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
