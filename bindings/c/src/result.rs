//! Result codes, and the text for each.

use std::ffi::c_char;

use facade::clientid::{EhloError, StoreError, SyntaxError};
use facade::headers;
use facade::pgp;
use facade::sieve;
use facade::smime;

use crate::boundary::ffi_boundary;
use crate::handle::write_out;

/// What a mailsec function did: `MAILSEC_RESULT_OK`, or why it failed.
///
/// Codes are stable; new ones may be added. Codes 1000–1009 are CLIENTID command syntax errors
/// (draft-storey-smtp-client-id-13 §5), answered with 501 (or 500 for
/// `MAILSEC_RESULT_CLIENTID_NOT_CLIENTID`); 1010–1019 are CLIENTID session, policy and history
/// store errors (draft §4, §6, §7); 1100–1199 are EHLO reply errors; 1200–1299 are
/// secure-headers errors (RFC 7508: building, encoding, decoding, rewriting); 1300–1399 are
/// policy errors; 1400–1499 are S/MIME errors (RFC 5652, RFC 8551), one per
/// `smime_core::Error::code()`; 1500–1599 are OpenPGP and PGP/MIME errors (RFC 9580, RFC 3156),
/// one per `pgp_core::Error` variant; 1600–1699 are Sieve errors (RFC 5228, RFC 6134): 1601–1619
/// compile errors, one per `CompileErrorKind`, with the line and column of the offending token,
/// and 1620–1639 evaluation and list errors.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullParameter = 1,
    /// mailsec panicked; this is a bug, please report it.
    Panic = 2,
    /// The caller's buffer is too small for the output.
    InsufficientSize = 3,
    /// A flags argument holds bits this version does not know.
    InvalidFlags = 4,
    /// An argument is outside its range: an unknown constant, or an index past the end.
    InvalidParameter = 5,
    /// An error this version of the C API has no specific code for; the detail message, where
    /// the function has one, says what it is.
    General = 6,
    /// A CLIENTID syntax error of a kind this version has no code for.
    ClientidSyntax = 1000,
    /// The CLIENTID input is empty.
    ClientidEmpty = 1001,
    /// The line's verb is not CLIENTID (answer 500).
    ClientidNotClientid = 1002,
    /// The client-id-type is missing.
    ClientidMissingType = 1003,
    /// The client-id-token is missing.
    ClientidMissingToken = 1004,
    /// The client-id-type is longer than 16 characters.
    ClientidTypeTooLong = 1005,
    /// The client-id-token is longer than 128 characters.
    ClientidTokenTooLong = 1006,
    /// A character the grammar does not allow where it stands.
    ClientidBadCharacter = 1007,
    /// A byte outside US-ASCII.
    ClientidNonAscii = 1008,
    /// More than two arguments.
    ClientidExtraArgument = 1009,
    /// The `[clientid]` table of the policy is inconsistent (a bad type name in
    /// `[clientid.handling.types]`, a prefix length or window out of range, a token key file
    /// too short); the detail names the setting.
    ClientidPolicy = 1010,
    /// A CLIENTID history store error of a kind this version has no code for.
    ClientidStore = 1011,
    /// The history store could not be reached or opened (a temporary failure: defer).
    ClientidStoreUnavailable = 1012,
    /// The history store holds data mailsec did not write.
    ClientidStoreCorrupt = 1013,
    /// The history store holds as many identities as it may.
    ClientidStoreFull = 1014,
    /// The session holds no identity of the kind asked for (none presented, or its handling
    /// flags keep it from that use, draft §7).
    ClientidNoIdentity = 1015,
    /// The EHLO reply is malformed.
    EhloMalformed = 1100,
    /// EHLO was not answered with 250.
    EhloNotAccepted = 1101,
    /// The EHLO reply exceeds a size or line limit.
    EhloTooLarge = 1102,
    /// A secure-headers error of a kind this version has no code for.
    HeadersError = 1200,
    /// A limit on untrusted input was hit (header size, field count, DER size…).
    HeadersLimitExceeded = 1201,
    /// A secured field's value cannot be carried by the wire profile.
    HeadersUnrepresentable = 1202,
    /// A field name is not a valid header field name (draft §4.1).
    HeadersInvalidFieldName = 1203,
    /// The message carries none of the policy's fields, so there is nothing to secure.
    HeadersNothingToSecure = 1204,
    /// The DER is not a SecureHeaderFields structure; the detail gives the byte offset.
    HeadersMalformed = 1205,
    /// A header field carries a status other than duplicated, deleted or modified.
    HeadersUnknownStatus = 1206,
    /// The canonicalization algorithm is neither simple nor relaxed.
    HeadersUnknownAlgorithm = 1207,
    /// The attribute identifier is not one of an accepted profile.
    HeadersProfileNotAccepted = 1208,
    /// The attribute does not carry exactly one value.
    HeadersAttributeValueCount = 1209,
    /// A modified field has no replacement value in the policy.
    HeadersNoReplacement = 1210,
    /// The policy is unusable; the detail message says where ("line L, column C: …") and why.
    PolicyInvalid = 1300,
    /// An S/MIME error of a kind this version has no code for.
    SmimeError = 1400,
    /// A limit on untrusted input was hit (message size, MIME parts or depth, signers,
    /// certificates, signed attributes); the detail names it (`limit-exceeded`).
    SmimeLimitExceeded = 1401,
    /// A private key could not be read (`key`).
    SmimeKey = 1402,
    /// A certificate could not be read, or lacks what the operation needs (`certificate`).
    SmimeCertificate = 1403,
    /// The private key is not the key of the signer's certificate (`key-mismatch`).
    SmimeKeyMismatch = 1404,
    /// The key cannot sign with the requested algorithm (`unsupported-algorithm`).
    SmimeUnsupportedAlgorithm = 1405,
    /// The key backend failed to sign (`signing`).
    SmimeSigning = 1406,
    /// No signer was given (`no-signer`).
    SmimeNoSigner = 1407,
    /// The CMS structure is not valid BER/DER; the detail gives the byte offset in it when known
    /// (`malformed`).
    SmimeMalformed = 1408,
    /// The CMS object is not signed-data (`not-signed-data`).
    SmimeNotSignedData = 1409,
    /// The message is not an S/MIME signed message, or its MIME structure is broken (`mime`).
    SmimeMime = 1410,
    /// The policy secures a field the S/MIME wrapping must rewrite, a Content-* field
    /// (`cannot-secure`).
    SmimeCannotSecure = 1411,
    /// An invariant of the S/MIME code did not hold: a bug, please report it (`internal`).
    SmimeInternal = 1412,
    /// An OpenPGP error of a kind this version has no code for.
    PgpError = 1500,
    /// OpenPGP data (a key, a message, a signature) is malformed; the detail says what the parser
    /// found.
    PgpMalformed = 1501,
    /// A PGP/MIME structure is not what RFC 3156 requires, or the message is not PGP/MIME; the
    /// detail gives the byte offset.
    PgpMime = 1502,
    /// A limit on untrusted input was hit (input or output size, recipients, certificates, MIME
    /// depth, parts or header fields); the detail names it.
    PgpLimitExceeded = 1503,
    /// The key has no secret key material usable for the operation.
    PgpNoSecretKey = 1504,
    /// The certificate has no key valid for the operation under the policy (expired, revoked,
    /// missing, or of an algorithm the policy rejects).
    PgpNoValidKey = 1505,
    /// The secret key is password-protected and was not unlocked, or the password is wrong.
    PgpLocked = 1506,
    /// None of the given secret keys can decrypt the message; the detail lists its recipients.
    PgpNoDecryptionKey = 1507,
    /// The message is encrypted without integrity protection (SED packet, RFC 9580 §5.7) and is
    /// refused.
    PgpUnprotected = 1508,
    /// The operation was asked with nothing to do it with (no recipient, no signer, an empty user
    /// ID).
    PgpUsage = 1509,
    /// Signing, encryption or key generation failed inside the OpenPGP implementation.
    PgpCrypto = 1510,
    /// The key store could not be read or written; the detail names the file.
    PgpStore = 1511,
    /// A Sieve error of a kind this version has no code for.
    SieveError = 1600,
    /// The script is not Sieve (RFC 5228 §8): an unterminated string, a stray character, a
    /// missing `;`, text that is not UTF-8.
    SieveSyntax = 1601,
    /// A command that no supported extension defines.
    SieveUnknownCommand = 1602,
    /// A test that no supported extension defines.
    SieveUnknownTest = 1603,
    /// `require` names a capability mailsec does not have (RFC 5228 §3.2).
    SieveUnsupportedExtension = 1604,
    /// A command, test, tag or comparator used without the `require` that enables it.
    SieveNotRequired = 1605,
    /// Arguments that do not fit the command or test.
    SieveArguments = 1606,
    /// `:list` combined with `:comparator` (RFC 6134 §2.2).
    SieveListWithComparator = 1607,
    /// `:list` on a test that does not support it (RFC 6134 §2.2).
    SieveListNotSupported = 1608,
    /// A list name that is not an absolute URI, or an addrbook URN without a name (RFC 6134
    /// §2.5, §2.6).
    SieveInvalidListName = 1609,
    /// A command where it may not stand (`require` after other commands, `elsif` without `if`).
    SieveMisplaced = 1610,
    /// A compile-time limit was hit (script size, nesting, string length, variables); the
    /// detail names it.
    SieveCompileLimit = 1611,
    /// A list backend failed temporarily or did not answer in time: defer the delivery (SMTP
    /// 4xx) and try again later (RFC 6134 §3). The detail names the list.
    SieveDefer = 1620,
    /// A runtime error of the script (RFC 5228 §2.10.6): file the message as if by an implicit
    /// keep. The position says where.
    SieveRuntime = 1621,
    /// An evaluation limit was hit (actions, redirects, list queries or recipients, message
    /// size, match work): a runtime error naming the limit.
    SieveLimit = 1622,
    /// A list store or list file could not be opened, read or written, or holds what a list
    /// cannot (a bad list name, an entry of the wrong type).
    SieveStore = 1623,
}

