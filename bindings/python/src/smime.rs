//! `mailsec.smime`: S/MIME signing and verification (RFC 8551, RFC 5652) carrying
//! SecureHeaderFields (RFC 7508), over the facade's `mailsec::smime`.
//!
//! Every class is frozen. Signing and verification release the GIL. A signature, chain, address
//! or header field that does not verify is an entry of the report, never an exception:
//! `SmimeError` is for input, keys and certificates that cannot be read at all.

use facade::smime::{
    self, AddressMatch, ChainOutcome, HeadersOutcome, PathVerdict, SignOptions, SignatureAlgorithm,
    SignatureVerdict, SignedForm, Signer, SignerIdentifierKind, SignerReport, SmimeReport,
    TrustAnchors, VerifyOptions,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::bytes;
use crate::headers::{PyPolicy, PyVerificationReport};

import_exception!(mailsec.smime, SmimeError);

/// `SmimeError(message, code, bad_input)`.
fn smime_error(error: &smime::Error) -> PyErr {
    SmimeError::new_err((error.to_string(), error.code(), error.is_bad_input()))
}

fn algorithm_from_name(name: &str) -> PyResult<SignatureAlgorithm> {
    SignatureAlgorithm::from_name(name).ok_or_else(|| {
        let known = smime::ALL_SIGNATURE_ALGORITHMS
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ");
        PyValueError::new_err(format!(
            "unknown signature algorithm {name:?} (expected one of {known})"
        ))
    })
}

/// The name serde gives a unit enum variant (`"digest_mismatch"`, `"sha256"`): the spelling
/// of the JSON report, so that attributes and `to_json()` agree.
fn wire_name(value: serde_json::Result<serde_json::Value>) -> String {
    match value {
        Ok(serde_json::Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

/// Who signs: a certificate, the intermediates sent with it, and its private key.
#[pyclass(module = "mailsec.smime", name = "Signer", frozen)]
struct PySigner {
    inner: Signer,
}

#[pymethods]
impl PySigner {
    #[classmethod]
    #[pyo3(signature = (cert, key, *, chain = None, algorithm = None, subject_key_identifier = false))]
    fn from_pem(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        cert: &[u8],
        key: &[u8],
        chain: Option<&[u8]>,
        algorithm: Option<&str>,
        subject_key_identifier: bool,
    ) -> PyResult<Self> {
        let algorithm = algorithm.map(algorithm_from_name).transpose()?;
        py.detach(|| {
            let mut signer = match algorithm {
                Some(algorithm) => Signer::from_pem_with_algorithm(cert, key, algorithm)?,
                None => Signer::from_pem(cert, key)?,
            };
            if let Some(chain) = chain {
                signer = signer.with_chain(smime::load_certificates(chain)?);
            }
            if subject_key_identifier {
                signer = signer.with_identifier(SignerIdentifierKind::SubjectKeyIdentifier);
            }
            Ok(signer)
        })
        .map(|inner| PySigner { inner })
        .map_err(|e: smime::Error| smime_error(&e))
    }

    #[getter]
    fn subject(&self) -> String {
        smime::subject(self.inner.certificate())
    }

    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.key().algorithm().name()
    }

    #[getter]
    fn email_addresses(&self) -> Vec<String> {
        smime::email_addresses(self.inner.certificate())
    }

    fn __repr__(&self) -> String {
        format!(
            "<Signer {:?} {} (chain of {})>",
            smime::subject(self.inner.certificate()),
            self.inner.key().algorithm().name(),
            self.inner.chain().len()
        )
    }
}

/// What verification trusts: the anchors, and intermediates a message may not carry.
#[pyclass(module = "mailsec.smime", name = "TrustStore", frozen)]
struct PyTrustStore {
    /// Trust anchors and extra certificates; the per-call options are set on a copy.
    options: VerifyOptions,
}

#[pymethods]
impl PyTrustStore {
    #[classmethod]
    #[pyo3(signature = (anchors, *, intermediates = None))]
    fn from_pem(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        anchors: &[u8],
        intermediates: Option<&[u8]>,
    ) -> PyResult<Self> {
        py.detach(|| {
            let mut options = VerifyOptions::new(TrustAnchors::from_pem(anchors)?);
            if let Some(intermediates) = intermediates {
                options.certificates = smime::load_certificates(intermediates)?;
            }
            Ok(options)
        })
        .map(|options| PyTrustStore { options })
        .map_err(|e: smime::Error| smime_error(&e))
    }

    #[getter]
    fn anchor_count(&self) -> usize {
        self.options.trust.len()
    }

    #[getter]
    fn intermediate_count(&self) -> usize {
        self.options.certificates.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<TrustStore {} anchors, {} intermediates>",
            self.options.trust.len(),
            self.options.certificates.len()
        )
    }
}

/// The secured header fields were not compared with the message, and why.
#[pyclass(module = "mailsec.smime", name = "UncheckedHeaders", frozen)]
struct PyUncheckedHeaders {
    /// Any outcome but `Checked`.
    inner: HeadersOutcome,
}

#[pymethods]
impl PyUncheckedHeaders {
    #[getter]
    fn outcome(&self) -> &'static str {
        // The `outcome` tag of the JSON report.
        match &self.inner {
            HeadersOutcome::NotSecured { .. } => "not_secured",
            HeadersOutcome::SignersDisagree => "signers_disagree",
            HeadersOutcome::Malformed { .. } => "malformed",
            HeadersOutcome::Checked(_) => "checked",
            HeadersOutcome::Unchecked(_) => "unchecked",
        }
    }

    #[getter]
    fn valid(&self) -> bool {
        self.inner.is_valid()
    }

    #[getter]
    fn mandatory(&self) -> Vec<String> {
        match &self.inner {
            HeadersOutcome::NotSecured { mandatory } => mandatory.clone(),
            _ => Vec::new(),
        }
    }

    #[getter]
    fn reason(&self) -> Option<String> {
        match &self.inner {
            HeadersOutcome::Malformed { reason } => Some(reason.clone()),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<UncheckedHeaders {} ({})>",
            self.outcome(),
            if self.inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            }
        )
    }
}

