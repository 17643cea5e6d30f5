"""Signing and encrypting mail with mailsec.pgp: OpenPGP (RFC 9580) and PGP/MIME (RFC 3156).

Alice and Bob make keys and exchange certificates. Alice signs a message and encrypts it to Bob
(and to herself, to read her sent mail) as one PGP/MIME message; its header fields travel
protected inside, the Subject hidden outside (RFC 9788). Bob opens it and reads the report.
Then the message is changed on the way, once in its From and once in its encrypted body, and
the reports say what broke. Last, a detached signature over an attachment, checked as sent and
after a change.

    python examples/python/pgp_sign_encrypt.py
"""

from __future__ import annotations

import sys

import mailsec.pgp as pgp
from mailsec.pgp import Key, PgpError

MESSAGE = (
    b"From: Alice <alice@example.org>\r\n"
    b"To: Bob <bob@example.net>\r\n"
    b"Subject: Quarterly report\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Please find the figures attached.\r\n"
)

ATTACHMENT = b"quarter,revenue\r\nQ3,1200000\r\n"


def main() -> int:
    # Each side makes a key (kept secret) and publishes its certificate (the public part).
    alice, _alice_revocation = Key.generate("Alice <alice@example.org>")
    bob, _bob_revocation = Key.generate("Bob <bob@example.net>")
    alice_cert = Key.from_bytes(alice.public().export_cert())
    bob_cert = Key.from_bytes(bob.public().export_cert())
    print(f"keys: {alice.user_ids[0]} and {bob.user_ids[0]} (version {alice.version})")

    # Sending side.
    sealed = pgp.encrypt_message(MESSAGE, [bob_cert, alice_cert], sign_with=alice)
    outer = sealed.split(b"\r\n\r\n", 1)[0]
    subject = next(line for line in outer.split(b"\r\n") if line.startswith(b"Subject:"))
    print(f"sent: multipart/encrypted, outer {subject.decode()}")

    # Receiving side.
    opened = pgp.open_message(sealed, keys=bob, certs=alice_cert)
    print(f"as sent: {'valid' if opened.is_valid else 'INVALID'} ({opened.kind}, signed)")
    decryption = opened.decryption
    if decryption is not None:
        whose = "Bob's key" if decryption.decrypted_with_cert == bob.fingerprint else "?"
        print(f"  decrypted with {whose} ({decryption.symmetric_algorithm}, "
              f"{decryption.protection})")
    for checked in opened.signatures.signatures:
        print(f"  signature: {checked.verdict} by {checked.signer_user_id}")
    for header in opened.headers:
        if header.status != "match":
            print(f"  {header.name}: {header.status}, protected value {header.protected!r}")

    forged = sealed.replace(b"From: Alice <alice@example.org>", b"From: Mallory <ceo@example.org>")
    opened = pgp.open_message(forged, keys=bob, certs=alice_cert)
    print(f"From changed: {'valid' if opened.is_valid else 'INVALID'}")
    for header in opened.headers:
        if header.status == "differs":
            print(f"  {header.name}: {header.outer!r} outside, {header.protected!r} signed")

    # Change one base64 letter in the middle of the encrypted part.
    start, end = sealed.index(b"-----BEGIN PGP MESSAGE-----"), sealed.index(b"-----END PGP")
    lines = sealed[start:end].split(b"\r\n")
    victim = lines[len(lines) // 2]
    changed = victim[:10] + (b"B" if victim[10:11] == b"A" else b"A") + victim[11:]
    try:
        pgp.open_message(sealed.replace(victim, changed, 1), keys=bob, certs=alice_cert)
        print("body changed: opened")
    except PgpError as error:
        # bad_input: the message is at fault, not our keys: an MTA bounces it.
        print(f"body changed: refused (bad input: {error.bad_input})")

    # A detached signature over a file, as `gpg --detach-sign` makes.
    signature = pgp.sign(ATTACHMENT, alice)
    report = pgp.verify(ATTACHMENT, signature, certs=alice_cert)
    print(f"attachment as sent: {'valid' if report.is_valid else 'INVALID'}")
    report = pgp.verify(ATTACHMENT.replace(b"1200000", b"9200000"), signature, certs=alice_cert)
    print(f"attachment changed: {'valid' if report.is_valid else 'INVALID'}, "
          f"signature {report.signatures[0].verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
