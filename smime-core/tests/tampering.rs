#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! Changed, forged and mismatched messages: each must give an invalid report whose entries say
//! what happened. CMS objects are taken apart and put back together with the `cms` types.

mod common;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier, SignerInfos};
use common::*;
use der::asn1::SetOfVec;
use der::{Decode as _, Encode as _};
use secure_headers::{MismatchReason, Verdict};
use smime_core::path::PathFailure;
use smime_core::{
    AddressMatch, ChainOutcome, HeadersOutcome, SignatureFailure, SignatureVerdict, SignedForm,
    SmimeReport, verify_message,
};
use x509_cert::Certificate;

fn certificate(name: &str) -> Certificate {
    smime_core::load_certificates(&pki(name)).unwrap().remove(0)
}

/// The message with its CMS object replaced; everything else stays byte for byte.
fn with_cms(message: &[u8], cms: &[u8]) -> Vec<u8> {
    let header = header_of(message);
    let text = String::from_utf8_lossy(header).to_ascii_lowercase();
    let mut out = Vec::new();
    if text.contains("multipart/signed") {
        // Splice the new base64 between the signature part's header and the close delimiter.
        let close = format!("--{}--", boundary(message));
        let close_at = message
            .windows(close.len())
            .rposition(|w| w == close.as_bytes())
            .unwrap();
        let second = format!("\r\n--{}\r\n", boundary(message));
        let part_at = message
            .windows(second.len())
            .rposition(|w| w == second.as_bytes())
            .unwrap();
        let body_at = header_of(&message[part_at + second.len()..]).len() + part_at + second.len();
        out.extend_from_slice(&message[..body_at]);
        out.extend_from_slice(&base64_lines(cms));
        out.extend_from_slice(&message[close_at..]);
    } else {
        out.extend_from_slice(header);
        out.extend_from_slice(&base64_lines(cms));
    }
    out
}

/// Decodes the message's SignedData, lets `change` edit it, and puts it back.
fn edit(message: &[u8], change: impl FnOnce(&mut SignedData)) -> Vec<u8> {
    let mut sd = signed_data(&cms_of(message));
    change(&mut sd);
    with_cms(message, &encode_signed_data(&sd))
}

fn signature_failure(report: &SmimeReport, i: usize) -> Option<SignatureFailure> {
    match &report.signers[i].signature {
        SignatureVerdict::Valid => None,
        SignatureVerdict::Invalid { reason, .. } => Some(*reason),
    }
}

/// The report is invalid and one of its failure lines contains `needle`.
fn assert_invalid_with(report: &SmimeReport, needle: &str) {
    assert!(!report.is_valid(), "{}", show(report));
    assert!(
        report.failures().iter().any(|f| f.contains(needle)),
        "no failure mentions {needle:?}:\n{}",
        show(report)
    );
    assert!(report.to_string().contains("INVALID"));
}

fn replace_once(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(message.to_vec()).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1).into_bytes()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn reencoding_keeps_the_signature_valid() {
    // The control for every test below that edits the CMS object: decoding and re-encoding
    // with the cms types changes no signed byte.
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let message = sign(
            MESSAGE,
            &[signer("alice-rsa"), signer("alice-p256")],
            form,
            true,
        );
        let again = edit(&message, |_| {});
        let report = verify_message(&again, &options_with_policy()).unwrap();
        assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
        assert_eq!(signature_failure(&report, 1), None, "{}", show(&report));
        assert!(report.headers.is_valid(), "{}", show(&report));
    }
}

