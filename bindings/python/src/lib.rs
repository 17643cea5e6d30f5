//! The native half of the Python package `mailsec` (`mailsec._mailsec`): thin wrappers over the
//! facade. The public modules, exceptions and docs live in python/mailsec/; they import from here.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

mod clientid;
mod headers;
mod pgp;
mod sieve;
mod smime;

/// Text arguments accept `str` or `bytes`; bytes reach the parser unchanged, so an 8-bit byte is
/// reported at its real offset.
#[derive(FromPyObject)]
enum TextOrBytes {
    Bytes(Vec<u8>),
    Text(String),
}

impl TextOrBytes {
    fn as_bytes(&self) -> &[u8] {
        match self {
            TextOrBytes::Bytes(bytes) => bytes,
            TextOrBytes::Text(text) => text.as_bytes(),
        }
    }
}

fn bytes<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
}

#[pymodule]
fn _mailsec(module: &Bound<'_, PyModule>) -> PyResult<()> {
    clientid::register(module)?;
    headers::register(module)?;
    pgp::register(module)?;
    sieve::register(module)?;
    smime::register(module)
}
