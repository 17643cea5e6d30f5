# Type stubs for the native module mailsec._mailsec. The public API is in mailsec.clientid etc.
import os
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Union, final

from mailsec.sieve import ListResolver as _ListResolver

@final
class ClientIdCommand:
    """A well-formed CLIENTID command: a client-id-type and a client-id-token."""

    def __new__(
        cls, client_type: Union[str, bytes], token: Union[str, bytes], *, lenient: bool = False
    ) -> ClientIdCommand: ...
    @property
    def type(self) -> str:
        """The client-id-type as the client spelled it (compared without regard to case)."""
    @property
    def token(self) -> str:
        """The client-id-token."""
    def to_line(self) -> bytes:
        """The command as sent on the wire, ending in CRLF."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def clientid_parse(line: Union[str, bytes], lenient: bool) -> ClientIdCommand: ...
def clientid_ehlo_advertises(reply: Union[str, bytes]) -> bool: ...
def clientid_ehlo_keywords(reply: Union[str, bytes]) -> List[str]: ...

@final
class ClientIdPolicy:
    """The [clientid] table of a mailsec policy file (mailsec.clientid.Policy)."""

    def __new__(cls) -> ClientIdPolicy:
        """The defaults: CLIENTID enabled, every identity accepted and recorded."""
    @classmethod
    def from_toml(cls, text: str) -> ClientIdPolicy:
        """Parse and check a whole mailsec policy file and take its [clientid] table (the
        defaults when it has none).

        Raises mailsec.clientid.ClientIdPolicyError when the file is unusable.
        """
    @classmethod
    def load(cls, path: Union[str, os.PathLike[str]]) -> ClientIdPolicy:
        """Read a policy file and take its [clientid] table; OSError if it cannot be read."""
    @property
    def enabled(self) -> bool:
        """Whether CLIENTID is offered at all (draft section 3 rule 1)."""
    @property
    def lenient(self) -> bool:
        """Whether "_" is accepted in client-id-type (draft section 7 names DEVICE_ID)."""
    @property
    def require_clientid(self) -> bool:
        """Whether AUTH without an identity is refused (draft section 6.1 item 1)."""
    @property
    def refuse_at(self) -> str:
        """Where a refusal shows: "auth" (AUTH answered 550) or "transaction" (235, then 550)."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class MemoryStore:
    """A history of identities kept in memory, lost with the process."""

    def __new__(cls, capacity: Optional[int] = None) -> MemoryStore: ...
    def identity_count(self) -> int:
        """How many identities the store holds."""

@final
class SqliteStore:
    """A history of identities in an SQLite file, kept across restarts."""

    def __new__(cls, path: Union[str, os.PathLike[str]]) -> SqliteStore:
        """Open (creating if needed) the store; HistoryStoreError if it cannot be used."""
    @classmethod
    def in_memory(cls) -> SqliteStore:
        """A store in memory, gone when dropped."""
    @property
    def path(self) -> Optional[Path]:
        """The file the store lives in (None in memory)."""
    def identity_count(self) -> int:
        """How many identities the store holds."""

@final
class Engine:
    """The policy engine of one server, shared by every session (thread-safe)."""

    def __new__(
        cls,
        policy: Optional[ClientIdPolicy] = None,
        store: Union[MemoryStore, SqliteStore, None] = None,
    ) -> Engine: ...
    @property
    def policy(self) -> ClientIdPolicy:
        """The policy the engine applies."""

@final
class Reply:
    """One SMTP reply; str() gives the reply line without CRLF."""

    @property
    def code(self) -> int:
        """The three-digit reply code."""
    @property
    def enhanced(self) -> str:
        """The enhanced status code (RFC 3463), e.g. "5.5.1"."""
    @property
    def text(self) -> str:
        """The reply text (generic: it reveals nothing of the policy)."""
    @property
    def positive(self) -> bool:
        """Whether the code is 2yz."""
    def line(self, enhanced: bool = False) -> str:
        """The reply line without CRLF, with the enhanced status code first if asked."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Decision:
    """What the policy decided at one AUTH, and why."""

    @property
    def verdict(self) -> str:
        """"allow", "refuse" or "defer"."""
    @property
    def reply(self) -> Reply:
        """The reply to give the AUTH command: 235, 535, 454 or the generic 550."""
    @property
    def outcome(self) -> str:
        """"succeeded", "failed", "refused" or "refused_after_auth"."""
    @property
    def findings(self) -> List[Tuple[str, str, str]]:
        """Each heuristic that fired: (name, action, detail for the log)."""
    @property
    def alerts(self) -> List[str]:
        """Alerts to raise: "authentication_failed", "authentication_succeeded" or a finding's
        name."""
    @property
    def log_line(self) -> str:
        """The reason, one line, for the server's log (never for the client)."""

