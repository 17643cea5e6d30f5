"""Signing and verifying S/MIME mail with mailsec.smime, header fields secured (RFC 7508).

Alice signs a message with her certificate (from the TEST-ONLY PKI of tests/fixtures/pki),
securing From, To, Subject and Date; the receiver verifies it against the root CA. Then the
message is changed on the way, once in its Subject and once in its body, and the reports say
what broke.

    python examples/python/smime_sign_verify.py [PKI_DIRECTORY]
"""

from __future__ import annotations

import sys
from pathlib import Path

import mailsec.smime
from mailsec.headers import Policy, VerificationReport
from mailsec.smime import Signer, TrustStore

PKI = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pki"

POLICY = """
[secure_headers]
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
"""

MESSAGE = (
    b"From: Alice <alice@example.com>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"Subject: Quarterly report\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"\r\n"
    b"Please find the figures attached.\r\n"
)


def main() -> int:
    pki = Path(sys.argv[1]) if len(sys.argv) > 1 else PKI
    policy = Policy.from_toml(POLICY)

    # Sending side: Alice's certificate and key, and the intermediate CA to send along.
    alice = Signer.from_pem(
        (pki / "alice-ed25519.pem").read_bytes(),
        (pki / "alice-ed25519.key").read_bytes(),
        chain=(pki / "intermediate.pem").read_bytes(),
    )
    signed = mailsec.smime.sign(MESSAGE, alice, policy)
    print(f"signed by {alice.subject} ({alice.algorithm}): {len(signed)} bytes")

    # Receiving side: trust the root CA.
    trust = TrustStore.from_pem((pki / "root.pem").read_bytes())
    report = mailsec.smime.verify(signed, trust, policy)
    print(f"as sent: {'valid' if report.valid else 'INVALID'}")

    changed_subject = signed.replace(b"Quarterly report", b"Urgent: new bank details")
    report = mailsec.smime.verify(changed_subject, trust, policy)
    print(f"subject changed: {'valid' if report.valid else 'INVALID'}")
    if isinstance(report.headers, VerificationReport):
        for field in report.headers.fields:
            if field.verdict != "match":
                print(f"  {field.name}: {field.verdict} ({field.reason})")

    changed_body = signed.replace(b"the figures", b"the new bank details")
    report = mailsec.smime.verify(changed_body, trust, policy)
    print(f"body changed: {'valid' if report.valid else 'INVALID'}")
    for signer in report.signers:
        print(f"  {signer.subject}: signature {signer.signature_failure or 'valid'}")

    for failure in report.failures:
        print(f"failure: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
