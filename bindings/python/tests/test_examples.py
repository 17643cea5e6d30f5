"""The Python examples in examples/python run and print what they promise."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "python"


def test_clientid_replies_answers_draft_section_8_lines() -> None:
    lines = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\nCLIENTID MAC\r\n"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "clientid_replies.py")],
        input=lines,
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().splitlines() == [
        "250 OK",
        "501 Syntax error in parameters or arguments",
    ]
    assert "client-id-token missing at offset 12" in result.stderr.decode()


def test_secure_headers_reports_the_tampered_copy() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "secure_headers.py")],
        capture_output=True,
        check=True,
    )
    lines = result.stdout.decode().splitlines()
    assert "as sent (rfc7508): valid" in lines
    assert "secure headers: INVALID (canonicalization: relaxed)" in lines
    assert (
        '  subject: "Quarterly report" [duplicated] MISMATCH (value differs); '
        'message has "Urgent: new bank details"'
    ) in lines
    assert '  to: "accounts@example.net" EXTRA: secured field not in the signature' in lines
    assert lines[-2:] == ["subject: mismatch (value differs)", "to: not secured by the signature"]
    assert result.stderr == b""


def test_smime_sign_verify_reports_what_broke() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "smime_sign_verify.py")],
        capture_output=True,
        check=True,
    )
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("signed by CN=alice-ed25519,O=mailsec test (ed25519): ")
    assert lines[1:6] == [
        "as sent: valid",
        "subject changed: INVALID",
        "  subject: mismatch (value differs)",
        "body changed: INVALID",
        "  CN=alice-ed25519,O=mailsec test: signature digest_mismatch",
    ]
    assert lines[6].startswith("failure: signer 1 (CN=alice-ed25519,O=mailsec test): signature ")
    assert len(lines) == 7
    assert result.stderr == b""


def test_pgp_sign_encrypt_reports_what_broke() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "pgp_sign_encrypt.py")],
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().splitlines() == [
        "keys: Alice <alice@example.org> and Bob <bob@example.net> (version 4)",
        "sent: multipart/encrypted, outer Subject: [...]",
        "as sent: valid (encrypted, signed)",
        "  decrypted with Bob's key (AES-256, seipd-v1)",
        "  signature: good by Alice <alice@example.org>",
        "  Subject: obscured, protected value 'Quarterly report'",
        "From changed: INVALID",
        "  From: 'Mallory <ceo@example.org>' outside, 'Alice <alice@example.org>' signed",
        "body changed: refused (bad input: True)",
        "attachment as sent: valid",
        "attachment changed: INVALID, signature bad",
    ]
    assert result.stderr == b""


def test_sieve_lists_files_rejects_and_defers() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "sieve_lists.py")],
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().splitlines() == [
        "requires: envelope, extlists, fileinto, reject, variables",
        "python: Alice@Example.org: fileinto Friends",
        "python: bob@example.net: keep",
        "python: offers@spam.example: reject Mail from *@spam.example is not accepted here",
        "python: alice@example.org: defer (451 4.4.3): "
        "temporary failure: directory server not answering",
        "sqlite list tag:example.com,2026:blocked (address): 2 entries",
        "sqlite list urn:ietf:params:sieve:addrbook:default (address): 1 entries",
        "ManageSieve EXTLISTS: tag urn",
        "sqlite: alice@example.org: fileinto Friends",
        "sqlite: mallory@example.net: reject Mail from mallory@example.net is not accepted here",
        "compile error at line 3, column 1: unknown-command",
        "192.0.2.77 is in 192.0.2.0/24",
    ]
    assert result.stderr == b""
