//! Secure header fields (RFC 7508, draft-cailleux-secure-headers-05): the policy, building and
//! encoding the SecureHeaderFields signed attribute on the signing side, decoding it and verifying
//! it against the message on the receiving side, and the DCA header transforms (draft §4.6).
//!
//! No cryptography happens here: the DER this API produces goes into a CMS signature as a signed
//! attribute, and the DER it decodes comes out of one whose signature was verified.

use facade::headers::{
    self, CanonAlgorithm, FieldStatus, Limits, Profile, SecureHeaderField, SecureHeaderFields,
    Verdict, VerificationReport,
};

use crate::boundary::ffi_boundary;
use crate::bytes::mailsec_bytes;
use crate::detail::mailsec_error_detail;
use crate::handle::{Castable, borrow_handle, free_handle, into_handle, write_out};
use crate::result::mailsec_result;
use crate::slice::{copy_out, input_bytes};

/// Wire profile: RFC 7508 (attribute id-aa 55, UTF8String values). The default.
pub const MAILSEC_HEADERS_PROFILE_RFC7508: u32 = 0;
/// Wire profile: draft-cailleux-secure-headers-05 (legacy: its own attribute identifier,
/// IA5String values).
pub const MAILSEC_HEADERS_PROFILE_DRAFT05: u32 = 1;

/// Canonicalization algorithm `simple` (RFC 6376 §3.4.1), as carried on the wire.
pub const MAILSEC_HEADERS_ALGORITHM_SIMPLE: u32 = 0;
/// Canonicalization algorithm `relaxed` (RFC 6376 §3.4.2), as carried on the wire.
pub const MAILSEC_HEADERS_ALGORITHM_RELAXED: u32 = 1;

/// Field status `duplicated` (draft §4.4): the field stays in the outer header.
pub const MAILSEC_HEADERS_STATUS_DUPLICATED: u32 = 0;
/// Field status `deleted`: a DCA removes the field from the outer header.
pub const MAILSEC_HEADERS_STATUS_DELETED: u32 = 1;
/// Field status `modified`: a DCA replaces the field's value in the outer header.
pub const MAILSEC_HEADERS_STATUS_MODIFIED: u32 = 2;

/// Verdict: the message carries the field with the signed canonical name and value.
pub const MAILSEC_HEADERS_VERDICT_MATCH: u32 = 0;
/// Verdict: the message carries the field with another canonical name or value.
pub const MAILSEC_HEADERS_VERDICT_MISMATCH: u32 = 1;
/// Verdict: the message does not carry the field.
pub const MAILSEC_HEADERS_VERDICT_MISSING: u32 = 2;

/// A checked secure-headers policy: the `[secure_headers]` table of a mailsec policy file. Made
/// by `mailsec_headers_policy_from_toml`, released by `mailsec_headers_policy_free`.
pub struct mailsec_headers_policy {
    _private: [u8; 0],
}

impl Castable for mailsec_headers_policy {
    type RustType = headers::Policy;
}

/// A SecureHeaderFields structure: the canonicalization algorithm and the secured header fields
/// of one message, in message order. Made by `mailsec_headers_build`, `mailsec_headers_decode` or
/// `mailsec_headers_decode_attribute`, released by `mailsec_secure_headers_free`.
pub struct mailsec_secure_headers {
    _private: [u8; 0],
}

impl Castable for mailsec_secure_headers {
    type RustType = SecureHeaderFields;
}

/// What verifying a SecureHeaderFields structure against a message found (draft §4.5.2 steps
/// 2–7). Made by `mailsec_headers_verify`, released by `mailsec_headers_report_free`.
pub struct mailsec_headers_report {
    _private: [u8; 0],
}

impl Castable for mailsec_headers_report {
    type RustType = VerificationReport;
}

fn profile_from_raw(raw: u32) -> Option<Profile> {
    match raw {
        MAILSEC_HEADERS_PROFILE_RFC7508 => Some(Profile::Rfc7508),
        MAILSEC_HEADERS_PROFILE_DRAFT05 => Some(Profile::Draft05),
        _ => None,
    }
}

fn profile_to_raw(profile: Profile) -> u32 {
    match profile {
        Profile::Rfc7508 => MAILSEC_HEADERS_PROFILE_RFC7508,
        Profile::Draft05 => MAILSEC_HEADERS_PROFILE_DRAFT05,
    }
}

