"""mailsec.smime from Python: sign, verify, the report, errors, and the GIL.

Keys and certificates are the TEST-ONLY PKI of tests/fixtures/pki (root -> intermediate ->
leaf; alice-* vouch for alice@example.com, bob-rsa for bob@example.org).
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from pathlib import Path
from typing import Callable, Dict, Optional, Union

import pytest

import mailsec
import mailsec.smime as smime
from mailsec.headers import Policy, VerificationReport
from mailsec.smime import SmimeError, Signer, TrustStore, UncheckedHeaders

PKI = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "pki"

POLICY = """\
[secure_headers]
fields = ["From", "To", "Subject", "Date", "Message-ID"]
mandatory = ["From", "Subject"]
"""

MESSAGE = (
    b"From: Alice <alice@example.com>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"Subject: Quarterly figures\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"\r\n"
    b"Hello Bob,\r\n"
    b"the figures are attached.\r\n"
)

SIGNING_TIME = 1_795_428_000  # 2026-11-23T10:00:00Z

# Key type -> (signature algorithm, message digest).
KEY_TYPES = {
    "alice-rsa": ("rsa-pkcs1-sha256", "sha256"),
    "alice-p256": ("ecdsa-p256-sha256", "sha256"),
    "alice-p384": ("ecdsa-p384-sha384", "sha384"),
    "alice-ed25519": ("ed25519", "sha512"),
}


def pki(name: str) -> bytes:
    return (PKI / name).read_bytes()


def signer(
    name: str = "alice-rsa",
    *,
    algorithm: Optional[str] = None,
    subject_key_identifier: bool = False,
) -> Signer:
    """The signer `name`, sending the intermediate CA certificate with its own."""
    return Signer.from_pem(
        pki(f"{name}.pem"),
        pki(f"{name}.key"),
        chain=pki("intermediate.pem"),
        algorithm=algorithm,
        subject_key_identifier=subject_key_identifier,
    )


@pytest.fixture
def policy() -> Policy:
    return Policy.from_toml(POLICY)


@pytest.fixture
def trust() -> TrustStore:
    return TrustStore.from_pem(pki("root.pem"))


@pytest.mark.parametrize("name", sorted(KEY_TYPES))
def test_sign_and_verify_each_key_type(name: str, policy: Policy, trust: TrustStore) -> None:
    algorithm, digest = KEY_TYPES[name]
    alice = signer(name)
    assert alice.algorithm == algorithm
    assert alice.subject == f"CN={name},O=mailsec test"
    assert alice.email_addresses == ["alice@example.com"]

    signed = smime.sign(MESSAGE, alice, policy, signing_time=SIGNING_TIME)
    assert isinstance(signed, bytes)
    assert b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"' in signed
    assert signed.startswith(b"From: Alice <alice@example.com>\r\n")

    report = smime.verify(signed, trust, policy)
    assert report.valid, str(report)
    assert report.form == "detached"
    assert report.failures == []
    [one] = report.signers
    assert one.valid
    assert one.subject == f"CN={name},O=mailsec test"
    assert one.issuer == "CN=mailsec Test Intermediate CA,O=mailsec test"
    assert one.serial is not None and int(one.serial, 16) > 0
    assert one.email_addresses == ["alice@example.com"]
    assert (one.algorithm, one.digest) == (algorithm, digest)
    assert one.signing_time == SIGNING_TIME
    assert (one.signature_valid, one.signature_failure, one.signature_detail) == (True, None, None)
    assert (one.chain_valid, one.chain_failure) == (True, None)
    assert one.address_matched
    assert one.secures_headers

    headers = report.headers
    assert isinstance(headers, VerificationReport)
    assert headers.valid
    assert [(f.name, f.verdict) for f in headers.fields] == [
        ("from", "match"),
        ("to", "match"),
        ("subject", "match"),
        ("date", "match"),
        ("message-id", "match"),
    ]
    assert str(report).startswith(
        f"S/MIME detached signature: VALID\nsigner 1: CN={name},O=mailsec test\n"
        f"  algorithm: {algorithm}\n  signing time: 2026-11-23T10:00:00Z\n"
    )


def test_opaque(policy: Policy, trust: TrustStore) -> None:
    signed = smime.sign(MESSAGE, signer("alice-p256"), policy, opaque=True)
    assert b"Content-Type: application/pkcs7-mime; smime-type=signed-data" in signed
    assert b"the figures are attached" not in signed  # inside the CMS object
    report = smime.verify(signed, trust, policy)
    assert report.valid, str(report)
    assert report.form == "opaque"
    assert str(report).startswith("S/MIME opaque signature: VALID\n")


def test_two_signers(policy: Policy, trust: TrustStore) -> None:
    signers = [signer("alice-rsa"), signer("alice-ed25519")]
    signed = smime.sign(MESSAGE, signers, policy)
    assert b'micalg="sha-256,sha-512"' in signed
    report = smime.verify(signed, trust, policy)
    assert report.valid, str(report)
    # SignerInfos is a DER SET OF: its order is the encoding's, not the signers'.
    assert sorted((s.subject, s.algorithm, s.valid) for s in report.signers) == [
        ("CN=alice-ed25519,O=mailsec test", "ed25519", True),
        ("CN=alice-rsa,O=mailsec test", "rsa-pkcs1-sha256", True),
    ]
    # A tuple is a sequence of signers too.
    assert len(smime.verify(smime.sign(MESSAGE, tuple(signers)), trust).signers) == 2


def test_tampered_body_is_a_digest_mismatch(policy: Policy, trust: TrustStore) -> None:
    signed = smime.sign(MESSAGE, signer(), policy)
    tampered = signed.replace(b"the figures are attached.", b"pay the invoice attached.")
    assert tampered != signed
    report = smime.verify(tampered, trust, policy)
    assert report.valid is False
    [one] = report.signers
    assert one.valid is False
    assert one.signature_valid is False
    assert one.signature_failure == "digest_mismatch"
    assert one.signature_detail is not None and "messageDigest" in one.signature_detail
    # Only the signature failed.
    assert one.chain_valid and one.address_matched
    assert isinstance(report.headers, VerificationReport) and report.headers.valid
    assert len(report.failures) == 1
    assert report.failures[0].startswith("signer 1 (CN=alice-rsa,O=mailsec test): signature ")
    data = json.loads(report.to_json())
    assert data["signers"][0]["signature"]["reason"] == "digest_mismatch"


def test_tampered_secured_subject(policy: Policy, trust: TrustStore) -> None:
    signed = smime.sign(MESSAGE, signer(), policy)
    tampered = signed.replace(
        b"Subject: Quarterly figures\r\n", b"Subject: Urgent: new bank details\r\n"
    )
    assert tampered != signed
    report = smime.verify(tampered, trust, policy)
    assert report.valid is False
    # The outer header is not under the CMS signature: the signer holds; the header check not.
    [one] = report.signers
    assert one.valid and one.signature_valid
    headers = report.headers
    assert isinstance(headers, VerificationReport)
    assert headers.valid is False
    subject = headers.field("Subject")
    assert subject is not None
    assert (subject.verdict, subject.reason) == ("mismatch", "value differs")
    assert subject.signed_value == "Quarterly figures"
    assert subject.message_values == ["Urgent: new bank details"]
    assert report.failures == ["secured header field subject: value differs"]
    assert (
        '  subject: "Quarterly figures" [duplicated] MISMATCH (value differs); '
        'message has "Urgent: new bank details"'
    ) in str(report).splitlines()


def test_from_not_in_the_certificate(policy: Policy, trust: TrustStore) -> None:
    message = MESSAGE.replace(b"From: Alice <alice@example.com>", b"From: Bob <bob@example.org>")
    report = smime.verify(smime.sign(message, signer("alice-rsa"), policy), trust, policy)
    assert report.valid is False
    [one] = report.signers
    assert one.address_matched is False
    assert one.signature_valid and one.chain_valid
    assert one.valid is False
    assert [f for f in report.failures if "is not in the certificate" in f] == [
        'signer 1 (CN=alice-rsa,O=mailsec test): From/Sender ["bob@example.org"] '
        'is not in the certificate (["alice@example.com"])'
    ]


def test_another_signers_certificate_fails_the_address(trust: TrustStore) -> None:
    report = smime.verify(smime.sign(MESSAGE, [signer("alice-rsa"), signer("bob-rsa")]), trust)
    assert report.valid is False
    assert sorted((s.email_addresses, s.address_matched) for s in report.signers) == [
        (["alice@example.com"], True),
        (["bob@example.org"], False),
    ]


def _replace_signature(signed: bytes, der: bytes) -> bytes:
    """`signed` (multipart/signed) with its application/pkcs7-signature part holding `der`."""
    start = signed.index(b"\r\n\r\n", signed.index(b'filename="smime.p7s"')) + 4
    end = signed.index(b"\r\n------", start)
    return signed[:start] + base64.b64encode(der) + signed[end:]


@pytest.mark.parametrize(
    "garbage, code",
    [
        (b"", "mime"),
        (b"garbage", "mime"),
        (b"\x00\xff" * 64, "mime"),
        (MESSAGE, "mime"),  # not signed at all
        (None, "malformed"),  # multipart/signed whose signature is not DER
    ],
)
def test_garbage_is_an_smime_error(garbage: Optional[bytes], code: str, trust: TrustStore) -> None:
    if garbage is None:
        garbage = _replace_signature(smime.sign(MESSAGE, signer()), b"\x30\x80garbage")
    with pytest.raises(SmimeError) as caught:
        smime.verify(garbage, trust)
    error = caught.value
    assert isinstance(error, mailsec.MailsecError)
    assert isinstance(error, ValueError)
    assert error.code == code
    assert error.bad_input is True
    assert str(error)


@pytest.mark.parametrize(
    "cert, key, code",
    [
        ("alice-rsa.pem", b"not a key", "key"),
        (b"not a certificate", "alice-rsa.key", "certificate"),
        ("alice-rsa.pem", "bob-rsa.key", "key-mismatch"),
    ],
)
def test_unreadable_signer(cert: Union[str, bytes], key: Union[str, bytes], code: str) -> None:
    with pytest.raises(SmimeError) as caught:
        Signer.from_pem(
            pki(cert) if isinstance(cert, str) else cert,
            pki(key) if isinstance(key, str) else key,
        )
    assert caught.value.code == code
    assert caught.value.bad_input is False  # configuration, not the message


def test_unreadable_trust_store() -> None:
    with pytest.raises(SmimeError) as caught:
        TrustStore.from_pem(b"-----BEGIN NOTHING-----\n")
    assert caught.value.code == "certificate"
    with pytest.raises(SmimeError):
        TrustStore.from_pem(pki("root.pem"), intermediates=b"junk")


def test_signer_algorithms() -> None:
    pss = signer("alice-rsa", algorithm="RSA-PSS-SHA256")
    assert pss.algorithm == "rsa-pss-sha256"
    with pytest.raises(SmimeError) as caught:
        signer("alice-rsa", algorithm="ed25519")
    assert caught.value.code == "unsupported-algorithm"
    with pytest.raises(ValueError) as unknown:
        signer("alice-rsa", algorithm="rsa-md5")
    assert not isinstance(unknown.value, mailsec.MailsecError)
    assert "rsa-pss-sha256" in str(unknown.value)


def test_rsa_pss_verifies(trust: TrustStore) -> None:
    pss = signer("alice-rsa", algorithm="rsa-pss-sha384")
    report = smime.verify(smime.sign(MESSAGE, pss), trust)
    assert report.valid, str(report)
    assert report.signers[0].algorithm.startswith("rsa-pss")


def test_subject_key_identifier(trust: TrustStore) -> None:
    signed = smime.sign(MESSAGE, signer("alice-p256", subject_key_identifier=True))
    report = smime.verify(signed, trust)
    assert report.valid, str(report)
    assert report.signers[0].signer_id.startswith("subjectKeyIdentifier ")
    assert report.signers[0].subject == "CN=alice-p256,O=mailsec test"


def test_sign_errors() -> None:
    with pytest.raises(SmimeError) as caught:
        smime.sign(MESSAGE, [])
    assert caught.value.code == "no-signer"
    content_type = Policy.from_toml('[secure_headers]\nfields = ["From", "Content-Type"]\n')
    with pytest.raises(SmimeError) as cannot:
        smime.sign(
            MESSAGE.replace(b"\r\n\r\n", b"\r\nContent-Type: text/plain\r\n\r\n", 1),
            signer(),
            content_type,
        )
    assert cannot.value.code == "cannot-secure"


def test_without_policy(policy: Policy, trust: TrustStore) -> None:
    # Signed without a policy: nothing secured, the message verifies as before.
    plain = smime.sign(MESSAGE, signer())
    report = smime.verify(plain, trust)
    assert report.valid, str(report)
    assert report.signers[0].secures_headers is False
    headers = report.headers
    assert isinstance(headers, UncheckedHeaders)
    assert (headers.outcome, headers.valid, headers.mandatory, headers.reason) == (
        "not_secured",
        True,
        [],
        None,
    )
    assert "secured header fields: none" in str(report)
    assert json.loads(report.to_json())["headers"] == {"outcome": "not_secured", "mandatory": []}

    # ... but a policy making fields mandatory rejects it.
    strict = smime.verify(plain, trust, policy)
    assert strict.valid is False
    assert isinstance(strict.headers, UncheckedHeaders)
    assert strict.headers.mandatory == ["From", "Subject"]
    assert strict.headers.valid is False

    # Signed with a policy, verified without one: the secured fields are still compared.
    report = smime.verify(smime.sign(MESSAGE, signer(), policy), trust, None)
    assert report.valid, str(report)
    assert isinstance(report.headers, VerificationReport)
    assert len(report.headers.fields) == 5


def test_chain_comes_from_the_trust_store(trust: TrustStore) -> None:
    alone = Signer.from_pem(pki("alice-p384.pem"), pki("alice-p384.key"))  # no chain sent
    signed = smime.sign(MESSAGE, alone)
    report = smime.verify(signed, trust)
    assert report.valid is False
    assert report.signers[0].signature_valid
    assert report.signers[0].chain_valid is False
    assert report.signers[0].chain_failure == "no_path_to_trust_anchor"
    with_intermediates = TrustStore.from_pem(
        pki("root.pem"), intermediates=pki("intermediate.pem")
    )
    assert (with_intermediates.anchor_count, with_intermediates.intermediate_count) == (1, 1)
    assert smime.verify(signed, with_intermediates).valid


def test_untrusted_or_unfit_certificates(trust: TrustStore) -> None:
    def chain_failure(name: str) -> Optional[str]:
        report = smime.verify(smime.sign(MESSAGE, signer(name)), trust)
        assert report.valid is False
        assert report.signers[0].signature_valid
        return report.signers[0].chain_failure

    assert chain_failure("mallory") == "no_path_to_trust_anchor"
    assert chain_failure("alice-expired") == "expired"
    assert chain_failure("alice-server-only") == "extended_key_usage"


def test_validation_time(trust: TrustStore) -> None:
    signed = smime.sign(MESSAGE, signer())
    assert smime.verify(signed, trust).valid
    report = smime.verify(signed, trust, time=1_590_969_600)  # 2020-06-01, before issuance
    assert report.valid is False
    assert report.signers[0].chain_failure == "not_yet_valid"


def test_json_and_repr(policy: Policy, trust: TrustStore) -> None:
    report = smime.verify(
        smime.sign(MESSAGE, signer("alice-ed25519"), policy, signing_time=SIGNING_TIME),
        trust,
        policy,
    )
    data = json.loads(report.to_json())
    assert list(data) == ["valid", "form", "signers", "headers", "failures"]
    assert (data["valid"], data["form"], data["failures"]) == (True, "detached", [])
    [one] = data["signers"]
    attributes = report.signers[0]
    assert one["identity"]["subject"] == attributes.subject
    assert one["identity"]["serial"] == attributes.serial
    assert (one["algorithm"], one["digest"], one["signing_time"]) == (
        attributes.algorithm,
        attributes.digest,
        attributes.signing_time,
    )
    assert data["headers"]["outcome"] == "checked"
    assert repr(report) == "<Report detached valid (1 signers, 0 failures)>"
    assert repr(attributes) == '<SignerReport "CN=alice-ed25519,O=mailsec test" ed25519 valid>'
    assert repr(signer("alice-ed25519")).startswith('<Signer "CN=alice-ed25519,O=mailsec test"')


def _runs_meanwhile(call: Callable[[], object]) -> bool:
    """Whether this thread runs Python code while another thread is inside `call`."""
    state: Dict[str, bool] = {"inside": False, "seen": False}
    done = threading.Event()

    def work() -> None:
        state["inside"] = True
        call()
        state["inside"] = False
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not done.wait(0.0002):
        if state["inside"]:
            state["seen"] = True
    worker.join()
    return state["seen"]


@pytest.mark.parametrize("operation", ["sign", "verify"])
def test_long_operations_release_the_gil(operation: str, trust: TrustStore) -> None:
    big = MESSAGE + b"A line of the report, long enough to take a while.\r\n" * 80_000  # 4 MB
    alice = signer("alice-p256")
    signed = smime.sign(big, alice)
    call: Callable[[], object] = (
        (lambda: smime.sign(big, alice))
        if operation == "sign"
        else (lambda: smime.verify(signed, trust))
    )
    # With a long switch interval, the interpreter does not take the GIL away from the worker
    # between its flag updates and the call: this thread can only see it inside the call if the
    # call itself lets go of the GIL.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    try:
        assert any(_runs_meanwhile(call) for _ in range(5))
    finally:
        sys.setswitchinterval(interval)
