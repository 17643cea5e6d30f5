//! `mailsec.clientid`: the CLIENTID command (draft-storey-smtp-client-id-13 §4–§5), EHLO
//! keyword detection (§3), and the server side: policy, history stores, the policy engine, the
//! per-connection session (§3, §4, §7) and the decision at AUTH (§6).
//!
//! The engine and the stores are frozen and shared (`Arc`); a session is frozen too, its state
//! behind a mutex, so that Python threads may share one without a borrow error. Deciding an AUTH
//! releases the GIL while the history store is consulted.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use facade::clientid::policy::RefusalPoint;
use facade::clientid::store::SqliteStore;
use facade::clientid::{
    Alert, AuthAttempt, AuthOutcome, ClientIdCommand, ClientIdPolicy, ClientIdToken, ClientIdType,
    Decision, EhloError, EhloReply, Handling, HandlingFlag, HistoryStore, LogAudience, MemoryStore,
    PolicyEngine, Reply, Session, StoreError, Strictness, SyntaxError, Verdict,
};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::{TextOrBytes, bytes};

import_exception!(mailsec._errors, MailsecError);
import_exception!(mailsec.clientid, ClientIdSyntaxError);
import_exception!(mailsec.clientid, EhloReplyError);
import_exception!(mailsec.clientid, ClientIdPolicyError);
import_exception!(mailsec.clientid, HistoryStoreError);

/// `ClientIdSyntaxError(message, code, offset, rule, reply_code)`.
fn syntax_error(error: &SyntaxError) -> PyErr {
    ClientIdSyntaxError::new_err((
        error.to_string(),
        error.code(),
        error.offset(),
        error.rule().abnf_name(),
        error.reply_code(),
    ))
}

/// `EhloReplyError(message, offset)`.
fn ehlo_error(error: &EhloError) -> PyErr {
    EhloReplyError::new_err((error.to_string(), error.offset()))
}

/// A well-formed CLIENTID command.
#[pyclass(
    module = "mailsec.clientid",
    name = "ClientIdCommand",
    frozen,
    eq,
    hash
)]
#[derive(PartialEq, Eq, Hash)]
struct PyClientIdCommand {
    inner: ClientIdCommand,
}

#[pymethods]
impl PyClientIdCommand {
    #[new]
    #[pyo3(signature = (client_type, token, *, lenient = false))]
    fn new(client_type: TextOrBytes, token: TextOrBytes, lenient: bool) -> PyResult<Self> {
        let client_type =
            ClientIdType::from_bytes(client_type.as_bytes(), Strictness::from_lenient(lenient))
                .map_err(|e| syntax_error(&e))?;
        let token = ClientIdToken::from_bytes(token.as_bytes()).map_err(|e| syntax_error(&e))?;
        Ok(PyClientIdCommand {
            inner: ClientIdCommand::new(client_type, token),
        })
    }

    #[getter(r#type)]
    fn client_type(&self) -> &str {
        self.inner.client_type().as_str()
    }

    #[getter]
    fn token(&self) -> &str {
        self.inner.token().as_str()
    }

    fn to_line<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes(py, self.inner.to_line().as_bytes())
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "ClientIdCommand({:?}, {:?})",
            self.inner.client_type().as_str(),
            self.inner.token().as_str()
        )
    }
}

#[pyfunction]
#[pyo3(signature = (line, lenient))]
fn clientid_parse(line: TextOrBytes, lenient: bool) -> PyResult<PyClientIdCommand> {
    ClientIdCommand::parse_with(line.as_bytes(), Strictness::from_lenient(lenient))
        .map(|inner| PyClientIdCommand { inner })
        .map_err(|e| syntax_error(&e))
}

#[pyfunction]
fn clientid_ehlo_keywords(reply: TextOrBytes) -> PyResult<Vec<String>> {
    EhloReply::parse(reply.as_bytes())
        .map(|r| r.extensions().iter().map(|e| e.keyword.clone()).collect())
        .map_err(|e| ehlo_error(&e))
}

#[pyfunction]
fn clientid_ehlo_advertises(reply: TextOrBytes) -> PyResult<bool> {
    EhloReply::parse(reply.as_bytes())
        .map(|r| r.advertises_clientid())
        .map_err(|e| ehlo_error(&e))
}

/// `HistoryStoreError(message, code, temporary)`.
fn store_error(error: &StoreError) -> PyErr {
    HistoryStoreError::new_err((error.to_string(), error.code(), error.is_temporary()))
}