/// `Report.headers`: the header check's report, or why there is none.
#[derive(IntoPyObject)]
enum Headers {
    Checked(PyVerificationReport),
    Unchecked(PyUncheckedHeaders),
}

/// One SignerInfo's outcome.
#[pyclass(module = "mailsec.smime", name = "SignerReport", frozen)]
struct PySignerReport {
    inner: SignerReport,
}

#[pymethods]
impl PySignerReport {
    #[getter]
    fn valid(&self) -> bool {
        self.inner.is_valid()
    }

    #[getter]
    fn subject(&self) -> Option<String> {
        self.inner.identity.as_ref().map(|i| i.subject.clone())
    }

    #[getter]
    fn issuer(&self) -> Option<String> {
        self.inner.identity.as_ref().map(|i| i.issuer.clone())
    }

    #[getter]
    fn serial(&self) -> Option<String> {
        self.inner.identity.as_ref().map(|i| i.serial.clone())
    }

    #[getter]
    fn email_addresses(&self) -> Vec<String> {
        self.inner
            .identity
            .as_ref()
            .map(|i| i.email_addresses.clone())
            .unwrap_or_default()
    }

    #[getter]
    fn signer_id(&self) -> &str {
        &self.inner.signer_id
    }

    #[getter]
    fn algorithm(&self) -> &str {
        &self.inner.algorithm
    }

    #[getter]
    fn digest(&self) -> Option<String> {
        self.inner
            .digest
            .as_ref()
            .map(|d| wire_name(serde_json::to_value(d)))
    }

    #[getter]
    fn signing_time(&self) -> Option<u64> {
        self.inner.signing_time
    }

    #[getter]
    fn signature_valid(&self) -> bool {
        self.inner.signature == SignatureVerdict::Valid
    }

    #[getter]
    fn signature_failure(&self) -> Option<String> {
        match &self.inner.signature {
            SignatureVerdict::Valid => None,
            SignatureVerdict::Invalid { reason, .. } => {
                Some(wire_name(serde_json::to_value(reason)))
            }
        }
    }

    #[getter]
    fn signature_detail(&self) -> Option<&str> {
        match &self.inner.signature {
            SignatureVerdict::Valid => None,
            SignatureVerdict::Invalid { detail, .. } => Some(detail),
        }
    }

    #[getter]
    fn chain_valid(&self) -> bool {
        matches!(&self.inner.chain, ChainOutcome::Checked(p) if p.is_valid())
    }

