"""mailsec.pgp from Python: keys, the key store, signatures, encryption, PGP/MIME, the errors,
the GIL, and interoperability with GnuPG (the gpg binary, in a throwaway home directory)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest

import mailsec
import mailsec.pgp as pgp
from mailsec.pgp import (
    Key,
    KeyStore,
    PgpDecryptionError,
    PgpError,
    PgpKeyError,
    PgpLimitError,
    PgpLockedKeyError,
    PgpMalformedError,
    PgpStoreError,
    PgpUsageError,
)

ALICE = "Alice <alice@example.org>"
BOB = "Bob <bob@example.net>"
CAROL = "Carol <carol@example.net>"
CAROL_PASSWORD = "carol's passphrase"

DATA = b"Minutes of the meeting of 23 November.\r\n"

MESSAGE = (
    b"From: Alice <alice@example.org>\r\n"
    b"To: Bob <bob@example.net>\r\n"
    b"Subject: Quarterly figures\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <1@example.org>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello Bob,\r\n"
    b"the figures are attached.\r\n"
)


@pytest.fixture(scope="module")
def alice() -> Key:
    return Key.generate(ALICE)[0]


@pytest.fixture(scope="module")
def bob() -> Key:
    return Key.generate(BOB)[0]


def statuses(opened: pgp.Opened) -> Dict[str, str]:
    return {h.name.lower(): h.status for h in opened.headers}


def signing_key(key: Key) -> str:
    """The fingerprint of the (sub)key that signs for `key`."""
    [one] = pgp.verify(DATA, pgp.sign(DATA, key), certs=key).signatures
    assert one.signing_key is not None
    return one.signing_key


# Keys


def test_generate(alice: Key) -> None:
    key, revocation = Key.generate(ALICE)
    assert key.user_ids == [ALICE]
    assert key.emails == ["alice@example.org"]
    assert key.version == 4
    assert (key.has_secret, key.is_locked) == (True, False)
    assert len(key.fingerprint) == 40 and key.fingerprint == key.fingerprint.upper()
    assert key.fingerprint.endswith(key.key_id) and len(key.key_id) == 16
    # A primary key, a signing subkey, an encryption subkey.
    assert len(key.key_fingerprints) == 3 and key.key_fingerprints[0] == key.fingerprint
    assert key.fingerprint != alice.fingerprint
    assert revocation.startswith(b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert f"Revocation certificate for {key.fingerprint}".encode() in revocation
    assert (key.is_revoked(), key.invalidity()) == (False, None)


def test_generate_rsa_and_version_6() -> None:
    rsa, _ = Key.generate("RSA <rsa@example.org>", cipher_suite="rsa3k")
    signature = pgp.sign(DATA, rsa)
    [one] = pgp.verify(DATA, signature, certs=rsa).signatures
    assert (one.verdict, one.public_key_algorithm) == ("good", "RSA")

    v6, _ = Key.generate("Six <six@example.org>", profile="rfc9580")
    assert v6.version == 6
    assert len(v6.fingerprint) == 64 and v6.fingerprint.startswith(v6.key_id)
    decrypted = pgp.decrypt(pgp.encrypt(DATA, v6, sign_with=v6), v6, verify_with=v6)
    assert decrypted.content == DATA
    assert decrypted.report.protection == "seipd-v2"
    assert decrypted.report.aead_algorithm is not None
    assert decrypted.report.signatures.is_valid


def test_generate_errors() -> None:
    with pytest.raises(PgpUsageError) as caught:
        Key.generate(ALICE, cipher_suite="dsa1024")
    assert isinstance(caught.value, ValueError)
    assert (caught.value.code, caught.value.bad_input) == ("usage", False)
    assert str(caught.value) == 'unknown cipher suite "dsa1024" (cv25519, rsa3k, rsa4k)'
    with pytest.raises(PgpUsageError, match="unknown profile"):
        Key.generate(ALICE, profile="rfc2440")
    with pytest.raises(PgpUsageError, match="user ID"):
        Key.generate("  ")


def test_validity() -> None:
    lasting, _ = Key.generate(ALICE, validity=3600)
    assert lasting.invalidity() is None
    fleeting, _ = Key.generate(ALICE, validity=1)
    deadline = time.monotonic() + 5
    while fleeting.invalidity() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "xpired" in (fleeting.invalidity() or "")
    with pytest.raises(PgpKeyError) as caught:
        pgp.sign(DATA, fleeting)
    assert (caught.value.code, caught.value.purpose) == ("no-valid-key", "signing")


def test_export_and_read_back(alice: Key) -> None:
    armored = alice.export_cert()
    assert armored.startswith(b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    binary = alice.export_cert(armor=False)
    assert not binary.startswith(b"-----")
    for data in (armored, binary):
        cert = Key.from_bytes(data)
        assert (cert.fingerprint, cert.has_secret) == (alice.fingerprint, False)
        assert cert == alice.public()

    secret = alice.export_secret()
    assert secret.startswith(b"-----BEGIN PGP PRIVATE KEY BLOCK-----")
    for data in (secret, alice.export_secret(armor=False)):
        key = Key.from_bytes(data)
        assert key.has_secret and key == alice

    with pytest.raises(PgpKeyError) as caught:
        alice.public().export_secret()
    assert (caught.value.code, caught.value.fingerprint) == ("no-secret-key", alice.fingerprint)


def test_read_keyring(alice: Key, bob: Key) -> None:
    ring = Key.read_keyring(alice.export_cert() + bob.export_cert())
    assert [k.fingerprint for k in ring] == [alice.fingerprint, bob.fingerprint]
    binary = Key.read_keyring(alice.export_cert(armor=False) + bob.export_secret(armor=False))
    assert [(k.fingerprint, k.has_secret) for k in binary] == [
        (alice.fingerprint, False),
        (bob.fingerprint, True),
    ]
    with pytest.raises(PgpMalformedError) as caught:
        Key.read_keyring(b"")
    assert (caught.value.code, caught.value.what) == ("malformed", "key")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a key at all",
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
        bytes([0x99, 0x00, 0x0D, 0x04]) + bytes(13),
    ],
)
def test_malformed_key(data: bytes) -> None:
    with pytest.raises(PgpMalformedError) as caught:
        Key.from_bytes(data)
    error = caught.value
    assert isinstance(error, PgpError) and isinstance(error, mailsec.MailsecError)
    assert isinstance(error, ValueError)
    assert (error.code, error.what, error.offset, error.bad_input) == (
        "malformed",
        "key",
        None,
        True,
    )
    assert str(error).startswith("malformed OpenPGP key: ")


def test_too_large_input_is_a_limit_error() -> None:
    with pytest.raises(PgpLimitError) as caught:
        Key.from_bytes(bytes(64 * 1024 * 1024 + 1))
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.code, error.limit, error.max, error.actual, error.bad_input) == (
        "limit-exceeded",
        "input_bytes",
        64 * 1024 * 1024,
        64 * 1024 * 1024 + 1,
        True,
    )


def test_lock_and_unlock(alice: Key) -> None:
    locked = alice.lock("correct horse")
    assert (locked.is_locked, alice.is_locked) == (True, False)
    assert locked.fingerprint == alice.fingerprint
    assert locked != alice  # the secrets differ in protection
    again = Key.from_bytes(locked.export_secret())
    assert again.is_locked

    for call in (
        lambda: pgp.sign(DATA, locked),
        lambda: pgp.decrypt(pgp.encrypt(DATA, alice), locked),
        lambda: locked.revocation_certificate(),
        lambda: locked.lock("another"),
        lambda: locked.unlock("wrong password"),
    ):
        with pytest.raises(PgpLockedKeyError) as caught:
            call()
        assert isinstance(caught.value, PgpKeyError)
        assert caught.value.code == "locked"
        assert caught.value.fingerprint in alice.key_fingerprints
        assert caught.value.bad_input is False

    unlocked = again.unlock("correct horse")
    assert not unlocked.is_locked
    assert unlocked == alice
    assert pgp.verify(DATA, pgp.sign(DATA, unlocked), certs=alice).is_valid

    protected, _ = Key.generate(BOB, password="pw")
    assert protected.is_locked
    assert not protected.unlock("pw").is_locked


def test_merge(alice: Key, bob: Key) -> None:
    merged = alice.public().merge(alice)
    assert merged.has_secret and merged == alice
    assert alice.merge(alice.public()) == alice
    with pytest.raises(PgpUsageError, match="different keys"):
        alice.merge(bob)


def test_revocation(alice: Key, bob: Key) -> None:
    key, revocation = Key.generate(ALICE)
    revoked = key.public().apply_revocation(revocation)
    assert revoked.is_revoked() and not key.is_revoked()
    assert revoked.invalidity() == "revoked"
    # Keys are values: the revoked copy is another key.
    assert revoked != key.public() and revoked.fingerprint == key.fingerprint

    later = key.revocation_certificate("compromised", "the laptop was stolen")
    assert later.startswith(b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert key.apply_revocation(later).is_revoked()
    # A revocation merged from a certificate someone sends.
    assert key.merge(Key.from_bytes(revoked.export_cert())).is_revoked()

    with pytest.raises(PgpKeyError) as caught:
        pgp.sign(DATA, key.apply_revocation(later))
    assert (caught.value.code, caught.value.purpose) == ("no-valid-key", "signing")
    with pytest.raises(PgpKeyError) as caught:
        pgp.encrypt(DATA, revoked)
    assert (caught.value.code, caught.value.purpose) == ("no-valid-key", "encryption")
    assert caught.value.fingerprint == key.fingerprint

    with pytest.raises(PgpMalformedError) as malformed:
        alice.apply_revocation(later)  # another key's
    assert malformed.value.what == "revocation"
    with pytest.raises(PgpMalformedError):
        alice.apply_revocation(b"garbage")
    with pytest.raises(PgpUsageError):
        alice.revocation_certificate("tired")
    with pytest.raises(PgpKeyError) as no_secret:
        alice.public().revocation_certificate()
    assert (no_secret.value.code, no_secret.value.purpose) == ("no-secret-key", "certification")


def test_keys_are_frozen_values(alice: Key, bob: Key) -> None:
    with pytest.raises(AttributeError):
        setattr(alice, "fingerprint", bob.fingerprint)
    assert alice == Key.from_bytes(alice.export_secret())
    assert alice != alice.public() and alice != bob and alice != alice.fingerprint
    assert hash(alice) == hash(alice.public())
    assert len({alice, Key.from_bytes(alice.export_secret()), bob}) == 2
    assert repr(alice) == f'<Key {alice.fingerprint} "{ALICE}" (secret)>'
    assert repr(alice.public()).endswith("(public)>")
    assert repr(alice.lock("pw")).endswith("(secret, locked)>")


# The key store


def test_key_store(tmp_path: Path, alice: Key, bob: Key) -> None:
    store = KeyStore(tmp_path / "keys")
    assert store.path == tmp_path / "keys" and store.path.is_dir()
    assert store.list() == []
    assert store.insert(alice.public()) == alice.public()
    assert store.insert(bob.public()).fingerprint == bob.fingerprint
    assert sorted(k.fingerprint for k in store.list()) == sorted(
        [alice.fingerprint, bob.fingerprint]
    )

    got = store.get(alice.fingerprint.lower())
    assert got is not None and got == alice.public()
    assert store.get("0" * 40) is None
    assert store.get("not hex") is None

    subkey = alice.key_fingerprints[2]
    for query in (
        "alice@example.org",
        "<ALICE@example.org>",
        alice.key_id,
        "0x" + alice.key_id.lower(),
        subkey,
        subkey[-16:],
    ):
        assert [k.fingerprint for k in store.lookup(query)] == [alice.fingerprint], query
    assert store.lookup("carol@example.net") == []

    # Inserting the secret key merges it in; a second store on the directory sees it.
    assert store.insert(alice).has_secret
    other = KeyStore(str(tmp_path / "keys"))
    stored = other.get(alice.fingerprint)
    assert stored is not None and stored == alice

    assert store.remove(alice.fingerprint) is True
    assert store.remove(alice.fingerprint) is False
    assert [k.fingerprint for k in other.list()] == [bob.fingerprint]
    assert repr(store) == f'<KeyStore "{tmp_path / "keys"}">'


def test_key_store_errors(tmp_path: Path, alice: Key) -> None:
    file = tmp_path / "file"
    file.write_bytes(b"")
    with pytest.raises(PgpStoreError) as caught:
        KeyStore(file)
    error = caught.value
    assert isinstance(error, OSError) and isinstance(error, PgpError)
    assert (error.code, error.path, error.bad_input) == ("store", str(file), False)

    store = KeyStore(tmp_path / "keys")
    store.insert(alice.public())
    corrupt = tmp_path / "keys" / f"{alice.fingerprint}.pgp"
    corrupt.write_bytes(b"garbage")
    with pytest.raises(PgpStoreError) as caught:
        store.list()
    assert caught.value.path == str(corrupt)


# Signing and verifying


@pytest.mark.parametrize("armor", [True, False])
def test_detached_signature(alice: Key, armor: bool) -> None:
    before = time.time()
    signature = pgp.sign(DATA, alice, armor=armor)
    assert signature.startswith(b"-----BEGIN PGP SIGNATURE-----") == armor
    report = pgp.verify(DATA, signature, certs=[alice.public()])
    assert report.is_valid
    assert report.good_signers == [alice.fingerprint]
    [one] = report.signatures
    assert one.verdict == "good" and one.detail is None
    assert one.signer_cert == alice.fingerprint
    assert one.signing_key in alice.key_fingerprints
    assert one.issuer == one.signing_key
    assert one.signer_user_id == ALICE
    assert one.key_valid is True
    assert one.created is not None and abs(one.created - before) < 120
    assert (one.hash_algorithm, one.public_key_algorithm) == ("SHA256", "EdDSA")
    assert str(report) == f"signature 1: good by {ALICE} (EdDSA, SHA256)"
    assert repr(report) == "<VerificationReport valid (1 signatures, 1 good)>"
    assert repr(one) == f'<SignatureReport good by "{ALICE}" (EdDSA, SHA256)>'


def test_two_signers(alice: Key, bob: Key) -> None:
    signature = pgp.sign(DATA, [alice, bob])
    report = pgp.verify(DATA, signature, certs=[alice, bob])
    assert report.is_valid
    assert sorted(report.good_signers) == sorted([alice.fingerprint, bob.fingerprint])
    # Only Alice's certificate at hand: Bob's signature is unknown, Alice's still holds.
    partial = pgp.verify(DATA, signature, certs=alice)
    assert sorted(s.verdict for s in partial.signatures) == ["good", "unknown-signer"]
    assert partial.is_valid


def test_tampered_data_or_signature_is_bad(alice: Key) -> None:
    signature = pgp.sign(DATA, alice, armor=False)
    report = pgp.verify(DATA.replace(b"23", b"24"), signature, certs=alice)
    assert not report.is_valid and report.good_signers == []
    [one] = report.signatures
    assert one.verdict == "bad"
    assert one.detail
    assert one.signer_cert == alice.fingerprint

    tampered = bytearray(signature)
    tampered[-1] ^= 0x01  # the last octet of the signature value
    [one] = pgp.verify(DATA, bytes(tampered), certs=alice).signatures
    assert one.verdict == "bad"
    assert str(pgp.verify(DATA, bytes(tampered), certs=alice)).startswith(
        f"signature 1: bad by {ALICE} (EdDSA, SHA256): "
    )


def test_unknown_signer(alice: Key, bob: Key) -> None:
    report = pgp.verify(DATA, pgp.sign(DATA, alice), certs=bob)
    assert not report.is_valid
    [one] = report.signatures
    assert one.verdict == "unknown-signer"
    assert (one.signer_cert, one.signer_user_id, one.key_valid) == (None, None, None)
    assert one.issuer in alice.key_fingerprints


def test_inline_signature(alice: Key) -> None:
    for armor in (True, False):
        signed = pgp.sign(DATA, alice, detached=False, armor=armor)
        assert signed.startswith(b"-----BEGIN PGP MESSAGE-----") == armor
        verified = pgp.verify_inline(signed, alice)
        assert verified.content == DATA
        assert verified.report.is_valid
        assert verified.report.good_signers == [alice.fingerprint]
        assert verified.content is verified.content  # made once
        assert repr(verified) == f"<Verified {len(DATA)} bytes, valid>"
    unknown = pgp.verify_inline(pgp.sign(DATA, alice, detached=False), certs=[])
    assert unknown.content == DATA
    assert [s.verdict for s in unknown.report.signatures] == ["unknown-signer"]


def test_signature_errors(alice: Key) -> None:
    with pytest.raises(PgpUsageError):
        pgp.sign(DATA, [])
    with pytest.raises(PgpKeyError) as caught:
        pgp.sign(DATA, alice.public())
    assert (caught.value.code, caught.value.purpose) == ("no-secret-key", "signing")
    with pytest.raises(PgpMalformedError) as malformed:
        pgp.verify(DATA, b"not a signature", certs=alice)
    assert malformed.value.what == "signature"
    with pytest.raises(PgpMalformedError) as malformed:
        pgp.verify_inline(b"not a message", alice)
    assert malformed.value.what == "message"


def test_report_json(alice: Key) -> None:
    report = pgp.verify(DATA, pgp.sign(DATA, alice), certs=alice)
    data = json.loads(report.to_json())
    [one] = data["signatures"]
    attributes = report.signatures[0]
    assert one == json.loads(attributes.to_json())
    assert (one["verdict"], one["signer_cert"], one["created"], one["key_valid"]) == (
        "good",
        alice.fingerprint,
        attributes.created,
        True,
    )


# Encrypting and decrypting


@pytest.mark.parametrize("armor", [True, False])
def test_encrypt_and_decrypt(alice: Key, bob: Key, armor: bool) -> None:
    sealed = pgp.encrypt(DATA, [bob.public(), alice.public()], armor=armor)
    assert sealed.startswith(b"-----BEGIN PGP MESSAGE-----") == armor
    assert DATA not in sealed
    for reader in (alice, bob):
        decrypted = pgp.decrypt(sealed, reader)
        assert decrypted.content == DATA
        report = decrypted.report
        assert report.decrypted_with_cert == reader.fingerprint
        assert report.decrypted_with in reader.key_fingerprints
        assert len(report.recipients) == 2
        # Version 4 keys ask for SEIPD v1, which GnuPG 2.2 reads.
        assert (report.protection, report.aead_algorithm) == ("seipd-v1", None)
        assert report.symmetric_algorithm == "AES-256"
        assert report.signatures.signatures == []
        assert str(report).startswith(f"decrypted with {report.decrypted_with} (AES-256, ")
        assert decrypted.report is decrypted.report  # made once


def test_sign_then_encrypt(alice: Key, bob: Key) -> None:
    sealed = pgp.encrypt(DATA, bob.public(), sign_with=alice)
    decrypted = pgp.decrypt(sealed, bob, verify_with=alice.public())
    assert decrypted.content == DATA
    signatures = decrypted.report.signatures
    assert signatures.is_valid and signatures.good_signers == [alice.fingerprint]
    assert repr(decrypted) == f"<Decrypted {len(DATA)} bytes, 1 signatures>"
    data = json.loads(decrypted.report.to_json())
    assert data["protection"] == "seipd-v1"
    assert data["signatures"]["signatures"][0]["verdict"] == "good"
    # Without Alice's certificate, the signature is there but unchecked.
    unchecked = pgp.decrypt(sealed, bob).report.signatures
    assert [s.verdict for s in unchecked.signatures] == ["unknown-signer"]
    assert not unchecked.is_valid


def test_wrong_recipient(alice: Key, bob: Key) -> None:
    sealed = pgp.encrypt(DATA, bob.public())
    with pytest.raises(PgpDecryptionError) as caught:
        pgp.decrypt(sealed, alice)
    error = caught.value
    assert (error.code, error.bad_input) == ("no-decryption-key", True)
    [recipient] = error.recipients
    assert any(fpr.endswith(recipient) for fpr in bob.key_fingerprints[1:])
    assert recipient in str(error)


def test_decryption_errors(alice: Key, bob: Key) -> None:
    with pytest.raises(PgpUsageError):
        pgp.encrypt(DATA, [])
    with pytest.raises(PgpMalformedError) as malformed:
        pgp.decrypt(b"not a message", alice)
    assert (malformed.value.what, malformed.value.bad_input) == ("message", True)
    sealed = bytearray(pgp.encrypt(DATA * 100, bob.public(), armor=False))
    sealed[len(sealed) // 2] ^= 0x01
    with pytest.raises(PgpError) as caught:
        pgp.decrypt(bytes(sealed), bob)
    assert caught.value.bad_input


# PGP/MIME


def test_sign_and_open_message(alice: Key) -> None:
    signed = pgp.sign_message(MESSAGE, alice)
    head = signed.split(b"\r\n\r\n", 1)[0]
    assert b"multipart/signed" in head
    assert b'protocol="application/pgp-signature"' in head
    assert b"micalg=pgp-sha256" in head
    assert b"Subject: Quarterly figures" in head

    opened = pgp.open_message(signed, certs=alice.public())
    assert opened.kind == "signed"
    assert (opened.is_valid, opened.is_signed, opened.is_encrypted) == (True, True, False)
    assert opened.decryption is None
    assert opened.signatures.good_signers == [alice.fingerprint]
    assert opened.content.endswith(b"Hello Bob,\r\nthe figures are attached.\r\n")
    checks = statuses(opened)
    assert checks["from"] == checks["subject"] == checks["to"] == "match"
    data = json.loads(opened.to_json())
    assert data["kind"] == "signed" and "content" not in data
    assert repr(opened).startswith("<Opened signed valid (1 signatures, ")


def test_signed_message_changed_on_the_way(alice: Key) -> None:
    signed = pgp.sign_message(MESSAGE, alice)
    # The outer Subject comes first; the protected copy inside the signed part is untouched.
    relabelled = signed.replace(b"Subject: Quarterly figures", b"Subject: Urgent: pay now", 1)
    opened = pgp.open_message(relabelled, certs=alice)
    assert opened.signatures.is_valid and not opened.is_valid
    [subject] = [h for h in opened.headers if h.name.lower() == "subject"]
    assert (subject.status, subject.protected, subject.outer) == (
        "differs",
        "Quarterly figures",
        "Urgent: pay now",
    )
    assert "subject" in str(opened).lower()

    rewritten = signed.replace(b"the figures are attached", b"the new bank details follow")
    opened = pgp.open_message(rewritten, certs=alice)
    assert [s.verdict for s in opened.signatures.signatures] == ["bad"]
    assert not opened.is_valid


def test_encrypt_and_open_message(alice: Key, bob: Key) -> None:
    sealed = pgp.encrypt_message(MESSAGE, [bob.public(), alice.public()], sign_with=alice)
    head = sealed.split(b"\r\n\r\n", 1)[0]
    assert b"multipart/encrypted" in head
    assert b'protocol="application/pgp-encrypted"' in head
    assert b"Subject: [...]" in head
    assert b"Quarterly figures" not in sealed and b"Hello Bob" not in sealed

    for reader in (bob, alice):
        opened = pgp.open_message(sealed, keys=reader, certs=alice.public())
        assert opened.kind == "encrypted"
        assert (opened.is_valid, opened.is_signed, opened.is_encrypted) == (True, True, True)
        decryption = opened.decryption
        assert decryption is not None and decryption.decrypted_with_cert == reader.fingerprint
        assert opened.signatures.good_signers == [alice.fingerprint]
        assert b"Hello Bob," in opened.content
        [subject] = [h for h in opened.headers if h.name.lower() == "subject"]
        assert (subject.status, subject.protected, subject.outer) == (
            "obscured",
            "Quarterly figures",
            "[...]",
        )
        assert repr(subject) == f"<HeaderCheck {subject.name} obscured>"
        assert json.loads(opened.to_json())["kind"] == "encrypted"

    unsigned = pgp.open_message(pgp.encrypt_message(MESSAGE, bob.public()), keys=bob)
    assert (unsigned.is_encrypted, unsigned.is_signed, unsigned.is_valid) == (True, False, False)


def test_message_errors(alice: Key, bob: Key) -> None:
    sealed = pgp.encrypt_message(MESSAGE, bob.public())
    with pytest.raises(PgpDecryptionError) as caught:
        pgp.open_message(sealed, keys=alice)
    assert caught.value.code == "no-decryption-key"
    with pytest.raises(PgpLockedKeyError):
        pgp.open_message(sealed, keys=bob.lock("pw"))
    with pytest.raises(PgpMalformedError) as malformed:
        pgp.open_message(MESSAGE, certs=alice)  # neither signed nor encrypted
    error = malformed.value
    assert (error.code, error.what, error.offset, error.bad_input) == ("mime", None, 0, True)
    assert str(error).startswith("PGP/MIME: not a PGP/MIME message")
    with pytest.raises(PgpUsageError):
        pgp.encrypt_message(MESSAGE, [])
    with pytest.raises(PgpUsageError):
        pgp.sign_message(MESSAGE, [])
    with pytest.raises(PgpLockedKeyError):
        pgp.sign_message(MESSAGE, alice.lock("pw"))


# Threads and the GIL


def test_one_key_shared_by_threads(alice: Key, bob: Key) -> None:
    results: List[bool] = []

    def work(n: int) -> None:
        data = DATA + str(n).encode()
        sealed = pgp.encrypt(data, bob.public(), sign_with=alice)
        decrypted = pgp.decrypt(sealed, bob, verify_with=alice)
        results.append(decrypted.content == data and decrypted.report.signatures.is_valid)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8


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


@pytest.mark.parametrize("operation", ["sign", "verify", "encrypt", "decrypt"])
def test_long_operations_release_the_gil(operation: str, alice: Key, bob: Key) -> None:
    big = DATA * 100_000  # 4 MB
    signature = pgp.sign(big, alice)
    sealed = pgp.encrypt(big, bob.public())
    calls: Dict[str, Callable[[], object]] = {
        "sign": lambda: pgp.sign(big, alice),
        "verify": lambda: pgp.verify(big, signature, certs=alice),
        "encrypt": lambda: pgp.encrypt(big, bob.public()),
        "decrypt": lambda: pgp.decrypt(sealed, bob),
    }
    # With a long switch interval, the interpreter does not take the GIL away from the worker
    # between its flag updates and the call: this thread can only see it inside the call if the
    # call itself lets go of the GIL.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    try:
        assert any(_runs_meanwhile(calls[operation]) for _ in range(5))
    finally:
        sys.setswitchinterval(interval)


# GnuPG


class GnuPG:
    """The gpg binary with a home directory of its own and loopback passphrases."""

    def __init__(self, home: str) -> None:
        self.home = home

    def run(
        self, *args: str, input: bytes = b"", succeed: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        """Run gpg, its status lines (``[GNUPG:] ...``) on stderr; fail unless it exits 0 when
        ``succeed``."""
        result = subprocess.run(
            [
                "gpg",
                "--homedir",
                self.home,
                "--batch",
                "--no-tty",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                CAROL_PASSWORD,
                "--trust-model",
                "always",
                "--status-fd",
                "2",
                *args,
            ],
            input=input,
            capture_output=True,
            timeout=120,
        )
        if succeed:
            assert result.returncode == 0, result.stderr.decode(errors="replace")
        return result

    def import_key(self, data: bytes) -> None:
        self.run("--import", input=data)


@pytest.fixture(scope="module")
def gnupg() -> Iterator[GnuPG]:
    # Short: gpg-agent's socket lives in the home directory, and a Unix socket path is limited
    # to about 107 octets.
    home = tempfile.mkdtemp(prefix="gpg", dir="/tmp")
    # The lowest iteration count GnuPG accepts for protecting secret keys: unlocking them is
    # then quick, here and in the unoptimized build of the tests.
    Path(home, "gpg-agent.conf").write_text("allow-loopback-pinentry\ns2k-count 65536\n")
    gpg = GnuPG(home)
    try:
        gpg.run("--quick-gen-key", CAROL, "future-default", "default", "never")
        yield gpg
    finally:
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "gpg-agent"], check=False)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def carol(gnupg: GnuPG) -> Key:
    """Carol's certificate, as GnuPG exports it."""
    return Key.from_bytes(gnupg.run("--export", "--armor", "carol@example.net").stdout)


