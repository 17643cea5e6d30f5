//! The verification report (draft §4.5.2): what holds for each secured field.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::model::{CanonAlgorithm, FieldStatus, FieldValue, ValueDefect};

/// The outcome for one field of the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "reason")]
pub enum Verdict {
    /// The message carries the field with the same canonical name and value.
    Match,
    /// The message carries the field, with another canonical form (step 5).
    Mismatch(MismatchReason),
    /// The message does not carry the field (step 3).
    MissingFromMessage,
}

/// Why a field did not match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchReason {
    /// The canonical values differ.
    ValueDiffers,
    /// The values are equal but the names differ (case or spacing under `simple`).
    NameDiffers,
    /// The value in the signature is not validly encoded for its profile (a producer error):
    /// it cannot be compared, so it does not match.
    SignedValueDefect(ValueDefect),
}

impl fmt::Display for MismatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MismatchReason::ValueDiffers => f.write_str("value differs"),
            MismatchReason::NameDiffers => f.write_str("name differs"),
            MismatchReason::SignedValueDefect(defect) => {
                write!(f, "value in signature is undecodable: {defect}")
            }
        }
    }
}

/// One field of the signature, checked against the message (steps 3–5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldReport {
    /// The field name as carried in the signature.
    pub name: String,
    /// The value carried in the signature.
    pub signed_value: FieldValue,
    /// The canonical values of every field of that name in the message.
    pub message_values: Vec<FieldValue>,
    /// The status carried in the signature.
    pub status: FieldStatus,
    /// The outcome.
    pub verdict: Verdict,
}

/// A field the policy secures (or the signature names) that the message carries but the
/// signature does not account for (step 6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtraField {
    /// The canonical field name.
    pub name: String,
    /// The canonical value in the message.
    pub value: FieldValue,
}

/// A mandatory field the signature does not secure (step 7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MandatoryMissing {
    /// The field name as the policy spells it.
    pub name: String,
    /// Whether the message carries the field (step 7's case) or lacks it altogether.
    pub in_message: bool,
}

/// What verification of the secured header fields found (§4.5.2 steps 2–7).
///
/// Serializes (e.g. to JSON) with a leading `valid` member holding [`Self::is_valid`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationReport {
    /// The canonicalization algorithm named by the signature (step 2).
    pub algorithm: CanonAlgorithm,
    /// Each field of the signature, in signature order.
    pub fields: Vec<FieldReport>,
    /// Secured fields in the message that the signature lacks.
    pub extra: Vec<ExtraField>,
    /// Mandatory fields that the signature does not secure.
    pub mandatory_missing: Vec<MandatoryMissing>,
}

impl VerificationReport {
    /// Valid when every field matches, nothing extra was found and no mandatory field is
    /// missing from the signature.
    pub fn is_valid(&self) -> bool {
        self.fields.iter().all(|f| f.verdict == Verdict::Match)
            && self.extra.is_empty()
            && self.mandatory_missing.is_empty()
    }

    /// The fields that did not match or are missing from the message.
    pub fn failures(&self) -> impl Iterator<Item = &FieldReport> {
        self.fields.iter().filter(|f| f.verdict != Verdict::Match)
    }

    /// The report for the first signature field named `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&FieldReport> {
        self.fields
            .iter()
            .find(|f| f.name.trim().eq_ignore_ascii_case(name))
    }
}

fn write_values(f: &mut fmt::Formatter<'_>, values: &[FieldValue]) -> fmt::Result {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "\"{value}\"")?;
    }
    Ok(())
}

/// What §4.5.2 says an MUA must show: the overall result, the algorithm, and for each secured
/// field its name, the value in the signature, its status and its validity; then extra and
/// missing mandatory fields.
impl fmt::Display for VerificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_valid() { "valid" } else { "INVALID" };
        writeln!(
            f,
            "secure headers: {verdict} (canonicalization: {})",
            self.algorithm
        )?;
        for field in &self.fields {
            write!(
                f,
                "  {}: \"{}\" [{}] ",
                field.name, field.signed_value, field.status
            )?;
            match &field.verdict {
                Verdict::Match => writeln!(f, "ok")?,
                Verdict::MissingFromMessage => writeln!(f, "MISSING from message")?,
                Verdict::Mismatch(reason) => {
                    write!(f, "MISMATCH ({reason}); message has ")?;
                    write_values(f, &field.message_values)?;
                    writeln!(f)?;
                }
            }
        }
        for extra in &self.extra {
            writeln!(
                f,
                "  {}: \"{}\" EXTRA: secured field not in the signature",
                extra.name, extra.value
            )?;
        }
        for missing in &self.mandatory_missing {
            let where_ = if missing.in_message {
                "present in the message but not secured by the signature"
            } else {
                "absent from the message and the signature"
            };
            writeln!(f, "  {}: MANDATORY field {where_}", missing.name)?;
        }
        Ok(())
    }
}

impl Serialize for VerificationReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut report = serializer.serialize_struct("VerificationReport", 5)?;
        report.serialize_field("valid", &self.is_valid())?;
        report.serialize_field("algorithm", &self.algorithm)?;
        report.serialize_field("fields", &self.fields)?;
        report.serialize_field("extra", &self.extra)?;
        report.serialize_field("mandatory_missing", &self.mandatory_missing)?;
        report.end()
    }
}