@final
class Session:
    """The CLIENTID state of one SMTP connection."""

    def __new__(cls, engine: Engine, tls: bool = False) -> Session: ...
    def tls_established(self) -> None:
        """TLS was negotiated: everything learnt before, the identity included, is discarded."""
    def ehlo(self) -> bool:
        """An EHLO command: whether its reply lists CLIENTID."""
    def helo(self) -> None:
        """A HELO command (no keywords)."""
    @property
    def advertises(self) -> bool:
        """Whether an EHLO reply sent now would list CLIENTID."""
    def clientid(self, line: Union[str, bytes]) -> Reply:
        """A CLIENTID command line: the reply to send."""
    def auth_started(self) -> None:
        """An AUTH command was received: CLIENTID is refused from now on."""
    def authenticate(
        self,
        account: str,
        credentials_valid: bool,
        peer: Union[str, IPv4Address, IPv6Address],
        now: Optional[int] = None,
        location: Optional[str] = None,
    ) -> Decision:
        """Decide an AUTH with the engine's policy and record it in the history."""
    def rset(self) -> None:
        """RSET: the identity stays."""
    def security_layer_reset(self) -> None:
        """A security layer after AUTH: back to the initial state, identity discarded."""
    def quit(self) -> None:
        """QUIT: every later CLIENTID is out of sequence."""
    @property
    def tls(self) -> bool:
        """Whether the connection is encrypted."""
    @property
    def authenticated(self) -> bool:
        """Whether AUTH was answered 235."""
    @property
    def clientid_accepted(self) -> bool:
        """Whether a CLIENTID command was answered 250 since the last reset."""
    @property
    def transaction_refusal(self) -> Optional[Reply]:
        """The 550 for MAIL, RCPT and DATA once the policy refused after a 235, else None."""
    @property
    def identity(self) -> Optional[Tuple[str, str]]:
        """The (type, token) kept in the session, whatever its handling flags."""
    @property
    def presented_identity(self) -> Optional[Tuple[str, str]]:
        """The (type, token) if it counts as presented (not "ignore" nor "debug")."""
    def loggable_identity(self, audience: str) -> Optional[Tuple[str, str]]:
        """The (type, token) if it may go to the "system" or "user" log."""
    @property
    def handling(self) -> Optional[Set[str]]:
        """The handling flags of the kept identity's type, as a policy file spells them."""

# mailsec.headers

