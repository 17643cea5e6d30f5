//! OpenPGP (RFC 9580, RFC 4880) and PGP/MIME (RFC 3156): keys and a key store, signatures and
//! their verification, encryption and decryption, and whole PGP/MIME messages.
//!
//! A signature that does not verify is not an error: verification returns a report saying what
//! became of each signature. Errors are for input that cannot be read at all, for keys that
//! cannot do what was asked (locked, expired, without secret key material), and for limits.
//!
//! Keys are passed to an operation as an array of handles with its length (`const
//! mailsec_pgp_key *const *keys, size_t keys_len`); the operation copies what it needs, so the
//! handles may be freed as soon as it returns.

use std::borrow::Cow;
use std::ffi::c_char;
use std::time::{Duration, SystemTime};

use facade::pgp::mime::{self, MimeKind, Opened};
use facade::pgp::{
    self, CipherSuite, DecryptionReport, Key, KeyOptions, KeyProfile, KeyStore, PgpPolicy,
    Protection, SignMode, SignatureReport, SignatureVerdict, VerificationReport,
};

use crate::boundary::ffi_boundary;
use crate::bytes::mailsec_bytes;
use crate::detail::mailsec_error_detail;
use crate::handle::{
    Castable, borrow_handle, borrow_handle_mut, free_handle, into_handle, write_out,
};
use crate::result::mailsec_result;
use crate::slice::{input_array, input_bytes, input_c_str, mailsec_str};

/// Flag of `mailsec_pgp_sign`, `mailsec_pgp_encrypt` and the key exports: ASCII armor (RFC 9580
/// §6) instead of binary OpenPGP.
pub const MAILSEC_PGP_ARMOR: u32 = 1;

/// Flag of `mailsec_pgp_sign`: an inline-signed message that carries the data (RFC 9580 §10.3)
/// instead of a detached signature (§10.4).
pub const MAILSEC_PGP_INLINE: u32 = 1 << 1;

/// An OpenPGP key: a certificate, with or without its secret key material. Made by
/// `mailsec_pgp_key_generate`, `mailsec_pgp_key_from_bytes` and the functions that derive a key
/// from another; released by `mailsec_pgp_key_free`.
pub struct mailsec_pgp_key {
    _private: [u8; 0],
}

/// A key with the text C borrows from it, computed once.
#[derive(Clone)]
pub(crate) struct PgpKey {
    key: Key,
    fingerprint: String,
    key_id: String,
    user_ids: Vec<String>,
}

impl PgpKey {
    fn new(key: Key) -> Self {
        PgpKey {
            fingerprint: key.fingerprint(),
            key_id: key.key_id(),
            user_ids: key.user_ids(),
            key,
        }
    }
}

impl Castable for mailsec_pgp_key {
    type RustType = PgpKey;
}

/// Several keys: a key ring read at once, or what a key store lookup found. Read with
/// `mailsec_pgp_key_list_count` and `mailsec_pgp_key_list_get`, released by
/// `mailsec_pgp_key_list_free`.
pub struct mailsec_pgp_key_list {
    _private: [u8; 0],
}

impl Castable for mailsec_pgp_key_list {
    type RustType = Vec<PgpKey>;
}

/// A directory of keys, one file per certificate, safe to share between processes. Made by
/// `mailsec_pgp_keystore_open`, released by `mailsec_pgp_keystore_free`.
pub struct mailsec_pgp_keystore {
    _private: [u8; 0],
}

impl Castable for mailsec_pgp_keystore {
    type RustType = KeyStore;
}

/// What an operation accepts: which algorithms (sequoia's standard policy: SHA-1 data
/// signatures and weak keys are rejected), at what time, and the limits on untrusted input.
/// Every operation takes one; NULL means the defaults. Made by `mailsec_pgp_policy_new`,
/// released by `mailsec_pgp_policy_free`.
pub struct mailsec_pgp_policy {
    _private: [u8; 0],
}

impl Castable for mailsec_pgp_policy {
    type RustType = PgpPolicy;
}

/// Every signature found in a message, and what became of each. Made by the verify functions
/// and the signature accessors of decryption and PGP/MIME results, released by
/// `mailsec_pgp_report_free`.
pub struct mailsec_pgp_report {
    _private: [u8; 0],
}

impl Castable for mailsec_pgp_report {
    type RustType = VerificationReport;
}

/// What decrypting a message found: the key that decrypted it, the cipher and integrity
/// protection, and the signatures inside. Made by `mailsec_pgp_decrypt`, released by
/// `mailsec_pgp_decryption_free`.
pub struct mailsec_pgp_decryption {
    _private: [u8; 0],
}

impl Castable for mailsec_pgp_decryption {
    type RustType = DecryptionReport;
}

/// What opening a PGP/MIME message found: the decryption, the signatures, the protected header
/// fields compared with the outer ones (RFC 9788), and the protected content. Made by
/// `mailsec_pgp_mime_open`, released by `mailsec_pgp_mime_opened_free`.
pub struct mailsec_pgp_mime_opened {
    _private: [u8; 0],
}

impl Castable for mailsec_pgp_mime_opened {
    type RustType = Opened;
}

/// What became of one signature.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_pgp_verdict {
    /// The signature is correct, made by a key valid under the policy when it signed.
    Good = 1,
    /// The signature does not match the data: the data or the signature was altered.
    Bad = 2,
    /// No certificate was given for the issuer, so the signature could not be checked.
    UnknownSigner = 3,
    /// The signing key was not valid when the signature was made (expired, revoked, not bound,
    /// not signing-capable).
    KeyInvalid = 4,
    /// The policy rejects the signature (a SHA-1 or MD5 hash, a too-weak algorithm).
    Rejected = 5,
    /// The signature packet is malformed or of an unknown version.
    Malformed = 6,
}

impl From<SignatureVerdict> for mailsec_pgp_verdict {
    fn from(verdict: SignatureVerdict) -> Self {
        match verdict {
            SignatureVerdict::Good => mailsec_pgp_verdict::Good,
            SignatureVerdict::Bad => mailsec_pgp_verdict::Bad,
            SignatureVerdict::UnknownSigner => mailsec_pgp_verdict::UnknownSigner,
            SignatureVerdict::KeyInvalid => mailsec_pgp_verdict::KeyInvalid,
            SignatureVerdict::Rejected => mailsec_pgp_verdict::Rejected,
            SignatureVerdict::Malformed => mailsec_pgp_verdict::Malformed,
        }
    }
}

/// How encrypted data was protected. Data without integrity protection (the SED packet) is
/// refused with `MAILSEC_RESULT_PGP_UNPROTECTED`, so there is always one of these.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_pgp_protection {
    /// SEIPD version 1: CFB with a modification detection code (RFC 4880 §5.13).
    SeipdV1 = 1,
    /// SEIPD version 2: AEAD (RFC 9580 §5.13.2).
    SeipdV2 = 2,
}

/// What a message is, by its top-level Content-Type.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_pgp_mime_kind {
    /// `multipart/signed; protocol="application/pgp-signature"` (RFC 3156 §5).
    Signed = 1,
    /// `multipart/encrypted; protocol="application/pgp-encrypted"` (RFC 3156 §4).
    Encrypted = 2,
    /// Anything else.
    Other = 3,
}

impl From<MimeKind> for mailsec_pgp_mime_kind {
    fn from(kind: MimeKind) -> Self {
        match kind {
            MimeKind::Signed => mailsec_pgp_mime_kind::Signed,
            MimeKind::Encrypted => mailsec_pgp_mime_kind::Encrypted,
            MimeKind::Other => mailsec_pgp_mime_kind::Other,
        }
    }
}

