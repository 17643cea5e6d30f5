//! `mailsec.pgp`: OpenPGP keys, signatures and encryption (RFC 9580, RFC 4880) and PGP/MIME
//! (RFC 3156), over the facade's `mailsec::pgp`.
//!
//! Every class is frozen: a `Key` is never changed in place (unlocking, locking, merging and
//! revoking return a new one), so one may be shared by any number of threads. Everything that
//! does cryptography or touches the key store releases the GIL. A signature that does not
//! verify is an entry of the report, never an exception: `PgpError` is for input that cannot
//! be read, keys that cannot do what was asked, and limits.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::Duration;

use facade::pgp::mime::{self, HeaderCheck, HeaderStatus, MimeKind, Opened};
use facade::pgp::{
    self, DecryptionReport, Key, KeyOptions, KeyStore, Limits, PgpPolicy, Protection,
    RevocationReason, SignMode, SignatureReport, VerificationReport,
};
use pyo3::exceptions::PyRuntimeError;
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::bytes;

import_exception!(mailsec.pgp, PgpError);
import_exception!(mailsec.pgp, PgpMalformedError);
import_exception!(mailsec.pgp, PgpLimitError);
import_exception!(mailsec.pgp, PgpKeyError);
import_exception!(mailsec.pgp, PgpLockedKeyError);
import_exception!(mailsec.pgp, PgpDecryptionError);
import_exception!(mailsec.pgp, PgpUsageError);
import_exception!(mailsec.pgp, PgpStoreError);

/// The exception for `error`: every class takes `(message, code, bad_input, *details)`, the
/// details being the variant's fields a caller may act on.
fn pgp_error(error: &pgp::Error) -> PyErr {
    let message = error.to_string();
    let bad_input = error.is_bad_input();
    match error {
        pgp::Error::Malformed { what, .. } => PgpMalformedError::new_err((
            message,
            "malformed",
            bad_input,
            Some(*what),
            None::<usize>,
        )),
        pgp::Error::Mime { offset, .. } => {
            PgpMalformedError::new_err((message, "mime", bad_input, None::<&str>, Some(*offset)))
        }
        pgp::Error::Limit { limit, max, actual } => PgpLimitError::new_err((
            message,
            "limit-exceeded",
            bad_input,
            limit.to_string(),
            *max,
            *actual,
        )),
        pgp::Error::NoSecretKey {
            fingerprint,
            purpose,
        } => PgpKeyError::new_err((
            message,
            "no-secret-key",
            bad_input,
            fingerprint.clone(),
            *purpose,
        )),
        pgp::Error::NoValidKey {
            fingerprint,
            purpose,
            ..
        } => PgpKeyError::new_err((
            message,
            "no-valid-key",
            bad_input,
            fingerprint.clone(),
            *purpose,
        )),
        pgp::Error::Locked { fingerprint, .. } => PgpLockedKeyError::new_err((
            message,
            "locked",
            bad_input,
            fingerprint.clone(),
            None::<&str>,
        )),
        pgp::Error::NoDecryptionKey { recipients } => PgpDecryptionError::new_err((
            message,
            "no-decryption-key",
            bad_input,
            recipients
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )),
        pgp::Error::Unprotected => {
            PgpDecryptionError::new_err((message, "unprotected", bad_input, Vec::<String>::new()))
        }
        pgp::Error::Usage(_) => PgpUsageError::new_err((message, "usage", bad_input)),
        pgp::Error::Store { path, .. } => {
            PgpStoreError::new_err((message, "store", bad_input, path.clone()))
        }
        pgp::Error::Crypto(_) => PgpError::new_err((message, "crypto", bad_input)),
        _ => PgpError::new_err((message, "internal", bad_input)),
    }
}

/// `to_json()` of the reports: the core's serde form, the document the command line prints.
fn json_error(error: serde_json::Error) -> PyErr {
    PyRuntimeError::new_err(error.to_string())
}