impl mailsec_result {
    const ALL: [mailsec_result; 79] = [
        mailsec_result::Ok,
        mailsec_result::NullParameter,
        mailsec_result::Panic,
        mailsec_result::InsufficientSize,
        mailsec_result::InvalidFlags,
        mailsec_result::InvalidParameter,
        mailsec_result::General,
        mailsec_result::ClientidSyntax,
        mailsec_result::ClientidEmpty,
        mailsec_result::ClientidNotClientid,
        mailsec_result::ClientidMissingType,
        mailsec_result::ClientidMissingToken,
        mailsec_result::ClientidTypeTooLong,
        mailsec_result::ClientidTokenTooLong,
        mailsec_result::ClientidBadCharacter,
        mailsec_result::ClientidNonAscii,
        mailsec_result::ClientidExtraArgument,
        mailsec_result::ClientidPolicy,
        mailsec_result::ClientidStore,
        mailsec_result::ClientidStoreUnavailable,
        mailsec_result::ClientidStoreCorrupt,
        mailsec_result::ClientidStoreFull,
        mailsec_result::ClientidNoIdentity,
        mailsec_result::EhloMalformed,
        mailsec_result::EhloNotAccepted,
        mailsec_result::EhloTooLarge,
        mailsec_result::HeadersError,
        mailsec_result::HeadersLimitExceeded,
        mailsec_result::HeadersUnrepresentable,
        mailsec_result::HeadersInvalidFieldName,
        mailsec_result::HeadersNothingToSecure,
        mailsec_result::HeadersMalformed,
        mailsec_result::HeadersUnknownStatus,
        mailsec_result::HeadersUnknownAlgorithm,
        mailsec_result::HeadersProfileNotAccepted,
        mailsec_result::HeadersAttributeValueCount,
        mailsec_result::HeadersNoReplacement,
        mailsec_result::PolicyInvalid,
        mailsec_result::SmimeError,
        mailsec_result::SmimeLimitExceeded,
        mailsec_result::SmimeKey,
        mailsec_result::SmimeCertificate,
        mailsec_result::SmimeKeyMismatch,
        mailsec_result::SmimeUnsupportedAlgorithm,
        mailsec_result::SmimeSigning,
        mailsec_result::SmimeNoSigner,
        mailsec_result::SmimeMalformed,
        mailsec_result::SmimeNotSignedData,
        mailsec_result::SmimeMime,
        mailsec_result::SmimeCannotSecure,
        mailsec_result::SmimeInternal,
        mailsec_result::PgpError,
        mailsec_result::PgpMalformed,
        mailsec_result::PgpMime,
        mailsec_result::PgpLimitExceeded,
        mailsec_result::PgpNoSecretKey,
        mailsec_result::PgpNoValidKey,
        mailsec_result::PgpLocked,
        mailsec_result::PgpNoDecryptionKey,
        mailsec_result::PgpUnprotected,
        mailsec_result::PgpUsage,
        mailsec_result::PgpCrypto,
        mailsec_result::PgpStore,
        mailsec_result::SieveError,
        mailsec_result::SieveSyntax,
        mailsec_result::SieveUnknownCommand,
        mailsec_result::SieveUnknownTest,
        mailsec_result::SieveUnsupportedExtension,
        mailsec_result::SieveNotRequired,
        mailsec_result::SieveArguments,
        mailsec_result::SieveListWithComparator,
        mailsec_result::SieveListNotSupported,
        mailsec_result::SieveInvalidListName,
        mailsec_result::SieveMisplaced,
        mailsec_result::SieveCompileLimit,
        mailsec_result::SieveDefer,
        mailsec_result::SieveRuntime,
        mailsec_result::SieveLimit,
        mailsec_result::SieveStore,
    ];

