//! `mailsec.sieve`: Sieve scripts (RFC 5228) with externally stored lists (RFC 6134), over the
//! facade's `mailsec::sieve`.
//!
//! A script is compiled once into a frozen `Script` and evaluated any number of times, from any
//! number of threads; evaluation releases the GIL. The lists an evaluation queries are one of
//! the native backends (`MemoryLists`, `SqliteLists`, a file opened by `open_lists`) or any
//! Python object with a `contains(list_name, value)` method: the adapter below takes the GIL
//! back for each query. A Python resolver raising `mailsec.sieve.TemporaryListError` makes the
//! evaluation end in `SieveDeferError` (RFC 6134 §3: defer the delivery); any other exception
//! is a permanent list failure, a runtime error of the script (RFC 5228 §2.10.6).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use facade::sieve::{
    Action, Clock, CompileError, CompileErrorKind, Context, Enumeration, Envelope, Error, Limits,
    ListError, ListInfo, ListMatch, ListName, ListResolver, ListType, MemoryLists, NoLists,
    Outcome, Script, SqliteLists, TraceEvent,
};
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyMapping, PyString, PyType};

use crate::{TextOrBytes, bytes};

import_exception!(mailsec.sieve, SieveError);
import_exception!(mailsec.sieve, SieveCompileError);
import_exception!(mailsec.sieve, SieveRuntimeError);
import_exception!(mailsec.sieve, SieveLimitError);
import_exception!(mailsec.sieve, SieveDeferError);
import_exception!(mailsec.sieve, SieveListStoreError);
import_exception!(mailsec.sieve, TemporaryListError);

/// The `kind` attribute of `SieveCompileError`: one stable word per [`CompileErrorKind`].
fn compile_kind(kind: &CompileErrorKind) -> &'static str {
    match kind {
        CompileErrorKind::Syntax(_) => "syntax",
        CompileErrorKind::UnknownCommand(_) => "unknown-command",
        CompileErrorKind::UnknownTest(_) => "unknown-test",
        CompileErrorKind::UnsupportedExtension(_) => "unsupported-extension",
        CompileErrorKind::NotRequired { .. } => "not-required",
        CompileErrorKind::Arguments { .. } => "arguments",
        CompileErrorKind::ListWithComparator(_) => "list-with-comparator",
        CompileErrorKind::ListNotSupported(_) => "list-not-supported",
        CompileErrorKind::InvalidListName { .. } => "invalid-list-name",
        CompileErrorKind::Misplaced(_) => "misplaced",
        CompileErrorKind::Limit { .. } => "limit",
        _ => "other",
    }
}

/// `SieveCompileError(message, code, line, column, kind, detail, limit, max)`.
fn compile_error(error: &CompileError) -> PyErr {
    let (limit, max) = match &error.kind {
        CompileErrorKind::Limit { limit, max } => (Some(*limit), Some(*max)),
        _ => (None, None),
    };
    SieveCompileError::new_err((
        error.to_string(),
        "compile",
        error.position.line,
        error.position.column,
        compile_kind(&error.kind),
        error.kind.to_string(),
        limit,
        max,
    ))
}

/// The exception for an evaluation or list store error. Every class takes
/// `(message, code, line, column, *details)`.
fn sieve_error(error: &Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::Compile(e) => compile_error(e),
        Error::Defer { list, reason } => SieveDeferError::new_err((
            message,
            "defer",
            None::<u32>,
            None::<u32>,
            list.clone(),
            reason.to_string(),
        )),
        Error::Runtime { position, .. } => {
            SieveRuntimeError::new_err((message, "runtime", position.line, position.column))
        }
        Error::Limit {
            position,
            limit,
            max,
        } => SieveLimitError::new_err((
            message,
            "limit",
            position.line,
            position.column,
            *limit,
            *max,
        )),
        Error::Store(_) => {
            SieveListStoreError::new_err((message, "store", None::<u32>, None::<u32>))
        }
        _ => SieveError::new_err((message, "internal", None::<u32>, None::<u32>)),
    }
}

fn store_error(message: String) -> PyErr {
    SieveListStoreError::new_err((message, "store", None::<u32>, None::<u32>))
}

fn list_type(name: &str) -> PyResult<ListType> {
    name.parse().map_err(PyValueError::new_err)
}

fn list_name(name: &str) -> PyResult<ListName> {
    ListName::parse(name).map_err(|e| store_error(e.to_string()))
}

/// RFC 5228 §2.2: a script is UTF-8. Bytes that are not are a syntax error at the first bad
/// byte, reported like any other compile error.
fn script_text(script: &TextOrBytes) -> PyResult<&str> {
    let data = script.as_bytes();
    std::str::from_utf8(data).map_err(|e| {
        let valid = data.get(..e.valid_up_to()).unwrap_or_default();
        let valid = String::from_utf8_lossy(valid);
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let detail = "syntax error: the script is not UTF-8 (RFC 5228 §2.2)";
        SieveCompileError::new_err((
            format!("{line}:{column}: {detail}"),
            "compile",
            line,
            column,
            "syntax",
            detail,
            None::<&str>,
            None::<u64>,
        ))
    })
}

