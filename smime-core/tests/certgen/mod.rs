//! Certificate generation shared by the integration tests (P-256, deterministic keys).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE,
    ID_CE_SUBJECT_KEY_IDENTIFIER,
};
use der::Encode;
use der::asn1::{OctetString, UtcTime};
use p256::ecdsa::{DerSignature, SigningKey};
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Issues exactly the extensions it is given.
pub struct Fixed {
    pub issuer: Name,
    pub subject: Name,
    pub extensions: Vec<Extension>,
}

impl BuilderProfile for Fixed {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn ext(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().unwrap()).unwrap(),
    }
}

pub fn key_usage(bits: &[KeyUsages]) -> Extension {
    let mut flags = flagset::FlagSet::<KeyUsages>::default();
    for b in bits {
        flags |= *b;
    }
    ext(ID_CE_KEY_USAGE, true, &KeyUsage(flags))
}

pub fn eku(oids: &[ObjectIdentifier]) -> Extension {
    ext(ID_CE_EXT_KEY_USAGE, false, &ExtendedKeyUsage(oids.to_vec()))
}

pub fn issue(
    issuer: &str,
    subject: &str,
    serial: u32,
    key: &SigningKey,
    signer: &SigningKey,
    extensions: Vec<Extension>,
) -> Certificate {
    // Whole days, so the same inputs give the same certificate throughout a test run.
    let today = now() - now() % 86_400;
    let validity = Validity::new(
        Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(today - 86_400)).unwrap()),
        Time::UtcTime(
            UtcTime::from_unix_duration(Duration::from_secs(today + 2 * 86_400)).unwrap(),
        ),
    );
    let profile = Fixed {
        issuer: Name::from_str(issuer).unwrap(),
        subject: Name::from_str(subject).unwrap(),
        extensions,
    };
    let spki = SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).unwrap();
    CertificateBuilder::new(profile, SerialNumber::from(serial), validity, spki)
        .unwrap()
        .build::<_, DerSignature>(signer)
        .unwrap()
}

/// P-256 key from a one-byte seed.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).unwrap()
}

/// CA extensions: basicConstraints cA, keyCertSign/cRLSign, SKID, and AKID when given.
pub fn ca_extensions(skid: &[u8], akid: Option<&[u8]>) -> Vec<Extension> {
    let bc = BasicConstraints {
        ca: true,
        path_len_constraint: None,
    };
    let mut exts = vec![
        ext(ID_CE_BASIC_CONSTRAINTS, true, &bc),
        key_usage(&[KeyUsages::KeyCertSign, KeyUsages::CRLSign]),
        ext(
            ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &OctetString::new(skid).unwrap(),
        ),
    ];
    if let Some(akid) = akid {
        exts.push(authority_key_id(akid));
    }
    exts
}

/// authorityKeyIdentifier with a keyIdentifier.
pub fn authority_key_id(id: &[u8]) -> Extension {
    let akid = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(id).unwrap()),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    ext(ID_CE_AUTHORITY_KEY_IDENTIFIER, false, &akid)
}