    /// The code for a raw value from C, if it is one.
    fn from_raw(raw: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as u32 == raw)
    }

    fn text(self) -> &'static str {
        match self {
            mailsec_result::Ok => "success",
            mailsec_result::NullParameter => "a required pointer argument was NULL",
            mailsec_result::Panic => "internal error: mailsec panicked (a bug)",
            mailsec_result::InsufficientSize => "the output buffer is too small",
            mailsec_result::InvalidFlags => "unknown bits in a flags argument",
            mailsec_result::InvalidParameter => "an argument is out of range",
            mailsec_result::General => "mailsec error (see the detail message)",
            mailsec_result::ClientidSyntax => "CLIENTID command syntax error",
            mailsec_result::ClientidEmpty => "empty CLIENTID input",
            mailsec_result::ClientidNotClientid => "not a CLIENTID command",
            mailsec_result::ClientidMissingType => "client-id-type missing",
            mailsec_result::ClientidMissingToken => "client-id-token missing",
            mailsec_result::ClientidTypeTooLong => "client-id-type longer than 16 characters",
            mailsec_result::ClientidTokenTooLong => "client-id-token longer than 128 characters",
            mailsec_result::ClientidBadCharacter => "character not allowed in CLIENTID command",
            mailsec_result::ClientidNonAscii => "non-ASCII byte in CLIENTID command",
            mailsec_result::ClientidExtraArgument => "extra argument after client-id-token",
            mailsec_result::ClientidPolicy => "inconsistent [clientid] policy",
            mailsec_result::ClientidStore => "CLIENTID history store error",
            mailsec_result::ClientidStoreUnavailable => "CLIENTID history store unavailable",
            mailsec_result::ClientidStoreCorrupt => "CLIENTID history store holds unexpected data",
            mailsec_result::ClientidStoreFull => "CLIENTID history store is full",
            mailsec_result::ClientidNoIdentity => "no client identity of the kind asked for",
            mailsec_result::EhloMalformed => "malformed EHLO reply",
            mailsec_result::EhloNotAccepted => "EHLO was not answered with 250",
            mailsec_result::EhloTooLarge => "EHLO reply exceeds a limit",
            mailsec_result::HeadersError => "secure headers error",
            mailsec_result::HeadersLimitExceeded => "secure headers: input exceeds a limit",
            mailsec_result::HeadersUnrepresentable => {
                "secure headers: field value cannot be carried by the profile"
            }
            mailsec_result::HeadersInvalidFieldName => "secure headers: invalid header field name",
            mailsec_result::HeadersNothingToSecure => {
                "secure headers: the message carries none of the policy's fields"
            }
            mailsec_result::HeadersMalformed => "malformed SecureHeaderFields DER",
            mailsec_result::HeadersUnknownStatus => "secure headers: unknown header field status",
            mailsec_result::HeadersUnknownAlgorithm => {
                "secure headers: unknown canonicalization algorithm"
            }
            mailsec_result::HeadersProfileNotAccepted => {
                "secure headers: attribute identifier of a profile the policy does not accept"
            }
            mailsec_result::HeadersAttributeValueCount => {
                "secure headers: the attribute must carry exactly one value"
            }
            mailsec_result::HeadersNoReplacement => {
                "secure headers: modified field without a replacement value in the policy"
            }
            mailsec_result::PolicyInvalid => "invalid policy",
            mailsec_result::SmimeError => "S/MIME error",
            mailsec_result::SmimeLimitExceeded => "S/MIME: input exceeds a limit",
            mailsec_result::SmimeKey => "S/MIME: the private key cannot be read",
            mailsec_result::SmimeCertificate => "S/MIME: unusable certificate",
            mailsec_result::SmimeKeyMismatch => {
                "S/MIME: the private key does not belong to the certificate"
            }
            mailsec_result::SmimeUnsupportedAlgorithm => {
                "S/MIME: the key cannot sign with the requested algorithm"
            }
            mailsec_result::SmimeSigning => "S/MIME: signing failed",
            mailsec_result::SmimeNoSigner => "S/MIME: no signer given",
            mailsec_result::SmimeMalformed => "S/MIME: malformed CMS structure",
            mailsec_result::SmimeNotSignedData => "S/MIME: the CMS object is not signed-data",
            mailsec_result::SmimeMime => "S/MIME: not a signed message, or broken MIME structure",
            mailsec_result::SmimeCannotSecure => {
                "S/MIME: the policy secures a field the S/MIME wrapping rewrites"
            }
            mailsec_result::SmimeInternal => "S/MIME: internal error (a bug)",
            mailsec_result::PgpError => "OpenPGP error",
            mailsec_result::PgpMalformed => "OpenPGP: malformed key, message or signature",
            mailsec_result::PgpMime => "PGP/MIME: not a PGP/MIME message, or broken MIME structure",
            mailsec_result::PgpLimitExceeded => "OpenPGP: input exceeds a limit",
            mailsec_result::PgpNoSecretKey => "OpenPGP: the key has no usable secret key material",
            mailsec_result::PgpNoValidKey => {
                "OpenPGP: the certificate has no key valid for the operation"
            }
            mailsec_result::PgpLocked => {
                "OpenPGP: the secret key is locked (not unlocked, or wrong password)"
            }
            mailsec_result::PgpNoDecryptionKey => {
                "OpenPGP: no secret key given can decrypt the message"
            }
            mailsec_result::PgpUnprotected => {
                "OpenPGP: message encrypted without integrity protection, refused"
            }
            mailsec_result::PgpUsage => "OpenPGP: nothing to do the operation with",
            mailsec_result::PgpCrypto => "OpenPGP: cryptographic operation failed",
            mailsec_result::PgpStore => "OpenPGP: key store cannot be read or written",
            mailsec_result::SieveError => "Sieve error",
            mailsec_result::SieveSyntax => "Sieve: syntax error in the script",
            mailsec_result::SieveUnknownCommand => "Sieve: unknown command",
            mailsec_result::SieveUnknownTest => "Sieve: unknown test",
            mailsec_result::SieveUnsupportedExtension => {
                "Sieve: require names an unsupported extension"
            }
            mailsec_result::SieveNotRequired => "Sieve: extension used without its require",
            mailsec_result::SieveArguments => "Sieve: arguments do not fit the command or test",
            mailsec_result::SieveListWithComparator => {
                "Sieve: :list cannot be combined with :comparator"
            }
            mailsec_result::SieveListNotSupported => "Sieve: the test does not support :list",
            mailsec_result::SieveInvalidListName => "Sieve: invalid list name",
            mailsec_result::SieveMisplaced => "Sieve: command in a place it may not stand",
            mailsec_result::SieveCompileLimit => "Sieve: the script exceeds a limit",
            mailsec_result::SieveDefer => {
                "Sieve: a list is temporarily unavailable, defer the delivery"
            }
            mailsec_result::SieveRuntime => "Sieve: runtime error in the script",
            mailsec_result::SieveLimit => "Sieve: evaluation exceeds a limit",
            mailsec_result::SieveStore => "Sieve: list store cannot be opened, read or written",
        }
    }
}