/// `to_dict()`: the serde form as Python objects (the document the command line prints).
fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            (None, None) => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

fn json_error(error: &serde_json::Error) -> PyErr {
    SieveError::new_err((error.to_string(), "internal", None::<u32>, None::<u32>))
}

/// Evaluation and compile limits; every field defaults to the core's safe value.
#[pyclass(module = "mailsec.sieve", name = "Limits", frozen)]
struct PyLimits {
    inner: Limits,
}

#[pymethods]
impl PyLimits {
    #[new]
    #[pyo3(signature = (
        *, max_script_bytes = None, max_nesting = None, max_string_bytes = None,
        max_variables = None, max_variable_bytes = None, max_match_work = None,
        max_message_bytes = None, max_mime_parts = None, max_actions = None,
        max_redirects = None, max_list_queries = None, max_list_recipients = None,
        list_timeout = None
    ))]
    #[allow(clippy::too_many_arguments)] // one keyword argument per field
    fn new(
        max_script_bytes: Option<usize>,
        max_nesting: Option<usize>,
        max_string_bytes: Option<usize>,
        max_variables: Option<usize>,
        max_variable_bytes: Option<usize>,
        max_match_work: Option<u64>,
        max_message_bytes: Option<usize>,
        max_mime_parts: Option<usize>,
        max_actions: Option<usize>,
        max_redirects: Option<usize>,
        max_list_queries: Option<usize>,
        max_list_recipients: Option<usize>,
        list_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let mut inner = Limits::default();
        let fields = [
            (max_script_bytes, &mut inner.max_script_bytes),
            (max_nesting, &mut inner.max_nesting),
            (max_string_bytes, &mut inner.max_string_bytes),
            (max_variables, &mut inner.max_variables),
            (max_variable_bytes, &mut inner.max_variable_bytes),
            (max_message_bytes, &mut inner.max_message_bytes),
            (max_mime_parts, &mut inner.max_mime_parts),
            (max_actions, &mut inner.max_actions),
            (max_redirects, &mut inner.max_redirects),
            (max_list_queries, &mut inner.max_list_queries),
            (max_list_recipients, &mut inner.max_list_recipients),
        ];
        for (value, field) in fields {
            if let Some(value) = value {
                *field = value;
            }
        }
        if let Some(work) = max_match_work {
            inner.max_match_work = work;
        }
        if let Some(seconds) = list_timeout {
            inner.list_timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
                PyValueError::new_err("list_timeout must be a finite number of seconds, >= 0")
            })?;
        }
        Ok(PyLimits { inner })
    }

    #[getter]
    fn max_script_bytes(&self) -> usize {
        self.inner.max_script_bytes
    }
    #[getter]
    fn max_nesting(&self) -> usize {
        self.inner.max_nesting
    }
    #[getter]
    fn max_string_bytes(&self) -> usize {
        self.inner.max_string_bytes
    }
    #[getter]
    fn max_variables(&self) -> usize {
        self.inner.max_variables
    }
    #[getter]
    fn max_variable_bytes(&self) -> usize {
        self.inner.max_variable_bytes
    }
    #[getter]
    fn max_match_work(&self) -> u64 {
        self.inner.max_match_work
    }
    #[getter]
    fn max_message_bytes(&self) -> usize {
        self.inner.max_message_bytes
    }
    #[getter]
    fn max_mime_parts(&self) -> usize {
        self.inner.max_mime_parts
    }
    #[getter]
    fn max_actions(&self) -> usize {
        self.inner.max_actions
    }
    #[getter]
    fn max_redirects(&self) -> usize {
        self.inner.max_redirects
    }
    #[getter]
    fn max_list_queries(&self) -> usize {
        self.inner.max_list_queries
    }
    #[getter]
    fn max_list_recipients(&self) -> usize {
        self.inner.max_list_recipients
    }
    #[getter]
    fn list_timeout(&self) -> f64 {
        self.inner.list_timeout.as_secs_f64()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyLimits>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        let l = &self.inner;
        format!(
            "Limits(max_script_bytes={}, max_nesting={}, max_string_bytes={}, max_variables={}, \
             max_variable_bytes={}, max_match_work={}, max_message_bytes={}, max_mime_parts={}, \
             max_actions={}, max_redirects={}, max_list_queries={}, max_list_recipients={}, \
             list_timeout={:?})",
            l.max_script_bytes,
            l.max_nesting,
            l.max_string_bytes,
            l.max_variables,
            l.max_variable_bytes,
            l.max_match_work,
            l.max_message_bytes,
            l.max_mime_parts,
            l.max_actions,
            l.max_redirects,
            l.max_list_queries,
            l.max_list_recipients,
            l.list_timeout.as_secs_f64()
        )
    }
}

