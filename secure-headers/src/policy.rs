//! The secure-headers policy (draft §4: "This policy MUST describe a secure message profile
//! and list the header fields to secure"), loadable from the `[secure_headers]` table of the
//! mailsec TOML policy file.
//!
//! ```toml
//! [secure_headers]
//! profile = "rfc7508"            # or "draft-05"
//! canonicalization = "relaxed"   # or "simple"
//! fields = ["From", "To", "Subject", "Date"]
//! mandatory = ["From", "Subject"]
//! [secure_headers.status]        # absent fields are "duplicated"
//! Subject = { status = "modified", value = "[secured message]" }
//! To = { status = "deleted" }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::limits::Limits;
use crate::message::field_key;
use crate::model::{CanonAlgorithm, FieldStatus};
use crate::profile::Profile;
use crate::wire::check_field_name;

/// The policy as written: every key of the `[secure_headers]` table. Unknown keys are errors.
///
/// Build one in code and turn it into a checked [`Policy`] with `Policy::try_from`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// The wire profile to emit (default `rfc7508`).
    #[serde(default)]
    pub profile: Profile,
    /// The wire profiles accepted on verification (default: `rfc7508` and the emitted one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<Profile>>,
    /// The canonicalization algorithm (default `relaxed`).
    #[serde(default)]
    pub canonicalization: CanonAlgorithm,
    /// Header fields to secure, case-insensitive (§4.5.1 step 1).
    #[serde(deserialize_with = "field_names")]
    pub fields: Vec<String>,
    /// Header fields that must be secured when present (§4.5.2 step 7).
    #[serde(default, deserialize_with = "field_names")]
    pub mandatory: Vec<String>,
    /// Per-field status; fields absent here are `duplicated`.
    #[serde(default)]
    pub status: BTreeMap<String, StatusSpec>,
    /// Bounds on untrusted input.
    #[serde(default)]
    pub limits: Limits,
}

/// One entry of `[secure_headers.status]`: `{ status = "modified", value = "..." }`.
///
/// Checked as it is read, so that a TOML error points at the entry itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawStatusSpec")]
pub struct StatusSpec {
    /// The status.
    pub status: FieldStatus,
    /// The replacement value, for `modified` only (§4.6.1 step 1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatusSpec {
    status: FieldStatus,
    #[serde(default)]
    value: Option<String>,
}

impl TryFrom<RawStatusSpec> for StatusSpec {
    type Error = String;

    fn try_from(raw: RawStatusSpec) -> Result<StatusSpec, String> {
        let spec = StatusSpec {
            status: raw.status,
            value: raw.value,
        };
        spec.rule()?;
        Ok(spec)
    }
}

impl StatusSpec {
    /// The rule this entry describes, or why it is inconsistent.
    pub fn rule(&self) -> Result<FieldRule, String> {
        match (self.status, &self.value) {
            (FieldStatus::Modified, Some(value)) if value.contains(['\r', '\n']) => {
                Err("the replacement value must be one line (no CR or LF)".to_owned())
            }
            (FieldStatus::Modified, Some(value)) => Ok(FieldRule::Modified {
                value: value.clone(),
            }),
            (FieldStatus::Modified, None) => {
                Err("a modified field needs a replacement value".to_owned())
            }
            (status, Some(_)) => Err(format!(
                "value applies only to modified fields, not {status}"
            )),
            (FieldStatus::Deleted, None) => Ok(FieldRule::Deleted),
            (FieldStatus::Duplicated, None) => Ok(FieldRule::Duplicated),
        }
    }
}

/// What the DCA does with one secured field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldRule {
    /// Left as it is.
    Duplicated,
    /// Removed from the outer header (From and Date are kept, RFC 5322 §3.6).
    Deleted,
    /// The value is replaced by `value` in the outer header.
    Modified {
        /// The replacement value.
        value: String,
    },
}

impl FieldRule {
    /// The status carried in the structure for this rule.
    pub fn status(&self) -> FieldStatus {
        match self {
            FieldRule::Duplicated => FieldStatus::Duplicated,
            FieldRule::Deleted => FieldStatus::Deleted,
            FieldRule::Modified { .. } => FieldStatus::Modified,
        }
    }
}

/// A checked secure-headers policy, passed explicitly to every operation.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "PolicySpec")]
pub struct Policy {
    profile: Profile,
    accept: Vec<Profile>,
    canonicalization: CanonAlgorithm,
    fields: Vec<String>,
    mandatory: Vec<String>,
    /// Keyed by the lowercased field name.
    rules: BTreeMap<String, FieldRule>,
    limits: Limits,
}

