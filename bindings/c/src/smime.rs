//! S/MIME (RFC 8551) signing and verification with SecureHeaderFields (RFC 7508): signers made
//! from PEM files, trust anchors, whole messages signed as multipart/signed or
//! application/pkcs7-mime, and the per-signer report of a verification.
//!
//! A signature that does not verify is not an error: `mailsec_smime_verify` returns a report
//! saying what holds. Errors are for input that cannot be read at all, and for unusable keys and
//! certificates.

use std::ffi::c_char;

use facade::smime::{
    self, AddressMatch, ChainOutcome, SignOptions, SignatureAlgorithm, SignatureVerdict,
    SignedForm, Signer, SignerIdentifierKind, SignerReport, SmimeReport, TrustAnchors,
    VerifyOptions,
};

use crate::boundary::ffi_boundary;
use crate::bytes::mailsec_bytes;
use crate::detail::mailsec_error_detail;
use crate::handle::{
    Castable, borrow_handle, borrow_handle_mut, free_handle, into_handle, write_out,
};
use crate::headers::mailsec_headers_policy;
use crate::result::mailsec_result;
use crate::slice::{input_array, input_bytes, input_c_str};

/// Flag of `mailsec_smime_sign`: produce application/pkcs7-mime signed-data (RFC 8551 §3.5.2),
/// the content inside the CMS object, instead of the default multipart/signed (§3.5.3).
pub const MAILSEC_SMIME_OPAQUE: u32 = 1;

/// Flag of `mailsec_smime_signer_new`: name the certificate in the SignerInfo by its
/// subjectKeyIdentifier (SignerInfo version 3) instead of issuerAndSerialNumber (RFC 5652 §5.3).
pub const MAILSEC_SMIME_SIGNER_SUBJECT_KEY_ID: u32 = 1;

/// Who signs: a certificate, the intermediate certificates sent with it, and a private key. Made
/// by `mailsec_smime_signer_new`, released by `mailsec_smime_signer_free`.
pub struct mailsec_smime_signer {
    _private: [u8; 0],
}

impl Castable for mailsec_smime_signer {
    type RustType = Signer;
}

/// What verification checks against: trust anchors, and further certificates (intermediates,
/// signer certificates a message does not carry). Made by `mailsec_smime_trust_new`, extended by
/// `mailsec_smime_trust_add_certificates`, released by `mailsec_smime_trust_free`.
pub struct mailsec_smime_trust {
    _private: [u8; 0],
}

impl Castable for mailsec_smime_trust {
    type RustType = VerifyOptions;
}

/// What verifying a signed message found: per signer the signature, certificate path and address
/// checks, and the secured header fields. Made by `mailsec_smime_verify`, released by
/// `mailsec_smime_report_free`.
pub struct mailsec_smime_report {
    _private: [u8; 0],
}

impl Castable for mailsec_smime_report {
    type RustType = SmimeReport;
}

/// Reports an S/MIME error: its code, and its detail (the byte offset in the CMS structure for
/// malformed DER, in the SecureHeaderFields for a secure-headers error; the full message) through
/// `detail_out`.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
unsafe fn smime_error(
    error: &smime::Error,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    let offset = match error {
        smime::Error::Malformed { offset, .. } => offset.unwrap_or(0),
        smime::Error::Headers(e) => e.offset().unwrap_or(0),
        _ => 0,
    };
    let detail = mailsec_error_detail::new(offset, 0, &error.to_string());
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe { detail.store(detail_out) };
    mailsec_result::from(error)
}

/// Hands a result to C through `out`, or reports its error through the code and `detail_out`.
///
/// # Safety
/// `out` is valid for a write; `detail_out` is NULL or valid for a write.
unsafe fn deliver<C: Castable>(
    outcome: Result<C::RustType, smime::Error>,
    out: *mut *mut C,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    match outcome {
        Ok(value) => {
            // SAFETY: valid for a write by the caller's contract.
            unsafe { write_out(out, into_handle(value)) };
            mailsec_result::Ok
        }
        // SAFETY: NULL or valid for a write by the caller's contract.
        Err(error) => unsafe { smime_error(&error, detail_out) },
    }
}

/// Reports an argument out of range (`MAILSEC_RESULT_INVALID_PARAMETER`) with `message` as its
/// detail.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
unsafe fn invalid_parameter(
    message: &str,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    let detail = mailsec_error_detail::new(0, 0, message);
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe { detail.store(detail_out) };
    mailsec_result::InvalidParameter
}