/// The SMTP envelope of one delivery (RFC 5228 §5.4). `from_` because `from` is a keyword.
#[pyclass(module = "mailsec.sieve", name = "Envelope", frozen)]
struct PyEnvelope {
    inner: Envelope,
}

#[pymethods]
impl PyEnvelope {
    #[new]
    #[pyo3(signature = (from_ = None, to = None, *, auth = None))]
    fn new(from_: Option<String>, to: Option<String>, auth: Option<String>) -> Self {
        PyEnvelope {
            inner: Envelope {
                from: from_,
                to,
                auth,
            },
        }
    }

    #[getter]
    fn from_(&self) -> Option<&str> {
        self.inner.from.as_deref()
    }
    #[getter]
    fn to(&self) -> Option<&str> {
        self.inner.to.as_deref()
    }
    #[getter]
    fn auth(&self) -> Option<&str> {
        self.inner.auth.as_deref()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyEnvelope>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Envelope(from_={}, to={}, auth={})",
            py_repr(self.inner.from.as_deref()),
            py_repr(self.inner.to.as_deref()),
            py_repr(self.inner.auth.as_deref())
        )
    }
}

/// A string or None as Python would print it (close enough for a `__repr__`).
fn py_repr(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("{v:?}"))
}

/// The envelope argument of `evaluate`: an `Envelope`, a mapping with the keys `"from"`,
/// `"to"` and `"auth"` (each a str or None), or None.
fn envelope_arg(envelope: Option<&Bound<'_, PyAny>>) -> PyResult<Envelope> {
    let Some(envelope) = envelope.filter(|e| !e.is_none()) else {
        return Ok(Envelope::default());
    };
    if let Ok(e) = envelope.cast::<PyEnvelope>() {
        return Ok(e.get().inner.clone());
    }
    let Ok(mapping) = envelope.cast::<PyMapping>() else {
        return Err(PyTypeError::new_err(
            "envelope must be an Envelope, a mapping of \"from\", \"to\" and \"auth\", or None",
        ));
    };
    let mut result = Envelope::default();
    for key in mapping.keys()?.iter() {
        let name: String = key.extract()?;
        let value: Option<String> = mapping.get_item(&key)?.extract()?;
        match name.as_str() {
            "from" => result.from = value,
            "to" => result.to = value,
            "auth" => result.auth = value,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown envelope part {other:?} (from, to, auth)"
                )));
            }
        }
    }
    Ok(result)
}

/// `now`: an aware datetime, for `currentdate` and the default zone of `date` (RFC 5260).
fn clock_arg(now: Option<&Bound<'_, PyAny>>) -> PyResult<Clock> {
    let Some(now) = now.filter(|n| !n.is_none()) else {
        return Ok(Clock::System);
    };
    let offset = now.call_method0("utcoffset")?;
    if offset.is_none() {
        return Err(PyValueError::new_err(
            "now must be a timezone-aware datetime (e.g. datetime.now(timezone.utc))",
        ));
    }
    let offset_seconds: f64 = offset.call_method0("total_seconds")?.extract()?;
    let timestamp: f64 = now.call_method0("timestamp")?.extract()?;
    // Whole seconds and whole minutes: what `currentdate` can show. Both are range-checked
    // by the conversion.
    let unix = i64::try_from(timestamp.floor() as i128)
        .map_err(|_| PyValueError::new_err("now is out of range"))?;
    let offset_minutes = i32::try_from((offset_seconds / 60.0).round() as i64)
        .map_err(|_| PyValueError::new_err("now has an impossible UTC offset"))?;
    Ok(Clock::Fixed {
        unix,
        offset_minutes,
    })
}

/// One action for the host to carry out. Each argument is an attribute, None for actions that
/// do not have it; `to_dict()` is the JSON form of the command line.
#[pyclass(module = "mailsec.sieve", name = "Action", frozen)]
struct PyAction {
    inner: Action,
}

