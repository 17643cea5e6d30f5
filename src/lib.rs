//! # mailsec — mail security for MTAs, gateways and mail clients
//!
//! The facade over the mailsec crates: the one place that knows all of them, with one error type
//! ([`Error`]) whose [`ErrorKind`] tells a caller (an MTA, the `mailsec` command line, the C and
//! Python bindings) whether to bounce, defer or report.
//!
//! Capabilities available now:
//! - [`clientid`]: the SMTP CLIENTID extension (draft-storey-smtp-client-id-13): command syntax,
//!   the server's session rules, per-type handling flags, policy heuristics at AUTH and history
//!   stores.
//! - [`headers`]: the SecureHeaderFields signed attribute (RFC 7508): which header fields a
//!   signature secures, canonicalization, verification report, DCA transforms.
//! - [`smime`]: S/MIME signing and verification (RFC 5652, RFC 8551) carrying
//!   SecureHeaderFields, with certificate path validation (RFC 5280) and a per-signer report.
//! - `pgp` (facade feature `pgp`): OpenPGP keys, signatures and encryption, and PGP/MIME
//!   (RFC 3156), interoperable with GnuPG.
//! - [`sieve`]: a Sieve interpreter (RFC 5228) with RFC 6134 externally stored lists and the
//!   list backends (in memory, a directory of files, embedded SQLite).
//! - [`Policy`]: the TOML policy file that drives them.
//!
//! ```
//! use mailsec::clientid::ClientIdCommand;
//! use mailsec::{Error, ErrorKind};
//!
//! let command = ClientIdCommand::parse(b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f")?;
//! assert_eq!(command.token().as_str(), "23bf83be-aad7-46aa-9e0f-39191ccf402f");
//!
//! let error: Error = ClientIdCommand::parse(b"CLIENTID MAC").unwrap_err().into();
//! assert_eq!(error.kind(), ErrorKind::BadInput);
//! assert_eq!(error.smtp_reply_code(), Some(501));
//! # Ok::<(), Error>(())
//! ```
#![forbid(unsafe_code)]

mod error;
mod policy;

pub use error::{Error, ErrorKind};
pub use policy::Policy;

pub mod clientid;
#[cfg(feature = "pgp")]
pub mod pgp;
pub mod sieve;

/// Secure header fields (RFC 7508, draft-cailleux-secure-headers-05), from the
/// `secure-headers` crate.
///
/// ```
/// use mailsec::headers::{build, verify, Profile, SecureHeaderFields};
///
/// let policy = mailsec::Policy::from_toml_str(
///     "[secure_headers]\nfields = [\"From\", \"Subject\"]\nmandatory = [\"From\"]\n",
/// )?;
/// let policy = policy.require_secure_headers()?;
/// let message = b"From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n";
/// let der = build(message, policy)?.to_der(Profile::Rfc7508)?;
/// let shf = SecureHeaderFields::from_der(&der, Profile::Rfc7508, policy.limits())?;
/// assert!(verify(&shf, message, policy)?.is_valid());
/// # Ok::<(), mailsec::Error>(())
/// ```
pub mod headers {
    pub use ::secure_headers::*;
}

/// S/MIME (RFC 8551) signing and verification with SecureHeaderFields (RFC 7508), from the
/// `smime-core` crate, plus the two operations driven by a mailsec [`Policy`].
///
/// ```
/// use mailsec::smime::{Signer, SignedForm, TrustAnchors};
///
/// # let pki = |f: &str| std::fs::read(format!("{}/tests/fixtures/pki/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
/// let policy = mailsec::Policy::from_toml_str(
///     "[secure_headers]\nfields = [\"From\", \"To\", \"Subject\"]\nmandatory = [\"From\"]\n",
/// )?;
/// let signer = Signer::from_pem(&pki("alice-rsa.pem"), &pki("alice-rsa.key"))?
///     .with_chain(mailsec::smime::load_certificates(&pki("intermediate.pem"))?);
/// let message = b"From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
/// let signed = mailsec::smime::sign(message, &[signer], &policy, SignedForm::Detached)?;
///
/// let trust = TrustAnchors::from_pem(&pki("root.pem"))?;
/// let report = mailsec::smime::verify(&signed, trust, &policy)?;
/// assert!(report.is_valid(), "{report}");
/// # Ok::<(), mailsec::Error>(())
/// ```
pub mod smime {
    pub use ::smime_core::path::{
        PathFailure, PathOptions, PathReport, PathVerdict, Purpose, TrustAnchors,
    };
    pub use ::smime_core::*;

    /// Signs `message` with `signers`, securing the header fields of the policy's
    /// `[secure_headers]` table when it has one (draft §4.5.1).
    pub fn sign(
        message: &[u8],
        signers: &[Signer],
        policy: &crate::Policy,
        form: SignedForm,
    ) -> Result<Vec<u8>, crate::Error> {
        let options = SignOptions {
            form,
            secure_headers: policy.secure_headers().cloned(),
            ..SignOptions::default()
        };
        Ok(sign_message(message, signers, &options)?)
    }

    /// Verifies `message` against `trust`, checking the secured header fields under the
    /// policy's `[secure_headers]` table when it has one (draft §4.5.2).
    pub fn verify(
        message: &[u8],
        trust: TrustAnchors,
        policy: &crate::Policy,
    ) -> Result<SmimeReport, crate::Error> {
        let mut options = VerifyOptions::new(trust);
        options.secure_headers = policy.secure_headers().cloned();
        Ok(verify_message(message, &options)?)
    }
}