/// Makes a signer from the contents of PEM files: `cert_pem` holds the signer's certificate
/// (further certificates after it are taken as its chain), `key_pem` its private key (PKCS#8,
/// PKCS#1 or SEC1 PEM). `chain_pem` (NULL with length 0 for none) holds intermediate certificates
/// to send with the signature (RFC 8551 §2.4.2: up to, not including, the trust anchor).
///
/// `algorithm` names the signature algorithm (`"rsa-pkcs1-sha256"`, `"rsa-pss-sha256"`,
/// `"ecdsa-p256-sha256"`, `"ed25519"`, …, case-insensitive); NULL signs with the key's default.
/// `flags` is 0 or `MAILSEC_SMIME_SIGNER_SUBJECT_KEY_ID`.
///
/// On success `*signer_out` holds a new signer (release it with `mailsec_smime_signer_free`).
/// Unreadable certificates or keys are `MAILSEC_RESULT_SMIME_CERTIFICATE` or
/// `MAILSEC_RESULT_SMIME_KEY`, a key of another certificate `MAILSEC_RESULT_SMIME_KEY_MISMATCH`, an
/// algorithm the key cannot sign with `MAILSEC_RESULT_SMIME_UNSUPPORTED_ALGORITHM`; an unknown
/// algorithm name is `MAILSEC_RESULT_INVALID_PARAMETER`. `*detail_out`, if given, says why.
///
/// # Safety
/// `cert_pem`, `key_pem` and `chain_pem` are valid for reads of their lengths (NULL only with
/// length 0); `algorithm` is NULL or a NUL-terminated string; `signer_out` is valid for a write;
/// `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_signer_new(
    cert_pem: *const u8,
    cert_pem_len: usize,
    key_pem: *const u8,
    key_pem_len: usize,
    chain_pem: *const u8,
    chain_pem_len: usize,
    algorithm: *const c_char,
    flags: u32,
    signer_out: *mut *mut mailsec_smime_signer,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the three inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(cert_pem, cert_pem_len),
                input_bytes(key_pem, key_pem_len),
                input_bytes(chain_pem, chain_pem_len),
            )
        };
        let (Some(cert_pem), Some(key_pem), Some(chain_pem)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if signer_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let identifier = match flags {
            0 => SignerIdentifierKind::IssuerAndSerialNumber,
            MAILSEC_SMIME_SIGNER_SUBJECT_KEY_ID => SignerIdentifierKind::SubjectKeyIdentifier,
            _ => return mailsec_result::InvalidFlags,
        };
        // SAFETY: NULL or NUL-terminated by the caller's contract.
        let algorithm = match unsafe { input_c_str(algorithm) } {
            Ok(None) => None,
            Ok(Some(name)) => match SignatureAlgorithm::from_name(name) {
                Some(algorithm) => Some(algorithm),
                None => {
                    let names: Vec<&str> =
                        smime::ALL_SIGNATURE_ALGORITHMS.iter().map(|a| a.name()).collect();
                    let message = format!(
                        "unknown signature algorithm {name:?} (expected one of: {})",
                        names.join(", ")
                    );
                    // SAFETY: NULL or valid for a write by the caller's contract.
                    return unsafe { invalid_parameter(&message, detail_out) };
                }
            },
            Err(()) => {
                // SAFETY: NULL or valid for a write by the caller's contract.
                return unsafe { invalid_parameter("the algorithm name is not UTF-8", detail_out) };
            }
        };
        let made = match algorithm {
            Some(algorithm) => Signer::from_pem_with_algorithm(cert_pem, key_pem, algorithm),
            None => Signer::from_pem(cert_pem, key_pem),
        };
        let made = made.and_then(|signer| {
            let chain = if chain_pem.is_empty() {
                Vec::new()
            } else {
                smime::load_certificates(chain_pem)?
            };
            Ok(signer.with_chain(chain).with_identifier(identifier))
        });
        // SAFETY: `signer_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(made, signer_out, detail_out) }
    }
}

/// Releases a signer. NULL is ignored.
///
/// # Safety
/// `signer` is NULL or a live signer handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_signer_free(signer: *mut mailsec_smime_signer) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(signer) }
    }
}