#[pymethods]
impl PyAction {
    #[getter]
    fn action(&self) -> &'static str {
        self.inner.name()
    }
    #[getter]
    fn mailbox(&self) -> Option<&str> {
        match &self.inner {
            Action::Fileinto { mailbox, .. } => Some(mailbox.as_str()),
            _ => None,
        }
    }
    #[getter]
    fn address(&self) -> Option<&str> {
        match &self.inner {
            Action::Redirect { address, .. } => address.as_deref(),
            _ => None,
        }
    }
    #[getter]
    fn list(&self) -> Option<&str> {
        match &self.inner {
            Action::Redirect { list, .. } => list.as_deref(),
            _ => None,
        }
    }
    #[getter]
    fn reason(&self) -> Option<&str> {
        match &self.inner {
            Action::Reject { reason } | Action::Ereject { reason } => Some(reason.as_str()),
            Action::Enclose { reason, .. } => Some(reason.as_str()),
            _ => None,
        }
    }
    #[getter]
    fn method(&self) -> Option<&str> {
        match &self.inner {
            Action::Notify { method, .. } => Some(method.as_str()),
            _ => None,
        }
    }
    #[getter]
    fn from_(&self) -> Option<&str> {
        match &self.inner {
            Action::Notify { from, .. } => from.as_deref(),
            _ => None,
        }
    }
    #[getter]
    fn flags(&self) -> Option<Vec<String>> {
        match &self.inner {
            Action::Keep { flags, .. } | Action::Fileinto { flags, .. } => Some(flags.clone()),
            _ => None,
        }
    }
    #[getter]
    fn copy(&self) -> Option<bool> {
        match &self.inner {
            Action::Fileinto { copy, .. } | Action::Redirect { copy, .. } => Some(*copy),
            _ => None,
        }
    }
    #[getter]
    fn implicit(&self) -> Option<bool> {
        match &self.inner {
            Action::Keep { implicit, .. } => Some(*implicit),
            _ => None,
        }
    }
    #[getter]
    fn importance(&self) -> Option<u8> {
        match &self.inner {
            Action::Notify { importance, .. } => Some(*importance),
            _ => None,
        }
    }
    #[getter]
    fn options(&self) -> Option<Vec<String>> {
        match &self.inner {
            Action::Notify { options, .. } => Some(options.clone()),
            _ => None,
        }
    }
    #[getter]
    fn message(&self) -> Option<&str> {
        match &self.inner {
            Action::Notify { message, .. } => message.as_deref(),
            _ => None,
        }
    }
    #[getter]
    fn subject(&self) -> Option<&str> {
        match &self.inner {
            Action::Enclose { subject, .. } => subject.as_deref(),
            _ => None,
        }
    }
    #[getter]
    fn headers(&self) -> Option<Vec<String>> {
        match &self.inner {
            Action::Enclose { headers, .. } => Some(headers.clone()),
            _ => None,
        }
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(
            py,
            &serde_json::to_value(&self.inner).map_err(|e| json_error(&e))?,
        )
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| json_error(&e))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyAction>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> PyResult<u64> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.to_json()?.hash(&mut hasher);
        Ok(hasher.finish())
    }

    /// `Action(action='fileinto', mailbox='spam', flags=[], copy=False)`: the fields of the
    /// JSON form, in its order.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let value = serde_json::to_value(&self.inner).map_err(|e| json_error(&e))?;
        let mut parts = Vec::new();
        if let serde_json::Value::Object(map) = &value {
            for (key, item) in map {
                parts.push(format!("{key}={}", json_to_py(py, item)?.repr()?));
            }
        }
        Ok(format!("Action({})", parts.join(", ")))
    }
}

/// One test or command evaluated, when `trace=True`.
#[pyclass(module = "mailsec.sieve", name = "TraceEvent", frozen, get_all)]
struct PyTraceEvent {
    line: u32,
    column: u32,
    name: String,
    result: bool,
    detail: String,
}

impl From<&TraceEvent> for PyTraceEvent {
    fn from(event: &TraceEvent) -> Self {
        PyTraceEvent {
            line: event.position.line,
            column: event.position.column,
            name: event.name.clone(),
            result: event.result,
            detail: event.detail.clone(),
        }
    }
}

#[pymethods]
impl PyTraceEvent {
    fn __repr__(&self) -> String {
        format!(
            "<TraceEvent {}:{} {} {} {:?}>",
            self.line, self.column, self.name, self.result, self.detail
        )
    }
}

/// What an evaluation decided: the actions (the implicit keep last when it applies), the
/// trace, and the enclosed message. Iterating it iterates the actions.
#[pyclass(module = "mailsec.sieve", name = "Outcome", frozen, sequence)]
struct PyOutcome {
    inner: Outcome,
    actions: Vec<Py<PyAction>>,
    message: Option<Py<pyo3::types::PyBytes>>,
}

impl PyOutcome {
    fn new(py: Python<'_>, mut inner: Outcome) -> PyResult<Self> {
        let actions = inner
            .actions
            .iter()
            .map(|a| Py::new(py, PyAction { inner: a.clone() }))
            .collect::<PyResult<_>>()?;
        let message = inner.message.take().map(|m| bytes(py, &m).unbind());
        Ok(PyOutcome {
            inner,
            actions,
            message,
        })
    }

    fn action_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.actions.iter().map(|a| a.clone_ref(py)))
    }
}

