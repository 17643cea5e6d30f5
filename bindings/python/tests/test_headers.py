"""mailsec.headers from Python: build, encode, decode, verify, the DCA transforms and errors."""

from __future__ import annotations

import json

import pytest

import mailsec
import mailsec.headers as headers
from mailsec.headers import HeadersError, Policy, PolicyError, SecureHeaderFields

POLICY = """\
[secure_headers]
profile = "rfc7508"
canonicalization = "relaxed"
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
[secure_headers.status]
Subject = { status = "modified", value = "[secured message]" }
To = { status = "deleted" }
"""

MESSAGE = (
    b"From: John Doe <jdoe@example.com>\r\n"
    b"To: Mary Smith <mary@example.com>\r\n"
    b"Subject:  This is\r\n  a test\r\n"
    b"Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    b"Message-ID: <1234@local.machine.example>\r\n"
    b"\r\n"
    b"Hello\r\n"
)


@pytest.fixture
def policy() -> Policy:
    return Policy.from_toml(POLICY)


@pytest.fixture
def signed(policy: Policy) -> SecureHeaderFields:
    """What a receiver decodes from the signature over MESSAGE."""
    return SecureHeaderFields.from_der(headers.build(MESSAGE, policy).to_der())


def test_policy_properties(policy: Policy) -> None:
    assert policy.profile == "rfc7508"
    assert policy.canonicalization == "relaxed"
    assert policy.fields == ["From", "To", "Subject", "Date"]
    assert policy.mandatory == ["From", "Subject"]
    assert policy.accepted_profiles == ["rfc7508"]
    assert policy.secures("SUBJECT") and not policy.secures("Message-ID")
    assert (policy.status("to"), policy.status("Subject"), policy.status("From")) == (
        "deleted",
        "modified",
        "duplicated",
    )
    assert policy.status("Cc") is None
    assert policy == Policy.from_toml(POLICY)


def test_build_encode_decode_verify_round_trip(policy: Policy) -> None:
    shf = headers.build(MESSAGE, policy)
    assert shf.algorithm == "relaxed"
    assert [(f.name, f.value, f.status) for f in shf.fields] == [
        ("from", "John Doe <jdoe@example.com>", "duplicated"),
        ("to", "Mary Smith <mary@example.com>", "deleted"),
        ("subject", "This is a test", "modified"),
        ("date", "Fri, 21 Nov 1997 09:55:06 -0600", "duplicated"),
    ]
    assert shf.fields[2].value_bytes == b"This is a test"
    assert len(shf) == 4

    der = shf.to_der()
    assert der[0] == 0x31  # SecureHeaderFields ::= SET
    decoded = SecureHeaderFields.from_der(der)
    assert decoded == shf
    assert hash(decoded) == hash(shf)
    assert str(decoded) == str(shf)
    assert str(shf).splitlines()[:2] == [
        "canonicalization: relaxed",
        "from: John Doe <jdoe@example.com> [duplicated]",
    ]

    profile, from_attribute = SecureHeaderFields.from_attribute_der(shf.to_attribute_der())
    assert (profile, from_attribute) == ("rfc7508", shf)

    report = headers.verify(decoded, MESSAGE, policy)
    assert report.valid is True
    assert report.algorithm == "relaxed"
    assert [(f.name, f.verdict, f.reason) for f in report.fields] == [
        ("from", "match", None),
        ("to", "match", None),
        ("subject", "match", None),
        ("date", "match", None),
    ]
    assert report.extra == [] and report.mandatory_missing == []
    assert str(report).startswith("secure headers: valid (canonicalization: relaxed)\n")