/// One signature of a report, filled by `mailsec_pgp_report_signature`. The strings are
/// borrowed from the report and stay valid until it is freed; a string the signature does not
/// have is empty.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_pgp_signature {
    /// The verdict.
    pub verdict: mailsec_pgp_verdict,
    /// The verdict's name: `good`, `bad`, `unknown-signer`, `key-invalid`, `rejected`,
    /// `malformed` (static).
    pub verdict_name: mailsec_str,
    /// The issuer the signature names: a fingerprint when it carries one, else a key ID
    /// (upper-case hex).
    pub issuer: mailsec_str,
    /// Fingerprint of the certificate whose key made the signature, when known.
    pub signer_fingerprint: mailsec_str,
    /// Fingerprint of the (sub)key that made the signature, when known.
    pub signing_key_fingerprint: mailsec_str,
    /// The signer's primary user ID, when known.
    pub signer_user_id: mailsec_str,
    /// Hash algorithm as RFC 9580 names it (`SHA256`).
    pub hash_algorithm: mailsec_str,
    /// Public-key algorithm of the signature (`EdDSA`, `RSA`…).
    pub public_key_algorithm: mailsec_str,
    /// Signature creation time, seconds since the Unix epoch; 0 when the signature has none.
    pub created: u64,
    /// Why, when the verdict is not good.
    pub detail: mailsec_str,
}

impl mailsec_pgp_signature {
    fn borrow(report: &SignatureReport) -> Self {
        let text = |s: &Option<String>| {
            s.as_deref()
                .map_or_else(mailsec_str::empty, mailsec_str::borrow)
        };
        mailsec_pgp_signature {
            verdict: report.verdict.into(),
            verdict_name: mailsec_str::borrow(report.verdict.name()),
            issuer: text(&report.issuer),
            signer_fingerprint: text(&report.signer_cert),
            signing_key_fingerprint: text(&report.signing_key),
            signer_user_id: text(&report.signer_user_id),
            hash_algorithm: mailsec_str::borrow(&report.hash_algorithm),
            public_key_algorithm: mailsec_str::borrow(&report.public_key_algorithm),
            created: report.created.unwrap_or(0),
            detail: text(&report.detail),
        }
    }
}

/// Reports an OpenPGP error: its code, and its detail (the byte offset in the message for a
/// PGP/MIME structure error; the full message) through `detail_out`.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
unsafe fn pgp_error(error: &pgp::Error, detail_out: *mut mailsec_error_detail) -> mailsec_result {
    let offset = match error {
        pgp::Error::Mime { offset, .. } => *offset,
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
    outcome: Result<C::RustType, pgp::Error>,
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
        Err(error) => unsafe { pgp_error(&error, detail_out) },
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
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe { mailsec_error_detail::new(0, 0, message).store(detail_out) };
    mailsec_result::InvalidParameter
}

/// Copies the keys behind an array of `len` key handles; `None` when the array is NULL with a
/// length above 0 or holds a NULL handle.
///
/// # Safety
/// If `len` > 0, `keys` is valid for reads of `len` pointers, each NULL or a live key handle.
unsafe fn input_keys(keys: *const *const mailsec_pgp_key, len: usize) -> Option<Vec<Key>> {
    // SAFETY: valid for `len` pointers by the caller's contract.
    let handles = unsafe { input_array(keys, len) }?;
    handles
        .iter()
        // SAFETY: each pointer is NULL or a live key handle by the caller's contract.
        .map(|&handle| unsafe { borrow_handle(handle) }.map(|key| key.key.clone()))
        .collect()
}

/// The policy behind a handle, or the default one for NULL.
///
/// # Safety
/// `policy` is NULL or a live policy handle, not freed while the result is used.
unsafe fn policy_or_default<'a>(policy: *const mailsec_pgp_policy) -> Cow<'a, PgpPolicy> {
    // SAFETY: NULL or a live handle by the caller's contract.
    match unsafe { borrow_handle(policy) } {
        Some(policy) => Cow::Borrowed(policy),
        None => Cow::Owned(PgpPolicy::new()),
    }
}

/// Reads an optional NUL-terminated UTF-8 argument: `Ok(None)` for NULL; for text that is not
/// UTF-8, `MAILSEC_RESULT_INVALID_PARAMETER` with a detail naming the argument.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string; `detail_out` is NULL or valid for a write.
unsafe fn optional_text<'a>(
    s: *const c_char,
    what: &str,
    detail_out: *mut mailsec_error_detail,
) -> Result<Option<&'a str>, mailsec_result> {
    // SAFETY: NULL or NUL-terminated by the caller's contract.
    match unsafe { input_c_str(s) } {
        Ok(text) => Ok(text),
        Err(()) => {
            let message = format!("the {what} is not UTF-8");
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(unsafe { invalid_parameter(&message, detail_out) })
        }
    }
}

/// Reads a required NUL-terminated UTF-8 argument: NULL is `MAILSEC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string; `detail_out` is NULL or valid for a write.
unsafe fn required_text<'a>(
    s: *const c_char,
    what: &str,
    detail_out: *mut mailsec_error_detail,
) -> Result<&'a str, mailsec_result> {
    // SAFETY: forwarded from the caller's contract.
    unsafe { optional_text(s, what, detail_out) }?.ok_or(mailsec_result::NullParameter)
}

/// Whether `flags` holds only bits of `known`.
fn flags_within(flags: u32, known: u32) -> bool {
    flags & !known == 0
}

/// Writes `bytes` as a new bytes handle through `out`.
///
/// # Safety
/// `out` is valid for a write.
unsafe fn bytes_out(out: *mut *mut mailsec_bytes, bytes: Vec<u8>) {
    // SAFETY: valid for a write by the caller's contract.
    unsafe { write_out(out, into_handle::<mailsec_bytes>(bytes)) };
}

/// Serializes `value` as compact JSON with `"valid"` set to `valid`; `None` if it does not
/// serialize to a JSON object.
fn json_with_valid(value: serde_json::Result<serde_json::Value>, valid: bool) -> Option<Vec<u8>> {
    let mut value = value.ok()?;
    value
        .as_object_mut()?
        .insert("valid".to_owned(), serde_json::Value::Bool(valid));
    serde_json::to_vec(&value).ok()
}

// ---------------------------------------------------------------------------------------------
// Policy

/// Makes the default policy: sequoia's standard policy, the default limits (64 MiB messages,
/// 1,000 recipients, 10,000 certificates per key block, MIME depth 20, 1,000 parts, 1,000
/// header fields), validity judged at the time of each call. Release it with
/// `mailsec_pgp_policy_free`.
///
/// # Safety
/// `policy_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_policy_new(
    policy_out: *mut *mut mailsec_pgp_policy,
) -> mailsec_result {
    ffi_boundary! {
        if policy_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(policy_out, into_handle::<mailsec_pgp_policy>(PgpPolicy::new())) };
        mailsec_result::Ok
    }
}

/// Judges validity (key expiry and revocation, algorithm cut-off dates) at `unix_seconds`
/// instead of now: to re-check mail as of when it arrived.
///
/// # Safety
/// `policy` is a live policy handle, not used by another thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_policy_set_time(
    policy: *mut mailsec_pgp_policy,
    unix_seconds: u64,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(policy) = (unsafe { borrow_handle_mut(policy) }) else {
            return mailsec_result::NullParameter;
        };
        let time = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(unix_seconds));
        let Some(time) = time else {
            return mailsec_result::InvalidParameter;
        };
        policy.time = Some(time);
        mailsec_result::Ok
    }
}

