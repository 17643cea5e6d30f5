#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! The two wire profiles: draft-05 Appendix B, RFC 7508, DER rules and liberal decoding.

use std::process::Command;

use secure_headers::{
    CanonAlgorithm, Error, FieldStatus, Limits, Policy, PolicySpec, Profile, SecureHeaderField,
    SecureHeaderFields, ValueDefect, build,
};

/// One TLV with a definite length (short or long form), to assemble test vectors from dumps.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n @ 0..=0x7f => out.push(n as u8),
        n @ 0x80..=0xff => out.extend_from_slice(&[0x81, n as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// draft-05 Appendix B's "SecureHeaders structure extracted from signature", byte for byte as
/// the dumpasn1 listing shows it: IA5String names, a SET OF in producer order (not DER
/// order), the DEFAULT status written out, and a four-octet ENUMERATED.
fn appendix_b_attribute() -> Vec<u8> {
    let field = |name: &str, value: &str| {
        tlv(
            0x30,
            &cat(&[
                tlv(0x16, name.as_bytes()),
                tlv(0x16, value.as_bytes()),
                tlv(0x02, &[0]),
            ]),
        )
    };
    let fields = cat(&[
        field("x-ximf-primary-precedence", "priority"),
        field("to", "mary@example.com"),
        field("from", "jdoe <jdoe@example.com>"),
        field("subject", "This is a test"),
    ]);
    let shf = tlv(0x31, &cat(&[tlv(0x0a, &[0, 0, 0, 1]), tlv(0x31, &fields)]));
    let oid = tlv(
        0x06,
        &[
            0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x50,
        ],
    );
    tlv(0x30, &cat(&[oid, tlv(0x31, &shf)]))
}

#[test]
fn appendix_b_bytes_reproduce_the_dump_offsets() {
    // dumpasn1 offsets, relative to the attribute at 2286: "2286 163: SEQUENCE",
    // "2302 147: SET", "2305 144: SET", "2308 4: ENUMERATED", "2314 135: SET",
    // "2317 40: SEQUENCE", "2359 25: SEQUENCE", "2386 34: SEQUENCE", "2422 28: SEQUENCE".
    let der = appendix_b_attribute();
    assert_eq!(der.len(), 3 + 163);
    let at = |offset: usize| der[offset - 2286];
    assert_eq!((at(2302), at(2303), at(2304)), (0x31, 0x81, 147));
    assert_eq!((at(2305), at(2306), at(2307)), (0x31, 0x81, 144));
    assert_eq!((at(2308), at(2309)), (0x0a, 4));
    assert_eq!((at(2314), at(2315), at(2316)), (0x31, 0x81, 135));
    assert_eq!((at(2317), at(2318)), (0x30, 40));
    assert_eq!((at(2359), at(2360)), (0x30, 25));
    assert_eq!((at(2386), at(2387)), (0x30, 34));
    assert_eq!((at(2422), at(2423)), (0x30, 28));
    assert_eq!((at(2449), at(2450), at(2451)), (0x02, 1, 0));
}

#[test]
fn appendix_b_decodes_under_the_legacy_profile() {
    let der = appendix_b_attribute();
    let (profile, shf) = SecureHeaderFields::from_attribute_der(
        &der,
        &[Profile::Rfc7508, Profile::Draft05],
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(profile, Profile::Draft05);
    assert_eq!(shf.algorithm, CanonAlgorithm::Relaxed);
    let got: Vec<(&str, &str, FieldStatus)> = shf
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str().unwrap(), f.status))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "x-ximf-primary-precedence",
                "priority",
                FieldStatus::Duplicated
            ),
            ("to", "mary@example.com", FieldStatus::Duplicated),
            ("from", "jdoe <jdoe@example.com>", FieldStatus::Duplicated),
            ("subject", "This is a test", FieldStatus::Duplicated),
        ]
    );
}

#[test]
fn appendix_b_oid_is_refused_unless_the_legacy_profile_is_accepted() {
    let err = SecureHeaderFields::from_attribute_der(
        &appendix_b_attribute(),
        &[Profile::Rfc7508],
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::ProfileNotAccepted {
            oid: "1.2.840.113549.1.9.16.2.80".into(),
            accepted: "rfc7508".into()
        }
    );
}

const APPENDIX_B_MESSAGE: &[u8] = b"From: John Doe <jdoe@example.com>\r\n\
To: Mary Smith <mary@example.com>\r\n\
Subject: This is a test\r\n\
X-ximf-primary-precedence: priority\r\n\
\r\n\
body\r\n";