fn algorithm_to_raw(algorithm: CanonAlgorithm) -> u32 {
    match algorithm {
        CanonAlgorithm::Simple => MAILSEC_HEADERS_ALGORITHM_SIMPLE,
        CanonAlgorithm::Relaxed => MAILSEC_HEADERS_ALGORITHM_RELAXED,
    }
}

fn status_to_raw(status: FieldStatus) -> u32 {
    match status {
        FieldStatus::Duplicated => MAILSEC_HEADERS_STATUS_DUPLICATED,
        FieldStatus::Deleted => MAILSEC_HEADERS_STATUS_DELETED,
        FieldStatus::Modified => MAILSEC_HEADERS_STATUS_MODIFIED,
    }
}

fn verdict_to_raw(verdict: &Verdict) -> u32 {
    match verdict {
        Verdict::Match => MAILSEC_HEADERS_VERDICT_MATCH,
        Verdict::Mismatch(_) => MAILSEC_HEADERS_VERDICT_MISMATCH,
        Verdict::MissingFromMessage => MAILSEC_HEADERS_VERDICT_MISSING,
    }
}

/// Reports a secure-headers error: its code, and its detail (the byte offset for malformed DER,
/// the full message) through `detail_out`.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
unsafe fn headers_error(
    error: &headers::Error,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    let detail = mailsec_error_detail::new(error.offset().unwrap_or(0), 0, &error.to_string());
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe { detail.store(detail_out) };
    mailsec_result::from(error)
}

/// Hands a result to C through `out`, or reports its error through the code and `detail_out`.
///
/// # Safety
/// `out` is valid for a write; `detail_out` is NULL or valid for a write.
unsafe fn deliver<C: Castable>(
    outcome: Result<C::RustType, headers::Error>,
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
        Err(error) => unsafe { headers_error(&error, detail_out) },
    }
}

/// Reports a policy error: `PolicyInvalid` (or the code of a facade error), with the place and
/// reason ("line L, column C: …") in the detail message and the byte offset of that place.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
pub(crate) unsafe fn policy_error(
    error: &facade::Error,
    text: &str,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    let detail = match error {
        facade::Error::Policy(policy) => {
            let offset = match (policy.line, policy.column) {
                (Some(line), Some(column)) => byte_offset(text, line, column),
                _ => 0,
            };
            mailsec_error_detail::new(offset, 0, &policy.to_string())
        }
        other => mailsec_error_detail::new(0, 0, &other.to_string()),
    };
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe { detail.store(detail_out) };
    mailsec_result::from(error)
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`, clamped to its end.
pub(crate) fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let rest = text.get(line_start..).unwrap_or("");
    let line_text = rest.split('\n').next().unwrap_or("");
    line_start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
}

/// 1-based line and column (in characters) of the end of `before`.
pub(crate) fn line_column(before: &str) -> (usize, usize) {
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Writes `bytes` into a caller's buffer and its length into `*out_n`.
///
/// # Safety
/// `buf` is valid for writes of `len` bytes; `out_n` is valid for a write.
unsafe fn copy_out_with_len(
    bytes: &[u8],
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> mailsec_result {
    // SAFETY: valid for a write by the caller's contract.
    unsafe { write_out(out_n, bytes.len()) };
    // SAFETY: `buf` is valid for `len` bytes by the caller's contract.
    if unsafe { copy_out(bytes, buf, len) } {
        mailsec_result::Ok
    } else {
        mailsec_result::InsufficientSize
    }
}

/// Parses and checks a mailsec policy file (TOML text) and takes its `[secure_headers]` table.
/// The whole file is checked: an unknown table or key is an error, so that a misspelt setting is
/// never silently ignored.
///
/// On success `*policy_out` holds a new policy (release it with `mailsec_headers_policy_free`).
/// An unusable policy, a file without a `[secure_headers]` table, or text that is not UTF-8 is
/// `MAILSEC_RESULT_POLICY_INVALID`; `*detail_out`, if given, says where and why in its message
/// ("line L, column C: …") and holds the byte offset of that place.
///
/// # Safety
/// `toml` is valid for reads of `toml_len` bytes (NULL only if `toml_len` is 0); `policy_out` is
/// valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_policy_from_toml(
    toml: *const u8,
    toml_len: usize,
    policy_out: *mut *mut mailsec_headers_policy,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `toml` is valid for `toml_len` bytes by the caller's contract.
        let Some(toml) = (unsafe { input_bytes(toml, toml_len) }) else {
            return mailsec_result::NullParameter;
        };
        if policy_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let text = match std::str::from_utf8(toml) {
            Ok(text) => text,
            Err(e) => {
                let valid = toml.get(..e.valid_up_to()).and_then(|b| std::str::from_utf8(b).ok());
                let (line, column) = line_column(valid.unwrap_or(""));
                let message = format!("line {line}, column {column}: the policy is not UTF-8");
                let detail = mailsec_error_detail::new(e.valid_up_to(), 0, &message);
                // SAFETY: NULL or valid for a write by the caller's contract.
                unsafe { detail.store(detail_out) };
                return mailsec_result::PolicyInvalid;
            }
        };
        let checked = facade::Policy::from_toml_str(text)
            .and_then(|policy| policy.require_secure_headers().cloned());
        match checked {
            Ok(policy) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(policy_out, into_handle(policy)) };
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { policy_error(&error, text, detail_out) },
        }
    }
}

/// Sets `*profile_out` to the wire profile the policy emits (`MAILSEC_HEADERS_PROFILE_*`), the
/// one to pass to `mailsec_headers_encode` on the signing side.
///
/// # Safety
/// `policy` is NULL or a live policy handle; `profile_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_policy_profile(
    policy: *const mailsec_headers_policy,
    profile_out: *mut u32,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(policy) = (unsafe { borrow_handle(policy) }) else {
            return mailsec_result::NullParameter;
        };
        // SAFETY: NULL or valid for a write by the caller's contract.
        if unsafe { write_out(profile_out, profile_to_raw(policy.profile())) } {
            mailsec_result::Ok
        } else {
            mailsec_result::NullParameter
        }
    }
}

