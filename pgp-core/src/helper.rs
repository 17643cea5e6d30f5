//! The one sequoia helper behind verification and decryption: it hands sequoia the
//! certificates and secret keys it was given, and turns what sequoia found into our reports
//! instead of errors.

use std::time::UNIX_EPOCH;

use openpgp::crypto::SessionKey;
use openpgp::packet::{PKESK, SKESK, Tag};
use openpgp::parse::PacketParser;
use openpgp::parse::stream::{
    DecryptionHelper, MessageLayer, MessageStructure, VerificationError, VerificationHelper,
};
use openpgp::types::SymmetricAlgorithm;
use openpgp::{Cert, KeyHandle, Packet};
use sequoia_openpgp as openpgp;

use crate::keys::Key;
use crate::report::{Protection, SignatureReport, SignatureVerdict, VerificationReport};

/// What the decryption layer saw.
#[derive(Debug, Default)]
pub(crate) struct DecryptionSeen {
    pub(crate) recipients: Vec<String>,
    pub(crate) decrypted_with: Option<String>,
    pub(crate) decrypted_with_cert: Option<String>,
    pub(crate) symmetric_algorithm: Option<String>,
    pub(crate) aead_algorithm: Option<String>,
    pub(crate) protection: Option<Protection>,
    pub(crate) compressed: bool,
    /// A Symmetrically Encrypted Data packet (no integrity protection) was met.
    pub(crate) unprotected: bool,
}

pub(crate) struct Helper<'a> {
    certs: Vec<Cert>,
    secret: &'a [Key],
    pub(crate) report: VerificationReport,
    pub(crate) seen: DecryptionSeen,
}

impl<'a> Helper<'a> {
    pub(crate) fn new(certs: &[Key], secret: &'a [Key]) -> Self {
        Helper {
            certs: certs.iter().map(|k| k.cert().clone()).collect(),
            secret,
            report: VerificationReport::default(),
            seen: DecryptionSeen::default(),
        }
    }
}

