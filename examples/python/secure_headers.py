"""Securing header fields with mailsec.headers (RFC 7508).

A signer builds the SecureHeaderFields attribute of a message and encodes it for its S/MIME
signature; a receiver decodes it and checks it against the message it got. Here the message
is tampered with on the way (its Subject changed, a To added), and the report says so.

    python examples/python/secure_headers.py
"""

from __future__ import annotations

import sys

import mailsec.headers
from mailsec.headers import Policy, SecureHeaderFields

POLICY = """
[secure_headers]
fields = ["From", "To", "Subject", "Date"]
mandatory = ["From", "Subject"]
"""

MESSAGE = (
    b"From: John Doe <jdoe@example.com>\r\n"
    b"Subject: Quarterly report\r\n"
    b"Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    b"\r\n"
    b"Please find the figures attached.\r\n"
)


def main() -> int:
    policy = Policy.from_toml(POLICY)

    # Signing side: the attribute the signature carries among its signed attributes.
    shf = mailsec.headers.build(MESSAGE, policy)
    attribute = shf.to_attribute_der(policy.profile)
    print(f"signed {len(shf)} header fields: {len(attribute)}-byte attribute")
    print(shf, end="")

    # Receiving side: decode the attribute, then compare it with what arrived.
    profile, received = SecureHeaderFields.from_attribute_der(
        attribute, accept=policy.accepted_profiles, policy=policy
    )
    intact = mailsec.headers.verify(received, MESSAGE, policy)
    print(f"as sent ({profile}): {'valid' if intact.valid else 'INVALID'}")

    tampered = MESSAGE.replace(b"Quarterly report", b"Urgent: new bank details").replace(
        b"\r\n\r\n", b"\r\nTo: accounts@example.net\r\n\r\n", 1
    )
    report = mailsec.headers.verify(received, tampered, policy)
    print(report, end="")
    for field in report.fields:
        if field.verdict != "match":
            print(f"{field.name}: {field.verdict} ({field.reason})")
    for extra in report.extra:
        print(f"{extra.name}: not secured by the signature")
    return 0


if __name__ == "__main__":
    sys.exit(main())