/// Sets one limit on untrusted input, by the name an exceeded limit reports: `input_bytes`,
/// `output_bytes` (what a message decrypts or decompresses to), `recipients`, `certificates`
/// (per key block), `mime_depth`, `mime_parts`, `header_fields`. An unknown name is
/// `MAILSEC_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `policy` is a live policy handle, not used by another thread meanwhile; `limit` is a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_policy_set_limit(
    policy: *mut mailsec_pgp_policy,
    limit: *const c_char,
    max: usize,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated by the caller's contract.
        let limit = match unsafe { input_c_str(limit) } {
            Ok(Some(limit)) => limit,
            Ok(None) => return mailsec_result::NullParameter,
            Err(()) => return mailsec_result::InvalidParameter,
        };
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(policy) = (unsafe { borrow_handle_mut(policy) }) else {
            return mailsec_result::NullParameter;
        };
        let limits = &mut policy.limits;
        let slot = match limit {
            "input_bytes" => &mut limits.max_input_bytes,
            "output_bytes" => &mut limits.max_output_bytes,
            "recipients" => &mut limits.max_recipients,
            "certificates" => &mut limits.max_certificates,
            "mime_depth" => &mut limits.max_mime_depth,
            "mime_parts" => &mut limits.max_mime_parts,
            "header_fields" => &mut limits.max_header_fields,
            _ => return mailsec_result::InvalidParameter,
        };
        *slot = max;
        mailsec_result::Ok
    }
}

/// Releases a policy. NULL is ignored.
///
/// # Safety
/// `policy` is NULL or a live policy handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_policy_free(policy: *mut mailsec_pgp_policy) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(policy) }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// Generates a general-purpose key for `userid` (`"Alice <alice@example.org>"`): a certifying
/// and signing primary key, a signing subkey and an encryption subkey.
///
/// `cipher_suite` is `"cv25519"` (Ed25519 and Curve25519, the default for NULL), `"rsa3k"` or
/// `"rsa4k"`; `profile` is `"rfc4880"` (version 4 keys, read by GnuPG 2.2; the default for
/// NULL) or `"rfc9580"` (version 6). With a non-NULL `password` the secret key material is
/// protected by it (the key must then be unlocked with `mailsec_pgp_key_unlock` before it
/// signs or decrypts). `validity_seconds` is how long the key stays valid; 0 means it does not
/// expire.
///
/// On success `*key_out` holds the new key (release it with `mailsec_pgp_key_free`) and, when
/// `revocation_out` is not NULL, `*revocation_out` its ASCII-armored revocation certificate,
/// which the owner keeps apart from the key (release it with `mailsec_bytes_free`). An unknown
/// cipher suite or profile is `MAILSEC_RESULT_INVALID_PARAMETER`, an empty user ID
/// `MAILSEC_RESULT_PGP_USAGE`.
///
/// # Safety
/// `userid` is a NUL-terminated string; `cipher_suite`, `profile` and `password` are NULL or
/// NUL-terminated strings; `key_out` is valid for a write; `revocation_out` and `detail_out` are
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_generate(
    userid: *const c_char,
    cipher_suite: *const c_char,
    profile: *const c_char,
    password: *const c_char,
    validity_seconds: u64,
    key_out: *mut *mut mailsec_pgp_key,
    revocation_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: each is NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the
        // caller's contract.
        let texts = unsafe {
            (
                required_text(userid, "user ID", detail_out),
                optional_text(cipher_suite, "cipher suite", detail_out),
                optional_text(profile, "profile", detail_out),
                optional_text(password, "password", detail_out),
            )
        };
        let (userid, cipher_suite, profile, password) = match texts {
            (Ok(u), Ok(c), Ok(p), Ok(w)) => (u, c, p, w),
            (Err(code), ..) | (_, Err(code), ..) | (_, _, Err(code), _) | (.., Err(code)) => {
                return code;
            }
        };
        if key_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let cipher_suite = match cipher_suite.map(str::parse::<CipherSuite>).transpose() {
            Ok(suite) => suite.unwrap_or_default(),
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => return unsafe { invalid_parameter(&error.to_string(), detail_out) },
        };
        let profile = match profile.map(str::parse::<KeyProfile>).transpose() {
            Ok(profile) => profile.unwrap_or_default(),
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => return unsafe { invalid_parameter(&error.to_string(), detail_out) },
        };
        let options = KeyOptions {
            cipher_suite,
            profile,
            password: password.map(str::to_owned),
            validity: (validity_seconds > 0).then(|| Duration::from_secs(validity_seconds)),
        };
        match Key::generate(userid, &options) {
            Ok((key, revocation)) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(key_out, into_handle::<mailsec_pgp_key>(PgpKey::new(key))) };
                if !revocation_out.is_null() {
                    // SAFETY: non-NULL, so valid for a write by the caller's contract.
                    unsafe { bytes_out(revocation_out, revocation) };
                }
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { pgp_error(&error, detail_out) },
        }
    }
}

/// Reads one key, ASCII-armored or binary, public (a certificate) or secret.
///
/// On success `*key_out` holds the key (release it with `mailsec_pgp_key_free`). Data that is
/// not one OpenPGP key is `MAILSEC_RESULT_PGP_MALFORMED`, with the parser's reason in
/// `*detail_out`.
///
/// # Safety
/// `data` is valid for reads of `data_len` bytes (NULL only if 0); `key_out` is valid for a
/// write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_from_bytes(
    data: *const u8,
    data_len: usize,
    key_out: *mut *mut mailsec_pgp_key,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `data` is valid for `data_len` bytes by the caller's contract.
        let Some(data) = (unsafe { input_bytes(data, data_len) }) else {
            return mailsec_result::NullParameter;
        };
        if key_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let read = Key::from_bytes(data).map(PgpKey::new);
        // SAFETY: `key_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(read, key_out, detail_out) }
    }
}

/// Makes a new key from the key behind `key`, or reports the code for a NULL handle or output.
///
/// # Safety
/// `key` is NULL or a live key handle; `key_out` is NULL or valid for a write; `detail_out` is
/// NULL or valid for a write.
unsafe fn derive_key(
    key: *const mailsec_pgp_key,
    key_out: *mut *mut mailsec_pgp_key,
    detail_out: *mut mailsec_error_detail,
    derive: impl FnOnce(&Key) -> Result<Key, pgp::Error>,
) -> mailsec_result {
    // SAFETY: NULL or a live handle by the caller's contract.
    let Some(key) = (unsafe { borrow_handle(key) }) else {
        return mailsec_result::NullParameter;
    };
    if key_out.is_null() {
        return mailsec_result::NullParameter;
    }
    let derived = derive(&key.key).map(PgpKey::new);
    // SAFETY: `key_out` checked non-NULL above and valid for a write, `detail_out` NULL or valid
    // for a write, by the caller's contract.
    unsafe { deliver(derived, key_out, detail_out) }
}

/// Makes a copy of `key` with its password-protected secret key material decrypted with
/// `password`, ready to sign and decrypt; `key` itself is unchanged. A wrong password is
/// `MAILSEC_RESULT_PGP_LOCKED`. A key without protected material is simply copied.
///
/// # Safety
/// `key` is a live key handle; `password` is a NUL-terminated string; `key_out` is valid for a
/// write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_unlock(
    key: *const mailsec_pgp_key,
    password: *const c_char,
    key_out: *mut *mut mailsec_pgp_key,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the caller's
        // contract.
        let password = match unsafe { required_text(password, "password", detail_out) } {
            Ok(password) => password,
            Err(code) => return code,
        };
        // SAFETY: forwarded from the caller's contract.
        unsafe { derive_key(key, key_out, detail_out, |key| key.unlock(password)) }
    }
}

/// Makes a copy of `key` with every secret protected by `password` (to store it). A key still
/// locked with another password is `MAILSEC_RESULT_PGP_LOCKED`: unlock it first.
///
/// # Safety
/// `key` is a live key handle; `password` is a NUL-terminated string; `key_out` is valid for a
/// write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_lock(
    key: *const mailsec_pgp_key,
    password: *const c_char,
    key_out: *mut *mut mailsec_pgp_key,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the caller's
        // contract.
        let password = match unsafe { required_text(password, "password", detail_out) } {
            Ok(password) => password,
            Err(code) => return code,
        };
        // SAFETY: forwarded from the caller's contract.
        unsafe { derive_key(key, key_out, detail_out, |key| key.lock(password)) }
    }
}

