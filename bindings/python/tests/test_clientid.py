"""mailsec.clientid from Python: the draft §8 lines, boundaries, errors and EHLO detection."""

import pytest

import mailsec
import mailsec.clientid as clientid
from mailsec.clientid import ClientIdCommand, ClientIdSyntaxError, EhloReplyError


def test_draft_8_1_uuid_parses() -> None:
    command = clientid.parse("CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n")
    assert command.type == "UUID"
    assert command.token == "23bf83be-aad7-46aa-9e0f-39191ccf402f"
    assert str(command) == "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f"


def test_draft_8_4_single_argument_is_501() -> None:
    with pytest.raises(ClientIdSyntaxError) as caught:
        clientid.parse("CLIENTID MAC")
    error = caught.value
    assert isinstance(error, mailsec.MailsecError)
    assert isinstance(error, ValueError)
    assert error.reply_code == 501
    assert error.offset == 12
    assert error.code == "missing-token"
    assert error.rule == "client-id-token"
    assert str(error) == "client-id-token missing at offset 12"


@pytest.mark.parametrize(
    "line, code, offset",
    [
        ("CLIENTID ABCDEFGHIJKLMNOPQ x", "type-too-long", 25),
        ("CLIENTID T " + "x" * 129, "token-too-long", 139),
        ("CLIENTID\tUUID x", "bad-character", 8),
        ("CLIENTID  UUID x", "bad-character", 9),
        ("CLIENTID UUID x y", "extra-argument", 16),
        ("CLIENTID UUID x\n", "bad-character", 15),
        ("", "empty", 0),
    ],
)
def test_boundaries_and_errors(line: str, code: str, offset: int) -> None:
    with pytest.raises(ClientIdSyntaxError) as caught:
        clientid.parse(line)
    assert (caught.value.code, caught.value.offset, caught.value.reply_code) == (code, offset, 501)


def test_limits_are_inclusive() -> None:
    assert clientid.parse("CLIENTID ABCDEFGHIJKLMNOP x").type == "ABCDEFGHIJKLMNOP"
    assert len(clientid.parse("CLIENTID T " + "x" * 128).token) == 128


def test_eight_bit_bytes_keep_their_byte_offset() -> None:
    with pytest.raises(ClientIdSyntaxError) as from_bytes:
        clientid.parse(b"CLIENTID UUID caf\xc3\xa9")
    with pytest.raises(ClientIdSyntaxError) as from_str:
        clientid.parse("CLIENTID UUID café")
    assert from_bytes.value.code == from_str.value.code == "non-ascii"
    assert from_bytes.value.offset == from_str.value.offset == 17


def test_lowercase_verb_and_case_insensitive_type() -> None:
    lower = clientid.parse("clientid uuid abc")
    assert lower.type == "uuid"
    assert lower == clientid.parse("CLIENTID UUID abc")
    assert hash(lower) == hash(clientid.parse("CLIENTID UUID abc"))
    assert lower != clientid.parse("CLIENTID UUID ABC")


def test_other_verb_is_500() -> None:
    with pytest.raises(ClientIdSyntaxError) as caught:
        clientid.parse("EHLO client.example.net")
    assert caught.value.reply_code == 500
    assert caught.value.code == "not-clientid"


def test_lenient_accepts_device_id() -> None:
    with pytest.raises(ClientIdSyntaxError):
        clientid.parse("CLIENTID DEVICE_ID a1")
    assert clientid.parse("CLIENTID DEVICE_ID a1", lenient=True).type == "DEVICE_ID"


def test_client_builds_command() -> None:
    command = ClientIdCommand("UUID", "23bf83be-aad7-46aa-9e0f-39191ccf402f")
    assert command.to_line() == b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n"
    assert clientid.parse(command.to_line()) == command
    assert repr(command) == "ClientIdCommand(\"UUID\", \"23bf83be-aad7-46aa-9e0f-39191ccf402f\")"
    with pytest.raises(ClientIdSyntaxError) as caught:
        ClientIdCommand("UUID", "two words")
    assert caught.value.offset == 3
    with pytest.raises(ClientIdSyntaxError):
        ClientIdCommand("DEVICE_ID", "x")
    assert ClientIdCommand("DEVICE_ID", "x", lenient=True).type == "DEVICE_ID"


def test_ehlo_advertises() -> None:
    tls = "250-server.example.com\r\n250-AUTH LOGIN\r\n250 CLIENTID\r\n"
    plain = b"250-server.example.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n"
    assert clientid.ehlo_advertises(tls)
    assert not clientid.ehlo_advertises(plain)
    assert clientid.ehlo_keywords(tls) == ["AUTH", "CLIENTID"]


def test_ehlo_errors() -> None:
    with pytest.raises(EhloReplyError) as caught:
        clientid.ehlo_advertises("250-mx\r\n421 closing\r\n")
    assert caught.value.offset == 8
    assert isinstance(caught.value, mailsec.MailsecError)
    with pytest.raises(EhloReplyError):
        clientid.ehlo_advertises("")


def test_wrong_argument_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        clientid.parse(42)  # type: ignore[arg-type]
