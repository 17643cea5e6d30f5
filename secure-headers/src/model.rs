//! The SecureHeaderFields model, independent of its wire profile.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::profile::Profile;

/// `Algorithm ::= ENUMERATED { canonAlgorithmSimple(0), canonAlgorithmRelaxed(1) }`
/// (draft §4.1, §4.3): the DKIM header canonicalization applied to every secured field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CanonAlgorithm {
    /// RFC 6376 §3.4.1: the field is kept byte for byte.
    Simple,
    /// RFC 6376 §3.4.2: lowercased name, unfolded value, WSP runs squeezed to one space.
    #[default]
    Relaxed,
}

impl CanonAlgorithm {
    /// The ENUMERATED value on the wire.
    pub fn wire_value(self) -> u8 {
        match self {
            CanonAlgorithm::Simple => 0,
            CanonAlgorithm::Relaxed => 1,
        }
    }

    /// The algorithm for an ENUMERATED value, if it is one the spec defines.
    pub fn from_wire_value(value: u64) -> Option<CanonAlgorithm> {
        match value {
            0 => Some(CanonAlgorithm::Simple),
            1 => Some(CanonAlgorithm::Relaxed),
            _ => None,
        }
    }

    /// Parse `simple` or `relaxed` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<CanonAlgorithm> {
        [CanonAlgorithm::Simple, CanonAlgorithm::Relaxed]
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// `simple` or `relaxed`, as policy files write it.
    pub fn name(self) -> &'static str {
        match self {
            CanonAlgorithm::Simple => "simple",
            CanonAlgorithm::Relaxed => "relaxed",
        }
    }
}

impl fmt::Display for CanonAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `HeaderFieldStatus ::= INTEGER { duplicated(0), deleted(1), modified(2) }` (draft §4.4):
/// what a DCA does with the field when it encrypts the message (§4.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldStatus {
    /// The field stays in the outer header as it is (the DEFAULT).
    #[default]
    Duplicated,
    /// The field is removed from the outer header and restored on decryption.
    Deleted,
    /// The field's value is replaced by a configured one and restored on decryption.
    Modified,
}

impl FieldStatus {
    /// The INTEGER value on the wire.
    pub fn wire_value(self) -> i64 {
        match self {
            FieldStatus::Duplicated => 0,
            FieldStatus::Deleted => 1,
            FieldStatus::Modified => 2,
        }
    }

    /// The status for an INTEGER value; unknown values are `None` (never a silent default).
    pub fn from_wire_value(value: i64) -> Option<FieldStatus> {
        match value {
            0 => Some(FieldStatus::Duplicated),
            1 => Some(FieldStatus::Deleted),
            2 => Some(FieldStatus::Modified),
            _ => None,
        }
    }

    /// `duplicated`, `deleted` or `modified`.
    pub fn name(self) -> &'static str {
        match self {
            FieldStatus::Duplicated => "duplicated",
            FieldStatus::Deleted => "deleted",
            FieldStatus::Modified => "modified",
        }
    }
}

impl fmt::Display for FieldStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a value cannot be carried by (or was not validly carried by) a wire profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueDefect {
    /// RFC 7508: the bytes are not UTF-8 (an 8-bit header that is not RFC 6532 UTF-8).
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// draft-05: a byte above 0x7F cannot be an IA5String character.
    NotAscii {
        /// Byte offset in the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// draft-05 §4.1 excludes every control character but LF and CR from HeaderFieldValue
    /// (HT included, although RFC 5322 allows it in a field body).
    ExcludedControl {
        /// Byte offset in the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
}

impl ValueDefect {
    /// Check that `bytes` can be carried as a field value under `profile`.
    ///
    /// RFC 7508 values are `UTF8String`: any UTF-8 text, tabs and control characters included.
    /// draft-05 values are `IA5String (FROM (ALL EXCEPT ({0,0}..{0,9} | {0,11} | {0,12} |
    /// {0,14}..{1,15} | {7,15})))`: LF, CR and 0x20–0x7E only.
    pub fn check(bytes: &[u8], profile: Profile) -> Result<(), ValueDefect> {
        match profile {
            Profile::Rfc7508 => {
                std::str::from_utf8(bytes)
                    .map(|_| ())
                    .map_err(|e| ValueDefect::NotUtf8 {
                        offset: e.valid_up_to(),
                    })
            }
            Profile::Draft05 => {
                for (offset, &byte) in bytes.iter().enumerate() {
                    match byte {
                        b'\n' | b'\r' | 0x20..=0x7e => {}
                        0x80.. => return Err(ValueDefect::NotAscii { offset, byte }),
                        _ => return Err(ValueDefect::ExcludedControl { offset, byte }),
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for ValueDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueDefect::NotUtf8 { offset } => {
                write!(
                    f,
                    "not UTF-8 at byte {offset} (RFC 7508 values are UTF8String)"
                )
            }
            ValueDefect::NotAscii { offset, byte } => write!(
                f,
                "byte 0x{byte:02x} at {offset} is not US-ASCII (draft-05 values are IA5String)"
            ),
            ValueDefect::ExcludedControl { offset, byte } => write!(
                f,
                "control character 0x{byte:02x} at {offset} is excluded from draft-05 HeaderFieldValue"
            ),
        }
    }
}

/// A field value as carried in the structure: bytes, normally text.
///
/// Values built from a message are always representable in the profile they were built for.
/// Values decoded from a signature keep their bytes even when the producer broke the profile's
/// string type, so that verification can report the field instead of rejecting the structure;
/// [`FieldValue::defect`] says what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FieldValue {
    bytes: Vec<u8>,
    defect: Option<ValueDefect>,
}

impl FieldValue {
    /// A text value.
    pub fn new(text: impl Into<String>) -> FieldValue {
        FieldValue {
            bytes: text.into().into_bytes(),
            defect: None,
        }
    }

    /// A value from bytes, checked against `profile`: a defect is recorded, not rejected.
    pub fn from_bytes(bytes: Vec<u8>, profile: Profile) -> FieldValue {
        let defect = ValueDefect::check(&bytes, profile).err();
        FieldValue { bytes, defect }
    }

    /// A value taken from a message: bytes with no profile attached.
    pub(crate) fn raw(bytes: Vec<u8>) -> FieldValue {
        FieldValue {
            bytes,
            defect: None,
        }
    }

    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The value as text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the value is empty (an empty header field, draft §4.5.1).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// What was wrong with the value in the profile it was decoded under, if anything.
    pub fn defect(&self) -> Option<ValueDefect> {
        self.defect
    }
}

/// Serializes as text (invalid UTF-8 replaced by U+FFFD); the exact bytes are
/// [`FieldValue::as_bytes`].
impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.bytes))
    }
}