impl From<&SyntaxError> for mailsec_result {
    fn from(error: &SyntaxError) -> Self {
        match error {
            SyntaxError::Empty => mailsec_result::ClientidEmpty,
            SyntaxError::NotClientId => mailsec_result::ClientidNotClientid,
            SyntaxError::MissingType { .. } => mailsec_result::ClientidMissingType,
            SyntaxError::MissingToken { .. } => mailsec_result::ClientidMissingToken,
            SyntaxError::TypeTooLong { .. } => mailsec_result::ClientidTypeTooLong,
            SyntaxError::TokenTooLong { .. } => mailsec_result::ClientidTokenTooLong,
            SyntaxError::BadCharacter { .. } => mailsec_result::ClientidBadCharacter,
            SyntaxError::NonAscii { .. } => mailsec_result::ClientidNonAscii,
            SyntaxError::ExtraArgument { .. } => mailsec_result::ClientidExtraArgument,
            _ => mailsec_result::ClientidSyntax,
        }
    }
}

impl From<&EhloError> for mailsec_result {
    fn from(error: &EhloError) -> Self {
        match error {
            EhloError::NotAccepted { .. } => mailsec_result::EhloNotAccepted,
            EhloError::TooLarge { .. } | EhloError::TooManyLines { .. } => {
                mailsec_result::EhloTooLarge
            }
            _ => mailsec_result::EhloMalformed,
        }
    }
}

