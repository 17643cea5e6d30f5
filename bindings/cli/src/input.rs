//! Reading untrusted input from stdin or a file, bounded.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Reads all of stdin, refusing more than `limit` bytes.
pub fn read_stdin(limit: usize) -> io::Result<Vec<u8>> {
    read_bounded(io::stdin().lock(), limit)
}

/// Reads the whole file at `path`, refusing more than `limit` bytes.
pub fn read_file(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    read_bounded(File::open(path)?, limit)
}

/// Whether a read error says the input was larger than allowed (bad input, not an I/O failure).
pub fn is_too_large(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::InvalidData
}

fn read_bounded(reader: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(cap).read_to_end(&mut data)?;
    if data.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("input larger than {limit} bytes"),
        ));
    }
    Ok(data)
}