@pytest.mark.parametrize("armor", [True, False])
def test_gpg_verifies_our_signatures(
    gnupg: GnuPG, alice: Key, tmp_path: Path, armor: bool
) -> None:
    gnupg.import_key(alice.export_cert())
    data, sig = tmp_path / "data", tmp_path / "data.sig"
    data.write_bytes(DATA)
    sig.write_bytes(pgp.sign(DATA, alice, armor=armor))
    status = gnupg.run("--verify", str(sig), str(data)).stderr.decode(errors="replace")
    assert f"[GNUPG:] GOODSIG {signing_key(alice)[-16:]} {ALICE}" in status
    assert f"[GNUPG:] VALIDSIG {signing_key(alice)} " in status

    inline = gnupg.run("--decrypt", input=pgp.sign(DATA, alice, detached=False, armor=armor))
    assert inline.stdout == DATA
    assert "[GNUPG:] GOODSIG " in inline.stderr.decode(errors="replace")


def test_gpg_rejects_our_tampered_signature(gnupg: GnuPG, alice: Key, tmp_path: Path) -> None:
    gnupg.import_key(alice.export_cert())
    data, sig = tmp_path / "data", tmp_path / "data.sig"
    data.write_bytes(DATA + b"amended\r\n")
    sig.write_bytes(pgp.sign(DATA, alice))
    result = gnupg.run("--verify", str(sig), str(data), succeed=False)
    assert result.returncode == 1
    status = result.stderr.decode(errors="replace")
    assert f"[GNUPG:] BADSIG {signing_key(alice)[-16:]} {ALICE}" in status