/// Makes the public certificate of `key`, without any secret key material: what to give
/// correspondents.
///
/// # Safety
/// `key` is a live key handle; `key_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_public(
    key: *const mailsec_pgp_key,
    key_out: *mut *mut mailsec_pgp_key,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `key` NULL or live, `key_out` NULL or valid for a write, by the caller's
        // contract; no detail is written.
        unsafe { derive_key(key, key_out, std::ptr::null_mut(), |key| Ok(key.public())) }
    }
}

/// Exports the key, as the exporter chooses: its public certificate, or with its secret key
/// material.
///
/// # Safety
/// `key` is NULL or a live key handle; `bytes_out` is NULL or valid for a write; `detail_out` is
/// NULL or valid for a write.
unsafe fn export(
    key: *const mailsec_pgp_key,
    flags: u32,
    bytes_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
    exporter: impl FnOnce(&Key, bool) -> Result<Vec<u8>, pgp::Error>,
) -> mailsec_result {
    // SAFETY: NULL or a live handle by the caller's contract.
    let Some(key) = (unsafe { borrow_handle(key) }) else {
        return mailsec_result::NullParameter;
    };
    if bytes_out.is_null() {
        return mailsec_result::NullParameter;
    }
    if !flags_within(flags, MAILSEC_PGP_ARMOR) {
        return mailsec_result::InvalidFlags;
    }
    let exported = exporter(&key.key, flags & MAILSEC_PGP_ARMOR != 0);
    // SAFETY: `bytes_out` checked non-NULL above and valid for a write, `detail_out` NULL or
    // valid for a write, by the caller's contract.
    unsafe { deliver(exported, bytes_out, detail_out) }
}

/// Exports the public certificate of `key` into `*cert_out`, binary or, with
/// `MAILSEC_PGP_ARMOR` in `flags`, ASCII-armored. Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `key` is a live key handle; `cert_out` is valid for a write; `detail_out` is NULL or valid
/// for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_export_cert(
    key: *const mailsec_pgp_key,
    flags: u32,
    cert_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: forwarded from the caller's contract.
        unsafe { export(key, flags, cert_out, detail_out, Key::export_cert) }
    }
}

/// Exports `key` with its secret key material (as protected as it is now) into `*secret_out`,
/// binary or, with `MAILSEC_PGP_ARMOR` in `flags`, ASCII-armored. Release it with
/// `mailsec_bytes_free`. A key without secret key material is
/// `MAILSEC_RESULT_PGP_NO_SECRET_KEY`.
///
/// # Safety
/// `key` is a live key handle; `secret_out` is valid for a write; `detail_out` is NULL or valid
/// for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_export_secret(
    key: *const mailsec_pgp_key,
    flags: u32,
    secret_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: forwarded from the caller's contract.
        unsafe { export(key, flags, secret_out, detail_out, Key::export_secret) }
    }
}

/// The primary key's fingerprint, upper-case hex without spaces (40 characters for a version 4
/// key, 64 for version 6). Valid until the key is freed; empty if `key` is NULL.
///
/// # Safety
/// `key` is NULL or a live key handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_fingerprint(key: *const mailsec_pgp_key) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { borrow_handle(key) } {
            Some(key) => mailsec_str::borrow(&key.fingerprint),
            None => mailsec_str::empty(),
        }
    }
}

/// The primary key's key ID, upper-case hex (16 characters). Valid until the key is freed;
/// empty if `key` is NULL.
///
/// # Safety
/// `key` is NULL or a live key handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_id(key: *const mailsec_pgp_key) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { borrow_handle(key) } {
            Some(key) => mailsec_str::borrow(&key.key_id),
            None => mailsec_str::empty(),
        }
    }
}

/// The number of user IDs of the key; 0 if `key` is NULL.
///
/// # Safety
/// `key` is NULL or a live key handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_user_id_count(key: *const mailsec_pgp_key) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(key) }.map_or(0, |key| key.user_ids.len())
    }
}

/// Sets `*user_id_out` to the user ID at `index` (UTF-8; bytes that are not UTF-8 are replaced
/// by U+FFFD), valid until the key is freed. `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is
/// not below the user ID count.
///
/// # Safety
/// `key` is a live key handle; `user_id_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_user_id(
    key: *const mailsec_pgp_key,
    index: usize,
    user_id_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(key) = (unsafe { borrow_handle(key) }) else {
            return mailsec_result::NullParameter;
        };
        if user_id_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(user_id) = key.user_ids.get(index) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(user_id_out, mailsec_str::borrow(user_id)) };
        mailsec_result::Ok
    }
}

/// Whether the key carries secret key material; false if `key` is NULL.
///
/// # Safety
/// `key` is NULL or a live key handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_has_secret(key: *const mailsec_pgp_key) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(key) }.is_some_and(|key| key.key.has_secret())
    }
}

/// Whether some of the key's secret key material is password-protected (unlock it with
/// `mailsec_pgp_key_unlock` before signing or decrypting); false if `key` is NULL.
///
/// # Safety
/// `key` is NULL or a live key handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_is_locked(key: *const mailsec_pgp_key) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(key) }.is_some_and(|key| key.key.is_locked())
    }
}

/// Releases a key. NULL is ignored.
///
/// # Safety
/// `key` is NULL or a live key handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_free(key: *mut mailsec_pgp_key) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(key) }
    }
}

// ---------------------------------------------------------------------------------------------
// Key lists

/// Reads every key of a key ring: concatenated or ASCII-armored key blocks, public or secret,
/// up to the policy's `certificates` limit (NULL `policy`: the defaults).
///
/// On success `*list_out` holds the keys (release it with `mailsec_pgp_key_list_free`). Data
/// holding no key is `MAILSEC_RESULT_PGP_MALFORMED`, too many keys
/// `MAILSEC_RESULT_PGP_LIMIT_EXCEEDED`.
///
/// # Safety
/// `data` is valid for reads of `data_len` bytes (NULL only if 0); `policy` is NULL or a live
/// policy handle; `list_out` is valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_list_from_bytes(
    data: *const u8,
    data_len: usize,
    policy: *const mailsec_pgp_policy,
    list_out: *mut *mut mailsec_pgp_key_list,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `data` is valid for `data_len` bytes by the caller's contract.
        let Some(data) = (unsafe { input_bytes(data, data_len) }) else {
            return mailsec_result::NullParameter;
        };
        if list_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let read = Key::read_keyring(data, &policy.limits)
            .map(|keys| keys.into_iter().map(PgpKey::new).collect());
        // SAFETY: `list_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(read, list_out, detail_out) }
    }
}

/// The number of keys in the list; 0 if `list` is NULL.
///
/// # Safety
/// `list` is NULL or a live key list handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_list_count(list: *const mailsec_pgp_key_list) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(list) }.map_or(0, Vec::len)
    }
}

/// Sets `*key_out` to a copy of the key at `index` (release it with `mailsec_pgp_key_free`;
/// it outlives the list). `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the count.
///
/// # Safety
/// `list` is a live key list handle; `key_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_list_get(
    list: *const mailsec_pgp_key_list,
    index: usize,
    key_out: *mut *mut mailsec_pgp_key,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(list) = (unsafe { borrow_handle(list) }) else {
            return mailsec_result::NullParameter;
        };
        if key_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(key) = list.get(index) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(key_out, into_handle::<mailsec_pgp_key>(key.clone())) };
        mailsec_result::Ok
    }
}

