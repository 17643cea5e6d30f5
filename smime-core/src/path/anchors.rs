//! The set of trust anchors (RFC 5280 §6.1.1 (d)), held as certificates.

use x509_cert::Certificate;

/// Trusted root certificates. Only their names and keys are used (RFC 5280 §6.1.1 (d));
/// their own signatures are not checked, their validity periods are.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    certs: Vec<Certificate>,
}

impl TrustAnchors {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an anchor; adding the same certificate twice keeps one copy.
    pub fn add(&mut self, cert: Certificate) {
        if !self.certs.contains(&cert) {
            self.certs.push(cert);
        }
    }

    /// Reads the certificates of a PEM text (one or more `CERTIFICATE` blocks) or of one DER
    /// certificate. Fails if a block does not decode or there is none.
    pub fn from_pem(pem: &[u8]) -> Result<Self, crate::Error> {
        let mut anchors = TrustAnchors::new();
        for cert in crate::load_certificates(pem)? {
            anchors.add(cert);
        }
        Ok(anchors)
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// True when there are no anchors.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The anchors, in insertion order.
    pub(crate) fn certificates(&self) -> &[Certificate] {
        &self.certs
    }
}