def test_gpg_decrypts_our_messages(gnupg: GnuPG, alice: Key, carol: Key) -> None:
    gnupg.import_key(alice.export_cert())
    sealed = pgp.encrypt(DATA, carol, sign_with=alice)
    result = gnupg.run("--decrypt", input=sealed)
    assert result.stdout == DATA
    status = result.stderr.decode(errors="replace")
    assert f"[GNUPG:] GOODSIG {signing_key(alice)[-16:]} {ALICE}" in status
    assert "[GNUPG:] DECRYPTION_OKAY" in status


def test_gpg_reads_our_keys(gnupg: GnuPG) -> None:
    # A key made here, moved to GnuPG with its secrets: mail encrypted to it by mailsec (SEIPD
    # v1, as the key asks) is readable there.
    erin, _ = Key.generate("Erin <erin@example.org>")
    gnupg.import_key(erin.export_secret())
    result = gnupg.run("--decrypt", input=pgp.encrypt(DATA, erin.public(), sign_with=erin))
    assert result.stdout == DATA
    assert f"[GNUPG:] GOODSIG {signing_key(erin)[-16:]} " in result.stderr.decode(errors="replace")


def test_gpg_imports_our_revocation(gnupg: GnuPG) -> None:
    key, revocation = Key.generate("Dave <dave@example.org>")
    gnupg.import_key(key.export_cert())
    gnupg.import_key(revocation)
    listing = gnupg.run("--with-colons", "--list-keys", key.fingerprint).stdout.decode()
    [pub] = [line for line in listing.splitlines() if line.startswith("pub:")]
    assert pub.split(":")[1] == "r"  # validity: revoked