impl From<&StoreError> for mailsec_result {
    fn from(error: &StoreError) -> Self {
        match error {
            StoreError::Unavailable { .. } => mailsec_result::ClientidStoreUnavailable,
            StoreError::Corrupt { .. } => mailsec_result::ClientidStoreCorrupt,
            StoreError::Full { .. } => mailsec_result::ClientidStoreFull,
            _ => mailsec_result::ClientidStore,
        }
    }
}

impl From<&headers::Error> for mailsec_result {
    fn from(error: &headers::Error) -> Self {
        match error {
            headers::Error::LimitExceeded { .. } => mailsec_result::HeadersLimitExceeded,
            headers::Error::Unrepresentable { .. } => mailsec_result::HeadersUnrepresentable,
            headers::Error::InvalidFieldName { .. } => mailsec_result::HeadersInvalidFieldName,
            headers::Error::NothingToSecure => mailsec_result::HeadersNothingToSecure,
            headers::Error::Malformed { .. } => mailsec_result::HeadersMalformed,
            headers::Error::UnknownStatus { .. } => mailsec_result::HeadersUnknownStatus,
            headers::Error::UnknownAlgorithm { .. } => mailsec_result::HeadersUnknownAlgorithm,
            headers::Error::ProfileNotAccepted { .. } => mailsec_result::HeadersProfileNotAccepted,
            headers::Error::AttributeValueCount { .. } => {
                mailsec_result::HeadersAttributeValueCount
            }
            headers::Error::NoReplacement { .. } => mailsec_result::HeadersNoReplacement,
            _ => mailsec_result::HeadersError,
        }
    }
}

