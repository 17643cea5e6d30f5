//! `mailsec.clientid`: the CLIENTID command (draft-storey-smtp-client-id-13 §4–§5) and EHLO
//! keyword detection (§3).

use facade::clientid::{
    ClientIdCommand, ClientIdToken, ClientIdType, EhloError, EhloReply, Strictness, SyntaxError,
};
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::{TextOrBytes, bytes};

import_exception!(mailsec.clientid, ClientIdSyntaxError);
import_exception!(mailsec.clientid, EhloReplyError);

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

pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyClientIdCommand>()?;
    module.add_function(wrap_pyfunction!(clientid_parse, module)?)?;
    module.add_function(wrap_pyfunction!(clientid_ehlo_keywords, module)?)?;
    module.add_function(wrap_pyfunction!(clientid_ehlo_advertises, module)?)?;
    Ok(())
}