#[test]
fn a_changed_body_byte_is_a_digest_mismatch() {
    // Detached: one byte of the entity in the message.
    let message = sign(MESSAGE, &[signer("alice-rsa")], SignedForm::Detached, true);
    let tampered = replace_once(&message, "Hello Bob,", "Hello Rob,");
    let report = verify_message(&tampered, &options_with_policy()).unwrap();
    assert_eq!(
        signature_failure(&report, 0),
        Some(SignatureFailure::DigestMismatch),
        "{}",
        show(&report)
    );
    // The header was not touched: only the signature entry fails.
    assert!(report.headers.is_valid(), "{}", show(&report));
    assert_invalid_with(&report, "DigestMismatch");

    // Opaque: one byte of the eContent inside the CMS object.
    let message = sign(MESSAGE, &[signer("alice-p256")], SignedForm::Opaque, true);
    let tampered = edit(&message, |sd| {
        let any = sd.encap_content_info.econtent.take().unwrap();
        let mut content = any
            .decode_as::<der::asn1::OctetString>()
            .unwrap()
            .into_bytes()
            .into_vec();
        let at = content.windows(9).position(|w| w == b"Hello Bob").unwrap();
        content[at + 6] = b'R';
        sd.encap_content_info.econtent =
            Some(der::Any::encode_from(&der::asn1::OctetString::new(content).unwrap()).unwrap());
    });
    let report = verify_message(&tampered, &options_with_policy()).unwrap();
    assert_eq!(
        signature_failure(&report, 0),
        Some(SignatureFailure::DigestMismatch),
        "{}",
        show(&report)
    );
    assert_invalid_with(&report, "DigestMismatch");
}

#[test]
fn a_changed_signature_value_is_a_bad_signature() {
    let message = sign(MESSAGE, &[signer("alice-rsa")], SignedForm::Detached, true);
    let tampered = edit(&message, |sd| {
        let mut infos = sd.signer_infos.0.clone().into_vec();
        let mut bytes = infos[0].signature.as_bytes().to_vec();
        bytes[10] ^= 0x01;
        infos[0].signature = der::asn1::OctetString::new(bytes).unwrap();
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    let report = verify_message(&tampered, &options()).unwrap();
    assert_eq!(
        signature_failure(&report, 0),
        Some(SignatureFailure::BadSignature),
        "{}",
        show(&report)
    );
    assert_invalid_with(&report, "BadSignature");
}

#[test]
fn a_changed_signed_attribute_is_a_bad_signature() {
    // signingTime moved by a year: the content digest still matches, the signature over the
    // signed attributes does not.
    let message = sign(MESSAGE, &[signer("alice-p384")], SignedForm::Opaque, true);
    let tampered = edit(&message, |sd| {
        let mut infos = sd.signer_infos.0.clone().into_vec();
        let attrs = infos[0].signed_attrs.take().unwrap();
        let mut attrs = attrs.into_vec();
        let time = attrs
            .iter_mut()
            .find(|a| a.oid == smime_core::oid::ID_SIGNING_TIME)
            .unwrap();
        let earlier = x509_cert::time::Time::UtcTime(
            der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(1_700_000_000))
                .unwrap(),
        );
        time.values = SetOfVec::try_from(vec![der::Any::encode_from(&earlier).unwrap()]).unwrap();
        infos[0].signed_attrs = Some(SetOfVec::try_from(attrs).unwrap());
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    let report = verify_message(&tampered, &options()).unwrap();
    assert_eq!(report.signers[0].signing_time, Some(1_700_000_000));
    assert_eq!(
        signature_failure(&report, 0),
        Some(SignatureFailure::BadSignature),
        "{}",
        show(&report)
    );
    assert_invalid_with(&report, "BadSignature");
}

#[test]
fn a_changed_secured_subject_is_a_header_mismatch() {
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let message = sign(MESSAGE, &[signer("alice-rsa")], form, true);
        // The Subject is in the outer header, outside the signed entity: only the
        // SecureHeaderFields notice.
        let tampered = replace_once(
            &message,
            "Subject: Quarterly figures",
            "Subject: Quarterly figures (revised)",
        );
        let report = verify_message(&tampered, &options_with_policy()).unwrap();
        assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
        let HeadersOutcome::Checked(headers) = &report.headers else {
            panic!("headers not checked: {}", show(&report));
        };
        assert_eq!(
            headers.field("subject").unwrap().verdict,
            Verdict::Mismatch(MismatchReason::ValueDiffers),
            "{}",
            show(&report)
        );
        for other in ["from", "to", "date", "message-id"] {
            assert_eq!(
                headers.field(other).unwrap().verdict,
                Verdict::Match,
                "{other}"
            );
        }
        assert!(!report.headers.is_valid());
        assert_invalid_with(&report, "secured header field subject");
    }
}

/// alice-rsa's message with alice's certificate replaced by mallory's (self-signed, Alice's
/// name and address, another key), and the SignerInfo re-pointed at mallory's certificate.
#[test]
fn a_swapped_certificate_is_a_certificate_binding_mismatch() {
    let mallory = certificate("mallory.pem");
    let alice = certificate("alice-rsa.pem");
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let message = sign(MESSAGE, &[signer("alice-rsa")], form, true);
        let tampered = edit(&message, |sd| {
            let certs: Vec<CertificateChoices> = sd
                .certificates
                .take()
                .unwrap()
                .0
                .into_vec()
                .into_iter()
                .map(|c| match c {
                    CertificateChoices::Certificate(c) if c == alice => {
                        CertificateChoices::Certificate(mallory.clone())
                    }
                    other => other,
                })
                .collect();
            sd.certificates = Some(CertificateSet(SetOfVec::try_from(certs).unwrap()));
            let mut infos = sd.signer_infos.0.clone().into_vec();
            infos[0].sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: mallory.tbs_certificate().issuer().clone(),
                serial_number: mallory.tbs_certificate().serial_number().clone(),
            });
            sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
        });
        let report = verify_message(&tampered, &options_with_policy()).unwrap();
        // The signed signingCertificateV2 attribute holds the SHA-256 of alice's certificate:
        // the verifier finds mallory's and names the substitution before trying the key
        // (with which the signature would not verify either: BadSignature).
        assert_eq!(
            signature_failure(&report, 0),
            Some(SignatureFailure::CertificateBindingMismatch),
            "{}",
            show(&report)
        );
        let identity = report.signers[0].identity.as_ref().unwrap();
        assert_eq!(
            identity.serial,
            hex::encode(mallory.tbs_certificate().serial_number().as_bytes())
        );
        assert_invalid_with(&report, "CertificateBindingMismatch");
    }
}