/// Releases a key list (keys taken from it with `mailsec_pgp_key_list_get` stay valid). NULL
/// is ignored.
///
/// # Safety
/// `list` is NULL or a live key list handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_key_list_free(list: *mut mailsec_pgp_key_list) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(list) }
    }
}

// ---------------------------------------------------------------------------------------------
// Key store

/// Opens the key store in directory `dir`, creating it if needed. One file per certificate,
/// named by fingerprint; writers lock the directory and replace files atomically, so several
/// processes may share it.
///
/// On success `*store_out` holds the store (release it with `mailsec_pgp_keystore_free`). A
/// directory that cannot be created is `MAILSEC_RESULT_PGP_STORE`; a path that is not UTF-8
/// `MAILSEC_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `dir` is a NUL-terminated string; `store_out` is valid for a write; `detail_out` is NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_keystore_open(
    dir: *const c_char,
    store_out: *mut *mut mailsec_pgp_keystore,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the caller's
        // contract.
        let dir = match unsafe { required_text(dir, "directory", detail_out) } {
            Ok(dir) => dir,
            Err(code) => return code,
        };
        if store_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: `store_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(KeyStore::open(dir), store_out, detail_out) }
    }
}

/// Adds `key` to the store, merged with what is stored under the same fingerprint (new user
/// IDs, subkeys, signatures, revocations and secret key material are added; nothing is
/// removed). When `stored_out` is not NULL, `*stored_out` receives the key as now stored
/// (release it with `mailsec_pgp_key_free`). A store that cannot be written is
/// `MAILSEC_RESULT_PGP_STORE`.
///
/// # Safety
/// `store` and `key` are live handles; `stored_out` and `detail_out` are NULL or valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_keystore_insert(
    store: *const mailsec_pgp_keystore,
    key: *const mailsec_pgp_key,
    stored_out: *mut *mut mailsec_pgp_key,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or live handles by the caller's contract.
        let handles = unsafe { (borrow_handle(store), borrow_handle(key)) };
        let (Some(store), Some(key)) = handles else {
            return mailsec_result::NullParameter;
        };
        match store.insert(&key.key) {
            Ok(stored) => {
                if !stored_out.is_null() {
                    let stored = into_handle::<mailsec_pgp_key>(PgpKey::new(stored));
                    // SAFETY: non-NULL, so valid for a write by the caller's contract.
                    unsafe { write_out(stored_out, stored) };
                }
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { pgp_error(&error, detail_out) },
        }
    }
}

/// Finds the keys matching `query`: a fingerprint or key ID of the primary key or of any subkey
/// (hex, any case, with or without `0x` and spaces), or an e-mail address (case-insensitive,
/// with or without angle brackets). On success `*list_out` holds the matches, possibly none
/// (release it with `mailsec_pgp_key_list_free`).
///
/// # Safety
/// `store` is a live store handle; `query` is a NUL-terminated string; `list_out` is valid for
/// a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_keystore_lookup(
    store: *const mailsec_pgp_keystore,
    query: *const c_char,
    list_out: *mut *mut mailsec_pgp_key_list,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the caller's
        // contract.
        let query = match unsafe { required_text(query, "query", detail_out) } {
            Ok(query) => query,
            Err(code) => return code,
        };
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(store) = (unsafe { borrow_handle(store) }) else {
            return mailsec_result::NullParameter;
        };
        if list_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let found = store
            .lookup(query)
            .map(|keys| keys.into_iter().map(PgpKey::new).collect());
        // SAFETY: `list_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(found, list_out, detail_out) }
    }
}

/// Sets `*list_out` to every stored key, in fingerprint order (release it with
/// `mailsec_pgp_key_list_free`).
///
/// # Safety
/// `store` is a live store handle; `list_out` is valid for a write; `detail_out` is NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_keystore_list(
    store: *const mailsec_pgp_keystore,
    list_out: *mut *mut mailsec_pgp_key_list,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(store) = (unsafe { borrow_handle(store) }) else {
            return mailsec_result::NullParameter;
        };
        if list_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let all = store
            .list()
            .map(|keys| keys.into_iter().map(PgpKey::new).collect());
        // SAFETY: `list_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(all, list_out, detail_out) }
    }
}

/// Removes the key with primary fingerprint `fingerprint` from the store; `*removed_out` says
/// whether there was one.
///
/// # Safety
/// `store` is a live store handle; `fingerprint` is a NUL-terminated string; `removed_out` is
/// valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_keystore_remove(
    store: *const mailsec_pgp_keystore,
    fingerprint: *const c_char,
    removed_out: *mut bool,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the caller's
        // contract.
        let fingerprint = match unsafe { required_text(fingerprint, "fingerprint", detail_out) } {
            Ok(fingerprint) => fingerprint,
            Err(code) => return code,
        };
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(store) = (unsafe { borrow_handle(store) }) else {
            return mailsec_result::NullParameter;
        };
        if removed_out.is_null() {
            return mailsec_result::NullParameter;
        }
        match store.remove(fingerprint) {
            Ok(removed) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(removed_out, removed) };
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { pgp_error(&error, detail_out) },
        }
    }
}

/// Releases a key store handle (the directory stays). NULL is ignored.
///
/// # Safety
/// `store` is NULL or a live store handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_keystore_free(store: *mut mailsec_pgp_keystore) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(store) }
    }
}

// ---------------------------------------------------------------------------------------------
// Signing and verification

/// Signs `data` with each of the `signers_len` keys in `signers` (unlocked secret keys; SHA-256).
/// `flags`: 0 makes a binary detached signature (RFC 9580 §10.4), `MAILSEC_PGP_INLINE` an
/// inline-signed message carrying the data (§10.3), `MAILSEC_PGP_ARMOR` ASCII-armors either.
/// `policy` NULL means the defaults.
///
/// On success `*signature_out` holds the signature or signed message (release it with
/// `mailsec_bytes_free`). No signer is `MAILSEC_RESULT_PGP_USAGE`; a locked key
/// `MAILSEC_RESULT_PGP_LOCKED`; a key without secret signing material
/// `MAILSEC_RESULT_PGP_NO_SECRET_KEY`; an expired or revoked key
/// `MAILSEC_RESULT_PGP_NO_VALID_KEY`.
///
/// # Safety
/// `data` is valid for reads of `data_len` bytes (NULL only if 0); `signers` is valid for reads
/// of `signers_len` pointers (NULL only if 0), each a live key handle; `policy` is NULL or a live
/// policy handle; `signature_out` is valid for a write; `detail_out` is NULL or valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_sign(
    data: *const u8,
    data_len: usize,
    signers: *const *const mailsec_pgp_key,
    signers_len: usize,
    flags: u32,
    policy: *const mailsec_pgp_policy,
    signature_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `data` is valid for `data_len` bytes, `signers` for `signers_len` handles, by
        // the caller's contract.
        let inputs = unsafe { (input_bytes(data, data_len), input_keys(signers, signers_len)) };
        let (Some(data), Some(signers)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if signature_out.is_null() {
            return mailsec_result::NullParameter;
        }
        if !flags_within(flags, MAILSEC_PGP_ARMOR | MAILSEC_PGP_INLINE) {
            return mailsec_result::InvalidFlags;
        }
        let mode = if flags & MAILSEC_PGP_INLINE != 0 {
            SignMode::Inline
        } else {
            SignMode::Detached
        };
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let signed = pgp::sign(data, &signers, mode, flags & MAILSEC_PGP_ARMOR != 0, &policy);
        // SAFETY: `signature_out` checked non-NULL above and valid for a write, `detail_out`
        // NULL or valid for a write, by the caller's contract.
        unsafe { deliver(signed, signature_out, detail_out) }
    }
}

