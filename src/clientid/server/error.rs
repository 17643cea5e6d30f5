//! Why the server's configuration could not be loaded.

use std::fmt;

use crate::ErrorKind;

/// A file the server needs could not be read, or its contents are unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file could not be read (missing, unreadable, too large to be what it claims).
    Io {
        /// What was being read ("certificate file cert.pem").
        what: String,
        /// The operating system's message.
        message: String,
    },
    /// The file was read but its contents are unusable: the operator must fix it.
    Invalid {
        /// What was being loaded.
        what: String,
        /// What is wrong, and where.
        message: String,
    },
}

impl LoadError {
    /// The kind of failure: [`ErrorKind::Io`] or [`ErrorKind::Config`], which the command
    /// line maps to its exit codes (74 and 75).
    pub fn kind(&self) -> ErrorKind {
        match self {
            LoadError::Io { .. } => ErrorKind::Io,
            LoadError::Invalid { .. } => ErrorKind::Config,
        }
    }

    pub(super) fn io(what: impl Into<String>, error: &std::io::Error) -> LoadError {
        LoadError::Io {
            what: what.into(),
            message: error.to_string(),
        }
    }

    pub(super) fn invalid(what: impl Into<String>, message: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { what, message } | LoadError::Invalid { what, message } => {
                write!(f, "{what}: {message}")
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads at most `limit` bytes of `path`, so memory stays bounded whatever the path names; a
/// longer file is invalid (it cannot be what it claims to be).
pub(super) fn read_bounded(
    path: &std::path::Path,
    what: &str,
    limit: u64,
) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let what = format!("{what} {}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| LoadError::io(what.clone(), &e))?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::invalid(
            what,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}