impl From<&headers::PolicyError> for mailsec_result {
    fn from(_: &headers::PolicyError) -> Self {
        mailsec_result::PolicyInvalid
    }
}

/// S/MIME errors, one code per `smime_core::Error::code()`. An error of the secure-headers layer
/// underneath (a message without any field the policy secures, a header over a limit) keeps its
/// secure-headers code, as `mailsec_headers_build` would give it.
impl From<&smime::Error> for mailsec_result {
    fn from(error: &smime::Error) -> Self {
        match error {
            smime::Error::LimitExceeded { .. } => mailsec_result::SmimeLimitExceeded,
            smime::Error::Key { .. } => mailsec_result::SmimeKey,
            smime::Error::Certificate { .. } => mailsec_result::SmimeCertificate,
            smime::Error::KeyMismatch { .. } => mailsec_result::SmimeKeyMismatch,
            smime::Error::UnsupportedAlgorithm { .. } => mailsec_result::SmimeUnsupportedAlgorithm,
            smime::Error::Signing { .. } => mailsec_result::SmimeSigning,
            smime::Error::NoSigner => mailsec_result::SmimeNoSigner,
            smime::Error::Malformed { .. } => mailsec_result::SmimeMalformed,
            smime::Error::NotSignedData { .. } => mailsec_result::SmimeNotSignedData,
            smime::Error::Mime { .. } => mailsec_result::SmimeMime,
            smime::Error::CannotSecure { .. } => mailsec_result::SmimeCannotSecure,
            smime::Error::Headers(e) => e.into(),
            smime::Error::Internal(_) => mailsec_result::SmimeInternal,
            _ => mailsec_result::SmimeError,
        }
    }
}

/// OpenPGP errors, one code per `pgp_core::Error` variant.
impl From<&pgp::Error> for mailsec_result {
    fn from(error: &pgp::Error) -> Self {
        match error {
            pgp::Error::Malformed { .. } => mailsec_result::PgpMalformed,
            pgp::Error::Mime { .. } => mailsec_result::PgpMime,
            pgp::Error::Limit { .. } => mailsec_result::PgpLimitExceeded,
            pgp::Error::NoSecretKey { .. } => mailsec_result::PgpNoSecretKey,
            pgp::Error::NoValidKey { .. } => mailsec_result::PgpNoValidKey,
            pgp::Error::Locked { .. } => mailsec_result::PgpLocked,
            pgp::Error::NoDecryptionKey { .. } => mailsec_result::PgpNoDecryptionKey,
            pgp::Error::Unprotected => mailsec_result::PgpUnprotected,
            pgp::Error::Usage(_) => mailsec_result::PgpUsage,
            pgp::Error::Crypto(_) => mailsec_result::PgpCrypto,
            pgp::Error::Store { .. } => mailsec_result::PgpStore,
            _ => mailsec_result::PgpError,
        }
    }
}

/// Sieve compile errors, one code per `CompileErrorKind`.
impl From<&sieve::CompileError> for mailsec_result {
    fn from(error: &sieve::CompileError) -> Self {
        use sieve::CompileErrorKind as Kind;
        match &error.kind {
            Kind::Syntax(_) => mailsec_result::SieveSyntax,
            Kind::UnknownCommand(_) => mailsec_result::SieveUnknownCommand,
            Kind::UnknownTest(_) => mailsec_result::SieveUnknownTest,
            Kind::UnsupportedExtension(_) => mailsec_result::SieveUnsupportedExtension,
            Kind::NotRequired { .. } => mailsec_result::SieveNotRequired,
            Kind::Arguments { .. } => mailsec_result::SieveArguments,
            Kind::ListWithComparator(_) => mailsec_result::SieveListWithComparator,
            Kind::ListNotSupported(_) => mailsec_result::SieveListNotSupported,
            Kind::InvalidListName { .. } => mailsec_result::SieveInvalidListName,
            Kind::Misplaced(_) => mailsec_result::SieveMisplaced,
            Kind::Limit { .. } => mailsec_result::SieveCompileLimit,
            _ => mailsec_result::SieveError,
        }
    }
}

/// Sieve errors: compile errors by kind, and one code per evaluation error variant.
impl From<&sieve::Error> for mailsec_result {
    fn from(error: &sieve::Error) -> Self {
        match error {
            sieve::Error::Compile(e) => e.into(),
            sieve::Error::Defer { .. } => mailsec_result::SieveDefer,
            sieve::Error::Runtime { .. } => mailsec_result::SieveRuntime,
            sieve::Error::Limit { .. } => mailsec_result::SieveLimit,
            sieve::Error::Store(_) => mailsec_result::SieveStore,
            _ => mailsec_result::SieveError,
        }
    }
}