/// Makes the trust a verification checks against from the trust anchors in `anchors` (PEM, one
/// or more CERTIFICATE blocks, or one DER certificate).
///
/// On success `*trust_out` holds a new trust handle (release it with `mailsec_smime_trust_free`).
/// Unreadable certificates are `MAILSEC_RESULT_SMIME_CERTIFICATE`, with the reason in
/// `*detail_out`.
///
/// # Safety
/// `anchors` is valid for reads of `anchors_len` bytes (NULL only if 0); `trust_out` is valid for
/// a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_trust_new(
    anchors: *const u8,
    anchors_len: usize,
    trust_out: *mut *mut mailsec_smime_trust,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `anchors` is valid for `anchors_len` bytes by the caller's contract.
        let Some(anchors) = (unsafe { input_bytes(anchors, anchors_len) }) else {
            return mailsec_result::NullParameter;
        };
        if trust_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let made = TrustAnchors::from_pem(anchors).map(VerifyOptions::new);
        // SAFETY: `trust_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(made, trust_out, detail_out) }
    }
}

/// Adds further certificates to `trust` (PEM, one or more CERTIFICATE blocks, or one DER
/// certificate): intermediates to build paths with, and signer certificates that messages do not
/// carry. They are not trust anchors. On error `trust` is unchanged.
///
/// # Safety
/// `trust` is a live trust handle, not used by another thread meanwhile; `pem` is valid for reads
/// of `pem_len` bytes (NULL only if 0); `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_trust_add_certificates(
    trust: *mut mailsec_smime_trust,
    pem: *const u8,
    pem_len: usize,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `pem` is valid for `pem_len` bytes by the caller's contract.
        let Some(pem) = (unsafe { input_bytes(pem, pem_len) }) else {
            return mailsec_result::NullParameter;
        };
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(trust) = (unsafe { borrow_handle_mut(trust) }) else {
            return mailsec_result::NullParameter;
        };
        match smime::load_certificates(pem) {
            Ok(certificates) => {
                trust.certificates.extend(certificates);
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { smime_error(&error, detail_out) },
        }
    }
}

/// Releases a trust handle. NULL is ignored.
///
/// # Safety
/// `trust` is NULL or a live trust handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_trust_free(trust: *mut mailsec_smime_trust) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(trust) }
    }
}

/// Signs `message` (an RFC 5322 message, CRLF or LF line endings) with each of the `signers_len`
/// signers in `signers` (draft §4.5.1, RFC 8551 §3.5). When `policy` is not NULL, the header
/// fields it names are secured in a SecureHeaderFields attribute; NULL signs without one.
/// `flags` is 0 (multipart/signed) or `MAILSEC_SMIME_OPAQUE`.
///
/// On success `*message_out` holds the signed message (release it with `mailsec_bytes_free`).
/// No signer is `MAILSEC_RESULT_SMIME_NO_SIGNER`; a message the policy finds nothing to secure
/// in is `MAILSEC_RESULT_HEADERS_NOTHING_TO_SECURE`; a malformed message is
/// `MAILSEC_RESULT_SMIME_MIME` or a secure-headers code. `*detail_out`, if given, says why.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `signers` is valid for
/// reads of `signers_len` pointers (NULL only if 0), each a live signer handle; `policy` is NULL
/// or a live policy handle; `message_out` is valid for a write; `detail_out` is NULL or valid for
/// a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_sign(
    message: *const u8,
    message_len: usize,
    signers: *const *const mailsec_smime_signer,
    signers_len: usize,
    policy: *const mailsec_headers_policy,
    flags: u32,
    message_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `message` is valid for `message_len` bytes, `signers` for `signers_len`
        // pointers, `policy` NULL or a live handle, by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(message, message_len),
                input_array(signers, signers_len),
                borrow_handle(policy),
            )
        };
        let (Some(message), Some(signer_handles), policy) = inputs else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let mut signers = Vec::with_capacity(signer_handles.len());
        for &handle in signer_handles {
            // SAFETY: each pointer is NULL or a live signer handle by the caller's contract.
            match unsafe { borrow_handle(handle) } {
                Some(signer) => signers.push(signer.clone()),
                None => return mailsec_result::NullParameter,
            }
        }
        let form = match flags {
            0 => SignedForm::Detached,
            MAILSEC_SMIME_OPAQUE => SignedForm::Opaque,
            _ => return mailsec_result::InvalidFlags,
        };
        let options = SignOptions {
            form,
            secure_headers: policy.cloned(),
            ..SignOptions::default()
        };
        let signed = smime::sign_message(message, &signers, &options);
        // SAFETY: `message_out` checked non-NULL above and valid for a write, `detail_out` NULL
        // or valid for a write, by the caller's contract.
        unsafe { deliver(signed, message_out, detail_out) }
    }
}