fn inner_keys(keys: &[PyRef<'_, PyKey>]) -> Vec<Key> {
    keys.iter().map(|k| k.inner.clone()).collect()
}

/// An OpenPGP key: a certificate, with or without its secret key material.
#[pyclass(module = "mailsec.pgp", name = "Key", frozen)]
struct PyKey {
    inner: Key,
}

impl PyKey {
    fn new(inner: Key) -> Self {
        PyKey { inner }
    }
}

#[pymethods]
impl PyKey {
    #[classmethod]
    #[pyo3(signature = (
        userid, *, cipher_suite = "cv25519", profile = "rfc4880", password = None, validity = None
    ))]
    fn generate<'py>(
        _cls: &Bound<'_, PyType>,
        py: Python<'py>,
        userid: &str,
        cipher_suite: &str,
        profile: &str,
        password: Option<String>,
        validity: Option<u64>,
    ) -> PyResult<(PyKey, Bound<'py, PyBytes>)> {
        let options = KeyOptions {
            cipher_suite: cipher_suite.parse().map_err(|e| pgp_error(&e))?,
            profile: profile.parse().map_err(|e| pgp_error(&e))?,
            password,
            validity: validity.map(Duration::from_secs),
        };
        let (key, revocation) = py
            .detach(|| Key::generate(userid, &options))
            .map_err(|e| pgp_error(&e))?;
        Ok((PyKey::new(key), bytes(py, &revocation)))
    }

    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        py.detach(|| Key::from_bytes(data))
            .map(PyKey::new)
            .map_err(|e| pgp_error(&e))
    }

    #[classmethod]
    fn read_keyring(_cls: &Bound<'_, PyType>, py: Python<'_>, data: &[u8]) -> PyResult<Vec<PyKey>> {
        py.detach(|| Key::read_keyring(data, &Limits::default()))
            .map(|keys| keys.into_iter().map(PyKey::new).collect())
            .map_err(|e| pgp_error(&e))
    }

    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    #[getter]
    fn key_id(&self) -> String {
        self.inner.key_id()
    }

    #[getter]
    fn key_fingerprints(&self) -> Vec<String> {
        self.inner.key_fingerprints()
    }

    #[getter]
    fn user_ids(&self) -> Vec<String> {
        self.inner.user_ids()
    }

    #[getter]
    fn emails(&self) -> Vec<String> {
        self.inner.emails()
    }

    #[getter]
    fn version(&self) -> u8 {
        self.inner.version()
    }

    #[getter]
    fn has_secret(&self) -> bool {
        self.inner.has_secret()
    }

    #[getter]
    fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    // Password-based key derivation is slow on purpose (Argon2 for version 6 keys).
    fn unlock(&self, py: Python<'_>, password: &str) -> PyResult<PyKey> {
        py.detach(|| self.inner.unlock(password))
            .map(PyKey::new)
            .map_err(|e| pgp_error(&e))
    }

    fn lock(&self, py: Python<'_>, password: &str) -> PyResult<PyKey> {
        py.detach(|| self.inner.lock(password))
            .map(PyKey::new)
            .map_err(|e| pgp_error(&e))
    }

    fn public(&self) -> PyKey {
        PyKey::new(self.inner.public())
    }

    #[pyo3(signature = (*, armor = true))]
    fn export_cert<'py>(&self, py: Python<'py>, armor: bool) -> PyResult<Bound<'py, PyBytes>> {
        self.inner
            .export_cert(armor)
            .map(|data| bytes(py, &data))
            .map_err(|e| pgp_error(&e))
    }

    #[pyo3(signature = (*, armor = true))]
    fn export_secret<'py>(&self, py: Python<'py>, armor: bool) -> PyResult<Bound<'py, PyBytes>> {
        self.inner
            .export_secret(armor)
            .map(|data| bytes(py, &data))
            .map_err(|e| pgp_error(&e))
    }

    fn merge(&self, py: Python<'_>, other: PyRef<'_, PyKey>) -> PyResult<PyKey> {
        let (this, other) = (self.inner.clone(), other.inner.clone());
        py.detach(|| this.merge(other))
            .map(PyKey::new)
            .map_err(|e| pgp_error(&e))
    }

    #[pyo3(signature = (reason = "unspecified", message = ""))]
    fn revocation_certificate<'py>(
        &self,
        py: Python<'py>,
        reason: &str,
        message: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let reason: RevocationReason = reason.parse().map_err(|e| pgp_error(&e))?;
        py.detach(|| self.inner.revocation_certificate(reason, message))
            .map(|data| bytes(py, &data))
            .map_err(|e| pgp_error(&e))
    }

    fn apply_revocation(&self, py: Python<'_>, data: &[u8]) -> PyResult<PyKey> {
        py.detach(|| self.inner.apply_revocation(data))
            .map(PyKey::new)
            .map_err(|e| pgp_error(&e))
    }

    fn is_revoked(&self) -> bool {
        self.inner.is_revoked(&PgpPolicy::new())
    }

    fn invalidity(&self) -> Option<String> {
        self.inner.invalidity(&PgpPolicy::new())
    }

    // The same OpenPGP data: sequoia compares certificates without their secret key material,
    // so a key equals its public part there; here a key with secrets equals only a key with the
    // same secrets, as protected as they are.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let Ok(other) = other.cast::<PyKey>() else {
            return false;
        };
        let (this, other) = (&self.inner, &other.get().inner);
        this == other
            && this.has_secret() == other.has_secret()
            && (!this.has_secret()
                || this.export_secret(false).ok() == other.export_secret(false).ok())
    }

    // Equal keys have equal fingerprints; keys of one fingerprint that differ (one with more
    // user IDs, one without secrets) share a bucket and compare unequal.
    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.inner.fingerprint().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        let user_ids = self.inner.user_ids();
        format!(
            "<Key {} {:?} ({})>",
            self.inner.fingerprint(),
            user_ids.first().map_or("", String::as_str),
            match (self.inner.has_secret(), self.inner.is_locked()) {
                (false, _) => "public",
                (true, false) => "secret",
                (true, true) => "secret, locked",
            }
        )
    }
}