/// Releases a policy. NULL is ignored.
///
/// # Safety
/// `policy` is NULL or a live policy handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_policy_free(policy: *mut mailsec_headers_policy) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(policy) }
    }
}

/// Signing side (draft §4.5.1): builds the SecureHeaderFields structure of `message` (a whole
/// message, or only its header block) for the fields `policy` secures, canonicalized as it says.
///
/// On success `*shf_out` holds a new structure (release it with `mailsec_secure_headers_free`).
/// `MAILSEC_RESULT_HEADERS_NOTHING_TO_SECURE` if the message carries none of the policy's fields.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `policy` is NULL or a
/// live policy handle; `shf_out` is valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_build(
    message: *const u8,
    message_len: usize,
    policy: *const mailsec_headers_policy,
    shf_out: *mut *mut mailsec_secure_headers,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `message` is valid for `message_len` bytes, `policy` NULL or a live handle, by
        // the caller's contract.
        let inputs = unsafe { (input_bytes(message, message_len), borrow_handle(policy)) };
        let (Some(message), Some(policy)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if shf_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: `shf_out` checked non-NULL and valid for a write, `detail_out` NULL or valid for
        // a write, by the caller's contract.
        unsafe { deliver(headers::build(message, policy), shf_out, detail_out) }
    }
}

/// Receiving side: decodes a SecureHeaderFields attribute value (the DER inside the attribute's
/// SET, as `mailsec_headers_encode` writes it) laid out as `profile`
/// (`MAILSEC_HEADERS_PROFILE_*`). `policy` supplies the limits on untrusted input; NULL uses the
/// default limits.
///
/// On success `*shf_out` holds a new structure (release it with `mailsec_secure_headers_free`).
/// DER that is not a SecureHeaderFields structure is `MAILSEC_RESULT_HEADERS_MALFORMED`, with the
/// byte offset in `*detail_out`. An unknown `profile` is `MAILSEC_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `der` is valid for reads of `der_len` bytes (NULL only if 0); `policy` is NULL or a live policy
/// handle; `shf_out` is valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_decode(
    der: *const u8,
    der_len: usize,
    profile: u32,
    policy: *const mailsec_headers_policy,
    shf_out: *mut *mut mailsec_secure_headers,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `der` is valid for `der_len` bytes by the caller's contract.
        let Some(der) = (unsafe { input_bytes(der, der_len) }) else {
            return mailsec_result::NullParameter;
        };
        if shf_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(profile) = profile_from_raw(profile) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: NULL or a live handle by the caller's contract.
        let limits = unsafe { borrow_handle(policy) }.map_or_else(Limits::default, |p| *p.limits());
        let decoded = SecureHeaderFields::from_der(der, profile, &limits);
        // SAFETY: `shf_out` checked non-NULL and valid for a write, `detail_out` NULL or valid for
        // a write, by the caller's contract.
        unsafe { deliver(decoded, shf_out, detail_out) }
    }
}