/// Verifies a signed message, multipart/signed or application/pkcs7-mime signed-data (RFC 5652
/// §5.6, RFC 8551), against `trust`: each signer's signature, certificate path (RFC 5280 §6) and
/// From/Sender address (RFC 8550 §3), and the secured header fields (draft §4.5.2) under `policy`
/// (mandatory fields, accepted profiles, limits); with NULL, whatever fields the signature
/// secures are compared.
///
/// A signature that does not verify is not an error: on success `*report_out` holds a new report
/// (release it with `mailsec_smime_report_free`) and `mailsec_smime_report_is_valid` says whether
/// the message verifies. Errors are for a message or CMS object that cannot be read:
/// `MAILSEC_RESULT_SMIME_MIME`, `MAILSEC_RESULT_SMIME_MALFORMED` (with the byte offset in the CMS
/// structure in `*detail_out`), `MAILSEC_RESULT_SMIME_NOT_SIGNED_DATA`,
/// `MAILSEC_RESULT_SMIME_LIMIT_EXCEEDED`.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `trust` is a live trust
/// handle; `policy` is NULL or a live policy handle; `report_out` is valid for a write;
/// `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_verify(
    message: *const u8,
    message_len: usize,
    trust: *const mailsec_smime_trust,
    policy: *const mailsec_headers_policy,
    report_out: *mut *mut mailsec_smime_report,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `message` is valid for `message_len` bytes, the handles NULL or live, by the
        // caller's contract.
        let inputs = unsafe {
            (input_bytes(message, message_len), borrow_handle(trust), borrow_handle(policy))
        };
        let (Some(message), Some(trust), policy) = inputs else {
            return mailsec_result::NullParameter;
        };
        if report_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let options = VerifyOptions {
            secure_headers: policy.cloned(),
            ..trust.clone()
        };
        let verified = smime::verify_message(message, &options);
        // SAFETY: `report_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(verified, report_out, detail_out) }
    }
}

/// Whether the message verifies: it has a signer, every signer's signature, certificate path and
/// address hold (RFC 4853 §3: one valid SignerInfo per signer suffices), and the secured header
/// fields hold. `false` if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_is_valid(
    report: *const mailsec_smime_report,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.is_some_and(SmimeReport::is_valid)
    }
}

/// Whether the secured header fields hold (draft §4.5.2 steps 2–7): every field the signature
/// secures matches the message, none is added, no mandatory field is unsecured. `false` if
/// `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_headers_valid(
    report: *const mailsec_smime_report,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.is_some_and(|report| report.headers.is_valid())
    }
}

/// The number of signers (SignerInfos, in the order received); 0 if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_signer_count(
    report: *const mailsec_smime_report,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.map_or(0, |report| report.signers.len())
    }
}

/// The report for the signer at `index`, or the code for a NULL handle or an index past the end.
///
/// # Safety
/// `report` is NULL or a live handle, not freed while the returned reference is used.
unsafe fn signer_at<'a>(
    report: *const mailsec_smime_report,
    index: usize,
) -> Result<&'a SignerReport, mailsec_result> {
    // SAFETY: NULL or a live handle by the caller's contract.
    let report = unsafe { borrow_handle(report) }.ok_or(mailsec_result::NullParameter)?;
    report
        .signers
        .get(index)
        .ok_or(mailsec_result::InvalidParameter)
}

/// Answers a yes/no question about the signer at `index` through `answer_out`.
///
/// # Safety
/// `report` is NULL or a live report handle; `answer_out` is NULL or valid for a write.
unsafe fn signer_answer(
    report: *const mailsec_smime_report,
    index: usize,
    answer_out: *mut bool,
    question: impl FnOnce(&SignerReport) -> bool,
) -> mailsec_result {
    if answer_out.is_null() {
        return mailsec_result::NullParameter;
    }
    // SAFETY: NULL or a live handle by the caller's contract.
    match unsafe { signer_at(report, index) } {
        Ok(signer) => {
            // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
            unsafe { write_out(answer_out, question(signer)) };
            mailsec_result::Ok
        }
        Err(code) => code,
    }
}