/// A directory of keys, one file per certificate.
#[pyclass(module = "mailsec.pgp", name = "KeyStore", frozen)]
struct PyKeyStore {
    inner: KeyStore,
}

#[pymethods]
impl PyKeyStore {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| KeyStore::open(path))
            .map(|inner| PyKeyStore { inner })
            .map_err(|e| pgp_error(&e))
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_path_buf()
    }

    fn insert(&self, py: Python<'_>, key: PyRef<'_, PyKey>) -> PyResult<PyKey> {
        let key = key.inner.clone();
        py.detach(|| self.inner.insert(&key))
            .map(PyKey::new)
            .map_err(|e| pgp_error(&e))
    }

    fn get(&self, py: Python<'_>, fingerprint: &str) -> PyResult<Option<PyKey>> {
        py.detach(|| self.inner.get(fingerprint))
            .map(|key| key.map(PyKey::new))
            .map_err(|e| pgp_error(&e))
    }

    fn lookup(&self, py: Python<'_>, query: &str) -> PyResult<Vec<PyKey>> {
        py.detach(|| self.inner.lookup(query))
            .map(|keys| keys.into_iter().map(PyKey::new).collect())
            .map_err(|e| pgp_error(&e))
    }

    fn list(&self, py: Python<'_>) -> PyResult<Vec<PyKey>> {
        py.detach(|| self.inner.list())
            .map(|keys| keys.into_iter().map(PyKey::new).collect())
            .map_err(|e| pgp_error(&e))
    }

    fn remove(&self, py: Python<'_>, fingerprint: &str) -> PyResult<bool> {
        py.detach(|| self.inner.remove(fingerprint))
            .map_err(|e| pgp_error(&e))
    }

    fn __repr__(&self) -> String {
        format!("<KeyStore {:?}>", self.inner.path().display().to_string())
    }
}

/// What was checked of one signature.
#[pyclass(module = "mailsec.pgp", name = "SignatureReport", frozen)]
struct PySignatureReport {
    inner: SignatureReport,
}

#[pymethods]
impl PySignatureReport {
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.inner.issuer.as_deref()
    }

    #[getter]
    fn signer_cert(&self) -> Option<&str> {
        self.inner.signer_cert.as_deref()
    }

    #[getter]
    fn signing_key(&self) -> Option<&str> {
        self.inner.signing_key.as_deref()
    }

    #[getter]
    fn signer_user_id(&self) -> Option<&str> {
        self.inner.signer_user_id.as_deref()
    }

    #[getter]
    fn key_valid(&self) -> Option<bool> {
        self.inner.key_valid
    }

    #[getter]
    fn created(&self) -> Option<u64> {
        self.inner.created
    }

    #[getter]
    fn hash_algorithm(&self) -> &str {
        &self.inner.hash_algorithm
    }

    #[getter]
    fn public_key_algorithm(&self) -> &str {
        &self.inner.public_key_algorithm
    }

    #[getter]
    fn verdict(&self) -> &'static str {
        self.inner.verdict.name()
    }

    #[getter]
    fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(json_error)
    }

    fn __repr__(&self) -> String {
        let who = self
            .inner
            .signer_user_id
            .as_deref()
            .or(self.inner.signer_cert.as_deref())
            .or(self.inner.issuer.as_deref())
            .unwrap_or("unknown issuer");
        format!(
            "<SignatureReport {} by {who:?} ({}, {})>",
            self.inner.verdict.name(),
            self.inner.public_key_algorithm,
            self.inner.hash_algorithm
        )
    }
}

