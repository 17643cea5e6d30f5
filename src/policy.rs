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
}

impl Policy {
    /// Parse and check a policy from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Policy, Error> {
        toml::from_str(text).map_err(|e| Error::Policy(PolicyError::from_toml(&e, text)))
    }

    /// Read, parse and check a policy file.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            what: format!("policy file {}", path.display()),
            message: source.to_string(),
        })?;
        Policy::from_toml_str(&text)
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
