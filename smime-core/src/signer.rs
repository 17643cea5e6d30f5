//! A signer: a certificate, the chain to send with it, and a key behind [`SignatureBackend`].

use std::fmt;
use std::sync::Arc;

use x509_cert::Certificate;

use crate::certificate::{self, SignerIdentifierKind};
use crate::error::Error;
use crate::key::{SignatureBackend, SoftwareKey};
use crate::verify_key;

/// Who signs: certificate, intermediates to include, and the key.
#[derive(Clone)]
pub struct Signer {
    certificate: Certificate,
    chain: Vec<Certificate>,
    key: Arc<dyn SignatureBackend>,
    identifier: SignerIdentifierKind,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &certificate::subject(&self.certificate))
            .field("algorithm", &self.key.algorithm())
            .field("chain", &self.chain.len())
            .field("identifier", &self.identifier)
            .finish()
    }
}

impl Signer {
    /// A signer from a certificate and any key backend. Fails when the key is not the
    /// certificate's key.
    pub fn new(certificate: Certificate, key: Arc<dyn SignatureBackend>) -> Result<Signer, Error> {
        let public = key.public_key()?;
        if !verify_key::same_key(
            &public,
            certificate.tbs_certificate().subject_public_key_info(),
        ) {
            return Err(Error::KeyMismatch {
                subject: certificate::subject(&certificate),
            });
        }
        Ok(Signer {
            certificate,
            chain: Vec::new(),
            key,
            identifier: SignerIdentifierKind::default(),
        })
    }

    /// A signer from PEM files' contents: the certificate (the first certificate of
    /// `cert_pem`; further ones are taken as its chain) and a private key (see
    /// [`SoftwareKey::from_pem`]).
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Signer, Error> {
        let mut certs = certificate::load_certificates(cert_pem)?.into_iter();
        let cert = certs.next().ok_or_else(|| Error::Certificate {
            reason: "no certificate".into(),
        })?;
        let key = SoftwareKey::from_pem(key_pem)?;
        let signer = Signer::new(cert, Arc::new(key))?;
        Ok(signer.with_chain(certs.collect()))
    }

    /// Like [`from_pem`](Self::from_pem), signing with `algorithm` instead of the key's
    /// default (e.g. RSA-PSS, or SHA-512 with RSA).
    pub fn from_pem_with_algorithm(
        cert_pem: &[u8],
        key_pem: &[u8],
        algorithm: crate::SignatureAlgorithm,
    ) -> Result<Signer, Error> {
        let mut certs = certificate::load_certificates(cert_pem)?.into_iter();
        let cert = certs.next().ok_or_else(|| Error::Certificate {
            reason: "no certificate".into(),
        })?;
        let key = SoftwareKey::from_pem(key_pem)?.with_algorithm(algorithm)?;
        let signer = Signer::new(cert, Arc::new(key))?;
        Ok(signer.with_chain(certs.collect()))
    }

    /// Intermediate certificates to include in the message (RFC 8551 §2.4.2: the signer's
    /// certificate and the chain up to, not including, the trust anchor).
    pub fn with_chain(mut self, chain: Vec<Certificate>) -> Signer {
        self.chain.extend(chain);
        self
    }

    /// How the SignerInfo names the certificate.
    pub fn with_identifier(mut self, identifier: SignerIdentifierKind) -> Signer {
        self.identifier = identifier;
        self
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The intermediate certificates sent with it.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The key backend.
    pub fn key(&self) -> &dyn SignatureBackend {
        self.key.as_ref()
    }

    /// How the SignerInfo names the certificate.
    pub fn identifier(&self) -> SignerIdentifierKind {
        self.identifier
    }
}
