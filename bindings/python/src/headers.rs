//! `mailsec.headers`: the SecureHeaderFields signed attribute (RFC 7508,
//! draft-cailleux-secure-headers-05): build, encode, decode, verify, and the DCA transforms.
//!
//! Every class is frozen: a value decoded or built here never changes. Field values cross into
//! Python as `str` (invalid UTF-8 replaced by U+FFFD, as in the JSON report) and, where a value
//! can hold arbitrary bytes, also as `bytes`.

use facade::headers::{
    self, CanonAlgorithm, FieldValue, Limits, Profile, SecureHeaderField, SecureHeaderFields,
    Verdict,
};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::bytes;

import_exception!(mailsec._errors, MailsecError);
import_exception!(mailsec.headers, HeadersError);
import_exception!(mailsec.headers, PolicyError);

/// `HeadersError(message, code, offset, field)`.
fn headers_error(error: &headers::Error) -> PyErr {
    HeadersError::new_err((
        error.to_string(),
        error.code(),
        error.offset(),
        error.field().map(str::to_owned),
    ))
}

/// `PolicyError(message, line, column)`.
fn policy_error(error: &headers::PolicyError) -> PyErr {
    PolicyError::new_err((error.to_string(), error.line, error.column))
}

fn facade_error(error: &facade::Error) -> PyErr {
    match error {
        facade::Error::SecureHeaders(e) => headers_error(e),
        facade::Error::Policy(e) => policy_error(e),
        facade::Error::Io { .. } => PyOSError::new_err(error.to_string()),
        _ => MailsecError::new_err(error.to_string()),
    }
}

fn profile_from_name(name: &str) -> PyResult<Profile> {
    Profile::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown secure-headers profile {name:?} (expected \"rfc7508\" or \"draft-05\")"
        ))
    })
}

fn algorithm_from_name(name: &str) -> PyResult<CanonAlgorithm> {
    CanonAlgorithm::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown canonicalization {name:?} (expected \"simple\" or \"relaxed\")"
        ))
    })
}

/// The value as Python text: invalid UTF-8 replaced by U+FFFD, as the JSON report does.
fn text(value: &FieldValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

/// The limits of `policy`, or the defaults when there is none.
fn limits_of(policy: Option<&PyPolicy>) -> Limits {
    policy.map_or_else(Limits::default, |p| *p.inner.limits())
}

/// A checked secure-headers policy: the `[secure_headers]` table of a mailsec policy file.
#[pyclass(module = "mailsec.headers", name = "Policy", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyPolicy {
    pub(crate) inner: headers::Policy,
}

#[pymethods]
impl PyPolicy {
    #[classmethod]
    fn from_toml(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        let policy = facade::Policy::from_toml_str(text).map_err(|e| facade_error(&e))?;
        let inner = policy
            .require_secure_headers()
            .map_err(|e| facade_error(&e))?
            .clone();
        Ok(PyPolicy { inner })
    }

    #[getter]
    fn profile(&self) -> &'static str {
        self.inner.profile().name()
    }

    #[getter]
    fn accepted_profiles(&self) -> Vec<&'static str> {
        self.inner
            .accepted_profiles()
            .iter()
            .map(|p| p.name())
            .collect()
    }

    #[getter]
    fn canonicalization(&self) -> &'static str {
        self.inner.canonicalization().name()
    }

    #[getter]
    fn fields(&self) -> Vec<String> {
        self.inner.fields().to_vec()
    }

    #[getter]
    fn mandatory(&self) -> Vec<String> {
        self.inner.mandatory().to_vec()
    }

    fn secures(&self, name: &str) -> bool {
        self.inner.secures(name)
    }

    fn status(&self, name: &str) -> Option<&'static str> {
        self.inner.rule(name).map(|r| r.status().name())
    }

    fn __repr__(&self) -> String {
        format!(
            "<Policy profile={:?} canonicalization={:?} fields={:?} mandatory={:?}>",
            self.inner.profile().name(),
            self.inner.canonicalization().name(),
            self.inner.fields(),
            self.inner.mandatory(),
        )
    }
}

/// One secured header field: canonical name, canonical value and status.
#[pyclass(module = "mailsec.headers", name = "HeaderField", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
struct PyHeaderField {
    inner: SecureHeaderField,
}

#[pymethods]
impl PyHeaderField {
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    #[getter]
    fn value(&self) -> String {
        text(&self.inner.value)
    }

    #[getter]
    fn value_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.value.as_bytes())
    }

    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.name()
    }

    fn __repr__(&self) -> String {
        format!(
            "HeaderField({:?}, {:?}, {:?})",
            self.inner.name,
            text(&self.inner.value),
            self.inner.status.name()
        )
    }
}

/// The SecureHeaderFields structure: the canonicalization and the secured fields of a message.
#[pyclass(
    module = "mailsec.headers",
    name = "SecureHeaderFields",
    frozen,
    eq,
    hash
)]
#[derive(PartialEq, Eq, Hash)]
struct PySecureHeaderFields {
    inner: SecureHeaderFields,
}

