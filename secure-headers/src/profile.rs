//! Wire profiles: the published RFC 7508 layout and the legacy draft-05 layout.

use std::fmt;

use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};

use crate::oid::{ID_AA_SECURE_HEADER_FIELDS, ID_AA_SECURE_HEADER_FIELDS_DRAFT05};

/// How a [`SecureHeaderFields`](crate::SecureHeaderFields) value is laid out on the wire.
///
/// The two profiles carry the same model; they differ in the attribute identifier, the
/// container of the header fields and the string type of the values.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Profile {
    /// RFC 7508 (the default): attribute id-aa 55, `HeaderFields ::= SEQUENCE OF`,
    /// values are `UTF8String`, so RFC 6532 internationalized fields can be secured.
    #[default]
    #[serde(rename = "rfc7508")]
    Rfc7508,
    /// draft-cailleux-secure-headers-05 (legacy, opt-in): the non-official attribute
    /// identifier of its Appendix B, `HeaderFields ::= SET OF`, values are `IA5String`
    /// restricted by §4.1 to LF, CR and printable US-ASCII.
    #[serde(rename = "draft-05")]
    Draft05,
}

impl Profile {
    /// Both profiles, the default first.
    pub const ALL: [Profile; 2] = [Profile::Rfc7508, Profile::Draft05];

    /// The attribute identifier this profile uses (see [`crate::oid`]).
    pub fn attribute_oid(self) -> ObjectIdentifier {
        match self {
            Profile::Rfc7508 => ID_AA_SECURE_HEADER_FIELDS,
            Profile::Draft05 => ID_AA_SECURE_HEADER_FIELDS_DRAFT05,
        }
    }

    /// The profile whose attribute identifier is `oid`, if any.
    pub fn from_attribute_oid(oid: &ObjectIdentifier) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.attribute_oid() == *oid)
    }

    /// The name used in policy files and on the command line: `rfc7508` or `draft-05`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Rfc7508 => "rfc7508",
            Profile::Draft05 => "draft-05",
        }
    }

    /// Parse a profile name as [`Profile::name`] writes it (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