/// Every signature found, and what became of each. (`PgpVerificationReport` natively, so as not
/// to clash with `mailsec.headers.VerificationReport`; `mailsec.pgp` exports it as
/// `VerificationReport`.)
#[pyclass(module = "mailsec.pgp", name = "PgpVerificationReport", frozen)]
struct PyPgpVerificationReport {
    inner: VerificationReport,
}

#[pymethods]
impl PyPgpVerificationReport {
    #[getter]
    fn signatures(&self) -> Vec<PySignatureReport> {
        self.inner
            .signatures
            .iter()
            .map(|s| PySignatureReport { inner: s.clone() })
            .collect()
    }

    #[getter]
    fn is_valid(&self) -> bool {
        self.inner.is_valid()
    }

    #[getter]
    fn good_signers(&self) -> Vec<String> {
        self.inner
            .good_signers()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(json_error)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<VerificationReport {} ({} signatures, {} good)>",
            if self.inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            },
            self.inner.signatures.len(),
            self.inner.good_signers().len()
        )
    }
}

fn protection_name(protection: Protection) -> &'static str {
    match protection {
        Protection::SeipdV1 => "seipd-v1",
        Protection::SeipdV2 => "seipd-v2",
    }
}

/// What was checked while decrypting.
#[pyclass(module = "mailsec.pgp", name = "DecryptionReport", frozen)]
struct PyDecryptionReport {
    inner: DecryptionReport,
}

#[pymethods]
impl PyDecryptionReport {
    #[getter]
    fn recipients(&self) -> Vec<String> {
        self.inner.recipients.clone()
    }

    #[getter]
    fn decrypted_with(&self) -> Option<&str> {
        self.inner.decrypted_with.as_deref()
    }

    #[getter]
    fn decrypted_with_cert(&self) -> Option<&str> {
        self.inner.decrypted_with_cert.as_deref()
    }

    #[getter]
    fn symmetric_algorithm(&self) -> Option<&str> {
        self.inner.symmetric_algorithm.as_deref()
    }

    #[getter]
    fn aead_algorithm(&self) -> Option<&str> {
        self.inner.aead_algorithm.as_deref()
    }

    #[getter]
    fn protection(&self) -> &'static str {
        protection_name(self.inner.protection)
    }

    #[getter]
    fn compressed(&self) -> bool {
        self.inner.compressed
    }

    #[getter]
    fn signatures(&self) -> PyPgpVerificationReport {
        PyPgpVerificationReport {
            inner: self.inner.signatures.clone(),
        }
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(json_error)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<DecryptionReport {} with {} ({} signatures)>",
            protection_name(self.inner.protection),
            self.inner
                .decrypted_with
                .as_deref()
                .unwrap_or("an unknown key"),
            self.inner.signatures.signatures.len()
        )
    }
}

/// An inline signed message, verified: its content and the report. The content is a `bytes`
/// made once, so reading it twice does not copy it twice.
#[pyclass(module = "mailsec.pgp", name = "Verified", frozen)]
struct PyVerified {
    content: Py<PyBytes>,
    report: Py<PyPgpVerificationReport>,
}

#[pymethods]
impl PyVerified {
    #[getter]
    fn content(&self, py: Python<'_>) -> Py<PyBytes> {
        self.content.clone_ref(py)
    }

    #[getter]
    fn report(&self, py: Python<'_>) -> Py<PyPgpVerificationReport> {
        self.report.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<Verified {} bytes, {}>",
            self.content.bind(py).as_bytes().len(),
            if self.report.get().inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            }
        )
    }
}

/// A decrypted message: its content and the report.
#[pyclass(module = "mailsec.pgp", name = "Decrypted", frozen)]
struct PyDecrypted {
    content: Py<PyBytes>,
    report: Py<PyDecryptionReport>,
}

#[pymethods]
impl PyDecrypted {
    #[getter]
    fn content(&self, py: Python<'_>) -> Py<PyBytes> {
        self.content.clone_ref(py)
    }

    #[getter]
    fn report(&self, py: Python<'_>) -> Py<PyDecryptionReport> {
        self.report.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let report = &self.report.get().inner;
        format!(
            "<Decrypted {} bytes, {} signatures>",
            self.content.bind(py).as_bytes().len(),
            report.signatures.signatures.len()
        )
    }
}