#[pymethods]
impl PyOutcome {
    #[getter]
    fn actions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.action_list(py)
    }

    #[getter]
    fn implicit_keep(&self) -> bool {
        self.inner.implicit_keep()
    }

    #[getter]
    fn trace(&self) -> Vec<PyTraceEvent> {
        self.inner.trace.iter().map(PyTraceEvent::from).collect()
    }

    #[getter]
    fn message(&self, py: Python<'_>) -> Option<Py<pyo3::types::PyBytes>> {
        self.message.as_ref().map(|m| m.clone_ref(py))
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(
            py,
            &serde_json::to_value(&self.inner).map_err(|e| json_error(&e))?,
        )
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| json_error(&e))
    }

    fn __len__(&self) -> usize {
        self.actions.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<Py<PyAction>> {
        let len = isize::try_from(self.actions.len()).unwrap_or(isize::MAX);
        let at = if index < 0 { index + len } else { index };
        usize::try_from(at)
            .ok()
            .and_then(|at| self.actions.get(at))
            .map(|a| a.clone_ref(py))
            .ok_or_else(|| pyo3::exceptions::PyIndexError::new_err("action index out of range"))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.action_list(py)?.try_iter()?.into_any())
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.inner.actions.iter().map(Action::name).collect();
        format!("<Outcome [{}]>", names.join(", "))
    }
}

/// The lists of one evaluation: a native backend, or a Python object queried through
/// [`PyResolver`].
enum Source<'a> {
    None,
    Memory(&'a PyMemoryLists),
    Sqlite(&'a PySqliteLists),
    Opened(&'a PyLists),
    Python(PyResolver),
}

impl<'a> Source<'a> {
    fn from_arg(lists: Option<&'a Bound<'_, PyAny>>, timeout: Duration) -> PyResult<Self> {
        let Some(lists) = lists.filter(|l| !l.is_none()) else {
            return Ok(Source::None);
        };
        if let Ok(m) = lists.cast::<PyMemoryLists>() {
            return Ok(Source::Memory(m.get()));
        }
        if let Ok(s) = lists.cast::<PySqliteLists>() {
            return Ok(Source::Sqlite(s.get()));
        }
        if let Ok(o) = lists.cast::<PyLists>() {
            return Ok(Source::Opened(o.get()));
        }
        if !lists.hasattr("contains")? {
            return Err(PyTypeError::new_err(
                "lists must be MemoryLists, SqliteLists, the result of open_lists(), or an \
                 object with a contains(list_name, value) method",
            ));
        }
        Ok(Source::Python(PyResolver {
            object: lists.clone().unbind(),
            timeout,
            failure: Mutex::new(None),
        }))
    }

    /// Runs `f` with the resolver; the memory lists stay read-locked meanwhile.
    fn with<R>(&self, f: impl FnOnce(&dyn ListResolver) -> R) -> R {
        match self {
            Source::None => f(&NoLists),
            Source::Memory(m) => f(&*m.inner.read().unwrap_or_else(PoisonError::into_inner)),
            Source::Sqlite(s) => f(&s.inner),
            Source::Opened(o) => f(&*o.inner),
            Source::Python(p) => f(p),
        }
    }

    /// The exception a Python resolver raised, to chain to (or, for `KeyboardInterrupt` and
    /// other non-`Exception`s, to raise instead of) the evaluation error.
    fn take_failure(&self) -> Option<PyErr> {
        match self {
            Source::Python(p) => p
                .failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
            _ => None,
        }
    }
}

/// A Python object as a [`ListResolver`]: `contains(list_name, value) -> bool | str`, and
/// optionally `members(list_name)`, `is_valid(list_name)` and `schemes()`. The list name passed
/// is [`ListName::key`]. Every call takes the GIL back (`Python::attach`): the evaluation runs
/// without it.
struct PyResolver {
    object: Py<PyAny>,
    /// `Limits::list_timeout`, for the error when the deadline passes between two queries.
    timeout: Duration,
    /// The first exception the object raised.
    failure: Mutex<Option<PyErr>>,
}

impl PyResolver {
    /// RFC 6134 §3: `TemporaryListError` defers the delivery; any other exception is a
    /// permanent failure, a runtime error of the script.
    fn fail(&self, py: Python<'_>, error: PyErr) -> ListError {
        let temporary = error.is_instance_of::<TemporaryListError>(py);
        let text = match error.value(py).to_string() {
            text if !text.is_empty() => text,
            _ => error
                .get_type(py)
                .name()
                .map_or_else(|_| "exception".to_owned(), |n| n.to_string()),
        };
        let mut slot = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(error);
        }
        if temporary {
            ListError::Temporary(text)
        } else {
            ListError::Permanent(text)
        }
    }

    fn check_deadline(&self, deadline: Instant) -> Result<(), ListError> {
        if Instant::now() >= deadline {
            return Err(ListError::Timeout(self.timeout));
        }
        Ok(())
    }
}

impl ListResolver for PyResolver {
    fn schemes(&self) -> Vec<String> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            if !object.hasattr("schemes").unwrap_or(false) {
                return Vec::new();
            }
            object
                .call_method0("schemes")
                .and_then(|s| s.extract::<Vec<String>>())
                .unwrap_or_default()
        })
    }

    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            // Without is_valid, every well-formed name is taken to exist.
            match object.hasattr("is_valid") {
                Ok(false) => return Ok(true),
                Err(e) => return Err(self.fail(py, e)),
                Ok(true) => {}
            }
            object
                .call_method1("is_valid", (list.key(),))
                .and_then(|r| r.is_truthy())
                .map_err(|e| self.fail(py, e))
        })
    }

    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            // RFC 6134 §2.2: stop at the first value that is on the list.
            for (value_index, value) in values.iter().enumerate() {
                self.check_deadline(deadline)?;
                let found = object
                    .call_method1("contains", (list.key(), *value))
                    .map_err(|e| self.fail(py, e))?;
                let entry = if found.is_instance_of::<PyString>() {
                    let entry: String = found.extract().map_err(|e| self.fail(py, e))?;
                    (!entry.is_empty()).then_some(entry)
                } else if found.is_truthy().map_err(|e| self.fail(py, e))? {
                    Some((*value).to_owned())
                } else {
                    None
                };
                if let Some(entry) = entry {
                    return Ok(Some(ListMatch { value_index, entry }));
                }
            }
            Ok(None)
        })
    }

    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            match object.hasattr("members") {
                Ok(false) => return Ok(Enumeration::NotEnumerable),
                Err(e) => return Err(self.fail(py, e)),
                Ok(true) => {}
            }
            self.check_deadline(deadline)?;
            let members = object
                .call_method1("members", (list.key(),))
                .map_err(|e| self.fail(py, e))?;
            if members.is_none() {
                return Ok(Enumeration::NotEnumerable);
            }
            // At most max + 1: enough to tell the caller the list is too long.
            let mut result = Vec::new();
            for member in members.try_iter().map_err(|e| self.fail(py, e))? {
                if result.len() > max {
                    break;
                }
                let member = member.and_then(|m| m.extract::<String>());
                result.push(member.map_err(|e| self.fail(py, e))?);
            }
            Ok(Enumeration::Members(result))
        })
    }
}