/// Receiving side: decodes a whole SecureHeaderFields signed attribute (`SEQUENCE { OID, SET {
/// value } }`, as `mailsec_headers_encode_attribute` writes it), accepting the profiles `policy`
/// accepts and applying its limits. `*profile_out`, if `profile_out` is not NULL, gets the
/// profile the attribute identifier names.
///
/// On success `*shf_out` holds a new structure (release it with `mailsec_secure_headers_free`).
/// An attribute of a profile the policy does not accept is
/// `MAILSEC_RESULT_HEADERS_PROFILE_NOT_ACCEPTED`.
///
/// # Safety
/// `der` is valid for reads of `der_len` bytes (NULL only if 0); `policy` is a live policy handle;
/// `shf_out` is valid for a write; `profile_out` and `detail_out` are NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_decode_attribute(
    der: *const u8,
    der_len: usize,
    policy: *const mailsec_headers_policy,
    shf_out: *mut *mut mailsec_secure_headers,
    profile_out: *mut u32,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `der` is valid for `der_len` bytes, `policy` NULL or a live handle, by the
        // caller's contract.
        let inputs = unsafe { (input_bytes(der, der_len), borrow_handle(policy)) };
        let (Some(der), Some(policy)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if shf_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let decoded =
            SecureHeaderFields::from_attribute_der(der, policy.accepted_profiles(), policy.limits());
        let decoded = decoded.map(|(profile, shf)| {
            // SAFETY: NULL or valid for a write by the caller's contract.
            unsafe { write_out(profile_out, profile_to_raw(profile)) };
            shf
        });
        // SAFETY: `shf_out` checked non-NULL and valid for a write, `detail_out` NULL or valid for
        // a write, by the caller's contract.
        unsafe { deliver(decoded, shf_out, detail_out) }
    }
}

/// Shared body of the two encoders.
///
/// # Safety
/// `shf` is NULL or a live handle; `bytes_out` and `detail_out` are NULL or valid for a write.
unsafe fn encode_with(
    shf: *const mailsec_secure_headers,
    profile: u32,
    bytes_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
    encode: fn(&SecureHeaderFields, Profile) -> Result<Vec<u8>, headers::Error>,
) -> mailsec_result {
    // SAFETY: NULL or a live handle by the caller's contract.
    let Some(shf) = (unsafe { borrow_handle(shf) }) else {
        return mailsec_result::NullParameter;
    };
    if bytes_out.is_null() {
        return mailsec_result::NullParameter;
    }
    let Some(profile) = profile_from_raw(profile) else {
        return mailsec_result::InvalidParameter;
    };
    // SAFETY: `bytes_out` checked non-NULL and valid for a write, `detail_out` NULL or valid for a
    // write, by the caller's contract.
    unsafe { deliver(encode(shf, profile), bytes_out, detail_out) }
}

/// Encodes the structure as the DER attribute value (what goes inside the signed attribute's
/// SET) under `profile` (`MAILSEC_HEADERS_PROFILE_*`).
///
/// On success `*bytes_out` holds the DER (release it with `mailsec_bytes_free`). A field the
/// profile cannot carry (a non-ASCII value under draft-05…) is
/// `MAILSEC_RESULT_HEADERS_UNREPRESENTABLE`, naming the field in `*detail_out`.
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `bytes_out` is valid for a write; `detail_out` is
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_encode(
    shf: *const mailsec_secure_headers,
    profile: u32,
    bytes_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: forwarded from the caller's contract.
        unsafe { encode_with(shf, profile, bytes_out, detail_out, SecureHeaderFields::to_der) }
    }
}

/// Encodes the structure as a whole signed attribute, `SEQUENCE { the profile's OID, SET { value
/// } }` (RFC 5652 §5.3), under `profile` (`MAILSEC_HEADERS_PROFILE_*`).
///
/// On success `*bytes_out` holds the DER (release it with `mailsec_bytes_free`).
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `bytes_out` is valid for a write; `detail_out` is
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_encode_attribute(
    shf: *const mailsec_secure_headers,
    profile: u32,
    bytes_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: forwarded from the caller's contract.
        unsafe {
            encode_with(shf, profile, bytes_out, detail_out, SecureHeaderFields::to_attribute_der)
        }
    }
}

