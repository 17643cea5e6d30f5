//! The mailsec policy file: one TOML document, one table per area, checked as a whole.
//!
//! ```toml
//! [secure_headers]
//! profile = "rfc7508"
//! canonicalization = "relaxed"
//! fields = ["From", "To", "Subject", "Date"]
//! mandatory = ["From", "Subject"]
//! [secure_headers.status]
//! Subject = { status = "modified", value = "[secured message]" }
//! To = { status = "deleted" }
//!
//! [clientid]
//! require_clientid = true
//! new_device = "alert"
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::Error;
use crate::headers::PolicyError;

/// A whole policy file. Unknown tables and keys are errors with line and column, so that a
/// misspelt setting is never silently ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    secure_headers: Option<secure_headers::Policy>,
    clientid: Option<clientid::ClientIdPolicy>,
}

impl Policy {
    /// Parse and check a policy from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Policy, Error> {
        let policy: Policy =
            toml::from_str(text).map_err(|e| Error::Policy(PolicyError::from_toml(&e, text)))?;
        if let Some(clientid) = &policy.clientid {
            clientid.check().map_err(Error::ClientIdPolicy)?;
        }
        Ok(policy)
    }

    /// Read, parse and check a policy file (at most [`Policy::MAX_FILE_BYTES`]). Errors in
    /// its content name the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, Error> {
        use std::io::Read;
        let path = path.as_ref();
        let io_error = |source: std::io::Error| Error::Io {
            what: format!("policy file {}", path.display()),
            message: source.to_string(),
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(io_error)?
            .take(Policy::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        let in_file = |message: String| {
            Error::Policy(PolicyError {
                line: None,
                column: None,
                message: format!("{}: {message}", path.display()),
            })
        };
        if bytes.len() as u64 > Policy::MAX_FILE_BYTES {
            return Err(in_file(format!(
                "larger than {} bytes",
                Policy::MAX_FILE_BYTES
            )));
        }
        let text = String::from_utf8(bytes).map_err(|e| in_file(format!("not UTF-8: {e}")))?;
        Policy::from_toml_str(&text).map_err(|error| match error {
            Error::Policy(mut e) => {
                e.message = format!("{}: {}", path.display(), e.message);
                Error::Policy(e)
            }
            other => other,
        })
    }

    /// The largest policy file [`Policy::load`] reads.
    pub const MAX_FILE_BYTES: u64 = 1 << 20;

    /// The `[clientid]` table (draft-storey-smtp-client-id-13), if the file has one.
    pub fn clientid(&self) -> Option<&clientid::ClientIdPolicy> {
        self.clientid.as_ref()
    }

    /// The `[secure_headers]` table, if the file has one.
    pub fn secure_headers(&self) -> Option<&secure_headers::Policy> {
        self.secure_headers.as_ref()
    }

    /// The `[secure_headers]` table, or an error saying the file lacks it.
    pub fn require_secure_headers(&self) -> Result<&secure_headers::Policy, Error> {
        self.secure_headers.as_ref().ok_or_else(|| {
            Error::Policy(PolicyError {
                line: None,
                column: None,
                message: "the policy has no [secure_headers] table".to_owned(),
            })
        })
    }
}
