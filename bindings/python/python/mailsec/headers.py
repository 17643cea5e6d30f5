"""Secure header fields: the SecureHeaderFields signed attribute (RFC 7508).

RFC 7508, the published form of draft-cailleux-secure-headers-05, lets an S/MIME signature
protect header fields of a message (From, To, Subject, Date...), not only its body. This module
decides which fields are secured and in which canonical form, encodes and decodes the attribute,
and tells a receiver what holds for each field. It carries no cryptography: the DER it produces
is what an S/MIME signer places among the signed attributes.

- Signing side (draft §4.5.1): :func:`build` the :class:`SecureHeaderFields` of a message under a
  :class:`Policy`, then :meth:`SecureHeaderFields.to_der` (the attribute value) or
  :meth:`SecureHeaderFields.to_attribute_der` (the whole attribute).
- Receiving side (§4.5.2): :meth:`SecureHeaderFields.from_der` or
  :meth:`SecureHeaderFields.from_attribute_der`, then :func:`verify`, which returns a
  :class:`VerificationReport`; a mismatch is an entry of the report, never an exception.
- Domain Confidentiality Authority (§4.6): :func:`apply` hides ``deleted`` and ``modified``
  fields when encrypting; :func:`restore` writes them back when decrypting.

Messages are ``bytes`` in and ``bytes`` out. The long operations release the GIL.

Profiles are named ``"rfc7508"`` (the default; values are UTF8String) and ``"draft-05"`` (the
legacy layout; values are restricted to printable US-ASCII); canonicalizations ``"simple"`` and
``"relaxed"`` (RFC 6376 §3.4.1-§3.4.2). An unknown name is a :class:`ValueError`.

Field values are given as ``str``, with any byte sequence that is not UTF-8 replaced by U+FFFD
(as in the JSON report); the exact bytes are the ``*_bytes`` attributes.

>>> policy = Policy.from_toml('''
... [secure_headers]
... fields = ["From", "Subject"]
... mandatory = ["From"]
... ''')
>>> message = b"From: a@example.com\\r\\nSubject: hello\\r\\n\\r\\nbody\\r\\n"
>>> der = build(message, policy).to_der()
>>> received = SecureHeaderFields.from_der(der)
>>> verify(received, message, policy).valid
True
>>> report = verify(received, message.replace(b"hello", b"pay now"), policy)
>>> report.valid, report.field("subject").verdict
(False, 'mismatch')
>>> print(report)
secure headers: INVALID (canonicalization: relaxed)
  from: "a@example.com" [duplicated] ok
  subject: "hello" [duplicated] MISMATCH (value differs); message has "pay now"
<BLANKLINE>
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from mailsec._errors import MailsecError
from mailsec._mailsec import (
    ExtraField,
    FieldReport,
    HeaderField,
    MandatoryMissing,
    Policy,
    SecureHeaderFields,
    VerificationReport,
    headers_apply as _apply,
    headers_build as _build,
    headers_canonicalize as _canonicalize,
    headers_restore as _restore,
    headers_verify as _verify,
)

__all__ = [
    "ExtraField",
    "FieldReport",
    "HeaderField",
    "HeadersError",
    "MandatoryMissing",
    "Policy",
    "PolicyError",
    "SecureHeaderFields",
    "VerificationReport",
    "apply",
    "build",
    "canonicalize",
    "restore",
    "verify",
]


class HeadersError(MailsecError, ValueError):
    """A message or SecureHeaderFields structure that cannot be processed under the policy.

    Verification never raises this for a mismatch: mismatches are entries of the
    :class:`VerificationReport`. It is for input that cannot be processed at all.

    Attributes:
        code: what kind of error, one of ``"limit-exceeded"``, ``"unrepresentable"`` (a value the
            wire profile cannot carry, e.g. non-ASCII text under ``"draft-05"``),
            ``"invalid-field-name"``, ``"nothing-to-secure"`` (the message carries none of the
            policy's fields), ``"malformed"`` (the DER is not a SecureHeaderFields structure),
            ``"unknown-status"``, ``"unknown-algorithm"``, ``"profile-not-accepted"``,
            ``"attribute-value-count"`` or ``"no-replacement"``.
        offset: byte offset into the DER input where the problem was found (``"malformed"``
            only), else ``None``.
        field: the header field the error is about, when it is about one, else ``None``.
    """

    code: str
    offset: Optional[int]
    field: Optional[str]

    def __init__(
        self, message: str, code: str, offset: Optional[int], field: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.field = field


class PolicyError(MailsecError, ValueError):
    """A policy that cannot be used: bad TOML, an unknown key, an inconsistent setting.

    ``str(error)`` starts with the place, e.g. ``"line 3, column 1: ..."``, when it is known.

    Attributes:
        line: 1-based line in the TOML text, when known.
        column: 1-based column (in characters) in the TOML text, when known.
    """

    line: Optional[int]
    column: Optional[int]

    def __init__(self, message: str, line: Optional[int], column: Optional[int]) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def build(message: bytes, policy: Policy) -> SecureHeaderFields:
    """Build the SecureHeaderFields structure of ``message`` under ``policy`` (draft §4.5.1).

    Every instance of each field the policy lists is secured, in message order, canonicalized
    with the policy's algorithm and given the policy's status.

    Raises:
        HeadersError: the message carries none of the policy's fields (``"nothing-to-secure"``),
            a value the policy's profile cannot carry (``"unrepresentable"``, naming the field),
            or a limit was exceeded.
    """
    return _build(message, policy)


def verify(shf: SecureHeaderFields, message: bytes, policy: Policy) -> VerificationReport:
    """Compare ``shf``, decoded from a verified signature, with ``message`` (§4.5.2 steps 2-7).

    The algorithm named by ``shf`` is used, not the policy's; the policy decides which extra
    fields and which missing mandatory fields make the report invalid. Check
    :attr:`VerificationReport.valid`: the report itself is always truthy.

    Raises:
        HeadersError: the message cannot be read within the policy's limits.
    """
    return _verify(shf, message, policy)


def apply(message: bytes, shf: SecureHeaderFields, policy: Policy) -> bytes:
    """The outer message a DCA sends when it encrypts ``message`` (§4.6.1).

    ``deleted`` fields are removed (From and Date are always kept), ``modified`` fields get the
    policy's replacement value; everything else stays byte for byte.

    Raises:
        HeadersError: a ``modified`` field has no replacement in the policy
            (``"no-replacement"``), or a limit was exceeded.
    """
    return _apply(message, shf, policy)


def restore(message: bytes, shf: SecureHeaderFields, policy: Policy) -> bytes:
    """The message a DCA delivers when it decrypts ``message`` (§4.6.2).

    Every ``deleted`` field of ``shf`` is written back and every ``modified`` field gets its
    signed value back, so that the result verifies. Only the policy's limits are used.

    Raises:
        HeadersError: a limit was exceeded.
    """
    return _restore(message, shf, policy)


def canonicalize(
    message: bytes, algorithm: str = "relaxed", *, policy: Optional[Policy] = None
) -> List[Tuple[str, str]]:
    """Every header field of ``message`` as ``(name, value)`` in canonical form, in order.

    This is what a signature under ``algorithm`` (``"simple"`` or ``"relaxed"``) would carry for
    each field. The limits are the policy's when one is given, else the defaults.

    >>> canonicalize(b"Subject:  Hello\\r\\n  World \\r\\n\\r\\n")
    [('subject', 'Hello World')]

    Raises:
        ValueError: ``algorithm`` is not ``"simple"`` or ``"relaxed"``.
        HeadersError: a limit was exceeded.
    """
    return _canonicalize(message, algorithm, policy)
