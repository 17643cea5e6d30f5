//! ASN.1 of the two signed attributes the `cms` crate has no types for.

use der::Sequence;
use der::asn1::{Any, ObjectIdentifier, OctetString};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// RFC 8551 §2.5.2: `SMIMECapability ::= SEQUENCE { capabilityID OBJECT IDENTIFIER,
/// parameters ANY DEFINED BY capabilityID OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(crate) struct SmimeCapability {
    pub(crate) capability_id: ObjectIdentifier,
    pub(crate) parameters: Option<Any>,
}

/// RFC 8551 §2.5.2: `SMIMECapabilities ::= SEQUENCE OF SMIMECapability`, most preferred first.
pub(crate) type SmimeCapabilities = Vec<SmimeCapability>;

/// RFC 5035 §5.4.1: `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2,
/// policies SEQUENCE OF PolicyInformation OPTIONAL }` (policies are never written here).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub(crate) certs: Vec<EssCertIdV2>,
    pub(crate) policies: Option<Vec<Any>>,
}

/// RFC 5035 §5.4.1.1: `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier
/// DEFAULT {algorithm id-sha256}, certHash Hash, issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(crate) struct EssCertIdV2 {
    /// Absent means the DEFAULT, id-sha256 (DER omits a DEFAULT value, X.690 §11.5).
    pub(crate) hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub(crate) cert_hash: OctetString,
    pub(crate) issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 §5.4.1.1: `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber
/// CertificateSerialNumber }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(crate) struct IssuerSerial {
    pub(crate) issuer: GeneralNames,
    pub(crate) serial_number: SerialNumber,
}