@final
class Policy:
    """A checked secure-headers policy: the [secure_headers] table of a mailsec policy file."""

    @classmethod
    def from_toml(cls, text: str) -> Policy:
        """Parse and check a whole mailsec policy file and take its [secure_headers] table.

        Raises mailsec.headers.PolicyError (with line and column when known) when the file is
        unusable or has no [secure_headers] table.
        """
    @property
    def profile(self) -> str:
        """The wire profile emitted: "rfc7508" or "draft-05"."""
    @property
    def accepted_profiles(self) -> List[str]:
        """The wire profiles accepted when decoding a signature."""
    @property
    def canonicalization(self) -> str:
        """The canonicalization used when building: "simple" or "relaxed"."""
    @property
    def fields(self) -> List[str]:
        """The fields to secure, as the policy spells them."""
    @property
    def mandatory(self) -> List[str]:
        """The fields that must be secured when present, as the policy spells them."""
    def secures(self, name: str) -> bool:
        """Whether the policy secures the field `name` (case-insensitive)."""
    def status(self, name: str) -> Optional[str]:
        """The status ("duplicated", "deleted", "modified") of a secured field, else None."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class HeaderField:
    """One secured header field."""

    @property
    def name(self) -> str:
        """The canonical field name (lowercased under "relaxed")."""
    @property
    def value(self) -> str:
        """The canonical value as text (invalid UTF-8 replaced by U+FFFD)."""
    @property
    def value_bytes(self) -> bytes:
        """The canonical value's exact bytes."""
    @property
    def status(self) -> str:
        """What a DCA does with the field: "duplicated", "deleted" or "modified"."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SecureHeaderFields:
    """The SecureHeaderFields structure: canonicalization and secured fields of a message."""

    @classmethod
    def from_der(
        cls, data: bytes, profile: str = "rfc7508", *, policy: Optional[Policy] = None
    ) -> SecureHeaderFields:
        """Decode an attribute value laid out as `profile` says (limits: the policy's or defaults)."""
    @classmethod
    def from_attribute_der(
        cls,
        data: bytes,
        accept: Sequence[str] = ("rfc7508",),
        *,
        policy: Optional[Policy] = None,
    ) -> Tuple[str, SecureHeaderFields]:
        """Decode a whole signed attribute; returns the profile its identifier names."""
    @property
    def algorithm(self) -> str:
        """The canonicalization the values were produced with: "simple" or "relaxed"."""
    @property
    def fields(self) -> List[HeaderField]:
        """The secured fields, in message order."""
    def to_der(self, profile: str = "rfc7508") -> bytes:
        """DER of the attribute value (what goes in attrValues)."""
    def to_attribute_der(self, profile: str = "rfc7508") -> bytes:
        """DER of the whole attribute, SEQUENCE { attrType, SET { value } }."""
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class FieldReport:
    """One field of the signature checked against the message."""

    @property
    def name(self) -> str:
        """The field name as carried in the signature."""
    @property
    def signed_value(self) -> str:
        """The value carried in the signature, as text."""
    @property
    def signed_value_bytes(self) -> bytes:
        """The value carried in the signature, exact bytes."""
    @property
    def message_values(self) -> List[str]:
        """The canonical values of every field of that name in the message."""
    @property
    def status(self) -> str:
        """The status carried in the signature."""
    @property
    def verdict(self) -> str:
        """"match", "mismatch" or "missing" (the message lacks the field)."""
    @property
    def reason(self) -> Optional[str]:
        """Why a "mismatch" did not match (e.g. "value differs"); None otherwise."""

@final
class ExtraField:
    """A secured field in the message that the signature does not account for."""

    @property
    def name(self) -> str:
        """The canonical field name."""
    @property
    def value(self) -> str:
        """The canonical value in the message, as text."""
    @property
    def value_bytes(self) -> bytes:
        """The canonical value in the message, exact bytes."""

@final
class MandatoryMissing:
    """A mandatory field that the signature does not secure."""

    @property
    def name(self) -> str:
        """The field name as the policy spells it."""
    @property
    def in_message(self) -> bool:
        """Whether the message carries the field."""

@final
class VerificationReport:
    """What verification of the secured header fields found (draft section 4.5.2)."""

    @property
    def valid(self) -> bool:
        """Every field matches, nothing extra, no mandatory field missing."""
    @property
    def algorithm(self) -> str:
        """The canonicalization named by the signature."""
    @property
    def fields(self) -> List[FieldReport]:
        """Each field of the signature, in signature order."""
    @property
    def extra(self) -> List[ExtraField]:
        """Secured fields in the message that the signature lacks."""
    @property
    def mandatory_missing(self) -> List[MandatoryMissing]:
        """Mandatory fields that the signature does not secure."""
    def field(self, name: str) -> Optional[FieldReport]:
        """The report for the first signature field named `name` (case-insensitive)."""
    def to_json(self) -> str:
        """The report as JSON, with a leading "valid" member."""

def headers_build(message: bytes, policy: Policy) -> SecureHeaderFields: ...
def headers_verify(
    shf: SecureHeaderFields, message: bytes, policy: Policy
) -> VerificationReport: ...
def headers_apply(message: bytes, shf: SecureHeaderFields, policy: Policy) -> bytes: ...
def headers_restore(message: bytes, shf: SecureHeaderFields, policy: Policy) -> bytes: ...
def headers_canonicalize(
    message: bytes, algorithm: str, policy: Optional[Policy]
) -> List[Tuple[str, str]]: ...

# mailsec.smime

@final
class Signer:
    """Who signs: a certificate, the intermediates sent with it, and its private key."""

    @classmethod
    def from_pem(
        cls,
        cert: bytes,
        key: bytes,
        *,
        chain: Optional[bytes] = None,
        algorithm: Optional[str] = None,
        subject_key_identifier: bool = False,
    ) -> Signer:
        """A signer from a PEM certificate (further certificates in it are its chain), a PEM
        private key (PKCS#8, PKCS#1 or SEC1), more chain certificates, and an algorithm name.
        """
    @property
    def subject(self) -> str:
        """The certificate's subject (RFC 4514)."""
    @property
    def algorithm(self) -> str:
        """The signature algorithm, e.g. "rsa-pkcs1-sha256", "ecdsa-p256-sha256", "ed25519"."""
    @property
    def email_addresses(self) -> List[str]:
        """The e-mail addresses the certificate vouches for (RFC 8550 section 3)."""

@final
class TrustStore:
    """The trust anchors signer certificates must chain to, and extra intermediates."""

    @classmethod
    def from_pem(cls, anchors: bytes, *, intermediates: Optional[bytes] = None) -> TrustStore:
        """Trust anchors and intermediates, PEM (one or more CERTIFICATE blocks) or one DER."""
    @property
    def anchor_count(self) -> int:
        """How many trust anchors."""
    @property
    def intermediate_count(self) -> int:
        """How many intermediate certificates."""

@final
class UncheckedHeaders:
    """The secured header fields were not compared with the message, and why."""

    @property
    def outcome(self) -> str:
        """"not_secured", "signers_disagree", "malformed" (or "unchecked": no message)."""
    @property
    def valid(self) -> bool:
        """Whether this satisfies the header check (only "not_secured" without mandatory fields)."""
    @property
    def mandatory(self) -> List[str]:
        """"not_secured": the fields the policy makes mandatory; else empty."""
    @property
    def reason(self) -> Optional[str]:
        """"malformed": why the SecureHeaderFields attribute could not be decoded; else None."""

@final
class SignerReport:
    """One SignerInfo's outcome."""

    @property
    def valid(self) -> bool:
        """Signature, certificate path and address all hold."""
    @property
    def subject(self) -> Optional[str]:
        """The signer certificate's subject; None when the certificate was not found."""
    @property
    def issuer(self) -> Optional[str]:
        """The signer certificate's issuer; None when the certificate was not found."""
    @property
    def serial(self) -> Optional[str]:
        """The signer certificate's serial number, hexadecimal; None when not found."""
    @property
    def email_addresses(self) -> List[str]:
        """The addresses the signer certificate vouches for; empty when not found."""
    @property
    def signer_id(self) -> str:
        """How the SignerInfo names its certificate."""
    @property
    def algorithm(self) -> str:
        """The signature scheme, or the algorithm identifier when unsupported."""
    @property
    def digest(self) -> Optional[str]:
        """The message digest algorithm ("sha256", "sha384", "sha512", "sha1"), when known."""
    @property
    def signing_time(self) -> Optional[int]:
        """The signingTime attribute, seconds since the Unix epoch."""
    @property
    def signature_valid(self) -> bool:
        """Whether messageDigest, contentType and the signature check."""
    @property
    def signature_failure(self) -> Optional[str]:
        """Which signature check failed, e.g. "digest_mismatch", "bad_signature"; else None."""
    @property
    def signature_detail(self) -> Optional[str]:
        """Details of the signature failure, for a person; else None."""
    @property
    def chain_valid(self) -> bool:
        """Whether the certificate path to a trust anchor was checked and holds."""
    @property
    def chain_failure(self) -> Optional[str]:
        """Why the path does not hold, e.g. "no_path_to_trust_anchor", "not_checked"; else None."""
    @property
    def address_matched(self) -> bool:
        """Whether a From/Sender address of the message is in the signer's certificate."""
    @property
    def secures_headers(self) -> bool:
        """Whether this SignerInfo carries a SecureHeaderFields attribute."""

@final
class Report:
    """The result of verifying a signed message."""

    @property
    def valid(self) -> bool:
        """Every signer valid, and the header check holds."""
    @property
    def form(self) -> str:
        """"detached" (multipart/signed) or "opaque" (application/pkcs7-mime)."""
    @property
    def signers(self) -> List[SignerReport]:
        """One entry per SignerInfo, in the order received."""
    @property
    def headers(self) -> Union[VerificationReport, UncheckedHeaders]:
        """The secured header fields checked against the message, or why they were not."""
    @property
    def failures(self) -> List[str]:
        """Everything that failed, one line each."""
    def to_json(self) -> str:
        """The report as JSON, with "valid", "form", "signers", "headers" and "failures"."""

def smime_sign(
    message: bytes,
    signers: Sequence[Signer],
    policy: Optional[Policy],
    opaque: bool,
    signing_time: Optional[int],
) -> bytes: ...
def smime_verify(
    message: bytes,
    trust: TrustStore,
    policy: Optional[Policy],
    time: Optional[int],
    allow_sha1: bool,
) -> Report: ...

# mailsec.pgp

@final
class Key:
    """An OpenPGP key: a certificate, with or without its secret key material. Immutable."""

    @classmethod
    def generate(
        cls,
        userid: str,
        *,
        cipher_suite: str = "cv25519",
        profile: str = "rfc4880",
        password: Optional[str] = None,
        validity: Optional[int] = None,
    ) -> Tuple[Key, bytes]:
        """A new key for `userid` (certification and signing primary key, a signing subkey, an
        encryption subkey) and its revocation certificate (ASCII-armored), to keep apart.

        cipher_suite: "cv25519" (Ed25519 and Curve25519), "rsa3k" or "rsa4k".
        profile: "rfc4880" (version 4, read by GnuPG 2.2) or "rfc9580" (version 6).
        password: protect the secret key material with it.
        validity: seconds until the key expires; None never.
        """
    @classmethod
    def from_bytes(cls, data: bytes) -> Key:
        """One key, ASCII-armored or binary, public or secret."""
    @classmethod
    def read_keyring(cls, data: bytes) -> List[Key]:
        """Every key of a key ring (concatenated or armored key blocks); at least one."""
    @property
    def fingerprint(self) -> str:
        """The primary key's fingerprint, upper-case hex without spaces."""
    @property
    def key_id(self) -> str:
        """The primary key's key ID, upper-case hex."""
    @property
    def key_fingerprints(self) -> List[str]:
        """The fingerprints of the primary key and of every subkey."""
    @property
    def user_ids(self) -> List[str]:
        """The user IDs, as text (invalid UTF-8 replaced by U+FFFD)."""
    @property
    def emails(self) -> List[str]:
        """The e-mail addresses of the user IDs, lower-case."""
    @property
    def version(self) -> int:
        """The primary key's packet version: 4 (RFC 4880) or 6 (RFC 9580)."""
    @property
    def has_secret(self) -> bool:
        """Whether any secret key material is present."""
    @property
    def is_locked(self) -> bool:
        """Whether some secret key material is password-protected."""
    def unlock(self, password: str) -> Key:
        """The same key, every protected secret decrypted; PgpLockedKeyError if the password
        is wrong."""
    def lock(self, password: str) -> Key:
        """The same key, every secret protected by `password`."""
    def public(self) -> Key:
        """The public certificate alone."""
    def export_cert(self, *, armor: bool = True) -> bytes:
        """The public certificate, ASCII-armored or binary."""
    def export_secret(self, *, armor: bool = True) -> bytes:
        """The key with its secret key material, as protected as it is now."""
    def merge(self, other: Key) -> Key:
        """This key with what `other` (the same key) knows: user IDs, subkeys, signatures,
        revocations, secret key material."""
    def revocation_certificate(self, reason: str = "unspecified", message: str = "") -> bytes:
        """A revocation certificate (ASCII-armored) signed with the primary key; reason is
        "unspecified", "superseded", "compromised" or "retired"."""
    def apply_revocation(self, data: bytes) -> Key:
        """The key with a revocation certificate of it (armored or binary) applied."""
    def is_revoked(self) -> bool:
        """Whether the key is revoked (now, under the standard policy)."""
    def invalidity(self) -> Optional[str]:
        """Why the key is not valid now (expired, revoked, too weak); None when it is."""
    def __eq__(self, other: object, /) -> bool:
        """The same OpenPGP data, secret key material included (a key with secrets is not
        equal to its public part)."""
    def __hash__(self) -> int:
        """Hash of the fingerprint."""

@final
class KeyStore:
    """A directory of keys, one file per certificate; safe for several processes."""

    def __new__(cls, path: Union[str, os.PathLike[str]]) -> KeyStore:
        """Open the store in `path`, creating the directory if needed."""
    @property
    def path(self) -> Path:
        """The directory."""
    def insert(self, key: Key) -> Key:
        """Add `key`, merged with what is stored under its fingerprint; the key as stored."""
    def get(self, fingerprint: str) -> Optional[Key]:
        """The key with this primary fingerprint (hex, any case, spaces allowed)."""
    def lookup(self, query: str) -> List[Key]:
        """Keys matching a fingerprint or key ID of any (sub)key, or an e-mail address."""
    def list(self) -> List[Key]:
        """Every stored key, in fingerprint order."""
    def remove(self, fingerprint: str) -> bool:
        """Remove the key with this fingerprint; False when there was none."""

@final
class SignatureReport:
    """What was checked of one signature."""

    @property
    def issuer(self) -> Optional[str]:
        """The issuer the signature names: a fingerprint when it carries one, else a key ID."""
    @property
    def signer_cert(self) -> Optional[str]:
        """The fingerprint of the certificate whose key made the signature, when known."""
    @property
    def signing_key(self) -> Optional[str]:
        """The fingerprint of the (sub)key that made the signature, when known."""
    @property
    def signer_user_id(self) -> Optional[str]:
        """The signer's primary user ID, when known."""
    @property
    def key_valid(self) -> Optional[bool]:
        """Whether the signing key was valid when the signature was made; None if unknown."""
    @property
    def created(self) -> Optional[int]:
        """The signature's creation time, seconds since the Unix epoch."""
    @property
    def hash_algorithm(self) -> str:
        """The hash algorithm as RFC 9580 names it, e.g. "SHA256"."""
    @property
    def public_key_algorithm(self) -> str:
        """The signature's public-key algorithm, e.g. "EdDSA", "RSA"."""
    @property
    def verdict(self) -> str:
        """"good", "bad", "unknown-signer", "key-invalid", "rejected" or "malformed"."""
    @property
    def detail(self) -> Optional[str]:
        """Why, when the verdict is not "good"."""
    def to_json(self) -> str:
        """The report as JSON."""

@final
class PgpVerificationReport:
    """Every signature found, and what became of each (mailsec.pgp.VerificationReport)."""

    @property
    def signatures(self) -> List[SignatureReport]:
        """One entry per signature, in message order."""
    @property
    def is_valid(self) -> bool:
        """At least one signature is good and none is bad, rejected or malformed."""
    @property
    def good_signers(self) -> List[str]:
        """The fingerprints of the certificates that made good signatures."""
    def to_json(self) -> str:
        """The report as JSON ({"signatures": [...]})."""

@final
class DecryptionReport:
    """What was checked while decrypting."""

    @property
    def recipients(self) -> List[str]:
        """The key IDs (or fingerprints) the message was encrypted to."""
    @property
    def decrypted_with(self) -> Optional[str]:
        """The fingerprint of the (sub)key that decrypted the session key."""
    @property
    def decrypted_with_cert(self) -> Optional[str]:
        """The fingerprint of the certificate that subkey belongs to."""
    @property
    def symmetric_algorithm(self) -> Optional[str]:
        """The symmetric cipher of the data, e.g. "AES256"."""
    @property
    def aead_algorithm(self) -> Optional[str]:
        """The AEAD mode of SEIPD v2 data, e.g. "OCB"; None for v1."""
    @property
    def protection(self) -> str:
        """"seipd-v1" (CFB and MDC) or "seipd-v2" (AEAD)."""
    @property
    def compressed(self) -> bool:
        """Whether the data was compressed inside the encryption."""
    @property
    def signatures(self) -> PgpVerificationReport:
        """The signatures found inside the encryption, checked."""
    def to_json(self) -> str:
        """The report as JSON."""

@final
class Verified:
    """An inline signed message, verified."""

    @property
    def content(self) -> bytes:
        """The signed content."""
    @property
    def report(self) -> PgpVerificationReport:
        """The signatures, checked."""

@final
class Decrypted:
    """A decrypted message."""

    @property
    def content(self) -> bytes:
        """The plaintext."""
    @property
    def report(self) -> DecryptionReport:
        """Which key decrypted it, how it was protected, and its signatures."""

@final
class HeaderCheck:
    """One protected header field compared with the one outside (RFC 9788)."""

    @property
    def name(self) -> str:
        """The field name as written in the protected part (or outside, for "unprotected")."""
    @property
    def protected(self) -> Optional[str]:
        """The value in the protected part."""
    @property
    def outer(self) -> Optional[str]:
        """The value in the outer header."""
    @property
    def status(self) -> str:
        """"match", "differs", "obscured" (hidden by the sender, e.g. Subject "[...]"),
        "missing-outside" or "unprotected"."""

@final
class Opened:
    """What opening a PGP/MIME message found."""

    @property
    def kind(self) -> str:
        """The outermost layer: "signed", "encrypted" or "other"."""
    @property
    def is_valid(self) -> bool:
        """The signatures are valid and no protected header field differs from the outer one."""
    @property
    def is_signed(self) -> bool:
        """Whether the message carried at least one signature."""
    @property
    def is_encrypted(self) -> bool:
        """Whether the message was encrypted."""
    @property
    def decryption(self) -> Optional[DecryptionReport]:
        """The decryption, when the message was encrypted."""
    @property
    def signatures(self) -> PgpVerificationReport:
        """Every signature found, inside the encryption and of a nested multipart/signed."""
    @property
    def headers(self) -> List[HeaderCheck]:
        """The protected header fields compared with the outer ones."""
    @property
    def content(self) -> bytes:
        """The protected MIME entity (header and body), as signed or decrypted, CRLF."""
    def to_json(self) -> str:
        """The report as JSON (without the content)."""

def pgp_sign(data: bytes, signers: Sequence[Key], detached: bool, armor: bool) -> bytes: ...
def pgp_verify(data: bytes, signature: bytes, certs: Sequence[Key]) -> PgpVerificationReport: ...
def pgp_verify_inline(message: bytes, certs: Sequence[Key]) -> Verified: ...
def pgp_encrypt(
    data: bytes, recipients: Sequence[Key], sign_with: Sequence[Key], armor: bool
) -> bytes: ...
def pgp_decrypt(message: bytes, keys: Sequence[Key], verify_with: Sequence[Key]) -> Decrypted: ...
def pgp_sign_message(message: bytes, signers: Sequence[Key]) -> bytes: ...
def pgp_encrypt_message(
    message: bytes, recipients: Sequence[Key], sign_with: Sequence[Key]
) -> bytes: ...
def pgp_open_message(message: bytes, keys: Sequence[Key], certs: Sequence[Key]) -> Opened: ...

# mailsec.sieve

@final
class SieveLimits:
    """Bounds on compiling and evaluating one script (mailsec.sieve.Limits); every field
    omitted keeps its safe default."""

    def __new__(
        cls,
        *,
        max_script_bytes: Optional[int] = None,
        max_nesting: Optional[int] = None,
        max_string_bytes: Optional[int] = None,
        max_variables: Optional[int] = None,
        max_variable_bytes: Optional[int] = None,
        max_match_work: Optional[int] = None,
        max_message_bytes: Optional[int] = None,
        max_mime_parts: Optional[int] = None,
        max_actions: Optional[int] = None,
        max_redirects: Optional[int] = None,
        max_list_queries: Optional[int] = None,
        max_list_recipients: Optional[int] = None,
        list_timeout: Optional[float] = None,
    ) -> SieveLimits: ...
    @property
    def max_script_bytes(self) -> int:
        """Script text, in bytes."""
    @property
    def max_nesting(self) -> int:
        """Nesting of blocks and of tests inside allof/anyof/not."""
    @property
    def max_string_bytes(self) -> int:
        """One string, literal or built by variable expansion."""
    @property
    def max_variables(self) -> int:
        """Distinct variables a script may set (RFC 5229)."""
    @property
    def max_variable_bytes(self) -> int:
        """The value of one variable, in bytes."""
    @property
    def max_match_work(self) -> int:
        """Comparison steps spent on :matches/:contains per evaluation."""
    @property
    def max_message_bytes(self) -> int:
        """The message, in bytes."""
    @property
    def max_mime_parts(self) -> int:
        """MIME parts visited."""
    @property
    def max_actions(self) -> int:
        """Actions one evaluation may produce."""
    @property
    def max_redirects(self) -> int:
        """Redirects one evaluation may produce, each member of a redirect :list counted."""
    @property
    def max_list_queries(self) -> int:
        """Values sent to the lists per evaluation."""
    @property
    def max_list_recipients(self) -> int:
        """Members a redirect :list may expand to (RFC 6134 §3)."""
    @property
    def list_timeout(self) -> float:
        """Seconds one list query may take before it counts as a temporary failure."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class SieveEnvelope:
    """The SMTP envelope of one delivery (mailsec.sieve.Envelope, RFC 5228 §5.4)."""

    def __new__(
        cls, from_: Optional[str] = None, to: Optional[str] = None, *, auth: Optional[str] = None
    ) -> SieveEnvelope:
        """from_: MAIL FROM ("" for the null reverse-path <>, None when unknown); to: RCPT TO;
        auth: the authenticated identity."""
    @property
    def from_(self) -> Optional[str]:
        """MAIL FROM."""
    @property
    def to(self) -> Optional[str]:
        """RCPT TO."""
    @property
    def auth(self) -> Optional[str]:
        """The authenticated identity (AUTH)."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class SieveAction:
    """One action for the host to carry out (mailsec.sieve.Action). Attributes an action does
    not have are None."""

    @property
    def action(self) -> str:
        """"keep", "fileinto", "redirect", "discard", "reject", "ereject", "notify" or
        "enclose"."""
    @property
    def mailbox(self) -> Optional[str]:
        """fileinto: the mailbox."""
    @property
    def address(self) -> Optional[str]:
        """redirect: the recipient (None when the list's handler redirects)."""
    @property
    def list(self) -> Optional[str]:
        """redirect: the list it came from (redirect :list, RFC 6134 §2.3)."""
    @property
    def reason(self) -> Optional[str]:
        """reject, ereject, enclose: the text."""
    @property
    def method(self) -> Optional[str]:
        """notify: the method URI (RFC 5435)."""
    @property
    def from_(self) -> Optional[str]:
        """notify: :from."""
    @property
    def flags(self) -> Optional[List[str]]:
        """keep, fileinto: IMAP flags (RFC 5232)."""
    @property
    def copy(self) -> Optional[bool]:
        """fileinto, redirect: :copy (RFC 3894)."""
    @property
    def implicit(self) -> Optional[bool]:
        """keep: whether it is the implicit keep (RFC 5228 §2.10.2)."""
    @property
    def importance(self) -> Optional[int]:
        """notify: 1 high, 2 normal, 3 low."""
    @property
    def options(self) -> Optional[List[str]]:
        """notify: :options."""
    @property
    def message(self) -> Optional[str]:
        """notify: :message."""
    @property
    def subject(self) -> Optional[str]:
        """enclose: the new message's subject (RFC 5703 §6)."""
    @property
    def headers(self) -> Optional[List[str]]:
        """enclose: extra header fields of the new message."""
    def to_dict(self) -> Dict[str, object]:
        """The JSON form, as the command line prints it:
        {"action": "fileinto", "mailbox": "spam", "flags": [], "copy": False}."""
    def to_json(self) -> str:
        """The JSON form as text."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SieveTraceEvent:
    """One test or command evaluated (mailsec.sieve.TraceEvent), when trace=True."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def name(self) -> str:
        """The test or command."""
    @property
    def result(self) -> bool:
        """The test's result (True for commands)."""
    @property
    def detail(self) -> str:
        """What was compared, in words."""

@final
class SieveOutcome:
    """What an evaluation decided (mailsec.sieve.Outcome); iterating it iterates the actions."""

    @property
    def actions(self) -> List[SieveAction]:
        """The actions in the order taken, the implicit keep last when it applies."""
    @property
    def implicit_keep(self) -> bool:
        """Whether the implicit keep applies (RFC 5228 §2.10.2)."""
    @property
    def trace(self) -> List[SieveTraceEvent]:
        """The trace (empty unless trace=True)."""
    @property
    def message(self) -> Optional[bytes]:
        """The new message when enclose replaced it (RFC 5703 §6); the deliveries apply to it."""
    def to_dict(self) -> Dict[str, object]:
        """The JSON form: {"actions": [...], "trace": [...]} (trace only when recorded)."""
    def to_json(self) -> str:
        """The JSON form as text, as the command line prints it."""
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> SieveAction: ...
    def __iter__(self) -> Iterator[SieveAction]: ...

@final
class ListInfo:
    """One list of a store."""

    @property
    def name(self) -> str:
        """The canonical list name."""
    @property
    def type(self) -> str:
        """"address", "string", "ip", "extension" or "date"."""
    @property
    def entries(self) -> int:
        """How many entries it holds."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class MemoryLists:
    """Lists held in memory (mailsec.sieve.MemoryLists); thread-safe."""

    def __new__(cls) -> MemoryLists: ...
    @classmethod
    def from_toml(cls, path: Union[str, os.PathLike[str]]) -> MemoryLists:
        """Read a TOML lists file; SieveListStoreError if it cannot be read or used."""
    def insert(self, name: str, type: str, entries: Sequence[str]) -> None:
        """Add a list, replacing any list of the same (canonical) name. type: "address",
        "string", "ip", "extension" or "date" (ValueError otherwise); an entry not of the type
        or an invalid name raises SieveListStoreError."""
    def remove(self, name: str) -> bool:
        """Remove a list; whether it was there."""
    def set_handled(self, name: str, handled: bool) -> bool:
        """Mark a list as redirected by its handler (RFC 6134 §2.3 condition 2); whether it
        exists."""
    def lists(self) -> List[ListInfo]:
        """The lists held, sorted by name."""
    def contains(self, list_name: str, value: str) -> Optional[str]:
        """The entry that `value` matches on the list, or None."""
    def is_valid(self, list_name: str) -> bool:
        """Whether the list exists."""
    def schemes(self) -> List[str]:
        """The URI schemes of the lists held."""
    def __len__(self) -> int: ...

@final
class SqliteLists:
    """Lists in an SQLite file (mailsec.sieve.SqliteLists), shared by processes."""

    def __new__(cls, path: Union[str, os.PathLike[str]]) -> SqliteLists:
        """Open (creating if needed) the store; SieveListStoreError if it cannot be used."""
    @classmethod
    def in_memory(cls) -> SqliteLists:
        """A store in memory, gone when dropped."""
    @property
    def path(self) -> Optional[Path]:
        """The file (None in memory)."""
    def import_list(self, name: str, type: str, entries: Sequence[str]) -> int:
        """Replace the list `name` with `entries` (checked against `type` first); how many
        entries it now holds."""
    def lists(self) -> List[ListInfo]:
        """The lists held, sorted by name."""
    def import_toml(self, path: Union[str, os.PathLike[str]]) -> List[ListInfo]:
        """Import (replacing) every list of a TOML lists file; the lists imported."""
    def remove(self, name: str) -> bool:
        """Remove a list; whether it was there."""
    def set_handled(self, name: str, handled: bool) -> bool:
        """Mark a list as redirected by its handler (RFC 6134 §2.3 condition 2); whether it
        exists."""
    def contains(self, list_name: str, value: str) -> Optional[str]:
        """The entry that `value` matches on the list, or None."""
    def is_valid(self, list_name: str) -> bool:
        """Whether the list exists."""
    def schemes(self) -> List[str]:
        """The URI schemes of the lists held."""

@final
class SieveLists:
    """Lists opened by mailsec.sieve.open_lists (mailsec.sieve.Lists)."""

    @property
    def path(self) -> Path:
        """The file they were read from."""
    def contains(self, list_name: str, value: str) -> Optional[str]:
        """The entry that `value` matches on the list, or None."""
    def is_valid(self, list_name: str) -> bool:
        """Whether the list exists."""
    def schemes(self) -> List[str]:
        """The URI schemes of the lists held."""

@final
class SieveScript:
    """A compiled Sieve script (mailsec.sieve.Script): immutable, shared by any thread."""

    @property
    def required(self) -> List[str]:
        """The capabilities the script requires, in the order it names them."""
    def evaluate(
        self,
        message: bytes,
        envelope: Union[SieveEnvelope, Mapping[str, Optional[str]], None] = None,
        *,
        lists: Union[MemoryLists, SqliteLists, SieveLists, _ListResolver, None] = None,
        now: Optional[datetime] = None,
        spamtest_header: Optional[str] = None,
        spamtest_max: float = 10.0,
        virustest_header: Optional[str] = None,
        virustest_max: float = 5.0,
        redirect_domains: Optional[Sequence[str]] = None,
        trace: bool = False,
        limits: Optional[SieveLimits] = None,
    ) -> SieveOutcome:
        """Run the script on one message (RFC 5322 bytes).

        envelope: an Envelope or a mapping with the keys "from", "to", "auth".
        lists: what :list, redirect :list and valid_ext_list query (None: no lists).
        now: the time for currentdate (RFC 5260), timezone-aware; None for the system clock.
        spamtest_header / virustest_header: the header field holding the score (RFC 5235),
            from 0 to spamtest_max / virustest_max; None: not tested.
        redirect_domains: when given, redirects may go only to these domains (RFC 6134 §3).
        trace: record a TraceEvent per test.

        Raises SieveDeferError when a list is temporarily unavailable (defer the delivery),
        SieveRuntimeError (SieveLimitError) when the script fails (implicit keep).
        """

def sieve_compile(script: Union[str, bytes], limits: Optional[SieveLimits]) -> SieveScript: ...
def sieve_open_lists(path: Union[str, os.PathLike[str]]) -> SieveLists: ...
def sieve_extlists_capability(
    lists: Union[MemoryLists, SqliteLists, SieveLists, _ListResolver, None],
) -> str: ...
def sieve_capabilities() -> List[str]: ...