/// Verifies the detached `signature` (binary or armored, one or more signatures) over `data`
/// against the `certs_len` certificates in `certs` (secret keys serve too).
///
/// A signature that does not verify is not an error: on success `*report_out` holds a new
/// report (release it with `mailsec_pgp_report_free`) and `mailsec_pgp_report_is_valid` says
/// whether the data verifies. Errors are for a signature that cannot be read
/// (`MAILSEC_RESULT_PGP_MALFORMED`) and limits.
///
/// # Safety
/// `data` and `signature` are valid for reads of their lengths (NULL only with length 0);
/// `certs` is valid for reads of `certs_len` pointers (NULL only if 0), each a live key handle;
/// `policy` is NULL or a live policy handle; `report_out` is valid for a write; `detail_out` is
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_verify_detached(
    data: *const u8,
    data_len: usize,
    signature: *const u8,
    signature_len: usize,
    certs: *const *const mailsec_pgp_key,
    certs_len: usize,
    policy: *const mailsec_pgp_policy,
    report_out: *mut *mut mailsec_pgp_report,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(data, data_len),
                input_bytes(signature, signature_len),
                input_keys(certs, certs_len),
            )
        };
        let (Some(data), Some(signature), Some(certs)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if report_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let verified = pgp::verify_detached(data, signature, &certs, &policy);
        // SAFETY: `report_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver(verified, report_out, detail_out) }
    }
}

/// Verifies an inline-signed `message` (binary or armored) against the `certs_len` certificates
/// in `certs`, and extracts the data it carries.
///
/// On success `*content_out` holds the data (release it with `mailsec_bytes_free`) and
/// `*report_out` the report (release it with `mailsec_pgp_report_free`); the data is returned
/// whatever the verdict, so check `mailsec_pgp_report_is_valid` before trusting it. Errors are
/// for a message that cannot be read (`MAILSEC_RESULT_PGP_MALFORMED`) and limits (data larger
/// than the `output_bytes` limit is `MAILSEC_RESULT_PGP_LIMIT_EXCEEDED`).
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `certs` is valid for
/// reads of `certs_len` pointers (NULL only if 0), each a live key handle; `policy` is NULL or a
/// live policy handle; `content_out` and `report_out` are valid for a write; `detail_out` is
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_verify_inline(
    message: *const u8,
    message_len: usize,
    certs: *const *const mailsec_pgp_key,
    certs_len: usize,
    policy: *const mailsec_pgp_policy,
    content_out: *mut *mut mailsec_bytes,
    report_out: *mut *mut mailsec_pgp_report,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe { (input_bytes(message, message_len), input_keys(certs, certs_len)) };
        let (Some(message), Some(certs)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if content_out.is_null() || report_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        match pgp::verify_inline(message, &certs, &policy) {
            Ok(verified) => {
                // SAFETY: both checked non-NULL above, valid for a write by the caller's contract.
                unsafe {
                    bytes_out(content_out, verified.content);
                    write_out(report_out, into_handle::<mailsec_pgp_report>(verified.report));
                }
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { pgp_error(&error, detail_out) },
        }
    }
}

/// Whether the signatures verify: at least one is good and none is bad, rejected or
/// malformed (signatures of unknown signers do not spoil a message that also carries a good
/// one). False if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_report_is_valid(report: *const mailsec_pgp_report) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.is_some_and(VerificationReport::is_valid)
    }
}

/// The number of signatures found, in message order; 0 if `report` is NULL.
///
/// # Safety
/// `report` is NULL or a live report handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_report_signature_count(
    report: *const mailsec_pgp_report,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(report) }.map_or(0, |report| report.signatures.len())
    }
}

/// Fills `*signature_out` with the signature at `index`: its verdict, issuer, signer, hash
/// algorithm and creation time; its strings stay valid until `report` is freed.
/// `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the signature count.
///
/// # Safety
/// `report` is a live report handle; `signature_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_report_signature(
    report: *const mailsec_pgp_report,
    index: usize,
    signature_out: *mut mailsec_pgp_signature,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(report) = (unsafe { borrow_handle(report) }) else {
            return mailsec_result::NullParameter;
        };
        if signature_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(signature) = report.signatures.get(index) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(signature_out, mailsec_pgp_signature::borrow(signature)) };
        mailsec_result::Ok
    }
}

/// Writes the report as text for people into `*text_out`, one line per signature (`signature
/// 1: good by Alice <alice@example.org> (EdDSA, SHA256)`), UTF-8. Release it with
/// `mailsec_bytes_free`.
///
/// # Safety
/// `report` is a live report handle; `text_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_report_text(
    report: *const mailsec_pgp_report,
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
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { bytes_out(text_out, report.to_string().into_bytes()) };
        mailsec_result::Ok
    }
}

/// Writes the report as JSON into `*json_out`: `{"valid": bool, "signatures": [{"issuer",
/// "signer_cert", "signing_key", "signer_user_id", "key_valid", "created", "hash_algorithm",
/// "public_key_algorithm", "verdict", "detail"}]}`, compact, UTF-8. Release it with
/// `mailsec_bytes_free`.
///
/// # Safety
/// `report` is a live report handle; `json_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_report_json(
    report: *const mailsec_pgp_report,
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
        let Some(json) = json_with_valid(serde_json::to_value(report), report.is_valid()) else {
            return mailsec_result::General;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { bytes_out(json_out, json) };
        mailsec_result::Ok
    }
}

/// Releases a report. NULL is ignored.
///
/// # Safety
/// `report` is NULL or a live report handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_report_free(report: *mut mailsec_pgp_report) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(report) }
    }
}

// ---------------------------------------------------------------------------------------------
// Encryption and decryption

/// Encrypts `data` to the `recipients_len` certificates in `recipients` (every valid encryption
/// subkey of each), signing inside the encryption with the `signers_len` keys in `signers` when
/// there are any. `flags` is 0 (binary) or `MAILSEC_PGP_ARMOR`.
///
/// On success `*message_out` holds the encrypted message (release it with
/// `mailsec_bytes_free`). No recipient is `MAILSEC_RESULT_PGP_USAGE`; a certificate without a
/// valid encryption key `MAILSEC_RESULT_PGP_NO_VALID_KEY`; too many recipients
/// `MAILSEC_RESULT_PGP_LIMIT_EXCEEDED`; signer errors are those of `mailsec_pgp_sign`.
///
/// # Safety
/// `data` is valid for reads of `data_len` bytes (NULL only if 0); `recipients` and `signers`
/// are valid for reads of their lengths in pointers (NULL only with length 0), each a live key
/// handle; `policy` is NULL or a live policy handle; `message_out` is valid for a write;
/// `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_encrypt(
    data: *const u8,
    data_len: usize,
    recipients: *const *const mailsec_pgp_key,
    recipients_len: usize,
    signers: *const *const mailsec_pgp_key,
    signers_len: usize,
    flags: u32,
    policy: *const mailsec_pgp_policy,
    message_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(data, data_len),
                input_keys(recipients, recipients_len),
                input_keys(signers, signers_len),
            )
        };
        let (Some(data), Some(recipients), Some(signers)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        if !flags_within(flags, MAILSEC_PGP_ARMOR) {
            return mailsec_result::InvalidFlags;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let armor = flags & MAILSEC_PGP_ARMOR != 0;
        let encrypted = pgp::encrypt(data, &recipients, &signers, armor, &policy);
        // SAFETY: `message_out` checked non-NULL above and valid for a write, `detail_out` NULL
        // or valid for a write, by the caller's contract.
        unsafe { deliver(encrypted, message_out, detail_out) }
    }
}