impl VerificationHelper for Helper<'_> {
    fn get_certs(&mut self, ids: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        // Only the certificates that hold one of the issuers: the others cannot help.
        Ok(self
            .certs
            .iter()
            .filter(|c| {
                c.keys()
                    .any(|k| ids.iter().any(|id| id.aliases(k.key().key_handle())))
            })
            .cloned()
            .collect())
    }

    fn inspect(&mut self, pp: &PacketParser) -> openpgp::Result<()> {
        match &pp.packet {
            Packet::SEIP(openpgp::packet::SEIP::V1(_)) => {
                self.seen.protection = Some(Protection::SeipdV1)
            }
            Packet::SEIP(openpgp::packet::SEIP::V2(_)) => {
                self.seen.protection = Some(Protection::SeipdV2)
            }
            p if p.tag() == Tag::SED => self.seen.unprotected = true,
            _ => {}
        }
        Ok(())
    }

    fn check(&mut self, structure: MessageStructure) -> openpgp::Result<()> {
        for layer in structure.into_iter() {
            match layer {
                MessageLayer::Compression { .. } => self.seen.compressed = true,
                MessageLayer::Encryption {
                    sym_algo,
                    aead_algo,
                } => {
                    self.seen.symmetric_algorithm = Some(sym_algo.to_string());
                    self.seen.aead_algorithm = aead_algo.map(|a| a.to_string());
                }
                MessageLayer::SignatureGroup { results } => {
                    for result in results {
                        self.report.signatures.push(signature_report(result));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Maps sequoia's per-signature result to our report entry.
fn signature_report(
    result: Result<openpgp::parse::stream::GoodChecksum<'_>, VerificationError<'_>>,
) -> SignatureReport {
    use VerificationError as E;
    let sig = match &result {
        Ok(good) => Some(good.sig),
        Err(E::MissingKey { sig })
        | Err(E::UnboundKey { sig, .. })
        | Err(E::BadKey { sig, .. })
        | Err(E::BadSignature { sig, .. })
        | Err(E::MalformedSignature { sig, .. }) => Some(*sig),
        Err(E::UnknownSignature { .. }) | Err(_) => None,
    };
    let mut report = SignatureReport {
        issuer: sig.and_then(|s| {
            s.issuer_fingerprints()
                .next()
                .map(|f| f.to_hex())
                .or_else(|| s.issuers().next().map(|k| k.to_hex()))
        }),
        signer_cert: None,
        signing_key: None,
        signer_user_id: None,
        key_valid: None,
        created: sig
            .and_then(|s| s.signature_creation_time())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs()),
        hash_algorithm: sig
            .map(|s| s.hash_algo().to_string())
            .unwrap_or_else(|| "unknown".into()),
        public_key_algorithm: sig
            .map(|s| s.pk_algo().to_string())
            .unwrap_or_else(|| "unknown".into()),
        verdict: SignatureVerdict::Malformed,
        detail: None,
    };
    let with_key = |cert: &Cert, key_fpr: String, valid: bool, r: &mut SignatureReport| {
        r.signer_cert = Some(cert.fingerprint().to_hex());
        r.signing_key = Some(key_fpr);
        r.signer_user_id = cert
            .userids()
            .next()
            .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned());
        r.key_valid = Some(valid);
    };
    match result {
        Ok(good) => {
            with_key(
                good.ka.cert(),
                good.ka.key().fingerprint().to_hex(),
                true,
                &mut report,
            );
            report.verdict = SignatureVerdict::Good;
        }
        Err(E::MissingKey { .. }) => {
            report.verdict = SignatureVerdict::UnknownSigner;
            report.detail = Some("no certificate for the issuer".into());
        }
        Err(E::UnboundKey { cert, error, .. }) => {
            let fpr = cert.fingerprint().to_hex();
            with_key(cert, fpr, false, &mut report);
            report.verdict = SignatureVerdict::KeyInvalid;
            report.detail = Some(format!("{error:#}"));
        }
        Err(E::BadKey { ka, error, .. }) => {
            with_key(
                ka.cert(),
                ka.key().fingerprint().to_hex(),
                false,
                &mut report,
            );
            report.verdict = SignatureVerdict::KeyInvalid;
            report.detail = Some(format!("{error:#}"));
        }
        Err(E::BadSignature { ka, error, .. }) => {
            with_key(
                ka.cert(),
                ka.key().fingerprint().to_hex(),
                true,
                &mut report,
            );
            report.verdict = if is_policy_violation(&error) {
                SignatureVerdict::Rejected
            } else {
                SignatureVerdict::Bad
            };
            report.detail = Some(format!("{error:#}"));
        }
        Err(E::MalformedSignature { error, .. }) => {
            report.verdict = if is_policy_violation(&error) {
                SignatureVerdict::Rejected
            } else {
                SignatureVerdict::Malformed
            };
            report.detail = Some(format!("{error:#}"));
        }
        Err(E::UnknownSignature { sig }) => {
            report.detail = Some(format!("unparsable signature packet: {:?}", sig.error()));
        }
        Err(e) => report.detail = Some(e.to_string()),
    }
    report
}

fn is_policy_violation(error: &anyhow_like::Error) -> bool {
    error.chain().any(|e| {
        matches!(
            e.downcast_ref::<openpgp::Error>(),
            Some(openpgp::Error::PolicyViolation(..))
        )
    })
}

/// sequoia's errors are `anyhow::Error`; naming the type through sequoia's `Result` spares
/// a direct dependency.
mod anyhow_like {
    pub(crate) type Error = <sequoia_openpgp::Result<()> as ErrorOf>::Error;
    pub(crate) trait ErrorOf {
        type Error;
    }
    impl<T, E> ErrorOf for Result<T, E> {
        type Error = E;
    }
}

impl DecryptionHelper for Helper<'_> {
    fn decrypt(
        &mut self,
        pkesks: &[PKESK],
        _skesks: &[SKESK],
        sym_algo: Option<SymmetricAlgorithm>,
        decrypt: &mut dyn FnMut(Option<SymmetricAlgorithm>, &SessionKey) -> bool,
    ) -> openpgp::Result<Option<Cert>> {
        // One encryption layer per message: an encrypted message inside the decrypted one is
        // not something mail clients send, and refusing it keeps the decryption report (and
        // sequoia's decryptor) to one layer.
        if self.seen.decrypted_with.is_some() {
            return Err(openpgp::Error::InvalidOperation(
                "nested encryption layers are refused".into(),
            )
            .into());
        }
        self.seen.recipients = pkesks
            .iter()
            .map(|p| {
                p.recipient()
                    .map(|h| h.to_hex())
                    .unwrap_or_else(|| "anonymous".into())
            })
            .collect();
        // RFC 9580 §5.1: a PKESK names its recipient key, or is anonymous (then every key is
        // tried). Keys are used for decryption whatever their current validity: mail
        // encrypted to a key before it expired must stay readable.
        for pkesk in pkesks {
            for key in self.secret {
                let candidates = key
                    .cert()
                    .keys()
                    .secret()
                    .filter(|ka| {
                        pkesk
                            .recipient()
                            .is_none_or(|r| r.aliases(ka.key().key_handle()))
                    })
                    .filter(|ka| ka.key().has_unencrypted_secret());
                for ka in candidates {
                    let Ok(mut pair) = ka.key().clone().into_keypair() else {
                        continue;
                    };
                    if let Some((algo, session_key)) = pkesk.decrypt(&mut pair, sym_algo)
                        && decrypt(algo, &session_key)
                    {
                        self.seen.decrypted_with = Some(ka.key().fingerprint().to_hex());
                        self.seen.decrypted_with_cert = Some(key.cert().fingerprint().to_hex());
                        return Ok(Some(key.cert().clone()));
                    }
                }
            }
        }
        Err(openpgp::Error::MissingSessionKey("no secret key decrypts a session key".into()).into())
    }
}