def test_tampered_subject_is_a_mismatch(policy: Policy, signed: SecureHeaderFields) -> None:
    tampered = MESSAGE.replace(b"Subject:  This is\r\n  a test", b"Subject: Pay this invoice")
    report = headers.verify(signed, tampered, policy)
    assert report.valid is False
    subject = report.field("Subject")
    assert subject is not None
    assert subject.verdict == "mismatch"
    assert subject.reason == "value differs"
    assert subject.signed_value == "This is a test"
    assert subject.signed_value_bytes == b"This is a test"
    assert subject.message_values == ["Pay this invoice"]
    assert subject.status == "modified"
    assert [f.name for f in report.fields if f.verdict != "match"] == ["subject"]
    assert (
        '  subject: "This is a test" [modified] MISMATCH (value differs); '
        'message has "Pay this invoice"'
    ) in str(report).splitlines()


def test_added_to_line_is_extra(policy: Policy, signed: SecureHeaderFields) -> None:
    injected = MESSAGE.replace(b"\r\n\r\n", b"\r\nTo: attacker@evil.example\r\n\r\n", 1)
    report = headers.verify(signed, injected, policy)
    assert report.valid is False
    assert [(e.name, e.value, e.value_bytes) for e in report.extra] == [
        ("to", "attacker@evil.example", b"attacker@evil.example")
    ]
    to = report.field("to")
    assert to is not None and to.verdict == "match"
    assert to.message_values == ["Mary Smith <mary@example.com>", "attacker@evil.example"]


def test_removed_from_is_missing(policy: Policy, signed: SecureHeaderFields) -> None:
    without_from = MESSAGE.replace(b"From: John Doe <jdoe@example.com>\r\n", b"")
    report = headers.verify(signed, without_from, policy)
    assert report.valid is False
    from_ = report.field("from")
    assert from_ is not None
    assert (from_.verdict, from_.reason, from_.message_values) == ("missing", None, [])
    # The signature secures From: only the message lacks it.
    assert report.mandatory_missing == []


def test_mandatory_field_not_secured(policy: Policy) -> None:
    lax = Policy.from_toml('[secure_headers]\nfields = ["From"]\n')
    shf = headers.build(MESSAGE, lax)
    report = headers.verify(shf, MESSAGE, policy)
    assert report.valid is False
    assert [(m.name, m.in_message) for m in report.mandatory_missing] == [("Subject", True)]
    assert "  Subject: MANDATORY field present in the message" in str(report)


def test_apply_then_restore_verifies(policy: Policy, signed: SecureHeaderFields) -> None:
    outer = headers.apply(MESSAGE, signed, policy)
    assert isinstance(outer, bytes)
    assert b"To:" not in outer
    assert b"Subject: [secured message]\r\n" in outer
    assert outer.endswith(b"\r\n\r\nHello\r\n")
    assert headers.verify(signed, outer, policy).valid is False

    restored = headers.restore(outer, signed, policy)
    report = headers.verify(signed, restored, policy)
    assert report.valid, str(report)


def test_json_report(policy: Policy, signed: SecureHeaderFields) -> None:
    tampered = MESSAGE.replace(b"a test", b"another test")
    data = json.loads(headers.verify(signed, tampered, policy).to_json())
    assert data["valid"] is False
    assert data["algorithm"] == "relaxed"
    subject = [f for f in data["fields"] if f["name"] == "subject"][0]
    assert subject["verdict"] == {"result": "mismatch", "reason": "value_differs"}
    assert json.loads(headers.verify(signed, MESSAGE, policy).to_json())["valid"] is True


def test_report_values_that_are_not_utf8(policy: Policy, signed: SecureHeaderFields) -> None:
    tampered = MESSAGE.replace(b"a test", b"a t\xffst")
    subject = headers.verify(signed, tampered, policy).field("subject")
    assert subject is not None
    assert subject.message_values == ["This is a t\ufffdst"]


@pytest.mark.parametrize(
    "text, line, column",
    [
        ('[secure_headers]\nfields = ["From"]\nbogus = 1\n', 3, 1),
        ('[secure_headers]\nfields = "From"\n', 2, 10),
        ('[secure_headers]\nfields = ["From"]\n[smime]\n', 3, 2),
    ],
)
def test_bad_policy_has_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml(text)
    error = caught.value
    assert isinstance(error, mailsec.MailsecError)
    assert isinstance(error, ValueError)
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"line {line}, column {column}: ")