fn appendix_b_policy(profile: Profile) -> Policy {
    Policy::try_from(PolicySpec {
        profile,
        canonicalization: CanonAlgorithm::Relaxed,
        fields: ["Subject", "From", "To", "X-ximf-primary-precedence"]
            .map(String::from)
            .to_vec(),
        ..PolicySpec::default()
    })
    .unwrap()
}

#[test]
fn appendix_b_message_builds_under_the_legacy_profile() {
    let policy = appendix_b_policy(Profile::Draft05);
    let shf = build(APPENDIX_B_MESSAGE, &policy).unwrap();
    let der = shf.to_attribute_der(Profile::Draft05).unwrap();
    // The draft's (non-official) identifier, then SET { SET { ENUMERATED 1, SET OF ... } }.
    assert_eq!(
        &der[3..16],
        &[
            0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x50
        ]
    );
    let (profile, decoded) =
        SecureHeaderFields::from_attribute_der(&der, &[Profile::Draft05], &Limits::default())
            .unwrap();
    assert_eq!(profile, Profile::Draft05);
    assert_eq!(decoded.algorithm, CanonAlgorithm::Relaxed);
    // DER sorts the SET OF by encoding, so compare as a set.
    let mut got: Vec<(String, String)> = decoded
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.value.as_str().unwrap().to_owned()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("from".into(), "John Doe <jdoe@example.com>".into()),
            ("subject".into(), "This is a test".into()),
            ("to".into(), "Mary Smith <mary@example.com>".into()),
            ("x-ximf-primary-precedence".into(), "priority".into()),
        ]
    );
}

#[test]
fn appendix_b_dump_disagrees_with_its_own_message_on_from_and_to() {
    // The example's signature carries "mary@example.com" and "jdoe <jdoe@example.com>", which
    // are not the relaxed forms of the message's To and From: a receiver must say so.
    let (_, shf) = SecureHeaderFields::from_attribute_der(
        &appendix_b_attribute(),
        &[Profile::Draft05],
        &Limits::default(),
    )
    .unwrap();
    let report = secure_headers::verify(
        &shf,
        APPENDIX_B_MESSAGE,
        &appendix_b_policy(Profile::Draft05),
    )
    .unwrap();
    let verdicts: Vec<(&str, bool)> = report
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.verdict == secure_headers::Verdict::Match))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("x-ximf-primary-precedence", true),
            ("to", false),
            ("from", false),
            ("subject", true)
        ]
    );
}

#[test]
fn draft05_set_of_is_der_sorted() {
    let shf = build(APPENDIX_B_MESSAGE, &appendix_b_policy(Profile::Draft05)).unwrap();
    let der = shf.to_der(Profile::Draft05).unwrap();
    // SET { ENUMERATED, SET OF { HeaderField... } }: walk the SET OF's elements.
    let set_of_start = 3 + 3 + 3; // outer SET (long form), ENUMERATED (3), SET OF header (long form)
    assert_eq!(der[set_of_start - 3], 0x31);
    let mut elements = Vec::new();
    let mut at = set_of_start;
    while at < der.len() {
        let len = der[at + 1] as usize;
        elements.push(der[at..at + 2 + len].to_vec());
        at += 2 + len;
    }
    assert_eq!(elements.len(), 4);
    let mut sorted = elements.clone();
    sorted.sort();
    assert_eq!(
        elements, sorted,
        "X.690 §11.6: SET OF in ascending order of encodings"
    );
}

/// The RFC 7508 attribute of the SignedData example in pyasn1-modules' RFC 7508 test suite
/// (an independent encoder): `SET { ENUMERATED 1, SEQUENCE { SEQUENCE { VisibleString
/// "From", UTF8String "alice@example.com" } } }` under id-aa 55.
const PYASN1_RFC7508_ATTRIBUTE: &str = "3031060b2a864886f70d010910023731223120\
0a0101301b30191a0446726f6d0c11616c696365406578616d706c652e636f6d";

#[test]
fn rfc7508_attribute_from_an_independent_encoder_decodes_and_reencodes_identically() {
    let der = hex::decode(PYASN1_RFC7508_ATTRIBUTE).unwrap();
    let (profile, shf) =
        SecureHeaderFields::from_attribute_der(&der, &[Profile::Rfc7508], &Limits::default())
            .unwrap();
    assert_eq!(profile, Profile::Rfc7508);
    assert_eq!(
        shf,
        SecureHeaderFields {
            algorithm: CanonAlgorithm::Relaxed,
            fields: vec![SecureHeaderField::new("From", "alice@example.com")],
        }
    );
    assert_eq!(shf.to_attribute_der(Profile::Rfc7508).unwrap(), der);
}

