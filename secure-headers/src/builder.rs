//! Building the structure from a message (draft §4.5.1 steps 1–4).

use crate::canon::{canonical_name, canonical_value};
use crate::error::Error;
use crate::limits::Limit;
use crate::message::header_block;
use crate::model::{FieldValue, SecureHeaderField, SecureHeaderFields, ValueDefect};
use crate::policy::Policy;
use crate::wire::check_field_name;

/// Build the SecureHeaderFields structure of `message` under `policy`.
///
/// Step 1: the fields the policy lists are selected, every instance of a repeated field
/// included, in message order. Step 2: each is canonicalized with the policy's algorithm.
/// Step 3: name, value (zero-length for an empty field) and the policy's status are recorded.
/// Step 4: the algorithm is recorded.
///
/// A value the policy's profile cannot carry is refused with [`Error::Unrepresentable`] naming
/// the field: under `draft-05`, non-ASCII text and, with `simple`, a tab (HT is outside the
/// draft's HeaderFieldValue alphabet; `relaxed` turns tabs into spaces, so choose it).
pub fn build(message: &[u8], policy: &Policy) -> Result<SecureHeaderFields, Error> {
    let limits = policy.limits();
    let block = header_block(message, limits)?;
    let algorithm = policy.canonicalization();
    let profile = policy.profile();
    let mut fields = Vec::new();
    for raw in &block.fields {
        let Some(rule) = policy.rule_by_key(&raw.key()) else {
            continue;
        };
        if fields.len() == limits.max_secured_fields {
            return Err(Error::LimitExceeded {
                limit: Limit::SecuredFields,
                max: limits.max_secured_fields,
                actual: fields.len() + 1,
            });
        }
        let name = canonical_name(raw.name, algorithm);
        check_field_name(&name).map_err(|reason| Error::InvalidFieldName {
            name: String::from_utf8_lossy(&name).into_owned(),
            reason,
        })?;
        let name = String::from_utf8_lossy(&name).into_owned();
        let value = canonical_value(raw.value, algorithm).into_owned();
        ValueDefect::check(&value, profile).map_err(|defect| Error::Unrepresentable {
            field: name.clone(),
            profile,
            defect,
        })?;
        fields.push(SecureHeaderField {
            name,
            value: FieldValue::from_bytes(value, profile),
            status: rule.status(),
        });
    }
    if fields.is_empty() {
        return Err(Error::NothingToSecure);
    }
    Ok(SecureHeaderFields { algorithm, fields })
}