impl From<&str> for FieldValue {
    fn from(text: &str) -> FieldValue {
        FieldValue::new(text)
    }
}

/// Shows the value for people: UTF-8 text with control characters escaped (`\t`, `\r`, `\n`,
/// `\xNN`), invalid bytes as `\xNN`, so that a hostile value cannot forge display lines.
impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '\t' => f.write_str("\\t")?,
                    '\r' => f.write_str("\\r")?,
                    '\n' => f.write_str("\\n")?,
                    '\\' => f.write_str("\\\\")?,
                    c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                    c => write!(f, "{c}")?,
                }
            }
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

/// `HeaderField ::= SEQUENCE { field-Name, field-Value, field-Status DEFAULT duplicated }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SecureHeaderField {
    /// The field name in canonical form (lowercased under `relaxed`).
    pub name: String,
    /// The canonical field value (zero-length for an empty field, draft §4.5.1).
    pub value: FieldValue,
    /// What a DCA does with the field (§4.4).
    pub status: FieldStatus,
}

impl SecureHeaderField {
    /// A field with the default status, `duplicated`.
    pub fn new(name: impl Into<String>, value: impl Into<FieldValue>) -> SecureHeaderField {
        SecureHeaderField {
            name: name.into(),
            value: value.into(),
            status: FieldStatus::Duplicated,
        }
    }

    /// The same field with another status.
    pub fn with_status(mut self, status: FieldStatus) -> SecureHeaderField {
        self.status = status;
        self
    }
}

/// `SecureHeaderFields ::= SET { canonAlgorithm Algorithm, secHeaderFields HeaderFields }`:
/// the secured header fields of one message, in message order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SecureHeaderFields {
    /// The canonicalization the values were produced with (§4.5.2 step 2).
    pub algorithm: CanonAlgorithm,
    /// The secured fields, every instance of a repeated field included (§4.5.1).
    pub fields: Vec<SecureHeaderField>,
}

impl SecureHeaderFields {
    /// Same algorithm and the same fields in any order.
    ///
    /// Order carries no meaning: the draft-05 `SET OF` has none, and verification pairs
    /// repeated fields as a multiset. `==` compares order too.
    pub fn same_content(&self, other: &SecureHeaderFields) -> bool {
        if self.algorithm != other.algorithm || self.fields.len() != other.fields.len() {
            return false;
        }
        let key = |f: &SecureHeaderField| {
            (
                f.name.clone(),
                f.value.as_bytes().to_vec(),
                f.status.wire_value(),
            )
        };
        let mut mine: Vec<_> = self.fields.iter().map(key).collect();
        let mut theirs: Vec<_> = other.fields.iter().map(key).collect();
        mine.sort();
        theirs.sort();
        mine == theirs
    }
}

/// Prints what draft §4.5.2 asks an MUA to display: the algorithm, then name, value and status
/// of each secured field.
impl fmt::Display for SecureHeaderFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "canonicalization: {}", self.algorithm)?;
        for field in &self.fields {
            writeln!(f, "{}: {} [{}]", field.name, field.value, field.status)?;
        }
        Ok(())
    }
}