fn rfc7508_four_fields() -> SecureHeaderFields {
    build(APPENDIX_B_MESSAGE, &appendix_b_policy(Profile::Rfc7508)).unwrap()
}

#[test]
fn rfc7508_four_fields_round_trip_in_message_order() {
    let shf = rfc7508_four_fields();
    let names: Vec<&str> = shf.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["from", "to", "subject", "x-ximf-primary-precedence"]
    );
    let der = shf.to_attribute_der(Profile::Rfc7508).unwrap();
    let (profile, back) =
        SecureHeaderFields::from_attribute_der(&der, &[Profile::Rfc7508], &Limits::default())
            .unwrap();
    assert_eq!(profile, Profile::Rfc7508);
    assert_eq!(back, shf);
}

/// `openssl asn1parse` as an independent decoder of what we encode.
#[test]
fn rfc7508_encoding_reads_field_by_field_in_openssl_asn1parse() {
    let mut shf = rfc7508_four_fields();
    shf.fields[2].status = FieldStatus::Modified;
    let der = shf.to_attribute_der(Profile::Rfc7508).unwrap();
    let path = std::env::temp_dir().join(format!("shf-{}.der", std::process::id()));
    std::fs::write(&path, &der).unwrap();
    let output = Command::new("openssl")
        .args(["asn1parse", "-inform", "DER", "-in"])
        .arg(&path)
        .output()
        .expect("openssl is installed");
    std::fs::remove_file(&path).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    // Each line: "offset:d=depth hl=.. l=.. prim: TYPE :value".
    let prims: Vec<(String, String)> = text
        .lines()
        .filter(|l| l.contains("prim:"))
        .map(|l| {
            let after = l.split("prim:").nth(1).unwrap();
            let (kind, value) = after.split_once(':').unwrap_or((after, ""));
            (kind.trim().to_owned(), value.to_owned())
        })
        .collect();
    let expected: Vec<(&str, &str)> = vec![
        ("OBJECT", "1.2.840.113549.1.9.16.2.55"),
        ("ENUMERATED", "01"),
        ("VISIBLESTRING", "from"),
        ("UTF8STRING", "John Doe <jdoe@example.com>"),
        ("VISIBLESTRING", "to"),
        ("UTF8STRING", "Mary Smith <mary@example.com>"),
        ("VISIBLESTRING", "subject"),
        ("UTF8STRING", "This is a test"),
        ("INTEGER", "02"),
        ("VISIBLESTRING", "x-ximf-primary-precedence"),
        ("UTF8STRING", "priority"),
    ];
    let got: Vec<(&str, &str)> = prims
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(got, expected, "openssl asn1parse:\n{text}");
    // The HeaderFields are a SEQUENCE under RFC 7508: depth 3 "cons: SEQUENCE" right after
    // the ENUMERATED.
    assert!(
        text.contains("d=3") && text.contains("cons: SEQUENCE"),
        "{text}"
    );
}

/// `SET { ENUMERATED algorithm, SEQUENCE { SEQUENCE { name, value [, INTEGER status] } } }`.
fn one_field(algorithm: u8, name: &[u8], value: &[u8], status: Option<u8>) -> Vec<u8> {
    let mut field = cat(&[tlv(0x1a, name), tlv(0x0c, value)]);
    if let Some(status) = status {
        field.extend(tlv(0x02, &[status]));
    }
    tlv(
        0x31,
        &cat(&[tlv(0x0a, &[algorithm]), tlv(0x30, &tlv(0x30, &field))]),
    )
}

#[test]
fn default_status_is_omitted_and_explicit_default_decodes() {
    let shf = SecureHeaderFields {
        algorithm: CanonAlgorithm::Simple,
        fields: vec![SecureHeaderField::new("Subject", " hi")],
    };
    let der = shf.to_der(Profile::Rfc7508).unwrap();
    // SET { ENUMERATED 0, SEQUENCE { SEQUENCE { VisibleString, UTF8String } } }: no INTEGER.
    assert_eq!(der, one_field(0, b"Subject", b" hi", None));
    assert_eq!(
        der,
        hex::decode("31150a01003010300e1a075375626a6563740c03206869").unwrap()
    );
    let explicit = one_field(0, b"Subject", b" hi", Some(0));
    assert_eq!(
        SecureHeaderFields::from_der(&explicit, Profile::Rfc7508, &Limits::default()).unwrap(),
        shf
    );
}