def test_we_verify_gpg_signatures(gnupg: GnuPG, carol: Key) -> None:
    detached = gnupg.run("--detach-sign", "--armor", "-u", "carol@example.net", input=DATA)
    report = pgp.verify(DATA, detached.stdout, certs=carol)
    assert report.is_valid, str(report)
    assert report.good_signers == [carol.fingerprint]
    assert report.signatures[0].signer_user_id == CAROL
    assert pgp.verify(DATA + b"!", detached.stdout, certs=carol).signatures[0].verdict == "bad"

    signed = gnupg.run("--sign", "-u", "carol@example.net", input=DATA).stdout
    verified = pgp.verify_inline(signed, carol)
    assert verified.report.good_signers == [carol.fingerprint], str(verified.report)
    assert verified.content == DATA

    signed = gnupg.run("--clearsign", "-u", "carol@example.net", input=DATA).stdout
    verified = pgp.verify_inline(signed, carol)
    assert verified.report.good_signers == [carol.fingerprint], str(verified.report)
    # The line ending before the signature belongs to the framework, not to the signed text
    # (RFC 9580 §7.1).
    assert verified.content == DATA.rstrip(b"\r\n")


def test_we_decrypt_gpg_messages(gnupg: GnuPG, alice: Key, carol: Key) -> None:
    gnupg.import_key(alice.export_cert())
    sealed = gnupg.run(
        "--encrypt", "--sign", "-u", "carol@example.net", "-r", "alice@example.org", input=DATA
    ).stdout
    decrypted = pgp.decrypt(sealed, alice, verify_with=carol)
    assert decrypted.content == DATA
    report = decrypted.report
    assert report.protection == "seipd-v1" and report.aead_algorithm is None  # GnuPG 2.2
    assert report.decrypted_with_cert == alice.fingerprint
    assert report.signatures.good_signers == [carol.fingerprint]


