//! Reading a received ContentInfo/SignedData (RFC 5652 §3, §5), BER accepted (X.690 §8:
//! indefinite lengths and constructed OCTET STRINGs, as Outlook and Java stacks send), while
//! keeping each SignerInfo's signedAttrs exactly as received: the signature is checked over
//! those bytes re-tagged as SET (RFC 5652 §5.4), never over a re-encoding.

use cms::content_info::CmsVersion;
use cms::revocation::RevocationInfoChoices;
use cms::signed_data::{CertificateSet, SignedAttributes, SignerIdentifier};
use der::asn1::{AnyRef, ObjectIdentifier, OctetString, SetOfVec};
use der::{
    Decode, DecodeValue, EncodeValue, EncodingRules, FixedTag, Header, Length, Reader, Sequence,
    SliceReader, Tag, ValueOrd, Writer,
};
use spki::AlgorithmIdentifierOwned;

use crate::error::Error;
use crate::oid;

/// `ContentInfo` with its content left undecoded (RFC 5652 §3).
#[derive(Sequence)]
struct ContentInfoRef<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: AnyRef<'a>,
}

/// `ContentInfo` holding SignedData, decoded in one pass: an indefinite-length `[0]` cannot be
/// captured as an `AnyRef` and decoded again (der keeps its end-of-contents octets inside).
#[derive(Sequence)]
struct SignedContentInfo {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: ReceivedSignedData,
}

/// EncapsulatedContentInfo (RFC 5652 §5.2), its eContent read as an OCTET STRING directly
/// (a BER constructed, indefinite-length one is joined).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ReceivedEncapsulatedContentInfo {
    pub(crate) econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) econtent: Option<OctetString>,
}

/// SignedData as received (RFC 5652 §5.1).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ReceivedSignedData {
    pub(crate) version: CmsVersion,
    pub(crate) digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    pub(crate) encap_content_info: ReceivedEncapsulatedContentInfo,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub(crate) certificates: Option<CertificateSet>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub(crate) crls: Option<RevocationInfoChoices>,
    pub(crate) signer_infos: SetOfVec<ReceivedSignerInfo>,
}

/// SignerInfo as received (RFC 5652 §5.3).
#[derive(Clone, Debug, Sequence, ValueOrd)]
pub(crate) struct ReceivedSignerInfo {
    pub(crate) version: CmsVersion,
    pub(crate) sid: SignerIdentifier,
    pub(crate) digest_alg: AlgorithmIdentifierOwned,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub(crate) signed_attrs: Option<SignedAttrsAsReceived>,
    pub(crate) signature_algorithm: AlgorithmIdentifierOwned,
    pub(crate) signature: OctetString,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub(crate) unsigned_attrs: Option<SignedAttributes>,
}

/// The signedAttrs of a SignerInfo: the attributes, and the exact DER the signer signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SignedAttrsAsReceived {
    /// `SET` tag, the received length, the received contents (RFC 5652 §5.4: "the IMPLICIT
    /// [0] tag in the signedAttrs field is not used for the DER encoding, rather an EXPLICIT
    /// SET OF tag is used").
    pub(crate) message: Vec<u8>,
    pub(crate) attributes: SignedAttributes,
}

impl FixedTag for SignedAttrsAsReceived {
    const TAG: Tag = Tag::Set;
}

impl<'a> DecodeValue<'a> for SignedAttrsAsReceived {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        // RFC 5652 §5.3: "SignedAttributes MUST be DER encoded, even if the rest of the
        // structure is BER encoded": an indefinite length here yields a message that is not
        // what the signer signed, and the signature check says so.
        let length = header.length();
        let body = reader.read_vec(length)?;
        let mut message = Header::new(Tag::Set, length).to_der()?;
        message.extend_from_slice(&body);
        // Attribute values are kept as received (Any), and the SET is not re-sorted.
        let mut inner = SliceReader::new_with_encoding_rules(&body, EncodingRules::Ber)?;
        let attributes = SignedAttributes::decode_value(&mut inner, Header::new(Tag::Set, length))?;
        inner.finish()?;
        Ok(SignedAttrsAsReceived {
            message,
            attributes,
        })
    }
}

impl EncodeValue for SignedAttrsAsReceived {
    fn value_len(&self) -> der::Result<Length> {
        self.attributes.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.attributes.encode_value(writer)
    }
}

impl ValueOrd for SignedAttrsAsReceived {
    fn value_cmp(&self, other: &Self) -> der::Result<std::cmp::Ordering> {
        Ok(self.message.cmp(&other.message))
    }
}

use der::Encode as _;

/// Decodes a ContentInfo holding SignedData, BER or DER.
pub(crate) fn signed_data(der_or_ber: &[u8]) -> Result<ReceivedSignedData, Error> {
    let malformed = |what: &'static str, e: der::Error| Error::Malformed {
        what,
        offset: e
            .position()
            .map(|p| usize::try_from(u32::from(p)).unwrap_or(usize::MAX)),
        reason: e.kind().to_string(),
    };
    match SignedContentInfo::from_ber(der_or_ber) {
        Ok(info) if info.content_type == oid::ID_SIGNED_DATA => Ok(info.content),
        Ok(info) => Err(Error::NotSignedData {
            content_type: info.content_type.to_string(),
        }),
        Err(e) => {
            // Say what the object is when it is something else (e.g. enveloped-data).
            if let Ok(info) = ContentInfoRef::from_ber(der_or_ber)
                && info.content_type != oid::ID_SIGNED_DATA
            {
                return Err(Error::NotSignedData {
                    content_type: info.content_type.to_string(),
                });
            }
            Err(malformed("SignedData", e))
        }
    }
}

/// The encapsulated content octets, when present (opaque signing, RFC 8551 §3.5.2).
pub(crate) fn encapsulated_content(sd: &ReceivedSignedData) -> Option<&[u8]> {
    sd.encap_content_info
        .econtent
        .as_ref()
        .map(OctetString::as_bytes)
}
