"""S/MIME signing and verification (RFC 8551, RFC 5652) with secure header fields (RFC 7508).

- Signing: :meth:`Signer.from_pem` reads a certificate and its private key (RSA, ECDSA P-256 or
  P-384, Ed25519); :func:`sign` signs a message as ``multipart/signed`` (the default) or opaque
  ``application/pkcs7-mime``, carrying the SecureHeaderFields attribute of the fields a
  :class:`mailsec.headers.Policy` secures.
- Verifying: :meth:`TrustStore.from_pem` reads the trust anchors (and intermediates a message may
  not carry); :func:`verify` returns a :class:`Report`. A signature, certificate path, address or
  secured header field that does not verify is an entry of the report, never an exception: check
  :attr:`Report.valid` (the report itself is always truthy).

Messages are ``bytes`` in and ``bytes`` out. :func:`sign` and :func:`verify` release the GIL.

Example (``pki`` reads a file of tests/fixtures/pki)::

    signer = Signer.from_pem(pki("alice-p256.pem"), pki("alice-p256.key"),
                             chain=pki("intermediate.pem"))
    policy = Policy.from_toml('[secure_headers]\\nfields = ["From", "Subject"]\\n')
    signed = sign(message, signer, policy)

    report = verify(signed, TrustStore.from_pem(pki("root.pem")), policy)
    if not report.valid:
        print(report)   # one block per signer, then the secured header fields
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

from mailsec._errors import MailsecError
from mailsec._mailsec import (
    Report,
    Signer,
    SignerReport,
    TrustStore,
    UncheckedHeaders,
    smime_sign as _sign,
    smime_verify as _verify,
)
from mailsec.headers import Policy, VerificationReport

__all__ = [
    "Report",
    "Signer",
    "SignerReport",
    "SmimeError",
    "TrustStore",
    "UncheckedHeaders",
    "VerificationReport",
    "sign",
    "verify",
]


class SmimeError(MailsecError, ValueError):
    """A message, key or certificate that cannot be read, or a signer that cannot sign.

    Verification never raises this for a signature, path, address or header field that does not
    verify: those are entries of the :class:`Report`.

    Attributes:
        code: what kind of error, one of ``"limit-exceeded"``, ``"key"`` (an unreadable private
            key), ``"certificate"`` (an unreadable certificate), ``"key-mismatch"`` (the key is
            not the certificate's), ``"unsupported-algorithm"`` (the key cannot sign with the
            algorithm asked for), ``"signing"``, ``"no-signer"``, ``"malformed"`` (a CMS
            structure that is not valid BER/DER), ``"not-signed-data"``, ``"mime"`` (not an
            S/MIME signed message, or broken MIME), ``"cannot-secure"`` (the policy secures a
            field the S/MIME wrapping rewrites), ``"headers"`` or ``"internal"``.
        bad_input: whether the message was at fault (an MTA bounces it), as opposed to the
            keys, certificates or configuration (an MTA defers and the operator fixes them).
    """

    code: str
    bad_input: bool

    def __init__(self, message: str, code: str, bad_input: bool) -> None:
        super().__init__(message)
        self.code = code
        self.bad_input = bad_input


def sign(
    message: bytes,
    signer: Union[Signer, Sequence[Signer]],
    policy: Optional[Policy] = None,
    *,
    opaque: bool = False,
    signing_time: Optional[int] = None,
) -> bytes:
    """Sign ``message`` (RFC 5322, CRLF or LF line endings) by ``signer`` or every signer given.

    With a ``policy``, the signature secures the header fields its ``[secure_headers]`` table
    names (draft-cailleux-secure-headers §4.5.1); without one, it secures none. The result keeps
    the message's header fields, except Content-*, which move into the signed entity.

    Args:
        opaque: produce ``application/pkcs7-mime; smime-type=signed-data`` (the content inside
            the CMS object) instead of ``multipart/signed``.
        signing_time: the signingTime attribute, seconds since the Unix epoch; ``None`` is now.

    Raises:
        SmimeError: no signer (``"no-signer"``), a message that cannot be read (``"mime"``,
            ``"limit-exceeded"``, ``"headers"``), or a policy securing a Content-* field
            (``"cannot-secure"``).
    """
    signers = [signer] if isinstance(signer, Signer) else list(signer)
    return _sign(message, signers, policy, opaque, signing_time)


def verify(
    message: bytes,
    trust: TrustStore,
    policy: Optional[Policy] = None,
    *,
    time: Optional[int] = None,
    allow_sha1: bool = False,
) -> Report:
    """Verify a signed message (``multipart/signed`` or opaque) against ``trust``.

    Each signer's signature, certificate path (to an anchor of ``trust``, for e-mail protection)
    and address (the message's From/Sender in the certificate) is checked, then the secured
    header fields are compared with the message (draft §4.5.2). With a ``policy``, its
    mandatory fields, accepted profiles and limits apply; without one, whatever fields the
    signature secures are compared, both wire profiles accepted.

    Args:
        time: the time certificates must be valid at, seconds since the Unix epoch; ``None`` is
            now.
        allow_sha1: accept SHA-1 in signatures and certificates (legacy mail only).

    Raises:
        SmimeError: the message is not an S/MIME signed message or cannot be read (``"mime"``,
            ``"malformed"``, ``"not-signed-data"``, ``"limit-exceeded"``).
    """
    return _verify(message, trust, policy, time, allow_sha1)
