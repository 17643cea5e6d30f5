//! DER encoding and liberal decoding of SecureHeaderFields under both wire profiles.
//!
//! ```text
//! SecureHeaderFields ::= SET { canonAlgorithm Algorithm, secHeaderFields HeaderFields }
//! HeaderFields ::= SEQUENCE SIZE (1..MAX) OF HeaderField     -- RFC 7508 §4.1
//! HeaderFields ::= SET SIZE (1..MAX) OF HeaderField          -- draft-05 §4.1
//! HeaderField ::= SEQUENCE { field-Name VisibleString, field-Value UTF8String (RFC 7508)
//!                            | IA5String (draft-05), field-Status INTEGER DEFAULT duplicated }
//! ```
//!
//! Encoding is DER: the DEFAULT status is omitted, the draft-05 SET OF is sorted (X.690 §11.6),
//! the two SET components are in tag order. Decoding accepts what real producers wrote
//! (draft-05 Appendix B): names as IA5String, an unsorted SET OF, an explicit DEFAULT status,
//! SET components in either order and a non-minimal ENUMERATED. Unknown status and algorithm
//! values are errors.

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{
    Decode, Encode, EncodeValue, Header, Length, Reader, Sequence, SliceReader, Tag, Tagged, Writer,
};

use crate::error::Error;
use crate::limits::{Limit, Limits};
use crate::model::{
    CanonAlgorithm, FieldStatus, FieldValue, SecureHeaderField, SecureHeaderFields, ValueDefect,
};
use crate::profile::Profile;

impl From<der::Error> for Error {
    fn from(err: der::Error) -> Error {
        Error::Malformed {
            offset: err.position().map_or(0, |p| u32::from(p) as usize),
            reason: err.kind().to_string(),
        }
    }
}

/// `HeaderField` as it is on the wire; strings are kept as raw TLVs so that a value the
/// producer got wrong is reported for its field instead of failing the whole structure.
#[derive(Sequence)]
struct HeaderFieldWire<'a> {
    name: AnyRef<'a>,
    value: AnyRef<'a>,
    #[asn1(optional = "true")]
    status: Option<i64>,
}

/// `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }`
/// (RFC 5652 §5.3).
#[derive(Sequence)]
struct AttributeWire<'a> {
    oid: ObjectIdentifier,
    values: AnyRef<'a>,
}

/// A constructed value whose elements are already DER-encoded: the body of
/// `SecureHeaderFields` (a SET), of `HeaderFields` (SEQUENCE OF or sorted SET OF).
struct Constructed<'e> {
    tag: Tag,
    elements: Vec<&'e [u8]>,
}

impl EncodeValue for Constructed<'_> {
    fn value_len(&self) -> der::Result<Length> {
        self.elements
            .iter()
            .try_fold(Length::ZERO, |len, e| len + Length::try_from(e.len())?)
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.elements.iter().try_for_each(|e| writer.write(e))
    }
}

impl Tagged for Constructed<'_> {
    fn tag(&self) -> Tag {
        self.tag
    }
}

fn value_tag(profile: Profile) -> Tag {
    match profile {
        Profile::Rfc7508 => Tag::Utf8String,
        Profile::Draft05 => Tag::Ia5String,
    }
}

fn fields_tag(profile: Profile) -> Tag {
    match profile {
        Profile::Rfc7508 => Tag::Sequence,
        Profile::Draft05 => Tag::Set,
    }
}

/// Check a field name against `HeaderFieldName ::= VisibleString (FROM (ALL EXCEPT (":")))`.
pub(crate) fn check_field_name(name: &[u8]) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty");
    }
    if name.contains(&b':') {
        return Err("contains ':'");
    }
    if !name.iter().all(|&b| (0x20..=0x7e).contains(&b)) {
        return Err("not a VisibleString (printable US-ASCII)");
    }
    Ok(())
}

