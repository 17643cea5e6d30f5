//! Writing results to stdout without panicking on a closed pipe.

use std::io::{self, Write};

use serde::Serialize;

use crate::failure::Failure;

/// Writes `bytes` to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(Failure::Write)
}

/// Writes `value` as one line of JSON.
pub fn write_json(value: &impl Serialize) -> Result<(), Failure> {
    let mut line = serde_json::to_vec(value).map_err(|e| Failure::Internal(e.to_string()))?;
    line.push(b'\n');
    write_stdout(&line)
}