/// A policy that cannot be used, with the place in the TOML text when it came from one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// 1-based line in the TOML text.
    pub line: Option<usize>,
    /// 1-based column (in characters) in the TOML text.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl PolicyError {
    fn new(message: impl Into<String>) -> PolicyError {
        PolicyError {
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// Turn a TOML deserialization error into a `PolicyError` with line and column in `text`.
    pub fn from_toml(err: &toml::de::Error, text: &str) -> PolicyError {
        let (line, column) = match err.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        PolicyError {
            line,
            column,
            message: err.message().to_owned(),
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl std::error::Error for PolicyError {}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

#[derive(Deserialize)]
struct PolicyDocument {
    secure_headers: Policy,
}

impl Policy {
    /// Load the `[secure_headers]` table of a mailsec policy file.
    ///
    /// Other top-level tables belong to other parts of mailsec and are not looked at here;
    /// `mailsec::Policy` checks the whole file.
    pub fn from_toml_str(text: &str) -> Result<Policy, PolicyError> {
        toml::from_str::<PolicyDocument>(text)
            .map(|doc| doc.secure_headers)
            .map_err(|e| PolicyError::from_toml(&e, text))
    }

    /// The wire profile to emit.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The wire profiles accepted when decoding a signature.
    pub fn accepted_profiles(&self) -> &[Profile] {
        &self.accept
    }

    /// The canonicalization algorithm used when building.
    pub fn canonicalization(&self) -> CanonAlgorithm {
        self.canonicalization
    }

    /// The fields to secure, as the policy spells them.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The mandatory fields, as the policy spells them.
    pub fn mandatory(&self) -> &[String] {
        &self.mandatory
    }

    /// The limits for untrusted input.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the policy secures the field named `name` (case-insensitive).
    pub fn secures(&self, name: &str) -> bool {
        self.rules.contains_key(&name.trim().to_ascii_lowercase())
    }

    /// The rule for the field named `name`, if the policy secures it.
    pub fn rule(&self, name: &str) -> Option<&FieldRule> {
        self.rules.get(&name.trim().to_ascii_lowercase())
    }

    pub(crate) fn rule_by_key(&self, key: &str) -> Option<&FieldRule> {
        self.rules.get(key)
    }

    /// The same policy with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Policy {
        self.limits = limits;
        self
    }
}

/// Reads a list of header field names, refusing an invalid one where it is written.
fn field_names<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let names = Vec::<String>::deserialize(deserializer)?;
    for name in &names {
        check_policy_name(name, "field name").map_err(|e| serde::de::Error::custom(e.message))?;
    }
    Ok(names)
}

fn check_policy_name(name: &str, list: &str) -> Result<String, PolicyError> {
    check_field_name(name.as_bytes())
        .and_then(|()| {
            if name.contains(' ') {
                Err("contains a space")
            } else {
                Ok(())
            }
        })
        .map_err(|reason| {
            PolicyError::new(format!(
                "{list}: {name:?} is not a header field name ({reason})"
            ))
        })?;
    Ok(field_key(name.as_bytes()))
}

impl TryFrom<PolicySpec> for Policy {
    type Error = PolicyError;

    fn try_from(spec: PolicySpec) -> Result<Policy, PolicyError> {
        if spec.fields.is_empty() {
            return Err(PolicyError::new(
                "fields must list at least one header field",
            ));
        }
        let mut rules = BTreeMap::new();
        for name in &spec.fields {
            let key = check_policy_name(name, "fields")?;
            if rules.insert(key, FieldRule::Duplicated).is_some() {
                return Err(PolicyError::new(format!(
                    "fields: {name:?} is listed twice (names are case-insensitive)"
                )));
            }
        }
        for name in &spec.mandatory {
            let key = check_policy_name(name, "mandatory")?;
            if !rules.contains_key(&key) {
                return Err(PolicyError::new(format!(
                    "mandatory: {name:?} is not in fields, so no signature could secure it"
                )));
            }
        }
        let mut seen_status = BTreeMap::new();
        for (name, entry) in &spec.status {
            let key = check_policy_name(name, "status")?;
            if let Some(other) = seen_status.insert(key.clone(), name) {
                return Err(PolicyError::new(format!(
                    "status: {name:?} and {other:?} name the same field"
                )));
            }
            let Some(rule) = rules.get_mut(&key) else {
                return Err(PolicyError::new(format!(
                    "status: {name:?} is not in fields; only secured fields have a status"
                )));
            };
            *rule = entry
                .rule()
                .map_err(|reason| PolicyError::new(format!("status.{name}: {reason}")))?;
        }
        let accept = match spec.accept {
            Some(accept) if accept.is_empty() => {
                return Err(PolicyError::new("accept must list at least one profile"));
            }
            Some(accept) => accept,
            None => {
                let mut accept = vec![Profile::Rfc7508];
                if spec.profile != Profile::Rfc7508 {
                    accept.push(spec.profile);
                }
                accept
            }
        };
        Ok(Policy {
            profile: spec.profile,
            accept,
            canonicalization: spec.canonicalization,
            fields: spec.fields,
            mandatory: spec.mandatory,
            rules,
            limits: spec.limits,
        })
    }
}