/// `ClientIdPolicyError(message, setting, line, column)` for a policy that cannot be used;
/// `OSError` for a file that cannot be read.
fn facade_error(error: &facade::Error) -> PyErr {
    match error {
        facade::Error::Policy(e) => {
            ClientIdPolicyError::new_err((e.to_string(), None::<String>, e.line, e.column))
        }
        facade::Error::ClientIdPolicy(e) => ClientIdPolicyError::new_err((
            error.to_string(),
            Some(e.setting.clone()),
            None::<usize>,
            None::<usize>,
        )),
        facade::Error::ClientIdStore(e) => store_error(e),
        facade::Error::Io { .. } => PyOSError::new_err(error.to_string()),
        _ => MailsecError::new_err(error.to_string()),
    }
}

/// The `[clientid]` table of a mailsec policy file (draft §3, §6, §7).
#[pyclass(module = "mailsec.clientid", name = "Policy", frozen, eq)]
#[derive(PartialEq)]
struct PyClientIdPolicy {
    inner: ClientIdPolicy,
}

#[pymethods]
impl PyClientIdPolicy {
    #[new]
    fn new() -> Self {
        PyClientIdPolicy {
            inner: ClientIdPolicy::default(),
        }
    }

    #[classmethod]
    fn from_toml(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        let policy = facade::Policy::from_toml_str(text).map_err(|e| facade_error(&e))?;
        Ok(PyClientIdPolicy {
            inner: policy.clientid().cloned().unwrap_or_default(),
        })
    }

    #[classmethod]
    fn load(_cls: &Bound<'_, PyType>, path: PathBuf) -> PyResult<Self> {
        let policy = facade::Policy::load(path).map_err(|e| facade_error(&e))?;
        Ok(PyClientIdPolicy {
            inner: policy.clientid().cloned().unwrap_or_default(),
        })
    }

    #[getter]
    fn enabled(&self) -> bool {
        self.inner.enabled
    }

    #[getter]
    fn lenient(&self) -> bool {
        self.inner.lenient
    }

    #[getter]
    fn require_clientid(&self) -> bool {
        self.inner.require_clientid
    }

    #[getter]
    fn refuse_at(&self) -> &'static str {
        match self.inner.refuse_at {
            RefusalPoint::Auth => "auth",
            RefusalPoint::Transaction => "transaction",
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Policy(enabled={}, require_clientid={}, refuse_at='{}')",
            py_bool(self.inner.enabled),
            py_bool(self.inner.require_clientid),
            self.refuse_at()
        )
    }
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// A history kept in memory, lost with the process (draft §6.3).
#[pyclass(module = "mailsec.clientid", name = "MemoryStore", frozen)]
struct PyMemoryStore {
    inner: Arc<MemoryStore>,
}

#[pymethods]
impl PyMemoryStore {
    #[new]
    #[pyo3(signature = (capacity = None))]
    fn new(capacity: Option<usize>) -> Self {
        let store = capacity.map_or_else(MemoryStore::default, MemoryStore::with_capacity);
        PyMemoryStore {
            inner: Arc::new(store),
        }
    }

    fn identity_count(&self) -> PyResult<u64> {
        self.inner.identity_count().map_err(|e| store_error(&e))
    }
}

/// A history kept in an SQLite file, across restarts, shared by the processes that open it
/// (draft §6.3).
#[pyclass(module = "mailsec.clientid", name = "SqliteStore", frozen)]
struct PySqliteStore {
    inner: Arc<SqliteStore>,
}

#[pymethods]
impl PySqliteStore {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let store = py
            .detach(|| SqliteStore::open(&path))
            .map_err(|e| store_error(&e))?;
        Ok(PySqliteStore {
            inner: Arc::new(store),
        })
    }

    #[classmethod]
    fn in_memory(_cls: &Bound<'_, PyType>) -> PyResult<Self> {
        let store = SqliteStore::open_in_memory().map_err(|e| store_error(&e))?;
        Ok(PySqliteStore {
            inner: Arc::new(store),
        })
    }

    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.inner.path().map(PathBuf::from)
    }

    fn identity_count(&self, py: Python<'_>) -> PyResult<u64> {
        py.detach(|| self.inner.identity_count())
            .map_err(|e| store_error(&e))
    }
}

/// The store argument of `Engine`: any of the store classes.
fn history_store(store: Option<&Bound<'_, PyAny>>) -> PyResult<Arc<dyn HistoryStore>> {
    let Some(store) = store else {
        return Ok(Arc::new(MemoryStore::default()));
    };
    if let Ok(memory) = store.cast::<PyMemoryStore>() {
        return Ok(memory.get().inner.clone());
    }
    if let Ok(sqlite) = store.cast::<PySqliteStore>() {
        return Ok(sqlite.get().inner.clone());
    }
    Err(PyTypeError::new_err(format!(
        "store must be a mailsec.clientid store, not {}",
        store.get_type().name()?
    )))
}

