"""OpenPGP (RFC 9580, RFC 4880) and PGP/MIME (RFC 3156), through sequoia-openpgp.

- Keys: :meth:`Key.generate` makes a key and its revocation certificate;
  :meth:`Key.from_bytes` and :meth:`Key.read_keyring` read keys (ASCII-armored or binary, public
  or secret). A :class:`Key` is immutable: :meth:`Key.unlock`, :meth:`Key.lock`,
  :meth:`Key.merge` and :meth:`Key.apply_revocation` return a new key, so one key may be shared
  by any number of threads. :class:`KeyStore` keeps keys in a directory.
- Data: :func:`sign` (detached or inline), :func:`verify` (detached), :func:`verify_inline`,
  :func:`encrypt` (signed inside when ``sign_with`` is given) and :func:`decrypt`.
- Whole messages: :func:`sign_message` (``multipart/signed``), :func:`encrypt_message`
  (``multipart/encrypted``) and :func:`open_message`, which decrypts, verifies and compares the
  protected header fields with the ones that arrived (RFC 9788).

A signature that does not verify is an entry of the report, never an exception: check
``is_valid`` (the report itself is always truthy). :class:`PgpError` and its subclasses are for
input that cannot be read, keys that cannot do what was asked, and limits.

Data is ``bytes`` in and ``bytes`` out. Everything that does cryptography releases the GIL.

>>> alice, revocation = Key.generate("Alice <alice@example.org>")
>>> bob, _ = Key.generate("Bob <bob@example.net>")
>>> alice.emails, alice.has_secret, alice.public().has_secret
(['alice@example.org'], True, False)

>>> signature = sign(b"minutes of the meeting", alice)
>>> report = verify(b"minutes of the meeting", signature, certs=[alice.public()])
>>> report.is_valid, report.good_signers == [alice.fingerprint]
(True, True)
>>> verify(b"minutes of the meeting, amended", signature, certs=[alice]).signatures[0].verdict
'bad'

>>> sealed = encrypt(b"hello Bob", bob.public(), sign_with=alice)
>>> opened = decrypt(sealed, bob, verify_with=alice.public())
>>> opened.content, opened.report.signatures.is_valid, opened.report.protection
(b'hello Bob', True, 'seipd-v1')
>>> try:
...     decrypt(sealed, alice)
... except PgpDecryptionError as e:
...     print(e.code, e.bad_input)
no-decryption-key True
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

from mailsec._errors import MailsecError
from mailsec._mailsec import (
    Decrypted,
    DecryptionReport,
    HeaderCheck,
    Key,
    KeyStore,
    Opened,
    PgpVerificationReport as VerificationReport,
    SignatureReport,
    Verified,
    pgp_decrypt as _decrypt,
    pgp_encrypt as _encrypt,
    pgp_encrypt_message as _encrypt_message,
    pgp_open_message as _open_message,
    pgp_sign as _sign,
    pgp_sign_message as _sign_message,
    pgp_verify as _verify,
    pgp_verify_inline as _verify_inline,
)

__all__ = [
    "Decrypted",
    "DecryptionReport",
    "HeaderCheck",
    "Key",
    "KeyStore",
    "Keys",
    "Opened",
    "PgpDecryptionError",
    "PgpError",
    "PgpKeyError",
    "PgpLimitError",
    "PgpLockedKeyError",
    "PgpMalformedError",
    "PgpStoreError",
    "PgpUsageError",
    "SignatureReport",
    "VerificationReport",
    "Verified",
    "decrypt",
    "encrypt",
    "encrypt_message",
    "open_message",
    "sign",
    "sign_message",
    "verify",
    "verify_inline",
]

Keys = Union[Key, Sequence[Key]]
"""One key, or several: every function taking keys takes either."""


class PgpError(MailsecError):
    """OpenPGP input that cannot be processed, a key that cannot do what was asked, a limit.

    Verification never raises this for a signature that does not verify: that is an entry of
    the report. The subclasses say more; a ``PgpError`` itself is a failure inside the OpenPGP
    implementation (``"crypto"``).

    Attributes:
        code: what kind of error: ``"malformed"``, ``"mime"``, ``"limit-exceeded"``,
            ``"no-secret-key"``, ``"no-valid-key"``, ``"locked"``, ``"no-decryption-key"``,
            ``"unprotected"``, ``"usage"``, ``"store"``, ``"crypto"`` or ``"internal"``.
        bad_input: whether the input (a message, a key someone sent) was at fault, as opposed
            to our own keys, the key store or the machine: an MTA bounces the first and defers
            the second.
    """

    code: str
    bad_input: bool

    def __init__(self, message: str, code: str, bad_input: bool) -> None:
        super().__init__(message)
        self.code = code
        self.bad_input = bad_input


class PgpMalformedError(PgpError, ValueError):
    """OpenPGP data (``"malformed"``) or a PGP/MIME structure (``"mime"``) that cannot be read.

    Attributes:
        what: for ``"malformed"``, what was being read: ``"key"``, ``"message"``,
            ``"signature"`` or ``"revocation"``; else None.
        offset: for ``"mime"``, the byte offset in the message where the problem was found;
            else None.
    """

    what: Optional[str]
    offset: Optional[int]

    def __init__(
        self,
        message: str,
        code: str,
        bad_input: bool,
        what: Optional[str],
        offset: Optional[int],
    ) -> None:
        super().__init__(message, code, bad_input)
        self.what = what
        self.offset = offset


class PgpLimitError(PgpError, ValueError):
    """An input over a limit (code ``"limit-exceeded"``): a key or message larger than 64 MiB,
    a message decrypting or decompressing to more, too many recipients or keys.

    Attributes:
        limit: which limit: ``"input_bytes"``, ``"output_bytes"``, ``"recipients"``,
            ``"certificates"``, ``"mime_depth"``, ``"mime_parts"`` or ``"header_fields"``.
        max: the limit's value.
        actual: what the input needed (or a lower bound of it).
    """

    limit: str
    max: int
    actual: int

    def __init__(
        self, message: str, code: str, bad_input: bool, limit: str, max: int, actual: int
    ) -> None:
        super().__init__(message, code, bad_input)
        self.limit = limit
        self.max = max
        self.actual = actual


class PgpKeyError(PgpError):
    """A key that cannot do what was asked: no secret key material (``"no-secret-key"``), or no
    key valid for the purpose, being expired, revoked or too weak (``"no-valid-key"``).

    Attributes:
        fingerprint: the key's fingerprint (for :class:`PgpLockedKeyError`, the subkey's).
        purpose: ``"signing"``, ``"encryption"``, ``"certification"`` or ``"exportable"``;
            None for :class:`PgpLockedKeyError`.
    """

    fingerprint: str
    purpose: Optional[str]

    def __init__(
        self, message: str, code: str, bad_input: bool, fingerprint: str, purpose: Optional[str]
    ) -> None:
        super().__init__(message, code, bad_input)
        self.fingerprint = fingerprint
        self.purpose = purpose


class PgpLockedKeyError(PgpKeyError):
    """The secret key is password-protected (code ``"locked"``): :meth:`Key.unlock` it first.
    Also raised by :meth:`Key.unlock` for a wrong password."""


class PgpDecryptionError(PgpError):
    """A message that cannot be decrypted: none of the keys given is a recipient
    (``"no-decryption-key"``), or the data lacks integrity protection and is refused
    (``"unprotected"``, RFC 9580 §5.7).

    Attributes:
        recipients: the key IDs the message is encrypted to (``"no-decryption-key"``).
    """

    recipients: List[str]

    def __init__(self, message: str, code: str, bad_input: bool, recipients: List[str]) -> None:
        super().__init__(message, code, bad_input)
        self.recipients = recipients


class PgpUsageError(PgpError, ValueError):
    """A call that cannot be done (code ``"usage"``): no recipient or signer, an unknown cipher
    suite, profile or revocation reason, keys of different fingerprints merged."""


class PgpStoreError(PgpError, OSError):
    """The :class:`KeyStore` directory or one of its files cannot be read or written (code
    ``"store"``).

    Attributes:
        path: the file or directory involved.
    """

    path: str

    def __init__(self, message: str, code: str, bad_input: bool, path: str) -> None:
        super().__init__(message, code, bad_input)
        self.path = path


def _keys(keys: Keys) -> List[Key]:
    return [keys] if isinstance(keys, Key) else list(keys)


def sign(data: bytes, signers: Keys, *, detached: bool = True, armor: bool = True) -> bytes:
    """Sign ``data`` with every key of ``signers`` (SHA-256).

    Each signer must hold an unlocked secret signing key that is valid (not expired, not
    revoked).

    Args:
        detached: a detached signature (the data travels apart, ``gpg --detach-sign``); with
            False, a signed message containing the data (``gpg --sign``).
        armor: ASCII armor (``-----BEGIN PGP SIGNATURE-----`` or ``MESSAGE``); else binary.

    Raises:
        PgpUsageError: no signer.
        PgpLockedKeyError: a signer's key is locked.
        PgpKeyError: a signer has no secret key, or no valid signing key.
    """
    return _sign(data, _keys(signers), detached, armor)


def verify(data: bytes, signature: bytes, *, certs: Keys) -> VerificationReport:
    """Verify a detached ``signature`` (armored or binary) over ``data`` with ``certs``.

    A signature by a key not among ``certs`` is reported with the verdict
    ``"unknown-signer"``; a signature that does not match the data, ``"bad"``.

    Raises:
        PgpMalformedError: the signature cannot be read at all.
    """
    return _verify(data, signature, _keys(certs))


def verify_inline(message: bytes, certs: Keys) -> Verified:
    """Verify an inline signed message (armored or binary) with ``certs``; the result carries
    the signed content.

    Raises:
        PgpMalformedError: the message cannot be read.
        PgpLimitError: the content is larger than 64 MiB.
    """
    return _verify_inline(message, _keys(certs))


def encrypt(
    data: bytes, recipients: Keys, *, sign_with: Keys = (), armor: bool = True
) -> bytes:
    """Encrypt ``data`` to every key of ``recipients``, signed inside first with ``sign_with``.

    To read your own sent mail, include your own certificate among the recipients. Every valid
    encryption subkey of each recipient is used; a recipient without one is an error, never
    dropped silently. The packet version (SEIPD v1 or v2) follows what the keys announce.

    Raises:
        PgpUsageError: no recipient.
        PgpKeyError: a recipient without a valid encryption key (``"no-valid-key"``), or a
            signer that cannot sign.
        PgpLockedKeyError: a signer's key is locked.
    """
    return _encrypt(data, _keys(recipients), _keys(sign_with), armor)


def decrypt(message: bytes, keys: Keys, *, verify_with: Keys = ()) -> Decrypted:
    """Decrypt ``message`` (armored or binary) with the first of ``keys`` that can, checking
    the signatures inside against ``verify_with``.

    Raises:
        PgpDecryptionError: none of ``keys`` is a recipient (``"no-decryption-key"``), or the
            data has no integrity protection (``"unprotected"``).
        PgpLockedKeyError: one of ``keys`` is locked.
        PgpMalformedError: the message cannot be read.
        PgpLimitError: the plaintext is larger than 64 MiB.
    """
    return _decrypt(message, _keys(keys), _keys(verify_with))


def sign_message(message: bytes, signers: Keys) -> bytes:
    """Sign a whole message (RFC 5322) as ``multipart/signed`` (RFC 3156 §5), its header fields
    protected inside the signed part (RFC 9788, ``hp="clear"``).

    Raises:
        PgpMalformedError: the message cannot be read (``"mime"``).
        PgpUsageError, PgpLockedKeyError, PgpKeyError: as :func:`sign`.
    """
    return _sign_message(message, _keys(signers))


def encrypt_message(message: bytes, recipients: Keys, *, sign_with: Keys = ()) -> bytes:
    """Encrypt a whole message as ``multipart/encrypted`` (RFC 3156 §4), signed inside when
    ``sign_with`` is given (§6.2). The header fields are protected inside (RFC 9788,
    ``hp="cipher"``); the outer Subject becomes ``[...]``.

    Raises:
        PgpMalformedError: the message cannot be read (``"mime"``).
        PgpUsageError, PgpLockedKeyError, PgpKeyError: as :func:`encrypt`.
    """
    return _encrypt_message(message, _keys(recipients), _keys(sign_with))


def open_message(message: bytes, *, keys: Keys = (), certs: Keys = ()) -> Opened:
    """Open a PGP/MIME message: decrypt it with ``keys`` (unlocked secret keys) when it is
    encrypted, verify every signature against ``certs``, and compare the protected header
    fields with the ones that arrived.

    Raises:
        PgpMalformedError: not a PGP/MIME signed or encrypted message, or broken MIME
            (``"mime"``), or OpenPGP data that cannot be read.
        PgpDecryptionError, PgpLockedKeyError, PgpLimitError: as :func:`decrypt`.
    """
    return _open_message(message, _keys(keys), _keys(certs))
