//! Pairing the fields of a structure with the fields of a message.
//!
//! Repeated fields are paired as a multiset: an entry first claims an unclaimed instance with
//! the same canonical name and value, wherever it sits (a DCA that restores a field appends
//! it, so order cannot be relied on); only then are leftover entries paired with leftover
//! instances of the same name, in order.

use crate::canon::{canonical_name, canonical_value};
use crate::message::{HeaderBlock, field_key};
use crate::model::{CanonAlgorithm, SecureHeaderFields};

/// A message field in canonical form.
pub(crate) struct CanonicalField {
    pub key: String,
    pub name: Vec<u8>,
    pub value: Vec<u8>,
}

/// How the entries of a structure pair with the fields of a message.
pub(crate) struct Pairing {
    /// The message fields in canonical form, in message order.
    pub message: Vec<CanonicalField>,
    /// For each entry of the structure, the message field with identical canonical name and
    /// value, if any.
    pub exact: Vec<Option<usize>>,
    /// For each entry without an exact pair, a leftover message field of the same name.
    pub same_name: Vec<Option<usize>>,
    /// Message fields paired with no entry.
    pub unclaimed: Vec<bool>,
    /// The lookup key of each entry.
    pub entry_keys: Vec<String>,
}

pub(crate) fn canonical_fields(
    block: &HeaderBlock<'_>,
    algorithm: CanonAlgorithm,
) -> Vec<CanonicalField> {
    block
        .fields
        .iter()
        .map(|raw| CanonicalField {
            key: raw.key(),
            name: canonical_name(raw.name, algorithm).into_owned(),
            value: canonical_value(raw.value, algorithm).into_owned(),
        })
        .collect()
}

pub(crate) fn pair(shf: &SecureHeaderFields, block: &HeaderBlock<'_>) -> Pairing {
    let message = canonical_fields(block, shf.algorithm);
    let mut unclaimed = vec![true; message.len()];
    let entry_keys: Vec<String> = shf
        .fields
        .iter()
        .map(|f| field_key(f.name.as_bytes()))
        .collect();
    let exact: Vec<Option<usize>> = shf
        .fields
        .iter()
        .zip(&entry_keys)
        .map(|(entry, key)| {
            // A value the producer encoded against its profile is never a match (it is
            // reported as a mismatch for its field), even when its bytes equal the message's.
            if entry.value.defect().is_some() {
                return None;
            }
            let found = message.iter().enumerate().position(|(j, m)| {
                unclaimed[j]
                    && m.key == *key
                    && m.name == entry.name.as_bytes()
                    && m.value == entry.value.as_bytes()
            });
            if let Some(j) = found {
                unclaimed[j] = false;
            }
            found
        })
        .collect();
    let same_name = exact
        .iter()
        .zip(&entry_keys)
        .map(|(exact, key)| {
            if exact.is_some() {
                return None;
            }
            let found = (0..message.len()).find(|&j| unclaimed[j] && message[j].key == *key);
            if let Some(j) = found {
                unclaimed[j] = false;
            }
            found
        })
        .collect();
    Pairing {
        message,
        exact,
        same_name,
        unclaimed,
        entry_keys,
    }
}