def test_gpg_secret_key_is_locked_until_unlocked(gnupg: GnuPG, carol: Key) -> None:
    exported = gnupg.run("--export-secret-keys", "--armor", "carol@example.net").stdout
    secret = Key.from_bytes(exported)
    assert (secret.fingerprint, secret.has_secret, secret.is_locked) == (
        carol.fingerprint,
        True,
        True,
    )
    sealed = gnupg.run("--encrypt", "-r", "carol@example.net", input=DATA).stdout
    with pytest.raises(PgpLockedKeyError):
        pgp.decrypt(sealed, secret)
    with pytest.raises(PgpLockedKeyError):
        secret.unlock("not the passphrase")
    unlocked = secret.unlock(CAROL_PASSWORD)
    assert pgp.decrypt(sealed, unlocked).content == DATA


def test_unprotected_gpg_message_is_refused(gnupg: GnuPG, alice: Key) -> None:
    # --rfc2440 makes GnuPG write a Symmetrically Encrypted Data packet, without an MDC.
    sed = gnupg.run("--rfc2440", "--symmetric", "--cipher-algo", "AES256", input=DATA).stdout
    with pytest.raises(PgpDecryptionError) as caught:
        pgp.decrypt(sed, alice)
    assert (caught.value.code, caught.value.recipients, caught.value.bad_input) == (
        "unprotected",
        [],
        True,
    )