/// The query helpers every native backend offers to Python (handy to check an import).
fn contains_in(
    py: Python<'_>,
    lists: &dyn ListResolver,
    list: &str,
    value: &str,
) -> PyResult<Option<String>> {
    let name = list_name(list)?;
    let deadline = Instant::now() + Limits::default().list_timeout;
    py.detach(|| lists.find_first(&name, &[value], deadline))
        .map(|m| m.map(|m| m.entry))
        .map_err(|e| list_error(list, e))
}

fn is_valid_in(py: Python<'_>, lists: &dyn ListResolver, list: &str) -> PyResult<bool> {
    let name = list_name(list)?;
    py.detach(|| lists.is_valid(&name))
        .map_err(|e| list_error(list, e))
}

/// A list error outside an evaluation: temporary ones are `SieveDeferError` as in one.
fn list_error(list: &str, reason: ListError) -> PyErr {
    if reason.is_temporary() {
        sieve_error(&Error::Defer {
            list: list.to_owned(),
            reason,
        })
    } else {
        store_error(format!("list {list}: {reason}"))
    }
}

/// Lists held in memory (a dict of lists, in effect); `insert` replaces a list.
#[pyclass(module = "mailsec.sieve", name = "MemoryLists", frozen)]
struct PyMemoryLists {
    inner: RwLock<MemoryLists>,
}

#[pymethods]
impl PyMemoryLists {
    #[new]
    fn new() -> Self {
        PyMemoryLists {
            inner: RwLock::new(MemoryLists::new()),
        }
    }

    #[classmethod]
    fn from_toml(_cls: &Bound<'_, PyType>, py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| MemoryLists::from_toml_file(&path))
            .map(|inner| PyMemoryLists {
                inner: RwLock::new(inner),
            })
            .map_err(|e| sieve_error(&e))
    }

    // The write lock is taken without the GIL: an evaluation in another thread holds the read
    // lock without it.
    fn insert(
        &self,
        py: Python<'_>,
        name: &str,
        r#type: &str,
        entries: Vec<String>,
    ) -> PyResult<()> {
        let list_type = list_type(r#type)?;
        py.detach(|| {
            self.inner
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(name, list_type, entries)
        })
        .map_err(|e| sieve_error(&e))
    }

    fn remove(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        py.detach(|| {
            self.inner
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(name)
        })
        .map_err(|e| sieve_error(&e))
    }

    /// RFC 6134 §2.3 condition 2: the list's handler redirects, so `redirect :list` yields
    /// one action naming the list.
    fn set_handled(&self, py: Python<'_>, name: &str, handled: bool) -> PyResult<bool> {
        py.detach(|| {
            self.inner
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .set_handled(name, handled)
        })
        .map_err(|e| sieve_error(&e))
    }

    fn lists(&self) -> Vec<PyListInfo> {
        let guard = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        guard.lists().into_iter().map(PyListInfo::from).collect()
    }

    fn __len__(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn contains(&self, py: Python<'_>, list_name: &str, value: &str) -> PyResult<Option<String>> {
        let guard = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        contains_in(py, &*guard, list_name, value)
    }

    fn is_valid(&self, py: Python<'_>, list_name: &str) -> PyResult<bool> {
        let guard = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        is_valid_in(py, &*guard, list_name)
    }

    fn schemes(&self) -> Vec<String> {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .schemes()
    }

    fn __repr__(&self) -> String {
        "<MemoryLists>".to_owned()
    }
}

/// Lists in an SQLite file, shared by processes and kept across restarts.
#[pyclass(module = "mailsec.sieve", name = "SqliteLists", frozen)]
struct PySqliteLists {
    inner: SqliteLists,
    path: Option<PathBuf>,
}

#[pymethods]
impl PySqliteLists {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| SqliteLists::open(&path))
            .map(|inner| PySqliteLists {
                inner,
                path: Some(path),
            })
            .map_err(|e| sieve_error(&e))
    }