impl SecureHeaderFields {
    /// DER encoding of the attribute value under `profile` (what goes in `attrValues`).
    ///
    /// Refuses, naming the field, a value the profile cannot carry (see
    /// [`ValueDefect::check`]) and an invalid name; an empty structure is
    /// [`Error::NothingToSecure`] since `HeaderFields` has SIZE (1..MAX).
    pub fn to_der(&self, profile: Profile) -> Result<Vec<u8>, Error> {
        if self.fields.is_empty() {
            return Err(Error::NothingToSecure);
        }
        let mut encoded_fields = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            check_field_name(field.name.as_bytes()).map_err(|reason| Error::InvalidFieldName {
                name: field.name.clone(),
                reason,
            })?;
            ValueDefect::check(field.value.as_bytes(), profile).map_err(|defect| {
                Error::Unrepresentable {
                    field: field.name.clone(),
                    profile,
                    defect,
                }
            })?;
            let wire = HeaderFieldWire {
                name: AnyRef::new(Tag::VisibleString, field.name.as_bytes())?,
                value: AnyRef::new(value_tag(profile), field.value.as_bytes())?,
                // DER: a component equal to its DEFAULT is omitted (X.690 §11.5).
                status: (field.status != FieldStatus::Duplicated)
                    .then(|| field.status.wire_value()),
            };
            encoded_fields.push(wire.to_der()?);
        }
        if profile == Profile::Draft05 {
            // X.690 §11.6: SET OF components in ascending order of their encodings.
            encoded_fields.sort();
        }
        let fields = Constructed {
            tag: fields_tag(profile),
            elements: encoded_fields.iter().map(Vec::as_slice).collect(),
        }
        .to_der()?;
        let algorithm = [self.algorithm.wire_value()];
        let algorithm = AnyRef::new(Tag::Enumerated, &algorithm)?.to_der()?;
        // X.690 §10.3: SET components in tag order; ENUMERATED (10) precedes SEQUENCE/SET.
        Ok(Constructed {
            tag: Tag::Set,
            elements: vec![&algorithm, &fields],
        }
        .to_der()?)
    }

    /// DER encoding of the whole signed attribute, `SEQUENCE { attrType, SET { value } }`,
    /// with the identifier of `profile`.
    pub fn to_attribute_der(&self, profile: Profile) -> Result<Vec<u8>, Error> {
        let value = self.to_der(profile)?;
        let values = Constructed {
            tag: Tag::Set,
            elements: vec![&value],
        };
        let values = values.to_der()?;
        let values = AnyRef::from_der(&values)?;
        Ok(AttributeWire {
            oid: profile.attribute_oid(),
            values,
        }
        .to_der()?)
    }

    /// Decode an attribute value (the SecureHeaderFields SET) laid out as `profile` says.
    pub fn from_der(der: &[u8], profile: Profile, limits: &Limits) -> Result<Self, Error> {
        check_der_size(der, limits)?;
        let mut reader = SliceReader::new(der)?;
        let value = decode_value(&mut reader, profile, limits)?;
        reader.finish()?;
        Ok(value)
    }

    /// Decode a whole signed attribute, choosing the profile from its identifier among
    /// `accepted` ([`Error::ProfileNotAccepted`] otherwise).
    pub fn from_attribute_der(
        der: &[u8],
        accepted: &[Profile],
        limits: &Limits,
    ) -> Result<(Profile, Self), Error> {
        check_der_size(der, limits)?;
        let mut reader = SliceReader::new(der)?;
        let header = Header::decode(&mut reader)?;
        header.tag().assert_eq(Tag::Sequence)?;
        let decoded = reader.read_nested(header.length(), |reader| {
            let oid = ObjectIdentifier::decode(reader)?;
            let profile = Profile::from_attribute_oid(&oid)
                .filter(|p| accepted.contains(p))
                .ok_or_else(|| Error::ProfileNotAccepted {
                    oid: oid.to_string(),
                    accepted: accepted
                        .iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let values = Header::decode(reader)?;
            values.tag().assert_eq(Tag::Set)?;
            reader.read_nested(values.length(), |reader| {
                let value = decode_value(reader, profile, limits)?;
                if !reader.is_finished() {
                    let mut count = 1;
                    while !reader.is_finished() {
                        reader.tlv_bytes()?;
                        count += 1;
                    }
                    return Err(Error::AttributeValueCount { count });
                }
                Ok((profile, value))
            })
        })?;
        reader.finish()?;
        Ok(decoded)
    }
}

fn check_der_size(der: &[u8], limits: &Limits) -> Result<(), Error> {
    if der.len() > limits.max_der_bytes {
        return Err(Error::LimitExceeded {
            limit: Limit::DerBytes,
            max: limits.max_der_bytes,
            actual: der.len(),
        });
    }
    Ok(())
}

fn position(reader: &SliceReader<'_>) -> usize {
    u32::from(reader.position()) as usize
}

fn malformed(offset: usize, reason: impl Into<String>) -> Error {
    Error::Malformed {
        offset,
        reason: reason.into(),
    }
}

/// Decode one SecureHeaderFields value at the reader's position.
fn decode_value(
    reader: &mut SliceReader<'_>,
    profile: Profile,
    limits: &Limits,
) -> Result<SecureHeaderFields, Error> {
    let at = position(reader);
    let header = Header::decode(reader)?;
    if header.tag() != Tag::Set {
        return Err(malformed(
            at,
            format!("SecureHeaderFields must be a SET, found {}", header.tag()),
        ));
    }
    reader.read_nested(header.length(), |reader| {
        let mut algorithm = None;
        let mut fields = None;
        // The SET's two components, in whichever order the producer wrote them.
        while !reader.is_finished() {
            let at = position(reader);
            let tag = Tag::peek(reader)?;
            match tag {
                Tag::Enumerated if algorithm.is_none() => {
                    algorithm = Some(decode_algorithm(AnyRef::decode(reader)?, at)?);
                }
                t if t == fields_tag(profile) && fields.is_none() => {
                    fields = Some(decode_fields(reader, profile, limits)?);
                }
                Tag::Enumerated | Tag::Sequence | Tag::Set if algorithm.is_some() || fields.is_some() => {
                    return Err(malformed(at, format!("unexpected {tag} in SecureHeaderFields")));
                }
                other => {
                    return Err(malformed(
                        at,
                        format!(
                            "unexpected {other} in SecureHeaderFields (the {profile} profile has HeaderFields as {})",
                            fields_tag(profile)
                        ),
                    ));
                }
            }
        }
        let end = position(reader);
        match (algorithm, fields) {
            (Some(algorithm), Some(fields)) => Ok(SecureHeaderFields { algorithm, fields }),
            (None, _) => Err(malformed(end, "canonAlgorithm is missing")),
            (_, None) => Err(malformed(end, "secHeaderFields is missing")),
        }
    })
}

/// `Algorithm ::= ENUMERATED`, read liberally: draft-05 Appendix B writes it on four octets.
fn decode_algorithm(any: AnyRef<'_>, at: usize) -> Result<CanonAlgorithm, Error> {
    let content = any.value();
    let Some(&first) = content.first() else {
        return Err(malformed(at, "empty ENUMERATED"));
    };
    if first & 0x80 != 0 {
        return Err(Error::UnknownAlgorithm { value: u64::MAX });
    }
    let significant = &content[content.iter().take_while(|&&b| b == 0).count()..];
    let value = if significant.len() > 8 {
        u64::MAX
    } else {
        significant
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    };
    CanonAlgorithm::from_wire_value(value).ok_or(Error::UnknownAlgorithm { value })
}

fn decode_fields(
    reader: &mut SliceReader<'_>,
    profile: Profile,
    limits: &Limits,
) -> Result<Vec<SecureHeaderField>, Error> {
    let at = position(reader);
    let header = Header::decode(reader)?;
    reader.read_nested(header.length(), |reader| {
        let mut fields = Vec::new();
        while !reader.is_finished() {
            if fields.len() == limits.max_secured_fields {
                return Err(Error::LimitExceeded {
                    limit: Limit::SecuredFields,
                    max: limits.max_secured_fields,
                    actual: fields.len() + 1,
                });
            }
            let field_at = position(reader);
            let wire = HeaderFieldWire::decode(reader)?;
            fields.push(decode_field(wire, fields.len(), field_at, profile)?);
        }
        if fields.is_empty() {
            return Err(malformed(at, "HeaderFields is empty (SIZE (1..MAX))"));
        }
        Ok(fields)
    })
}

fn decode_field(
    wire: HeaderFieldWire<'_>,
    index: usize,
    at: usize,
    profile: Profile,
) -> Result<SecureHeaderField, Error> {
    // Names: VisibleString per the module; draft-05 Appendix B wrote IA5String.
    if !matches!(wire.name.tag(), Tag::VisibleString | Tag::Ia5String) {
        return Err(malformed(
            at,
            format!(
                "field #{index}: field-Name is {}, not VisibleString",
                wire.name.tag()
            ),
        ));
    }
    let name_bytes = wire.name.value();
    check_field_name(name_bytes).map_err(|reason| Error::InvalidFieldName {
        name: String::from_utf8_lossy(name_bytes).into_owned(),
        reason,
    })?;
    let name = String::from_utf8_lossy(name_bytes).into_owned();
    if wire.value.tag() != value_tag(profile) {
        return Err(malformed(
            at,
            format!(
                "field #{index} ({name}): field-Value is {}, the {profile} profile uses {}",
                wire.value.tag(),
                value_tag(profile)
            ),
        ));
    }
    let value = FieldValue::from_bytes(wire.value.value().to_vec(), profile);
    let status = match wire.status {
        None => FieldStatus::Duplicated,
        Some(v) => FieldStatus::from_wire_value(v).ok_or(Error::UnknownStatus {
            index,
            name: name.clone(),
            value: v,
        })?,
    };
    Ok(SecureHeaderField {
        name,
        value,
        status,
    })
}