/// Decrypts `message` (binary or armored) with one of the `keys_len` unlocked secret keys in
/// `keys`, and verifies the signatures inside against the `certs_len` certificates in `certs`.
///
/// On success `*content_out` holds the decrypted data (release it with `mailsec_bytes_free`)
/// and `*decryption_out` what was found (release it with `mailsec_pgp_decryption_free`); check
/// the signatures with `mailsec_pgp_decryption_signatures`. A message none of the keys can
/// decrypt is `MAILSEC_RESULT_PGP_NO_DECRYPTION_KEY` (the detail lists its recipients); a
/// locked key `MAILSEC_RESULT_PGP_LOCKED`; data without integrity protection (the SED packet)
/// `MAILSEC_RESULT_PGP_UNPROTECTED`; an unreadable message `MAILSEC_RESULT_PGP_MALFORMED`; data
/// decrypting to more than the `output_bytes` limit `MAILSEC_RESULT_PGP_LIMIT_EXCEEDED`.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `keys` and `certs` are
/// valid for reads of their lengths in pointers (NULL only with length 0), each a live key
/// handle; `policy` is NULL or a live policy handle; `content_out` and `decryption_out` are
/// valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decrypt(
    message: *const u8,
    message_len: usize,
    keys: *const *const mailsec_pgp_key,
    keys_len: usize,
    certs: *const *const mailsec_pgp_key,
    certs_len: usize,
    policy: *const mailsec_pgp_policy,
    content_out: *mut *mut mailsec_bytes,
    decryption_out: *mut *mut mailsec_pgp_decryption,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(message, message_len),
                input_keys(keys, keys_len),
                input_keys(certs, certs_len),
            )
        };
        let (Some(message), Some(keys), Some(certs)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if content_out.is_null() || decryption_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        match pgp::decrypt(message, &keys, &certs, &policy) {
            Ok(decrypted) => {
                let report = into_handle::<mailsec_pgp_decryption>(decrypted.report);
                // SAFETY: both checked non-NULL above, valid for a write by the caller's contract.
                unsafe {
                    bytes_out(content_out, decrypted.content);
                    write_out(decryption_out, report);
                }
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { pgp_error(&error, detail_out) },
        }
    }
}

/// Fingerprint of the (sub)key that decrypted the session key. Valid until `decryption` is
/// freed; empty if unknown or `decryption` is NULL.
///
/// # Safety
/// `decryption` is NULL or a live decryption handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_decrypted_with(
    decryption: *const mailsec_pgp_decryption,
) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(decryption) }
            .and_then(|d| d.decrypted_with.as_deref())
            .map_or_else(mailsec_str::empty, mailsec_str::borrow)
    }
}

/// Fingerprint of the certificate the decrypting subkey belongs to. Valid until `decryption` is
/// freed; empty if unknown or `decryption` is NULL.
///
/// # Safety
/// `decryption` is NULL or a live decryption handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_decrypted_with_cert(
    decryption: *const mailsec_pgp_decryption,
) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(decryption) }
            .and_then(|d| d.decrypted_with_cert.as_deref())
            .map_or_else(mailsec_str::empty, mailsec_str::borrow)
    }
}

/// The symmetric cipher of the data, as sequoia names it (`AES-256`). Valid until `decryption`
/// is freed; empty if unknown or `decryption` is NULL.
///
/// # Safety
/// `decryption` is NULL or a live decryption handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_symmetric_algorithm(
    decryption: *const mailsec_pgp_decryption,
) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(decryption) }
            .and_then(|d| d.symmetric_algorithm.as_deref())
            .map_or_else(mailsec_str::empty, mailsec_str::borrow)
    }
}

/// Sets `*protection_out` to the integrity protection of the data (SEIPD v1 or v2).
///
/// # Safety
/// `decryption` is a live decryption handle; `protection_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_protection(
    decryption: *const mailsec_pgp_decryption,
    protection_out: *mut mailsec_pgp_protection,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(decryption) = (unsafe { borrow_handle(decryption) }) else {
            return mailsec_result::NullParameter;
        };
        if protection_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let protection = match decryption.protection {
            Protection::SeipdV1 => mailsec_pgp_protection::SeipdV1,
            Protection::SeipdV2 => mailsec_pgp_protection::SeipdV2,
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(protection_out, protection) };
        mailsec_result::Ok
    }
}

/// Sets `*report_out` to a new report of the signatures found inside the encryption
/// (sign-then-encrypt); it has no signature when the message was not signed. Release it with
/// `mailsec_pgp_report_free`.
///
/// # Safety
/// `decryption` is a live decryption handle; `report_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_signatures(
    decryption: *const mailsec_pgp_decryption,
    report_out: *mut *mut mailsec_pgp_report,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(decryption) = (unsafe { borrow_handle(decryption) }) else {
            return mailsec_result::NullParameter;
        };
        if report_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let report = decryption.signatures.clone();
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(report_out, into_handle::<mailsec_pgp_report>(report)) };
        mailsec_result::Ok
    }
}

/// Writes the decryption as JSON into `*json_out`: `{"recipients": [string], "decrypted_with",
/// "decrypted_with_cert", "symmetric_algorithm", "aead_algorithm", "protection": "seipd-v1" |
/// "seipd-v2", "compressed": bool, "signatures": {"signatures": [...]}}` (the signatures as in
/// `mailsec_pgp_report_json`, without `valid`), compact, UTF-8. Release it with
/// `mailsec_bytes_free`.
///
/// # Safety
/// `decryption` is a live decryption handle; `json_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_json(
    decryption: *const mailsec_pgp_decryption,
    json_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(decryption) = (unsafe { borrow_handle(decryption) }) else {
            return mailsec_result::NullParameter;
        };
        if json_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Ok(json) = serde_json::to_vec(decryption) else {
            return mailsec_result::General;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { bytes_out(json_out, json) };
        mailsec_result::Ok
    }
}

/// Releases a decryption handle. NULL is ignored.
///
/// # Safety
/// `decryption` is NULL or a live decryption handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_decryption_free(decryption: *mut mailsec_pgp_decryption) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(decryption) }
    }
}

// ---------------------------------------------------------------------------------------------
// PGP/MIME

/// Signs a whole RFC 5322 `message` with each of the `signers_len` keys in `signers`, making a
/// `multipart/signed; protocol="application/pgp-signature"` message (RFC 3156 §5) whose signed
/// part carries the message's header fields (RFC 9788 header protection).
///
/// On success `*message_out` holds the signed message (release it with `mailsec_bytes_free`).
/// A message that cannot be parsed is `MAILSEC_RESULT_PGP_MIME`; signer errors are those of
/// `mailsec_pgp_sign`.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `signers` is valid for
/// reads of `signers_len` pointers (NULL only if 0), each a live key handle; `policy` is NULL or
/// a live policy handle; `message_out` is valid for a write; `detail_out` is NULL or valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_sign(
    message: *const u8,
    message_len: usize,
    signers: *const *const mailsec_pgp_key,
    signers_len: usize,
    policy: *const mailsec_pgp_policy,
    message_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs =
            unsafe { (input_bytes(message, message_len), input_keys(signers, signers_len)) };
        let (Some(message), Some(signers)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let signed = mime::sign(message, &signers, &policy);
        // SAFETY: `message_out` checked non-NULL above and valid for a write, `detail_out` NULL
        // or valid for a write, by the caller's contract.
        unsafe { deliver(signed, message_out, detail_out) }
    }
}