fn header_status_name(status: HeaderStatus) -> &'static str {
    // The JSON report's spelling (kebab-case).
    match status {
        HeaderStatus::Match => "match",
        HeaderStatus::Differs => "differs",
        HeaderStatus::Obscured => "obscured",
        HeaderStatus::MissingOutside => "missing-outside",
        HeaderStatus::Unprotected => "unprotected",
    }
}

fn mime_kind_name(kind: MimeKind) -> &'static str {
    match kind {
        MimeKind::Signed => "signed",
        MimeKind::Encrypted => "encrypted",
        MimeKind::Other => "other",
    }
}

/// One header field of the protected part compared with the one outside (RFC 9788).
#[pyclass(module = "mailsec.pgp", name = "HeaderCheck", frozen)]
struct PyHeaderCheck {
    inner: HeaderCheck,
}

#[pymethods]
impl PyHeaderCheck {
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    #[getter]
    fn protected(&self) -> Option<&str> {
        self.inner.protected.as_deref()
    }

    #[getter]
    fn outer(&self) -> Option<&str> {
        self.inner.outer.as_deref()
    }

    #[getter]
    fn status(&self) -> &'static str {
        header_status_name(self.inner.status)
    }

    fn __repr__(&self) -> String {
        format!(
            "<HeaderCheck {} {}>",
            self.inner.name,
            header_status_name(self.inner.status)
        )
    }
}

/// What opening a PGP/MIME message found; `content` is the protected entity.
#[pyclass(module = "mailsec.pgp", name = "Opened", frozen)]
struct PyOpened {
    /// Everything but the content, which lives in `content`.
    inner: Opened,
    content: Py<PyBytes>,
}

#[pymethods]
impl PyOpened {
    #[getter]
    fn kind(&self) -> &'static str {
        mime_kind_name(self.inner.kind)
    }

    #[getter]
    fn is_valid(&self) -> bool {
        self.inner.is_valid()
    }

    #[getter]
    fn is_signed(&self) -> bool {
        self.inner.is_signed()
    }

    #[getter]
    fn is_encrypted(&self) -> bool {
        self.inner.is_encrypted()
    }

    #[getter]
    fn decryption(&self) -> Option<PyDecryptionReport> {
        self.inner
            .decryption
            .as_ref()
            .map(|d| PyDecryptionReport { inner: d.clone() })
    }

    #[getter]
    fn signatures(&self) -> PyPgpVerificationReport {
        PyPgpVerificationReport {
            inner: self.inner.signatures.clone(),
        }
    }

    #[getter]
    fn headers(&self) -> Vec<PyHeaderCheck> {
        self.inner
            .headers
            .iter()
            .map(|h| PyHeaderCheck { inner: h.clone() })
            .collect()
    }

    #[getter]
    fn content(&self, py: Python<'_>) -> Py<PyBytes> {
        self.content.clone_ref(py)
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(json_error)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Opened {} {} ({} signatures, {} header fields)>",
            mime_kind_name(self.inner.kind),
            if self.inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            },
            self.inner.signatures.signatures.len(),
            self.inner.headers.len()
        )
    }
}

#[pyfunction]
#[pyo3(signature = (data, signers, detached, armor))]
fn pgp_sign<'py>(
    py: Python<'py>,
    data: &[u8],
    signers: Vec<PyRef<'_, PyKey>>,
    detached: bool,
    armor: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let signers = inner_keys(&signers);
    let mode = if detached {
        SignMode::Detached
    } else {
        SignMode::Inline
    };
    py.detach(|| pgp::sign(data, &signers, mode, armor, &PgpPolicy::new()))
        .map(|signed| bytes(py, &signed))
        .map_err(|e| pgp_error(&e))
}

#[pyfunction]
#[pyo3(signature = (data, signature, certs))]
fn pgp_verify(
    py: Python<'_>,
    data: &[u8],
    signature: &[u8],
    certs: Vec<PyRef<'_, PyKey>>,
) -> PyResult<PyPgpVerificationReport> {
    let certs = inner_keys(&certs);
    py.detach(|| pgp::verify_detached(data, signature, &certs, &PgpPolicy::new()))
        .map(|inner| PyPgpVerificationReport { inner })
        .map_err(|e| pgp_error(&e))
}