/// A certificate that is alice's in every field (issuer, serial, name, address) except the
/// key, which is mallory's: found by the SignerInfo's issuerAndSerialNumber.
#[test]
fn a_certificate_with_alices_name_and_another_key_is_a_certificate_binding_mismatch() {
    let alice = certificate("alice-rsa.pem");
    let mallory = certificate("mallory.pem");
    let alice_der = alice.to_der().unwrap();
    let alice_key = alice
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let mallory_key = mallory
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    assert_eq!(
        alice_key.len(),
        mallory_key.len(),
        "both RSA-2048: same length, same layout"
    );
    let at = alice_der
        .windows(alice_key.len())
        .position(|w| w == alice_key)
        .unwrap();
    let mut forged = alice_der.clone();
    forged[at..at + alice_key.len()].copy_from_slice(&mallory_key);
    let forged = Certificate::from_der(&forged).unwrap();

    let message = sign(MESSAGE, &[signer("alice-rsa")], SignedForm::Opaque, true);
    let tampered = edit(&message, |sd| {
        let certs: Vec<CertificateChoices> = sd
            .certificates
            .take()
            .unwrap()
            .0
            .into_vec()
            .into_iter()
            .map(|c| match c {
                CertificateChoices::Certificate(c) if c == alice => {
                    CertificateChoices::Certificate(forged.clone())
                }
                other => other,
            })
            .collect();
        sd.certificates = Some(CertificateSet(SetOfVec::try_from(certs).unwrap()));
    });
    let report = verify_message(&tampered, &options()).unwrap();
    assert_eq!(
        signature_failure(&report, 0),
        Some(SignatureFailure::CertificateBindingMismatch),
        "{}",
        show(&report)
    );
    assert_invalid_with(&report, "CertificateBindingMismatch");
}

