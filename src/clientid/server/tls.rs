//! The server's TLS configuration (RFC 3207 STARTTLS), from a PEM certificate chain and key.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::error::{LoadError, read_bounded};

/// The largest certificate or key file [`load_tls`] reads.
pub const MAX_PEM_FILE_BYTES: u64 = 1 << 20;

/// Builds the TLS configuration of the server from `cert_path` (a PEM certificate chain, the
/// server's certificate first) and `key_path` (a PEM private key: PKCS #8, PKCS #1 or SEC 1).
///
/// TLS 1.2 and 1.3 with rustls' safe defaults, the `ring` provider, no client
/// certificates. A missing or unreadable file is [`LoadError::Io`]; a file without a
/// certificate or key, or a key that does not match the certificate, is
/// [`LoadError::Invalid`].
pub fn load_tls(
    cert_path: impl AsRef<Path>,
    key_path: impl AsRef<Path>,
) -> Result<Arc<rustls::ServerConfig>, LoadError> {
    let (cert_path, key_path) = (cert_path.as_ref(), key_path.as_ref());
    let cert_what = format!("certificate file {}", cert_path.display());
    let key_what = format!("key file {}", key_path.display());
    let cert_pem = read_bounded(cert_path, "certificate file", MAX_PEM_FILE_BYTES)?;
    let key_pem = read_bounded(key_path, "key file", MAX_PEM_FILE_BYTES)?;

    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| LoadError::invalid(&cert_what, e.to_string()))?;
    if chain.is_empty() {
        return Err(LoadError::invalid(&cert_what, "no CERTIFICATE block"));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => {
            LoadError::invalid(&key_what, "no private key block")
        }
        other => LoadError::invalid(&key_what, other.to_string()),
    })?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LoadError::invalid("TLS configuration", e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| LoadError::invalid(format!("{cert_what} and {key_what}"), e.to_string()))?;
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::ErrorKind;

    fn pki(name: &str) -> String {
        format!("{}/tests/fixtures/pki/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn loads_a_certificate_and_its_key() {
        for name in ["alice-rsa", "alice-p256", "alice-ed25519"] {
            load_tls(pki(&format!("{name}.pem")), pki(&format!("{name}.key"))).unwrap();
        }
    }

    #[test]
    fn tells_missing_files_from_unusable_ones() {
        let missing = load_tls(pki("absent.pem"), pki("alice-rsa.key")).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Io);
        assert!(
            missing.to_string().starts_with("certificate file "),
            "{missing}"
        );

        let no_cert = load_tls(pki("alice-rsa.key"), pki("alice-rsa.key")).unwrap_err();
        assert_eq!(no_cert.kind(), ErrorKind::Config);
        assert!(
            no_cert.to_string().contains("no CERTIFICATE block"),
            "{no_cert}"
        );

        let no_key = load_tls(pki("alice-rsa.pem"), pki("alice-rsa.pem")).unwrap_err();
        assert_eq!(no_key.kind(), ErrorKind::Config);
        assert!(
            no_key.to_string().contains("no private key block"),
            "{no_key}"
        );

        let mismatch = load_tls(pki("alice-rsa.pem"), pki("bob-rsa.key")).unwrap_err();
        assert_eq!(mismatch.kind(), ErrorKind::Config, "{mismatch}");
    }
}
