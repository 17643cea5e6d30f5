//! Object identifiers of the SecureHeaderFields signed attribute.
//!
//! The attribute identifier was "to be defined" in draft-cailleux-secure-headers-05 and was
//! assigned when the draft was published as RFC 7508.

use der::asn1::ObjectIdentifier;

/// `id-aa-secureHeaderFieldsIdentifier`: `{ id-aa 55 }` = 1.2.840.113549.1.9.16.2.55.
///
/// Source: RFC 7508 §4.1 and Appendix A; registered by IANA in the "SMIME Attributes" registry
/// (RFC 7508 §8). This is the identifier every producer should emit.
pub const ID_AA_SECURE_HEADER_FIELDS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.55");

/// The non-official identifier used by draft-cailleux-secure-headers-05 Appendix B:
/// 1.2.840.113549.1.9.16.2.80.
///
/// Source: draft-05 Appendix B ("OID used in this example is non-official"). Early producers
/// followed the example; the identifier is recognised only when a policy enables the legacy
/// draft-05 profile, and never emitted by default.
pub const ID_AA_SECURE_HEADER_FIELDS_DRAFT05: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.80");