/// The number of secured fields; 0 if `shf` is NULL.
///
/// # Safety
/// `shf` is NULL or a live SecureHeaderFields handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_secure_headers_field_count(
    shf: *const mailsec_secure_headers,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(shf) }.map_or(0, |shf| shf.fields.len())
    }
}

/// Sets `*algorithm_out` to the structure's canonicalization algorithm
/// (`MAILSEC_HEADERS_ALGORITHM_*`).
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `algorithm_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_secure_headers_algorithm(
    shf: *const mailsec_secure_headers,
    algorithm_out: *mut u32,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(shf) = (unsafe { borrow_handle(shf) }) else {
            return mailsec_result::NullParameter;
        };
        // SAFETY: NULL or valid for a write by the caller's contract.
        if unsafe { write_out(algorithm_out, algorithm_to_raw(shf.algorithm)) } {
            mailsec_result::Ok
        } else {
            mailsec_result::NullParameter
        }
    }
}

/// The field at `index`, or the code for a NULL handle or an index past the end.
///
/// # Safety
/// `shf` is NULL or a live handle, not freed while the returned reference is used.
unsafe fn field_at<'a>(
    shf: *const mailsec_secure_headers,
    index: usize,
) -> Result<&'a SecureHeaderField, mailsec_result> {
    // SAFETY: NULL or a live handle by the caller's contract.
    let shf = unsafe { borrow_handle(shf) }.ok_or(mailsec_result::NullParameter)?;
    shf.fields
        .get(index)
        .ok_or(mailsec_result::InvalidParameter)
}

/// Writes the name of the secured field at `index` (in canonical form: lowercased under
/// `relaxed`) into `buf` (not NUL-terminated) and its length into `*out_n`. Returns
/// `MAILSEC_RESULT_INSUFFICIENT_SIZE`, with the needed length in `*out_n`, if `len` is too small;
/// `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the field count.
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `buf` is valid for writes of `len` bytes (NULL only
/// if `len` is 0); `out_n` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_secure_headers_field_name(
    shf: *const mailsec_secure_headers,
    index: usize,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> mailsec_result {
    ffi_boundary! {
        if out_n.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let field = match unsafe { field_at(shf, index) } {
            Ok(field) => field,
            Err(code) => return code,
        };
        // SAFETY: `buf` valid for `len` bytes, `out_n` checked non-NULL and valid for a write, by
        // the caller's contract.
        unsafe { copy_out_with_len(field.name.as_bytes(), buf, len, out_n) }
    }
}

/// Writes the canonical value of the secured field at `index` (its exact bytes: normally UTF-8
/// text, possibly not for a value decoded from a faulty signature) into `buf` (not
/// NUL-terminated) and its length into `*out_n`. Returns `MAILSEC_RESULT_INSUFFICIENT_SIZE`, with
/// the needed length in `*out_n`, if `len` is too small; `MAILSEC_RESULT_INVALID_PARAMETER` if
/// `index` is not below the field count.
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `buf` is valid for writes of `len` bytes (NULL only
/// if `len` is 0); `out_n` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_secure_headers_field_value(
    shf: *const mailsec_secure_headers,
    index: usize,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> mailsec_result {
    ffi_boundary! {
        if out_n.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let field = match unsafe { field_at(shf, index) } {
            Ok(field) => field,
            Err(code) => return code,
        };
        // SAFETY: `buf` valid for `len` bytes, `out_n` checked non-NULL and valid for a write, by
        // the caller's contract.
        unsafe { copy_out_with_len(field.value.as_bytes(), buf, len, out_n) }
    }
}

/// Sets `*status_out` to the status of the secured field at `index`
/// (`MAILSEC_HEADERS_STATUS_*`). `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the
/// field count.
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `status_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_secure_headers_field_status(
    shf: *const mailsec_secure_headers,
    index: usize,
    status_out: *mut u32,
) -> mailsec_result {
    ffi_boundary! {
        if status_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { field_at(shf, index) } {
            Ok(field) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(status_out, status_to_raw(field.status)) };
                mailsec_result::Ok
            }
            Err(code) => code,
        }
    }
}

/// Releases a SecureHeaderFields structure. NULL is ignored.
///
/// # Safety
/// `shf` is NULL or a live SecureHeaderFields handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_secure_headers_free(shf: *mut mailsec_secure_headers) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(shf) }
    }
}

/// Receiving side (draft §4.5.2 steps 2–7, after the CMS signature verified): compares `shf`,
/// decoded from the signature, with `message` under `policy`.
///
/// A mismatch is not an error: on success `*report_out` holds a new report (release it with
/// `mailsec_headers_report_free`) and `mailsec_headers_report_is_valid` says whether the header
/// fields hold. Errors are for a message that cannot be read within the policy's limits.
///
/// # Safety
/// `shf` is a live SecureHeaderFields handle; `message` is valid for reads of `message_len` bytes
/// (NULL only if 0); `policy` is a live policy handle; `report_out` is valid for a write;
/// `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_verify(
    shf: *const mailsec_secure_headers,
    message: *const u8,
    message_len: usize,
    policy: *const mailsec_headers_policy,
    report_out: *mut *mut mailsec_headers_report,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: handles NULL or live, `message` valid for `message_len` bytes, by the caller's
        // contract.
        let inputs = unsafe {
            (borrow_handle(shf), input_bytes(message, message_len), borrow_handle(policy))
        };
        let (Some(shf), Some(message), Some(policy)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if report_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: `report_out` checked non-NULL and valid for a write, `detail_out` NULL or valid
        // for a write, by the caller's contract.
        unsafe { deliver(headers::verify(shf, message, policy), report_out, detail_out) }
    }
}

/// Whether the secured header fields hold: every field matches, the message has no secured field
/// the signature lacks, and no mandatory field is missing from the signature. `false` if `report`
/// is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_is_valid(
    report: *const mailsec_headers_report,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.is_some_and(VerificationReport::is_valid)
    }
}