/// Encrypts a whole RFC 5322 `message` to the `recipients_len` certificates in `recipients`,
/// signing inside the encryption with the `signers_len` keys in `signers` when there are any
/// (RFC 3156 §6.2), making a `multipart/encrypted; protocol="application/pgp-encrypted"`
/// message (§4). The header fields are protected inside and the outer Subject replaced by
/// `[...]` (RFC 9788 `hp="cipher"`). Include the sender among the recipients to read sent mail.
///
/// On success `*message_out` holds the encrypted message (release it with
/// `mailsec_bytes_free`). Errors are those of `mailsec_pgp_encrypt`, and
/// `MAILSEC_RESULT_PGP_MIME` for a message that cannot be parsed.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `recipients` and
/// `signers` are valid for reads of their lengths in pointers (NULL only with length 0), each a
/// live key handle; `policy` is NULL or a live policy handle; `message_out` is valid for a
/// write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_encrypt(
    message: *const u8,
    message_len: usize,
    recipients: *const *const mailsec_pgp_key,
    recipients_len: usize,
    signers: *const *const mailsec_pgp_key,
    signers_len: usize,
    policy: *const mailsec_pgp_policy,
    message_out: *mut *mut mailsec_bytes,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(message, message_len),
                input_keys(recipients, recipients_len),
                input_keys(signers, signers_len),
            )
        };
        let (Some(message), Some(recipients), Some(signers)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let encrypted = mime::encrypt(message, &recipients, &signers, &policy);
        // SAFETY: `message_out` checked non-NULL above and valid for a write, `detail_out` NULL
        // or valid for a write, by the caller's contract.
        unsafe { deliver(encrypted, message_out, detail_out) }
    }
}

/// Opens a PGP/MIME message, signed (RFC 3156 §5), encrypted (§4) or both (§6.1, §6.2):
/// decrypts it with one of the `keys_len` unlocked secret keys in `keys`, verifies every
/// signature against the `certs_len` certificates in `certs`, and compares the protected header
/// fields with the ones that arrived (RFC 9788).
///
/// A signature that does not verify is not an error: on success `*opened_out` holds what was
/// found (release it with `mailsec_pgp_mime_opened_free`), and `mailsec_pgp_mime_opened_is_valid`
/// says whether the message verifies. A message that is not PGP/MIME, or whose structure is
/// broken, is `MAILSEC_RESULT_PGP_MIME` (the detail gives the byte offset); decryption errors
/// are those of `mailsec_pgp_decrypt`.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `keys` and `certs` are
/// valid for reads of their lengths in pointers (NULL only with length 0), each a live key
/// handle; `policy` is NULL or a live policy handle; `opened_out` is valid for a write;
/// `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_open(
    message: *const u8,
    message_len: usize,
    keys: *const *const mailsec_pgp_key,
    keys_len: usize,
    certs: *const *const mailsec_pgp_key,
    certs_len: usize,
    policy: *const mailsec_pgp_policy,
    opened_out: *mut *mut mailsec_pgp_mime_opened,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe {
            (
                input_bytes(message, message_len),
                input_keys(keys, keys_len),
                input_keys(certs, certs_len),
            )
        };
        let (Some(message), Some(keys), Some(certs)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if opened_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        let opened = mime::open(message, &keys, &certs, &policy);
        // SAFETY: `opened_out` checked non-NULL above and valid for a write, `detail_out` NULL
        // or valid for a write, by the caller's contract.
        unsafe { deliver(opened, opened_out, detail_out) }
    }
}

/// Sets `*kind_out` to what `message` is by its top-level Content-Type: PGP/MIME signed,
/// encrypted, or other; reads the header alone. A header that cannot be parsed is
/// `MAILSEC_RESULT_PGP_MIME`.
///
/// # Safety
/// `message` is valid for reads of `message_len` bytes (NULL only if 0); `policy` is NULL or a
/// live policy handle; `kind_out` is valid for a write; `detail_out` is NULL or valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_detect(
    message: *const u8,
    message_len: usize,
    policy: *const mailsec_pgp_policy,
    kind_out: *mut mailsec_pgp_mime_kind,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `message` is valid for `message_len` bytes by the caller's contract.
        let Some(message) = (unsafe { input_bytes(message, message_len) }) else {
            return mailsec_result::NullParameter;
        };
        if kind_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let policy = unsafe { policy_or_default(policy) };
        match mime::detect(message, &policy) {
            Ok(kind) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(kind_out, kind.into()) };
                mailsec_result::Ok
            }
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { pgp_error(&error, detail_out) },
        }
    }
}

/// Whether the opened message verifies: its signatures are valid (as
/// `mailsec_pgp_report_is_valid`) and no protected header field differs from the one that
/// arrived. False if `opened` is NULL.
///
/// # Safety
/// `opened` is NULL or a live opened handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_is_valid(
    opened: *const mailsec_pgp_mime_opened,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(opened) }.is_some_and(Opened::is_valid)
    }
}

/// Whether the message carried at least one signature; false if `opened` is NULL.
///
/// # Safety
/// `opened` is NULL or a live opened handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_is_signed(
    opened: *const mailsec_pgp_mime_opened,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(opened) }.is_some_and(Opened::is_signed)
    }
}

/// Whether the message was encrypted; false if `opened` is NULL.
///
/// # Safety
/// `opened` is NULL or a live opened handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_is_encrypted(
    opened: *const mailsec_pgp_mime_opened,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(opened) }.is_some_and(Opened::is_encrypted)
    }
}

/// Sets `*content_out` to a copy of the protected MIME entity (header and body, CRLF), as
/// signed or as decrypted: what to deliver. Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `opened` is a live opened handle; `content_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_content(
    opened: *const mailsec_pgp_mime_opened,
    content_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(opened) = (unsafe { borrow_handle(opened) }) else {
            return mailsec_result::NullParameter;
        };
        if content_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { bytes_out(content_out, opened.content.clone()) };
        mailsec_result::Ok
    }
}

/// Sets `*report_out` to a new report of every signature found (inside the encryption, and of
/// a nested `multipart/signed`). Release it with `mailsec_pgp_report_free`.
///
/// # Safety
/// `opened` is a live opened handle; `report_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_signatures(
    opened: *const mailsec_pgp_mime_opened,
    report_out: *mut *mut mailsec_pgp_report,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(opened) = (unsafe { borrow_handle(opened) }) else {
            return mailsec_result::NullParameter;
        };
        if report_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let report = opened.signatures.clone();
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(report_out, into_handle::<mailsec_pgp_report>(report)) };
        mailsec_result::Ok
    }
}

/// Writes what was found as text for people into `*text_out` (the decryption, the signatures,
/// the protected header fields that do not match), UTF-8. Release it with
/// `mailsec_bytes_free`.
///
/// # Safety
/// `opened` is a live opened handle; `text_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_text(
    opened: *const mailsec_pgp_mime_opened,
    text_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(opened) = (unsafe { borrow_handle(opened) }) else {
            return mailsec_result::NullParameter;
        };
        if text_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { bytes_out(text_out, opened.to_string().into_bytes()) };
        mailsec_result::Ok
    }
}

/// Writes what was found as JSON into `*json_out`: `{"valid": bool, "kind": "signed" |
/// "encrypted" | "other", "decryption": null | {…as mailsec_pgp_decryption_json},
/// "signatures": {"signatures": [...]}, "headers": [{"name", "protected", "outer", "status":
/// "match" | "differs" | "obscured" | "missing-outside" | "unprotected"}]}`, compact, UTF-8;
/// the content is not included. Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `opened` is a live opened handle; `json_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_json(
    opened: *const mailsec_pgp_mime_opened,
    json_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(opened) = (unsafe { borrow_handle(opened) }) else {
            return mailsec_result::NullParameter;
        };
        if json_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(json) = json_with_valid(serde_json::to_value(opened), opened.is_valid()) else {
            return mailsec_result::General;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { bytes_out(json_out, json) };
        mailsec_result::Ok
    }
}

/// Releases an opened message. NULL is ignored.
///
/// # Safety
/// `opened` is NULL or a live opened handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_pgp_mime_opened_free(opened: *mut mailsec_pgp_mime_opened) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(opened) }
    }
}