    #[getter]
    fn chain_failure(&self) -> Option<String> {
        match &self.inner.chain {
            ChainOutcome::Checked(path) => match &path.verdict {
                PathVerdict::Valid => None,
                PathVerdict::Invalid { reason, .. } => {
                    Some(wire_name(serde_json::to_value(reason)))
                }
            },
            ChainOutcome::NotChecked => Some("not_checked".to_owned()),
        }
    }

    #[getter]
    fn address_matched(&self) -> bool {
        matches!(self.inner.address, AddressMatch::Matched { .. })
    }

    #[getter]
    fn secures_headers(&self) -> bool {
        self.inner.secures_headers
    }

    fn __repr__(&self) -> String {
        let who = self
            .inner
            .identity
            .as_ref()
            .map_or(&self.inner.signer_id, |i| &i.subject);
        format!(
            "<SignerReport {who:?} {} {}>",
            self.inner.algorithm,
            if self.inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            }
        )
    }
}

/// The result of verifying a signed message.
#[pyclass(module = "mailsec.smime", name = "Report", frozen)]
struct PyReport {
    inner: SmimeReport,
}

#[pymethods]
impl PyReport {
    #[getter]
    fn valid(&self) -> bool {
        self.inner.is_valid()
    }

    #[getter]
    fn form(&self) -> &'static str {
        self.inner.form.name()
    }

    #[getter]
    fn signers(&self) -> Vec<PySignerReport> {
        self.inner
            .signers
            .iter()
            .map(|s| PySignerReport { inner: s.clone() })
            .collect()
    }

    #[getter]
    fn headers(&self) -> Headers {
        match &self.inner.headers {
            HeadersOutcome::Checked(report) => Headers::Checked(PyVerificationReport {
                inner: report.clone(),
            }),
            other => Headers::Unchecked(PyUncheckedHeaders {
                inner: other.clone(),
            }),
        }
    }

    #[getter]
    fn failures(&self) -> Vec<String> {
        self.inner.failures()
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Report {} {} ({} signers, {} failures)>",
            self.inner.form.name(),
            if self.inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            },
            self.inner.signers.len(),
            self.inner.failures().len()
        )
    }
}

#[pyfunction]
#[pyo3(signature = (message, signers, policy, opaque, signing_time))]
fn smime_sign<'py>(
    py: Python<'py>,
    message: &[u8],
    signers: Vec<PyRef<'_, PySigner>>,
    policy: Option<PyRef<'_, PyPolicy>>,
    opaque: bool,
    signing_time: Option<u64>,
) -> PyResult<Bound<'py, PyBytes>> {
    let signers: Vec<Signer> = signers.iter().map(|s| s.inner.clone()).collect();
    let options = SignOptions {
        form: if opaque {
            SignedForm::Opaque
        } else {
            SignedForm::Detached
        },
        signing_time,
        secure_headers: policy.map(|p| p.inner.clone()),
        ..SignOptions::default()
    };
    py.detach(|| smime::sign_message(message, &signers, &options))
        .map(|signed| bytes(py, &signed))
        .map_err(|e| smime_error(&e))
}

#[pyfunction]
#[pyo3(signature = (message, trust, policy, time, allow_sha1))]
fn smime_verify(
    py: Python<'_>,
    message: &[u8],
    trust: PyRef<'_, PyTrustStore>,
    policy: Option<PyRef<'_, PyPolicy>>,
    time: Option<u64>,
    allow_sha1: bool,
) -> PyResult<PyReport> {
    let mut options = trust.options.clone();
    options.time = time;
    options.allow_sha1 = allow_sha1;
    options.secure_headers = policy.map(|p| p.inner.clone());
    py.detach(|| smime::verify_message(message, &options))
        .map(|inner| PyReport { inner })
        .map_err(|e| smime_error(&e))
}

pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PySigner>()?;
    module.add_class::<PyTrustStore>()?;
    module.add_class::<PyUncheckedHeaders>()?;
    module.add_class::<PySignerReport>()?;
    module.add_class::<PyReport>()?;
    module.add_function(wrap_pyfunction!(smime_sign, module)?)?;
    module.add_function(wrap_pyfunction!(smime_verify, module)?)?;
    Ok(())
}