#[pymethods]
impl PySecureHeaderFields {
    #[classmethod]
    #[pyo3(signature = (data, profile = "rfc7508", *, policy = None))]
    fn from_der(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        data: &[u8],
        profile: &str,
        policy: Option<PyRef<'_, PyPolicy>>,
    ) -> PyResult<Self> {
        let profile = profile_from_name(profile)?;
        let limits = limits_of(policy.as_deref());
        py.detach(|| SecureHeaderFields::from_der(data, profile, &limits))
            .map(|inner| PySecureHeaderFields { inner })
            .map_err(|e| headers_error(&e))
    }

    #[classmethod]
    #[pyo3(
        signature = (data, accept = vec!["rfc7508".to_owned()], *, policy = None),
        text_signature = "(data, accept=('rfc7508',), *, policy=None)"
    )]
    fn from_attribute_der(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        data: &[u8],
        accept: Vec<String>,
        policy: Option<PyRef<'_, PyPolicy>>,
    ) -> PyResult<(&'static str, Self)> {
        let accepted = accept
            .iter()
            .map(|name| profile_from_name(name))
            .collect::<PyResult<Vec<_>>>()?;
        if accepted.is_empty() {
            return Err(PyValueError::new_err(
                "accept must name at least one profile",
            ));
        }
        let limits = limits_of(policy.as_deref());
        py.detach(|| SecureHeaderFields::from_attribute_der(data, &accepted, &limits))
            .map(|(profile, inner)| (profile.name(), PySecureHeaderFields { inner }))
            .map_err(|e| headers_error(&e))
    }

    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm.name()
    }

    #[getter]
    fn fields(&self) -> Vec<PyHeaderField> {
        self.inner
            .fields
            .iter()
            .map(|f| PyHeaderField { inner: f.clone() })
            .collect()
    }

    #[pyo3(signature = (profile = "rfc7508"))]
    fn to_der<'py>(&self, py: Python<'py>, profile: &str) -> PyResult<Bound<'py, PyBytes>> {
        let profile = profile_from_name(profile)?;
        self.inner
            .to_der(profile)
            .map(|der| bytes(py, &der))
            .map_err(|e| headers_error(&e))
    }

    #[pyo3(signature = (profile = "rfc7508"))]
    fn to_attribute_der<'py>(
        &self,
        py: Python<'py>,
        profile: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let profile = profile_from_name(profile)?;
        self.inner
            .to_attribute_der(profile)
            .map(|der| bytes(py, &der))
            .map_err(|e| headers_error(&e))
    }

    fn __len__(&self) -> usize {
        self.inner.fields.len()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        let fields = self
            .inner
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.status.name()))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "<SecureHeaderFields {} [{fields}]>",
            self.inner.algorithm.name()
        )
    }
}

/// One field of the signature checked against the message.
#[pyclass(module = "mailsec.headers", name = "FieldReport", frozen)]
struct PyFieldReport {
    inner: headers::FieldReport,
}

#[pymethods]
impl PyFieldReport {
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    #[getter]
    fn signed_value(&self) -> String {
        text(&self.inner.signed_value)
    }

    #[getter]
    fn signed_value_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.signed_value.as_bytes())
    }

    #[getter]
    fn message_values(&self) -> Vec<String> {
        self.inner.message_values.iter().map(text).collect()
    }

    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.name()
    }

    #[getter]
    fn verdict(&self) -> &'static str {
        match self.inner.verdict {
            Verdict::Match => "match",
            Verdict::Mismatch(_) => "mismatch",
            Verdict::MissingFromMessage => "missing",
        }
    }

    #[getter]
    fn reason(&self) -> Option<String> {
        match &self.inner.verdict {
            Verdict::Mismatch(reason) => Some(reason.to_string()),
            Verdict::Match | Verdict::MissingFromMessage => None,
        }
    }

    fn __repr__(&self) -> String {
        format!("<FieldReport {:?} {}>", self.inner.name, self.verdict())
    }
}

/// A secured field in the message that the signature does not account for.
#[pyclass(module = "mailsec.headers", name = "ExtraField", frozen)]
struct PyExtraField {
    inner: headers::ExtraField,
}

#[pymethods]
impl PyExtraField {
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    #[getter]
    fn value(&self) -> String {
        text(&self.inner.value)
    }

    #[getter]
    fn value_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.value.as_bytes())
    }

    fn __repr__(&self) -> String {
        format!(
            "ExtraField({:?}, {:?})",
            self.inner.name,
            text(&self.inner.value)
        )
    }
}

/// A mandatory field the signature does not secure.
#[pyclass(module = "mailsec.headers", name = "MandatoryMissing", frozen)]
struct PyMandatoryMissing {
    inner: headers::MandatoryMissing,
}

#[pymethods]
impl PyMandatoryMissing {
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    #[getter]
    fn in_message(&self) -> bool {
        self.inner.in_message
    }