/// The facade's errors: each wrapped crate error keeps its own code. Errors this version has no
/// code for (a file that could not be read, variants added later) are `MAILSEC_RESULT_GENERAL`.
impl From<&facade::Error> for mailsec_result {
    fn from(error: &facade::Error) -> Self {
        match error {
            facade::Error::ClientIdSyntax(e) => e.into(),
            facade::Error::EhloReply(e) => e.into(),
            facade::Error::SecureHeaders(e) => e.into(),
            facade::Error::Policy(e) => e.into(),
            facade::Error::Smime(e) => e.into(),
            facade::Error::ClientIdPolicy(_) => mailsec_result::ClientidPolicy,
            facade::Error::ClientIdStore(e) => e.into(),
            facade::Error::Pgp(e) => e.into(),
            facade::Error::Sieve(e) => e.into(),
            _ => mailsec_result::General,
        }
    }
}

/// Writes the text for result code `result` into `buf` (at most `len` bytes, truncated if longer,
/// not NUL-terminated) and its length into `*out_n`. Unknown codes get a text saying so.
///
/// # Safety
/// `buf` is valid for writes of `len` bytes; `out_n` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_error(
    result: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) {
    ffi_boundary! {
        let text = match mailsec_result::from_raw(result) {
            Some(code) => code.text(),
            None => "unknown mailsec result code",
        };
        let n = if buf.is_null() { 0 } else { text.len().min(len) };
        if n > 0 {
            // SAFETY: `buf` is non-NULL and valid for `len` >= `n` bytes by the caller's contract;
            // the static text cannot overlap it.
            unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n) };
        }
        // SAFETY: `out_n` is NULL or valid for a write by the caller's contract.
        unsafe { write_out(out_n, n) };
    }
}

#[cfg(test)]
mod tests {
    use facade::headers;
    use facade::smime::{Error, Limit};

    use super::mailsec_result;

    #[test]
    fn each_smime_error_code_has_its_result_code() {
        let expected = [
            ("limit-exceeded", mailsec_result::SmimeLimitExceeded),
            ("key", mailsec_result::SmimeKey),
            ("certificate", mailsec_result::SmimeCertificate),
            ("key-mismatch", mailsec_result::SmimeKeyMismatch),
            (
                "unsupported-algorithm",
                mailsec_result::SmimeUnsupportedAlgorithm,
            ),
            ("signing", mailsec_result::SmimeSigning),
            ("no-signer", mailsec_result::SmimeNoSigner),
            ("malformed", mailsec_result::SmimeMalformed),
            ("not-signed-data", mailsec_result::SmimeNotSignedData),
            ("mime", mailsec_result::SmimeMime),
            ("cannot-secure", mailsec_result::SmimeCannotSecure),
            ("headers", mailsec_result::HeadersNothingToSecure),
            ("internal", mailsec_result::SmimeInternal),
        ];
        let reason = || "x".to_owned();
        let errors = [
            Error::LimitExceeded {
                limit: Limit::MessageBytes,
                max: 1,
                actual: 2,
            },
            Error::Key { reason: reason() },
            Error::Certificate { reason: reason() },
            Error::KeyMismatch { subject: reason() },
            Error::UnsupportedAlgorithm { what: reason() },
            Error::Signing { reason: reason() },
            Error::NoSigner,
            Error::Malformed {
                what: "ContentInfo",
                offset: Some(3),
                reason: reason(),
            },
            Error::NotSignedData {
                content_type: reason(),
            },
            Error::Mime { reason: reason() },
            Error::CannotSecure {
                field: reason(),
                reason: reason(),
            },
            Error::Headers(headers::Error::NothingToSecure),
            Error::Internal("x"),
        ];
        assert_eq!(errors.len(), expected.len());
        for (error, (code, result)) in errors.iter().zip(expected) {
            assert_eq!(error.code(), code);
            assert_eq!(mailsec_result::from(error), result, "{code}");
            let wrapped = facade::Error::from(error.clone());
            assert_eq!(mailsec_result::from(&wrapped), result, "{code}");
        }
    }

    #[test]
    fn clientid_policy_and_store_errors_have_their_codes() {
        use facade::clientid::StoreError;
        use facade::clientid::policy::PolicyConfigError;

        let message = || "x".to_owned();
        let expected = [
            (
                StoreError::Unavailable {
                    backend: "sqlite",
                    message: message(),
                },
                mailsec_result::ClientidStoreUnavailable,
            ),
            (
                StoreError::Corrupt {
                    backend: "sqlite",
                    message: message(),
                },
                mailsec_result::ClientidStoreCorrupt,
            ),
            (
                StoreError::Full {
                    backend: "memory",
                    limit: 1,
                },
                mailsec_result::ClientidStoreFull,
            ),
        ];
        for (error, code) in expected {
            assert_eq!(mailsec_result::from(&error), code, "{error}");
            assert_eq!(mailsec_result::from(&facade::Error::from(error)), code);
        }
        let policy = facade::Error::from(PolicyConfigError {
            setting: "rate.window_seconds".into(),
            message: message(),
        });
        assert_eq!(
            mailsec_result::from(&policy),
            mailsec_result::ClientidPolicy
        );
    }