/// The number of fields of the signature, each with a verdict; 0 if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_field_count(
    report: *const mailsec_headers_report,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.map_or(0, |report| report.fields.len())
    }
}

/// The number of fields whose verdict is not `MAILSEC_HEADERS_VERDICT_MATCH`; 0 if `report` is
/// NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_failure_count(
    report: *const mailsec_headers_report,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.map_or(0, |report| report.failures().count())
    }
}

/// The number of secured fields in the message that the signature does not account for (step 6);
/// 0 if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_extra_count(
    report: *const mailsec_headers_report,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.map_or(0, |report| report.extra.len())
    }
}

/// The number of mandatory fields the signature does not secure (step 7); 0 if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_mandatory_missing_count(
    report: *const mailsec_headers_report,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.map_or(0, |report| report.mandatory_missing.len())
    }
}

/// The report for the signature's field at `index`, or the code for a NULL handle or an index
/// past the end.
///
/// # Safety
/// `report` is NULL or a live handle, not freed while the returned reference is used.
unsafe fn report_field_at<'a>(
    report: *const mailsec_headers_report,
    index: usize,
) -> Result<&'a headers::FieldReport, mailsec_result> {
    // SAFETY: NULL or a live handle by the caller's contract.
    let report = unsafe { borrow_handle(report) }.ok_or(mailsec_result::NullParameter)?;
    report
        .fields
        .get(index)
        .ok_or(mailsec_result::InvalidParameter)
}

/// Writes the name of the signature's field at `index` (fields are in signature order, the order
/// of `mailsec_secure_headers_field_name`) into `buf` (not NUL-terminated) and its length into
/// `*out_n`. Returns `MAILSEC_RESULT_INSUFFICIENT_SIZE`, with the needed length in `*out_n`, if
/// `len` is too small; `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the field count.
///
/// # Safety
/// `report` is a live report handle; `buf` is valid for writes of `len` bytes (NULL only if `len`
/// is 0); `out_n` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_field_name(
    report: *const mailsec_headers_report,
    index: usize,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> mailsec_result {
    ffi_boundary! {
        if out_n.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let field = match unsafe { report_field_at(report, index) } {
            Ok(field) => field,
            Err(code) => return code,
        };
        // SAFETY: `buf` valid for `len` bytes, `out_n` checked non-NULL and valid for a write, by
        // the caller's contract.
        unsafe { copy_out_with_len(field.name.as_bytes(), buf, len, out_n) }
    }
}