/// Sets `*valid_out` to whether the signature of the signer at `index` verifies (RFC 5652 §5.6:
/// messageDigest, contentType and the signature value all check).
/// `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the signer count.
///
/// # Safety
/// `report` is a live report handle; `valid_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_signer_signature_valid(
    report: *const mailsec_smime_report,
    index: usize,
    valid_out: *mut bool,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `report` NULL or live, `valid_out` NULL or valid for a write, by the caller's
        // contract.
        unsafe {
            signer_answer(report, index, valid_out, |signer| {
                signer.signature == SignatureVerdict::Valid
            })
        }
    }
}

/// Sets `*valid_out` to whether the certificate path of the signer at `index` was checked and is
/// valid (RFC 5280 §6). `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the signer
/// count.
///
/// # Safety
/// `report` is a live report handle; `valid_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_signer_chain_valid(
    report: *const mailsec_smime_report,
    index: usize,
    valid_out: *mut bool,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `report` NULL or live, `valid_out` NULL or valid for a write, by the caller's
        // contract.
        unsafe {
            signer_answer(report, index, valid_out, |signer| {
                matches!(&signer.chain, ChainOutcome::Checked(path) if path.is_valid())
            })
        }
    }
}

/// Sets `*matched_out` to whether a From or Sender address of the message is one the certificate
/// of the signer at `index` vouches for (RFC 8550 §3). `MAILSEC_RESULT_INVALID_PARAMETER` if
/// `index` is not below the signer count.
///
/// # Safety
/// `report` is a live report handle; `matched_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_signer_address_matched(
    report: *const mailsec_smime_report,
    index: usize,
    matched_out: *mut bool,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `report` NULL or live, `matched_out` NULL or valid for a write, by the caller's
        // contract.
        unsafe {
            signer_answer(report, index, matched_out, |signer| {
                matches!(signer.address, AddressMatch::Matched { .. })
            })
        }
    }
}

/// Writes the subject (RFC 4514) of the certificate of the signer at `index` into
/// `*subject_out` (UTF-8; empty when the certificate was not found, which the signature check
/// reports). Release it with `mailsec_bytes_free`. `MAILSEC_RESULT_INVALID_PARAMETER` if `index`
/// is not below the signer count.
///
/// # Safety
/// `report` is a live report handle; `subject_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_signer_subject(
    report: *const mailsec_smime_report,
    index: usize,
    subject_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        if subject_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let signer = match unsafe { signer_at(report, index) } {
            Ok(signer) => signer,
            Err(code) => return code,
        };
        let subject = signer
            .identity
            .as_ref()
            .map_or_else(Vec::new, |identity| identity.subject.clone().into_bytes());
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(subject_out, into_handle::<mailsec_bytes>(subject)) };
        mailsec_result::Ok
    }
}

/// Writes the report as text for people into `*text_out` (UTF-8: the verdict, then per signer
/// its subject, algorithm, signing time, signature, certificate path and address, then the
/// secured header fields). Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `report` is a live report handle; `text_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_text(
    report: *const mailsec_smime_report,
    text_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(report) = (unsafe { borrow_handle(report) }) else {
            return mailsec_result::NullParameter;
        };
        if text_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let text = report.to_string().into_bytes();
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(text_out, into_handle::<mailsec_bytes>(text)) };
        mailsec_result::Ok
    }
}

/// Writes the report as JSON into `*json_out`: `{"valid": bool, "form": "detached" | "opaque",
/// "signers": [{"valid", "identity", "signer_id", "algorithm", "digest", "signing_time",
/// "signature", "chain", "address", "secures_headers"}], "headers": {"outcome": …}, "failures":
/// [string]}`, compact, UTF-8. Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `report` is a live report handle; `json_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_json(
    report: *const mailsec_smime_report,
    json_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(report) = (unsafe { borrow_handle(report) }) else {
            return mailsec_result::NullParameter;
        };
        if json_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Ok(json) = serde_json::to_vec(report) else {
            return mailsec_result::General;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(json_out, into_handle::<mailsec_bytes>(json)) };
        mailsec_result::Ok
    }
}

/// Releases a report. NULL is ignored.
///
/// # Safety
/// `report` is NULL or a live report handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_smime_report_free(report: *mut mailsec_smime_report) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(report) }
    }
}