/// The policy engine of one server: policy, history store, connection counts. Shared by every
/// session; safe to use from several threads.
#[pyclass(module = "mailsec.clientid", name = "Engine", frozen)]
struct PyEngine {
    inner: Arc<PolicyEngine>,
    policy: Py<PyClientIdPolicy>,
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (policy = None, store = None))]
    fn new(
        py: Python<'_>,
        policy: Option<Py<PyClientIdPolicy>>,
        store: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let policy = match policy {
            Some(policy) => policy,
            None => Py::new(py, PyClientIdPolicy::new())?,
        };
        let clientid = policy.get().inner.clone();
        let hasher = facade::clientid::token_hasher(&clientid).map_err(|e| facade_error(&e))?;
        let store = history_store(store)?;
        Ok(PyEngine {
            inner: Arc::new(PolicyEngine::new(clientid, store, hasher)),
            policy,
        })
    }

    #[getter]
    fn policy(&self, py: Python<'_>) -> Py<PyClientIdPolicy> {
        self.policy.clone_ref(py)
    }
}

/// One SMTP reply.
#[pyclass(module = "mailsec.clientid", name = "Reply", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
struct PyReply {
    inner: Reply,
}

#[pymethods]
impl PyReply {
    #[getter]
    fn code(&self) -> u16 {
        self.inner.code
    }

    #[getter]
    fn enhanced(&self) -> &'static str {
        self.inner.enhanced
    }

    #[getter]
    fn text(&self) -> &'static str {
        self.inner.text
    }

    #[getter]
    fn positive(&self) -> bool {
        self.inner.is_positive()
    }

    #[pyo3(signature = (enhanced = false))]
    fn line(&self, enhanced: bool) -> String {
        self.inner.line(enhanced)
    }

    fn __str__(&self) -> String {
        self.inner.line(false)
    }

    fn __repr__(&self) -> String {
        // The texts are fixed ASCII without quotes, so they need no escaping.
        format!(
            "Reply({}, '{}', '{}')",
            self.inner.code, self.inner.enhanced, self.inner.text
        )
    }
}

fn reply(inner: Reply) -> PyReply {
    PyReply { inner }
}

/// The stable name of an alert.
fn alert_name(alert: Alert) -> &'static str {
    match alert {
        Alert::AuthenticationFailed => "authentication_failed",
        Alert::AuthenticationSucceeded => "authentication_succeeded",
        Alert::Heuristic(heuristic) => heuristic.name(),
    }
}

/// What the policy decided at one AUTH (draft §6), and why.
#[pyclass(module = "mailsec.clientid", name = "Decision", frozen)]
struct PyDecision {
    inner: Decision,
}

#[pymethods]
impl PyDecision {
    #[getter]
    fn verdict(&self) -> &'static str {
        match self.inner.verdict {
            Verdict::Allow => "allow",
            Verdict::Refuse => "refuse",
            Verdict::Defer => "defer",
        }
    }

    #[getter]
    fn reply(&self) -> PyReply {
        reply(self.inner.reply)
    }

    #[getter]
    fn outcome(&self) -> &'static str {
        match self.inner.outcome {
            AuthOutcome::Succeeded => "succeeded",
            AuthOutcome::Failed => "failed",
            AuthOutcome::Refused => "refused",
            AuthOutcome::RefusedAfterAuth => "refused_after_auth",
        }
    }

    #[getter]
    fn findings(&self) -> Vec<(&'static str, String, String)> {
        self.inner
            .findings
            .iter()
            .map(|f| (f.heuristic.name(), f.action.to_string(), f.detail.clone()))
            .collect()
    }

    #[getter]
    fn alerts(&self) -> Vec<&'static str> {
        self.inner.alerts.iter().map(|a| alert_name(*a)).collect()
    }

    #[getter]
    fn log_line(&self) -> String {
        self.inner.log_line()
    }

    fn __repr__(&self) -> String {
        format!("<Decision {}>", self.inner.log_line())
    }
}

/// The names of handling flags, as a policy file spells them (draft §7).
fn handling_names(handling: Handling) -> HashSet<&'static str> {
    [
        (HandlingFlag::Ignore, "ignore"),
        (HandlingFlag::Debug, "debug"),
        (HandlingFlag::SystemLog, "system-log"),
        (HandlingFlag::UserLog, "user-log"),
        (HandlingFlag::Authentication, "authentication"),
        (HandlingFlag::AlertOnFailure, "alert-on-failure"),
        (HandlingFlag::AlertOnSuccess, "alert-on-success"),
    ]
    .into_iter()
    .filter(|(flag, _)| handling.has(*flag))
    .map(|(_, name)| name)
    .collect()
}