    #[classmethod]
    fn in_memory(_cls: &Bound<'_, PyType>) -> PyResult<Self> {
        SqliteLists::open_in_memory()
            .map(|inner| PySqliteLists { inner, path: None })
            .map_err(|e| sieve_error(&e))
    }

    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    fn import_list(
        &self,
        py: Python<'_>,
        name: &str,
        r#type: &str,
        entries: Vec<String>,
    ) -> PyResult<usize> {
        let list_type = list_type(r#type)?;
        py.detach(|| self.inner.import(name, list_type, entries))
            .map_err(|e| sieve_error(&e))
    }

    fn lists(&self, py: Python<'_>) -> PyResult<Vec<PyListInfo>> {
        py.detach(|| self.inner.lists())
            .map(|lists| lists.into_iter().map(PyListInfo::from).collect())
            .map_err(|e| sieve_error(&e))
    }

    fn import_toml(&self, py: Python<'_>, path: PathBuf) -> PyResult<Vec<PyListInfo>> {
        py.detach(|| self.inner.import_toml(&path))
            .map(|lists| lists.into_iter().map(PyListInfo::from).collect())
            .map_err(|e| sieve_error(&e))
    }

    fn remove(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        py.detach(|| self.inner.remove(name))
            .map_err(|e| sieve_error(&e))
    }

    /// RFC 6134 §2.3 condition 2, as `MemoryLists.set_handled`.
    fn set_handled(&self, py: Python<'_>, name: &str, handled: bool) -> PyResult<bool> {
        py.detach(|| self.inner.set_handled(name, handled))
            .map_err(|e| sieve_error(&e))
    }

    fn contains(&self, py: Python<'_>, list_name: &str, value: &str) -> PyResult<Option<String>> {
        contains_in(py, &self.inner, list_name, value)
    }

    fn is_valid(&self, py: Python<'_>, list_name: &str) -> PyResult<bool> {
        is_valid_in(py, &self.inner, list_name)
    }

    fn schemes(&self) -> Vec<String> {
        self.inner.schemes()
    }

    fn __repr__(&self) -> String {
        match &self.path {
            Some(path) => format!("<SqliteLists {:?}>", path.display().to_string()),
            None => "<SqliteLists in memory>".to_owned(),
        }
    }
}

/// One list of an `SqliteLists` store.
#[pyclass(module = "mailsec.sieve", name = "ListInfo", frozen, get_all)]
struct PyListInfo {
    name: String,
    r#type: String,
    entries: u64,
}

impl From<ListInfo> for PyListInfo {
    fn from(info: ListInfo) -> Self {
        PyListInfo {
            name: info.name,
            r#type: info.list_type.as_str().to_owned(),
            entries: info.entries,
        }
    }
}

#[pymethods]
impl PyListInfo {
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyListInfo>().is_ok_and(|o| {
            let o = o.get();
            (&o.name, &o.r#type, o.entries) == (&self.name, &self.r#type, self.entries)
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "ListInfo(name={:?}, type={:?}, entries={})",
            self.name, self.r#type, self.entries
        )
    }
}

/// Lists opened by `open_lists`: an SQLite store or a TOML lists file, read-only here.
#[pyclass(module = "mailsec.sieve", name = "Lists", frozen)]
struct PyLists {
    inner: Box<dyn ListResolver>,
    path: PathBuf,
}

#[pymethods]
impl PyLists {
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    fn contains(&self, py: Python<'_>, list_name: &str, value: &str) -> PyResult<Option<String>> {
        contains_in(py, &*self.inner, list_name, value)
    }

    fn is_valid(&self, py: Python<'_>, list_name: &str) -> PyResult<bool> {
        is_valid_in(py, &*self.inner, list_name)
    }

    fn schemes(&self) -> Vec<String> {
        self.inner.schemes()
    }

    fn __repr__(&self) -> String {
        format!("<Lists {:?}>", self.path.display().to_string())
    }
}

/// A compiled Sieve script: immutable, shared by any number of threads.
#[pyclass(module = "mailsec.sieve", name = "Script", frozen)]
struct PyScript {
    inner: Script,
}

#[pymethods]
impl PyScript {
    #[getter]
    fn required(&self) -> Vec<String> {
        self.inner.required().to_vec()
    }