    #[test]
    fn each_pgp_error_has_its_result_code() {
        use facade::pgp::{Error, Limit};

        let text = || "x".to_owned();
        let expected = [
            (
                Error::Malformed {
                    what: "key",
                    message: text(),
                },
                mailsec_result::PgpMalformed,
            ),
            (
                Error::Mime {
                    message: text(),
                    offset: 7,
                },
                mailsec_result::PgpMime,
            ),
            (
                Error::Limit {
                    limit: Limit::Recipients,
                    max: 1,
                    actual: 2,
                },
                mailsec_result::PgpLimitExceeded,
            ),
            (
                Error::NoSecretKey {
                    fingerprint: text(),
                    purpose: "signing",
                },
                mailsec_result::PgpNoSecretKey,
            ),
            (
                Error::NoValidKey {
                    fingerprint: text(),
                    purpose: "encryption",
                    reason: text(),
                },
                mailsec_result::PgpNoValidKey,
            ),
            (
                Error::Locked {
                    fingerprint: text(),
                    message: text(),
                },
                mailsec_result::PgpLocked,
            ),
            (
                Error::NoDecryptionKey { recipients: text() },
                mailsec_result::PgpNoDecryptionKey,
            ),
            (Error::Unprotected, mailsec_result::PgpUnprotected),
            (Error::Usage(text()), mailsec_result::PgpUsage),
            (Error::Crypto(text()), mailsec_result::PgpCrypto),
            (
                Error::Store {
                    path: text(),
                    message: text(),
                },
                mailsec_result::PgpStore,
            ),
        ];
        for (error, code) in expected {
            assert_eq!(mailsec_result::from(&error), code, "{error}");
            let wrapped = facade::Error::from(error);
            assert_eq!(mailsec_result::from(&wrapped), code, "{wrapped}");
        }
    }

    #[test]
    fn each_sieve_error_has_its_result_code() {
        use facade::sieve::{CompileError, CompileErrorKind as Kind, Error, ListError, Position};

        let text = || "x".to_owned();
        let position = Position { line: 3, column: 7 };
        let compile = |kind| Error::Compile(CompileError { position, kind });
        let expected = [
            (compile(Kind::Syntax(text())), mailsec_result::SieveSyntax),
            (
                compile(Kind::UnknownCommand(text())),
                mailsec_result::SieveUnknownCommand,
            ),
            (
                compile(Kind::UnknownTest(text())),
                mailsec_result::SieveUnknownTest,
            ),
            (
                compile(Kind::UnsupportedExtension(text())),
                mailsec_result::SieveUnsupportedExtension,
            ),
            (
                compile(Kind::NotRequired {
                    used: text(),
                    extension: text(),
                }),
                mailsec_result::SieveNotRequired,
            ),
            (
                compile(Kind::Arguments {
                    name: text(),
                    detail: text(),
                }),
                mailsec_result::SieveArguments,
            ),
            (
                compile(Kind::ListWithComparator(text())),
                mailsec_result::SieveListWithComparator,
            ),
            (
                compile(Kind::ListNotSupported(text())),
                mailsec_result::SieveListNotSupported,
            ),
            (
                compile(Kind::InvalidListName {
                    name: text(),
                    reason: text(),
                }),
                mailsec_result::SieveInvalidListName,
            ),
            (
                compile(Kind::Misplaced(text())),
                mailsec_result::SieveMisplaced,
            ),
            (
                compile(Kind::Limit {
                    limit: "max_nesting",
                    max: 32,
                }),
                mailsec_result::SieveCompileLimit,
            ),
            (
                Error::Defer {
                    list: text(),
                    reason: ListError::Temporary(text()),
                },
                mailsec_result::SieveDefer,
            ),
            (
                Error::Runtime {
                    position,
                    message: text(),
                },
                mailsec_result::SieveRuntime,
            ),
            (
                Error::Limit {
                    position,
                    limit: "max_actions",
                    max: 64,
                },
                mailsec_result::SieveLimit,
            ),
            (Error::Store(text()), mailsec_result::SieveStore),
        ];
        for (error, code) in expected {
            assert_eq!(mailsec_result::from(&error), code, "{error}");
            let wrapped = facade::Error::from(error);
            assert_eq!(mailsec_result::from(&wrapped), code, "{wrapped}");
        }
    }

    #[test]
    fn every_code_round_trips_and_has_its_own_text() {
        let mut texts = std::collections::HashSet::new();
        for code in mailsec_result::ALL {
            assert_eq!(mailsec_result::from_raw(code as u32), Some(code));
            assert!(texts.insert(code.text()), "{code:?}: text used twice");
        }
    }
}