/// The message carries no certificate; the verifier is given mallory's (and the
/// intermediate). The SignerInfo names alice's issuer and serial, which mallory's certificate
/// does not have: no certificate is found, so no key, chain or address is checked.
#[test]
fn a_supplied_impostor_certificate_is_not_found() {
    let message = sign(MESSAGE, &[signer("alice-rsa")], SignedForm::Detached, true);
    let stripped = edit(&message, |sd| sd.certificates = None);

    let mut options = options_with_policy();
    options.certificates = vec![certificate("mallory.pem"), certificate("intermediate.pem")];
    let report = verify_message(&stripped, &options).unwrap();
    assert_eq!(
        signature_failure(&report, 0),
        Some(SignatureFailure::CertificateNotFound),
        "{}",
        show(&report)
    );
    assert!(report.signers[0].identity.is_none());
    assert!(matches!(report.signers[0].chain, ChainOutcome::NotChecked));
    assert_eq!(report.signers[0].address, AddressMatch::NotChecked);
    assert_invalid_with(&report, "CertificateNotFound");

    // Control: with alice's certificate supplied instead, the same message verifies.
    let mut options = options_with_policy();
    options.certificates = vec![
        certificate("alice-rsa.pem"),
        certificate("intermediate.pem"),
    ];
    let report = verify_message(&stripped, &options).unwrap();
    assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
}

#[test]
fn an_expired_certificate_fails_the_chain_as_expired() {
    let message = sign(
        MESSAGE,
        &[signer("alice-expired")],
        SignedForm::Detached,
        true,
    );
    let report = verify_message(&message, &options_with_policy()).unwrap();
    assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
    assert_eq!(
        path_failure(&report.signers[0]),
        Some(PathFailure::Expired),
        "{}",
        show(&report)
    );
    assert!(!report.is_valid());
}

#[test]
fn a_certificate_without_email_protection_fails_the_chain() {
    // alice-server-only has EKU serverAuth only (RFC 8550 §4.4.4).
    let message = sign(
        MESSAGE,
        &[signer("alice-server-only")],
        SignedForm::Detached,
        true,
    );
    let report = verify_message(&message, &options_with_policy()).unwrap();
    assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
    assert_eq!(
        report.signers[0].address,
        AddressMatch::Matched {
            address: "alice@example.com".into()
        }
    );
    assert_eq!(
        path_failure(&report.signers[0]),
        Some(PathFailure::ExtendedKeyUsage),
        "{}",
        show(&report)
    );
    assert!(!report.is_valid());
}

#[test]
fn a_from_not_in_the_certificate_is_an_address_mismatch() {
    let eve = replace_once(
        MESSAGE,
        "From: Alice <alice@example.com>",
        "From: Eve <eve@example.net>",
    );
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let message = sign(&eve, &[signer("alice-rsa")], form, true);
        let report = verify_message(&message, &options_with_policy()).unwrap();
        assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
        // The secured From is eve's too: the header check holds, the address does not.
        assert!(report.headers.is_valid(), "{}", show(&report));
        assert_eq!(
            report.signers[0].address,
            AddressMatch::Mismatch {
                message: vec!["eve@example.net".into()],
                certificate: vec!["alice@example.com".into()],
            }
        );
        assert!(!report.signers[0].is_valid());
        assert_invalid_with(&report, "is not in the certificate");
    }
}

/// One message, two SignerInfos (alice-rsa and alice-p256) signed separately over the same
/// entity with different SecureHeaderFields, merged into one SignedData (the public API always
/// gives every signer the same attribute, so the merge is done with the cms types).
fn merged(first: &[u8], second: &[u8]) -> Vec<u8> {
    let a = signed_data(&opaque_cms(first));
    let b = signed_data(&opaque_cms(second));
    assert_eq!(
        a.encap_content_info.econtent.as_ref().unwrap(),
        b.encap_content_info.econtent.as_ref().unwrap(),
        "both signed the same entity"
    );
    edit(first, |sd| {
        let mut infos = sd.signer_infos.0.clone().into_vec();
        infos.extend(b.signer_infos.0.iter().cloned());
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
        let mut certs = sd.certificates.take().unwrap().0.into_vec();
        for c in b.certificates.as_ref().unwrap().0.iter() {
            if !certs.contains(c) {
                certs.push(c.clone());
            }
        }
        sd.certificates = Some(CertificateSet(SetOfVec::try_from(certs).unwrap()));
        for d in b.digest_algorithms.iter() {
            if !sd.digest_algorithms.iter().any(|x| x.oid == d.oid) {
                sd.digest_algorithms.insert(d.clone()).unwrap();
            }
        }
    })
}