def test_policy_without_secure_headers_table() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml("")
    assert (caught.value.line, caught.value.column) == (None, None)
    assert "no [secure_headers] table" in str(caught.value)


def test_malformed_der() -> None:
    with pytest.raises(HeadersError) as caught:
        SecureHeaderFields.from_der(b"\x31\x03\x0a\x01")
    error = caught.value
    assert isinstance(error, mailsec.MailsecError)
    assert isinstance(error, ValueError)
    assert error.code == "malformed"
    assert error.offset == 4
    assert error.field is None
    assert str(error).startswith("malformed SecureHeaderFields at byte 4")


def test_draft05_cannot_carry_non_ascii_subject() -> None:
    draft = Policy.from_toml(
        '[secure_headers]\nprofile = "draft-05"\nfields = ["From", "Subject"]\n'
    )
    assert draft.profile == "draft-05"
    assert draft.accepted_profiles == ["rfc7508", "draft-05"]
    message = "From: a@example.com\r\nSubject: Café\r\n\r\n".encode()
    with pytest.raises(HeadersError) as caught:
        headers.build(message, draft)
    assert caught.value.code == "unrepresentable"
    assert caught.value.field == "subject"
    assert '"subject"' in str(caught.value) and "draft-05" in str(caught.value)

    # The same field under RFC 7508 builds, and refuses the draft-05 encoding.
    shf = headers.build(message, Policy.from_toml('[secure_headers]\nfields = ["Subject"]\n'))
    assert shf.fields[0].value == "Café"
    with pytest.raises(HeadersError) as encoding:
        shf.to_der("draft-05")
    assert (encoding.value.code, encoding.value.field) == ("unrepresentable", "subject")


def test_draft05_attribute_needs_accepting(policy: Policy) -> None:
    attribute = headers.build(MESSAGE, policy).to_attribute_der("draft-05")
    with pytest.raises(HeadersError) as caught:
        SecureHeaderFields.from_attribute_der(attribute)
    assert caught.value.code == "profile-not-accepted"
    profile, shf = SecureHeaderFields.from_attribute_der(attribute, accept=["rfc7508", "draft-05"])
    assert profile == "draft-05"
    assert headers.verify(shf, MESSAGE, policy).valid


def test_unknown_names_are_value_errors(signed: SecureHeaderFields) -> None:
    for call in (
        lambda: signed.to_der("rfc-7508"),
        lambda: SecureHeaderFields.from_der(b"", "draft05"),
        lambda: SecureHeaderFields.from_attribute_der(b"", accept=["x"]),
        lambda: SecureHeaderFields.from_attribute_der(b"", accept=[]),
        lambda: headers.canonicalize(MESSAGE, "nowsp"),
    ):
        with pytest.raises(ValueError) as caught:
            call()
        assert not isinstance(caught.value, mailsec.MailsecError)
    assert signed.to_der("RFC7508") == signed.to_der()


def test_policy_limits_apply_to_decoding(signed: SecureHeaderFields) -> None:
    small = Policy.from_toml(
        '[secure_headers]\nfields = ["From"]\n[secure_headers.limits]\nmax_der_bytes = 16\n'
    )
    der = signed.to_der()
    assert SecureHeaderFields.from_der(der) == signed
    with pytest.raises(HeadersError) as caught:
        SecureHeaderFields.from_der(der, policy=small)
    assert caught.value.code == "limit-exceeded"


def test_nothing_to_secure(policy: Policy) -> None:
    with pytest.raises(HeadersError) as caught:
        headers.build(b"Message-ID: <x@y>\r\n\r\n", policy)
    assert caught.value.code == "nothing-to-secure"


def test_canonicalize() -> None:
    assert headers.canonicalize(MESSAGE)[2] == ("subject", "This is a test")
    assert headers.canonicalize(MESSAGE, "simple")[2] == ("Subject", "  This is\r\n  a test")