    fn __repr__(&self) -> String {
        format!(
            "MandatoryMissing({:?}, in_message={})",
            self.inner.name,
            if self.inner.in_message {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// What verification of the secured header fields found (draft §4.5.2 steps 2–7).
#[pyclass(module = "mailsec.headers", name = "VerificationReport", frozen)]
pub(crate) struct PyVerificationReport {
    pub(crate) inner: headers::VerificationReport,
}

#[pymethods]
impl PyVerificationReport {
    #[getter]
    fn valid(&self) -> bool {
        self.inner.is_valid()
    }

    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm.name()
    }

    #[getter]
    fn fields(&self) -> Vec<PyFieldReport> {
        self.inner
            .fields
            .iter()
            .map(|f| PyFieldReport { inner: f.clone() })
            .collect()
    }

    #[getter]
    fn extra(&self) -> Vec<PyExtraField> {
        self.inner
            .extra
            .iter()
            .map(|f| PyExtraField { inner: f.clone() })
            .collect()
    }

    #[getter]
    fn mandatory_missing(&self) -> Vec<PyMandatoryMissing> {
        self.inner
            .mandatory_missing
            .iter()
            .map(|f| PyMandatoryMissing { inner: f.clone() })
            .collect()
    }

    fn field(&self, name: &str) -> Option<PyFieldReport> {
        self.inner
            .field(name)
            .map(|f| PyFieldReport { inner: f.clone() })
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<VerificationReport {} ({} fields, {} failures, {} extra, {} mandatory missing)>",
            if self.inner.is_valid() {
                "valid"
            } else {
                "INVALID"
            },
            self.inner.fields.len(),
            self.inner.failures().count(),
            self.inner.extra.len(),
            self.inner.mandatory_missing.len(),
        )
    }
}

#[pyfunction]
fn headers_build(
    py: Python<'_>,
    message: &[u8],
    policy: PyRef<'_, PyPolicy>,
) -> PyResult<PySecureHeaderFields> {
    let policy = &policy.inner;
    py.detach(|| headers::build(message, policy))
        .map(|inner| PySecureHeaderFields { inner })
        .map_err(|e| headers_error(&e))
}

#[pyfunction]
fn headers_verify(
    py: Python<'_>,
    shf: PyRef<'_, PySecureHeaderFields>,
    message: &[u8],
    policy: PyRef<'_, PyPolicy>,
) -> PyResult<PyVerificationReport> {
    let (shf, policy) = (&shf.inner, &policy.inner);
    py.detach(|| headers::verify(shf, message, policy))
        .map(|inner| PyVerificationReport { inner })
        .map_err(|e| headers_error(&e))
}

#[pyfunction]
fn headers_apply<'py>(
    py: Python<'py>,
    message: &[u8],
    shf: PyRef<'_, PySecureHeaderFields>,
    policy: PyRef<'_, PyPolicy>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (shf, policy) = (&shf.inner, &policy.inner);
    py.detach(|| headers::apply(message, shf, policy))
        .map(|out| bytes(py, &out))
        .map_err(|e| headers_error(&e))
}

#[pyfunction]
fn headers_restore<'py>(
    py: Python<'py>,
    message: &[u8],
    shf: PyRef<'_, PySecureHeaderFields>,
    policy: PyRef<'_, PyPolicy>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (shf, limits) = (&shf.inner, policy.inner.limits());
    py.detach(|| headers::restore(message, shf, limits))
        .map(|out| bytes(py, &out))
        .map_err(|e| headers_error(&e))
}

#[pyfunction]
#[pyo3(signature = (message, algorithm, policy))]
fn headers_canonicalize(
    py: Python<'_>,
    message: &[u8],
    algorithm: &str,
    policy: Option<PyRef<'_, PyPolicy>>,
) -> PyResult<Vec<(String, String)>> {
    let algorithm = algorithm_from_name(algorithm)?;
    let limits = limits_of(policy.as_deref());
    py.detach(|| headers::canon::canonical_header(message, algorithm, &limits))
        .map(|fields| {
            fields
                .into_iter()
                .map(|f| {
                    let value = text(&f.value);
                    (f.name, value)
                })
                .collect()
        })
        .map_err(|e| headers_error(&e))
}

pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyPolicy>()?;
    module.add_class::<PyHeaderField>()?;
    module.add_class::<PySecureHeaderFields>()?;
    module.add_class::<PyFieldReport>()?;
    module.add_class::<PyExtraField>()?;
    module.add_class::<PyMandatoryMissing>()?;
    module.add_class::<PyVerificationReport>()?;
    module.add_function(wrap_pyfunction!(headers_build, module)?)?;
    module.add_function(wrap_pyfunction!(headers_verify, module)?)?;
    module.add_function(wrap_pyfunction!(headers_apply, module)?)?;
    module.add_function(wrap_pyfunction!(headers_restore, module)?)?;
    module.add_function(wrap_pyfunction!(headers_canonicalize, module)?)?;
    Ok(())
}