    #[pyo3(signature = (
        message, envelope = None, *, lists = None, now = None, spamtest_header = None,
        spamtest_max = 10.0, virustest_header = None, virustest_max = 5.0,
        redirect_domains = None, trace = false, limits = None
    ))]
    #[allow(clippy::too_many_arguments)] // keyword arguments, as Python callers use them
    fn evaluate(
        &self,
        py: Python<'_>,
        message: &[u8],
        envelope: Option<&Bound<'_, PyAny>>,
        lists: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        spamtest_header: Option<String>,
        spamtest_max: f64,
        virustest_header: Option<String>,
        virustest_max: f64,
        redirect_domains: Option<Vec<String>>,
        trace: bool,
        limits: Option<PyRef<'_, PyLimits>>,
    ) -> PyResult<PyOutcome> {
        let envelope = envelope_arg(envelope)?;
        let clock = clock_arg(now)?;
        let limits = limits.map_or_else(Limits::default, |l| l.inner.clone());
        let source = Source::from_arg(lists, limits.list_timeout)?;
        let script = &self.inner;
        let result = py.detach(|| {
            source.with(|resolver| {
                let mut context = Context::new(resolver)
                    .with_clock(clock)
                    .with_limits(limits)
                    .with_trace(trace);
                context.envelope = envelope;
                if let Some(header) = &spamtest_header {
                    context = context.with_spamtest(header, spamtest_max);
                }
                if let Some(header) = &virustest_header {
                    context = context.with_virustest(header, virustest_max);
                }
                if let Some(domains) = redirect_domains {
                    context = context.with_redirect_domains(domains);
                }
                script.evaluate(message, &context)
            })
        });
        let failure = source.take_failure();
        match result {
            Ok(outcome) => PyOutcome::new(py, outcome),
            Err(error) => {
                // A KeyboardInterrupt in the resolver is not the script's fault: raise it.
                if let Some(failure) = &failure
                    && !failure.is_instance_of::<PyException>(py)
                {
                    return Err(failure.clone_ref(py));
                }
                let raised = sieve_error(&error);
                if matches!(error, Error::Defer { .. } | Error::Runtime { .. }) {
                    raised.set_cause(py, failure);
                }
                Err(raised)
            }
        }
    }

    fn __repr__(&self) -> String {
        format!("<Script requiring {:?}>", self.inner.required())
    }
}

#[pyfunction]
fn sieve_compile(
    py: Python<'_>,
    script: TextOrBytes,
    limits: Option<PyRef<'_, PyLimits>>,
) -> PyResult<PyScript> {
    let text = script_text(&script)?;
    let limits = limits.map_or_else(Limits::default, |l| l.inner.clone());
    py.detach(|| Script::compile_with(text, &limits))
        .map(|inner| PyScript { inner })
        .map_err(|e| compile_error(&e))
}

#[pyfunction]
fn sieve_open_lists(py: Python<'_>, path: PathBuf) -> PyResult<PyLists> {
    py.detach(|| facade::sieve::lists::open(&path))
        .map(|inner| PyLists { inner, path })
        .map_err(|e| sieve_error(&e))
}

/// RFC 6134 §2.8: the ManageSieve `EXTLISTS` capability for these lists.
#[pyfunction]
fn sieve_extlists_capability(lists: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let source = Source::from_arg(lists, Limits::default().list_timeout)?;
    Ok(source.with(facade::sieve::extlists_capability))
}

#[pyfunction]
fn sieve_capabilities() -> Vec<String> {
    facade::sieve::CAPABILITIES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

/// The classes are registered under `Sieve`-prefixed names in the flat native module, where a
/// bare `Script` or `Limits` could clash; `mailsec.sieve` exports them under their own names.
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("SieveScript", py.get_type::<PyScript>())?;
    module.add("SieveOutcome", py.get_type::<PyOutcome>())?;
    module.add("SieveAction", py.get_type::<PyAction>())?;
    module.add("SieveTraceEvent", py.get_type::<PyTraceEvent>())?;
    module.add("SieveLimits", py.get_type::<PyLimits>())?;
    module.add("SieveEnvelope", py.get_type::<PyEnvelope>())?;
    module.add("SieveLists", py.get_type::<PyLists>())?;
    module.add("MemoryLists", py.get_type::<PyMemoryLists>())?;
    module.add("SqliteLists", py.get_type::<PySqliteLists>())?;
    module.add("ListInfo", py.get_type::<PyListInfo>())?;
    module.add_function(wrap_pyfunction!(sieve_compile, module)?)?;
    module.add_function(wrap_pyfunction!(sieve_open_lists, module)?)?;
    module.add_function(wrap_pyfunction!(sieve_extlists_capability, module)?)?;
    module.add_function(wrap_pyfunction!(sieve_capabilities, module)?)?;
    Ok(())
}