fn pair(command: &ClientIdCommand) -> (String, String) {
    (
        command.client_type().as_str().to_owned(),
        command.token().as_str().to_owned(),
    )
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The CLIENTID state of one SMTP connection (draft §3, §4).
#[pyclass(module = "mailsec.clientid", name = "Session", frozen)]
struct PySession {
    engine: Arc<PolicyEngine>,
    inner: Mutex<Session>,
}

impl PySession {
    /// The session state. A panic while it was held cannot leave it half-updated (every update
    /// is a few assignments), so a poisoned lock is taken as is.
    fn lock(&self) -> MutexGuard<'_, Session> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PySession {
    #[new]
    #[pyo3(signature = (engine, tls = false))]
    fn new(engine: &Bound<'_, PyEngine>, tls: bool) -> Self {
        let engine = Arc::clone(&engine.get().inner);
        let session = Session::new(engine.session_config(), tls);
        PySession {
            engine,
            inner: Mutex::new(session),
        }
    }

    fn tls_established(&self) {
        self.lock().tls_established();
    }

    fn ehlo(&self) -> bool {
        self.lock().ehlo()
    }

    fn helo(&self) {
        self.lock().helo();
    }

    #[getter]
    fn advertises(&self) -> bool {
        self.lock().advertises()
    }

    fn clientid(&self, line: TextOrBytes) -> PyReply {
        reply(self.lock().clientid(line.as_bytes()))
    }

    fn auth_started(&self) {
        self.lock().auth_started();
    }

    #[pyo3(signature = (account, credentials_valid, peer, now = None, location = None))]
    fn authenticate(
        &self,
        py: Python<'_>,
        account: String,
        credentials_valid: bool,
        peer: std::net::IpAddr,
        now: Option<u64>,
        location: Option<String>,
    ) -> PyDecision {
        let now = now.unwrap_or_else(unix_now);
        let inner = py.detach(|| {
            let attempt = AuthAttempt {
                account: &account,
                credentials_valid,
                peer,
                location: location.as_deref(),
                now,
            };
            self.engine.decide(&mut self.lock(), &attempt)
        });
        PyDecision { inner }
    }

    fn rset(&self) {
        self.lock().rset();
    }

    fn security_layer_reset(&self) {
        self.lock().security_layer_reset();
    }

    fn quit(&self) {
        self.lock().quit();
    }

    #[getter]
    fn tls(&self) -> bool {
        self.lock().is_tls()
    }

    #[getter]
    fn authenticated(&self) -> bool {
        self.lock().is_authenticated()
    }

    #[getter]
    fn clientid_accepted(&self) -> bool {
        self.lock().clientid_accepted()
    }

    #[getter]
    fn transaction_refusal(&self) -> Option<PyReply> {
        self.lock().transaction_refusal().map(reply)
    }

    #[getter]
    fn identity(&self) -> Option<(String, String)> {
        self.lock().identity().map(|i| pair(i.command()))
    }

    #[getter]
    fn presented_identity(&self) -> Option<(String, String)> {
        self.lock().presented_identity().map(|i| pair(i.command()))
    }

    fn loggable_identity(&self, audience: &str) -> PyResult<Option<(String, String)>> {
        let audience = match audience {
            "system" => LogAudience::System,
            "user" => LogAudience::User,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown log audience {other:?} (expected \"system\" or \"user\")"
                )));
            }
        };
        Ok(self.lock().loggable_identity(audience).map(pair))
    }

    #[getter]
    fn handling(&self) -> Option<HashSet<&'static str>> {
        self.lock().identity().map(|i| handling_names(i.handling()))
    }
}

pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    // `Policy` is also the name of mailsec.headers.Policy in this module.
    module.add("ClientIdPolicy", module.py().get_type::<PyClientIdPolicy>())?;
    module.add_class::<PyMemoryStore>()?;
    module.add_class::<PySqliteStore>()?;
    module.add_class::<PyEngine>()?;
    module.add_class::<PyReply>()?;
    module.add_class::<PyDecision>()?;
    module.add_class::<PySession>()?;
    module.add_class::<PyClientIdCommand>()?;
    module.add_function(wrap_pyfunction!(clientid_parse, module)?)?;
    module.add_function(wrap_pyfunction!(clientid_ehlo_keywords, module)?)?;
    module.add_function(wrap_pyfunction!(clientid_ehlo_advertises, module)?)?;
    Ok(())
}