fn sign_opaque_with(message: &[u8], name: &str, policy: &str) -> Vec<u8> {
    let options = smime_core::SignOptions {
        form: SignedForm::Opaque,
        secure_headers: Some(secure_headers::Policy::from_toml_str(policy).unwrap()),
        ..smime_core::SignOptions::default()
    };
    smime_core::sign_message(message, &[signer(name)], &options).unwrap()
}

const FROM_SUBJECT: &str = r#"
[secure_headers]
fields = ["From", "Subject"]
mandatory = ["From", "Subject"]
"#;

#[test]
fn signers_with_different_secure_header_fields_disagree() {
    // (a) Different policies: one secures five fields, the other two.
    let one = sign_opaque_with(MESSAGE, "alice-rsa", POLICY);
    let two = sign_opaque_with(MESSAGE, "alice-p256", FROM_SUBJECT);
    // (b) The same policy over two headers: the second signer saw another Subject.
    let other_subject = replace_once(
        MESSAGE,
        "Subject: Quarterly figures",
        "Subject: Annual figures",
    );
    let three = sign_opaque_with(&other_subject, "alice-p256", POLICY);

    for (label, message) in [
        ("policies", merged(&one, &two)),
        ("values", merged(&one, &three)),
    ] {
        let report = verify_message(&message, &options_with_policy()).unwrap();
        assert_eq!(report.signers.len(), 2, "{label}: {}", show(&report));
        for i in 0..2 {
            assert_eq!(
                signature_failure(&report, i),
                None,
                "{label}: {}",
                show(&report)
            );
            assert!(report.signers[i].secures_headers);
        }
        assert!(
            matches!(report.headers, HeadersOutcome::SignersDisagree),
            "{label}: {}",
            show(&report)
        );
        assert_invalid_with(&report, "different SecureHeaderFields");
    }

    // Control: the same merge of two signers that agree is no disagreement.
    let agreeing = sign_opaque_with(MESSAGE, "alice-p256", POLICY);
    let report = verify_message(&merged(&one, &agreeing), &options_with_policy()).unwrap();
    assert!(
        matches!(&report.headers, HeadersOutcome::Checked(r) if r.is_valid()),
        "{}",
        show(&report)
    );
}

#[test]
fn signed_without_a_policy_the_headers_are_not_secured() {
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let message = sign(MESSAGE, &[signer("alice-rsa")], form, false);
        let report = verify_message(&message, &options()).unwrap();
        assert_eq!(signature_failure(&report, 0), None, "{}", show(&report));
        assert!(!report.signers[0].secures_headers);
        assert_eq!(
            report.signers[0].address,
            AddressMatch::Matched {
                address: "alice@example.com".into()
            }
        );
        assert!(
            matches!(&report.headers, HeadersOutcome::NotSecured { mandatory } if mandatory.is_empty()),
            "{}",
            show(&report)
        );
        assert!(report.headers.is_valid());

        // A verifier whose policy makes From and Subject mandatory does not accept it.
        let report = verify_message(&message, &options_with_policy()).unwrap();
        assert!(
            matches!(&report.headers, HeadersOutcome::NotSecured { mandatory }
                if mandatory.iter().map(String::as_str).eq(["From", "Subject"])),
            "{}",
            show(&report)
        );
        assert_invalid_with(&report, "mandatory");
    }
}

/// Needs certificate path validation: the message signed without a policy is valid.
#[test]
fn signed_without_a_policy_the_report_is_valid() {
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        let message = sign(MESSAGE, &[signer("alice-rsa")], form, false);
        let report = verify_message(&message, &options()).unwrap();
        assert!(report.is_valid(), "{}", show(&report));
    }
}