/// Sets `*verdict_out` to the verdict for the signature's field at `index`
/// (`MAILSEC_HEADERS_VERDICT_*`). `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the
/// field count.
///
/// # Safety
/// `report` is a live report handle; `verdict_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_field_verdict(
    report: *const mailsec_headers_report,
    index: usize,
    verdict_out: *mut u32,
) -> mailsec_result {
    ffi_boundary! {
        if verdict_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { report_field_at(report, index) } {
            Ok(field) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(verdict_out, verdict_to_raw(&field.verdict)) };
                mailsec_result::Ok
            }
            Err(code) => code,
        }
    }
}

/// Writes the report as text for people into `*text_out` (UTF-8, one line per finding, what
/// draft §4.5.2 says to show; control characters in values are escaped). Release it with
/// `mailsec_bytes_free`.
///
/// # Safety
/// `report` is a live report handle; `text_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_text(
    report: *const mailsec_headers_report,
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

/// Writes the report as JSON into `*json_out`: `{"valid": bool, "algorithm": …, "fields": [{"name",
/// "signed_value", "message_values", "status", "verdict": {"result": "match" | "mismatch" |
/// "missing_from_message", "reason": …}}], "extra": [{"name", "value"}], "mandatory_missing":
/// [{"name", "in_message"}]}`, compact, UTF-8. Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `report` is a live report handle; `json_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_report_json(
    report: *const mailsec_headers_report,
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
pub unsafe extern "C" fn mailsec_headers_report_free(report: *mut mailsec_headers_report) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(report) }
    }
}

/// DCA encryption side (draft §4.6.1): rewrites the header of `message` (the one to encrypt) as
/// `shf`'s statuses say: `deleted` fields are removed (From and Date are kept), `modified` fields
/// get the policy's replacement value; every other byte is copied unchanged.
///
/// On success `*message_out` holds the rewritten message (release it with `mailsec_bytes_free`).
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `shf` is a live
/// SecureHeaderFields handle; `policy` is a live policy handle; `message_out` is valid for a
/// write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_apply(
    message: *const u8,
    message_len: usize,
    shf: *const mailsec_secure_headers,
    policy: *const mailsec_headers_policy,
    message_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `message` valid for `message_len` bytes, handles NULL or live, by the caller's
        // contract.
        let inputs = unsafe {
            (input_bytes(message, message_len), borrow_handle(shf), borrow_handle(policy))
        };
        let (Some(message), Some(shf), Some(policy)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: `message_out` checked non-NULL and valid for a write, `detail_out` NULL or valid
        // for a write, by the caller's contract.
        unsafe { deliver(headers::apply(message, shf, policy), message_out, detail_out) }
    }
}

/// DCA decryption side (draft §4.6.2): writes back into the header of `message` (the decrypted
/// one) every `deleted` field of `shf` and the signed value of every `modified` one, so that the
/// result verifies. `policy` supplies the limits on the message.
///
/// On success `*message_out` holds the restored message (release it with `mailsec_bytes_free`).
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `shf` is a live
/// SecureHeaderFields handle; `policy` is a live policy handle; `message_out` is valid for a
/// write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_headers_restore(
    message: *const u8,
    message_len: usize,
    shf: *const mailsec_secure_headers,
    policy: *const mailsec_headers_policy,
    message_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `message` valid for `message_len` bytes, handles NULL or live, by the caller's
        // contract.
        let inputs = unsafe {
            (input_bytes(message, message_len), borrow_handle(shf), borrow_handle(policy))
        };
        let (Some(message), Some(shf), Some(policy)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let restored = headers::restore(message, shf, policy.limits());
        // SAFETY: `message_out` checked non-NULL and valid for a write, `detail_out` NULL or valid
        // for a write, by the caller's contract.
        unsafe { deliver(restored, message_out, detail_out) }
    }
}

#[cfg(test)]
mod tests {
    use super::{byte_offset, line_column};

    #[test]
    fn byte_offset_inverts_line_column() {
        let text = "[secure_headers]\nfields = [\"Fr\u{f6}m\", 3]\n";
        for (offset, _) in text.char_indices() {
            let (line, column) = line_column(&text[..offset]);
            assert_eq!(byte_offset(text, line, column), offset, "offset {offset}");
        }
        assert_eq!(byte_offset(text, 9, 1), text.len());
        assert_eq!(byte_offset(text, 1, 99), 16);
    }
}