#[pyfunction]
#[pyo3(signature = (message, certs))]
fn pgp_verify_inline(
    py: Python<'_>,
    message: &[u8],
    certs: Vec<PyRef<'_, PyKey>>,
) -> PyResult<PyVerified> {
    let certs = inner_keys(&certs);
    let verified = py
        .detach(|| pgp::verify_inline(message, &certs, &PgpPolicy::new()))
        .map_err(|e| pgp_error(&e))?;
    Ok(PyVerified {
        content: bytes(py, &verified.content).unbind(),
        report: Py::new(
            py,
            PyPgpVerificationReport {
                inner: verified.report,
            },
        )?,
    })
}

#[pyfunction]
#[pyo3(signature = (data, recipients, sign_with, armor))]
fn pgp_encrypt<'py>(
    py: Python<'py>,
    data: &[u8],
    recipients: Vec<PyRef<'_, PyKey>>,
    sign_with: Vec<PyRef<'_, PyKey>>,
    armor: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let (recipients, sign_with) = (inner_keys(&recipients), inner_keys(&sign_with));
    py.detach(|| pgp::encrypt(data, &recipients, &sign_with, armor, &PgpPolicy::new()))
        .map(|sealed| bytes(py, &sealed))
        .map_err(|e| pgp_error(&e))
}

#[pyfunction]
#[pyo3(signature = (message, keys, verify_with))]
fn pgp_decrypt(
    py: Python<'_>,
    message: &[u8],
    keys: Vec<PyRef<'_, PyKey>>,
    verify_with: Vec<PyRef<'_, PyKey>>,
) -> PyResult<PyDecrypted> {
    let (keys, verify_with) = (inner_keys(&keys), inner_keys(&verify_with));
    let decrypted = py
        .detach(|| pgp::decrypt(message, &keys, &verify_with, &PgpPolicy::new()))
        .map_err(|e| pgp_error(&e))?;
    Ok(PyDecrypted {
        content: bytes(py, &decrypted.content).unbind(),
        report: Py::new(
            py,
            PyDecryptionReport {
                inner: decrypted.report,
            },
        )?,
    })
}

#[pyfunction]
#[pyo3(signature = (message, signers))]
fn pgp_sign_message<'py>(
    py: Python<'py>,
    message: &[u8],
    signers: Vec<PyRef<'_, PyKey>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let signers = inner_keys(&signers);
    py.detach(|| mime::sign(message, &signers, &PgpPolicy::new()))
        .map(|signed| bytes(py, &signed))
        .map_err(|e| pgp_error(&e))
}

#[pyfunction]
#[pyo3(signature = (message, recipients, sign_with))]
fn pgp_encrypt_message<'py>(
    py: Python<'py>,
    message: &[u8],
    recipients: Vec<PyRef<'_, PyKey>>,
    sign_with: Vec<PyRef<'_, PyKey>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (recipients, sign_with) = (inner_keys(&recipients), inner_keys(&sign_with));
    py.detach(|| mime::encrypt(message, &recipients, &sign_with, &PgpPolicy::new()))
        .map(|sealed| bytes(py, &sealed))
        .map_err(|e| pgp_error(&e))
}

#[pyfunction]
#[pyo3(signature = (message, keys, certs))]
fn pgp_open_message(
    py: Python<'_>,
    message: &[u8],
    keys: Vec<PyRef<'_, PyKey>>,
    certs: Vec<PyRef<'_, PyKey>>,
) -> PyResult<PyOpened> {
    let (keys, certs) = (inner_keys(&keys), inner_keys(&certs));
    let mut opened = py
        .detach(|| mime::open(message, &keys, &certs, &PgpPolicy::new()))
        .map_err(|e| pgp_error(&e))?;
    let content = bytes(py, &std::mem::take(&mut opened.content)).unbind();
    Ok(PyOpened {
        inner: opened,
        content,
    })
}

pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyKey>()?;
    module.add_class::<PyKeyStore>()?;
    module.add_class::<PySignatureReport>()?;
    module.add_class::<PyPgpVerificationReport>()?;
    module.add_class::<PyDecryptionReport>()?;
    module.add_class::<PyVerified>()?;
    module.add_class::<PyDecrypted>()?;
    module.add_class::<PyHeaderCheck>()?;
    module.add_class::<PyOpened>()?;
    module.add_function(wrap_pyfunction!(pgp_sign, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_verify, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_verify_inline, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_encrypt, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_decrypt, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_sign_message, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_encrypt_message, module)?)?;
    module.add_function(wrap_pyfunction!(pgp_open_message, module)?)?;
    Ok(())
}