#[test]
fn set_components_in_reverse_order_decode() {
    let field = tlv(0x30, &cat(&[tlv(0x1a, b"Subject"), tlv(0x0c, b" hi")]));
    let reversed = tlv(0x31, &cat(&[tlv(0x30, &field), tlv(0x0a, &[1])]));
    let shf =
        SecureHeaderFields::from_der(&reversed, Profile::Rfc7508, &Limits::default()).unwrap();
    assert_eq!(shf.algorithm, CanonAlgorithm::Relaxed);
}

#[test]
fn unknown_status_is_an_error_not_a_default() {
    let der = one_field(1, b"Subject", b" hi", Some(3));
    assert_eq!(
        SecureHeaderFields::from_der(&der, Profile::Rfc7508, &Limits::default()).unwrap_err(),
        Error::UnknownStatus {
            index: 0,
            name: "Subject".into(),
            value: 3
        }
    );
}

#[test]
fn unknown_algorithm_is_an_error() {
    let der = one_field(2, b"Subject", b" hi", None);
    assert_eq!(
        SecureHeaderFields::from_der(&der, Profile::Rfc7508, &Limits::default()).unwrap_err(),
        Error::UnknownAlgorithm { value: 2 }
    );
}

#[test]
fn layouts_do_not_cross_profiles() {
    let rfc = rfc7508_four_fields().to_der(Profile::Rfc7508).unwrap();
    let err = SecureHeaderFields::from_der(&rfc, Profile::Draft05, &Limits::default()).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
    let legacy = rfc7508_four_fields().to_der(Profile::Draft05).unwrap();
    let err =
        SecureHeaderFields::from_der(&legacy, Profile::Rfc7508, &Limits::default()).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
}

#[test]
fn malformed_input_names_the_offset() {
    let mut der = rfc7508_four_fields().to_der(Profile::Rfc7508).unwrap();
    der.truncate(der.len() - 3);
    let err = SecureHeaderFields::from_der(&der, Profile::Rfc7508, &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "malformed");
    assert!(err.offset().is_some(), "{err}");
    // Empty HeaderFields: SIZE (1..MAX).
    let empty = hex::decode("31050a01013000").unwrap();
    let err =
        SecureHeaderFields::from_der(&empty, Profile::Rfc7508, &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        Error::Malformed {
            offset: 5,
            reason: "HeaderFields is empty (SIZE (1..MAX))".into()
        }
    );
    // A name with a colon is not a HeaderFieldName.
    let colon = one_field(1, b"a:b", b"", None);
    let err =
        SecureHeaderFields::from_der(&colon, Profile::Rfc7508, &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "invalid-field-name");
}

#[test]
fn undecodable_values_are_kept_for_the_report() {
    // UTF8String holding 0xff: decodes, with the defect recorded on the value.
    let der = one_field(1, b"a", b"a\xffb", None);
    let shf = SecureHeaderFields::from_der(&der, Profile::Rfc7508, &Limits::default()).unwrap();
    assert_eq!(
        shf.fields[0].value.defect(),
        Some(ValueDefect::NotUtf8 { offset: 1 })
    );
    assert_eq!(shf.fields[0].value.to_string(), "a\\xffb");
    // Re-encoding it is refused: we never emit an invalid UTF8String.
    assert!(matches!(
        shf.to_der(Profile::Rfc7508).unwrap_err(),
        Error::Unrepresentable { .. }
    ));
}

#[test]
fn limits_bound_the_decoder() {
    let der = rfc7508_four_fields().to_der(Profile::Rfc7508).unwrap();
    let limits = Limits {
        max_secured_fields: 3,
        ..Limits::default()
    };
    let err = SecureHeaderFields::from_der(&der, Profile::Rfc7508, &limits).unwrap_err();
    assert!(
        err.to_string().starts_with("max_secured_fields exceeded"),
        "{err}"
    );
    let limits = Limits {
        max_der_bytes: 16,
        ..Limits::default()
    };
    let err = SecureHeaderFields::from_der(&der, Profile::Rfc7508, &limits).unwrap_err();
    assert!(
        err.to_string().starts_with("max_der_bytes exceeded"),
        "{err}"
    );
}

#[test]
fn attribute_with_two_values_is_refused() {
    let value = rfc7508_four_fields().to_der(Profile::Rfc7508).unwrap();
    let oid = hex::decode("060b2a864886f70d0109100237").unwrap();
    let der = tlv(0x30, &cat(&[oid, tlv(0x31, &cat(&[value.clone(), value]))]));
    assert_eq!(
        SecureHeaderFields::from_attribute_der(&der, &[Profile::Rfc7508], &Limits::default())
            .unwrap_err(),
        Error::AttributeValueCount { count: 2 }
    );
}
