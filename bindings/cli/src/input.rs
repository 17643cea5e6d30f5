//! Reading untrusted input from stdin, bounded.

use std::io::{self, Read};

/// Reads all of stdin, refusing more than `limit` bytes.
pub fn read_stdin(limit: usize) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    io::stdin().lock().take(cap).read_to_end(&mut data)?;
    if data.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("input larger than {limit} bytes"),
        ));
    }
    Ok(data)
}
