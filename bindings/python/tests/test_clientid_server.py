"""`mailsec clientid serve` driven by Python's smtplib: the draft §8 transcripts, reply by reply.

The server binary comes from `cargo build -p mailsec-cli` (target/debug/mailsec), or from the
MAILSEC_CLI environment variable.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HOST = "server.example.com"
CLIENT = "client.example.net"
UUID = "UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f"
MAC = "MAC 08:9e:01:70:f6:46"
# draft §8.1 sends this blob with AUTH LOGIN, but it decodes to "test\0test\01234": a PLAIN
# response (RFC 4616), so it is sent as one.
PLAIN_8_1 = "PLAIN dGVzdAB0ZXN0ADEyMzQ="
# "test\0test\0wrong"
PLAIN_WRONG = "PLAIN dGVzdAB0ZXN0AHdyb25n"
REFUSED = (550, b"Server policy does not permit your use of this mail system")
CLOSING = (221, f"{HOST} Service closing transmission channel".encode())
DENY_MAC = '[clientid]\ndenied_types = ["MAC"]\n'


def mailsec_cli() -> Path:
    configured = os.environ.get("MAILSEC_CLI")
    path = Path(configured) if configured else ROOT / "target" / "debug" / "mailsec"
    if not path.is_file():
        pytest.fail(
            f"the mailsec command line is not at {path}: run `cargo build -p mailsec-cli` "
            "first, or set MAILSEC_CLI to its path"
        )
    return path


class Server:
    """One `mailsec clientid serve` process on a port the system chose."""

    def __init__(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            [str(mailsec_cli()), "clientid", "serve", "--listen", "127.0.0.1:0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        # Drain stderr all along, so the server never blocks on a full pipe.
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()
        listening = self.wait_for("listening on 127.0.0.1:")
        self.port = int(listening.rsplit(":", 1)[1])

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append("<stderr closed>")
            self.changed.notify_all()

    def wait_for(self, needle: str, timeout: float = 10.0) -> str:
        """The first stderr line containing `needle`, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines:
                    if needle in line:
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or "<stderr closed>" in self.lines:
                    pytest.fail(f"no stderr line contains {needle!r}; stderr: {self.lines}")
                self.changed.wait(left)

    def decisions(self, count: int, timeout: float = 10.0) -> list[str]:
        """The `clientid: ` log lines, once there are `count` of them."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [line for line in self.lines if line.startswith("clientid: ")]
                left = deadline - time.monotonic()
                if len(found) >= count or left <= 0 or "<stderr closed>" in self.lines:
                    assert len(found) == count, f"expected {count} decisions; stderr: {self.lines}"
                    return found
                self.changed.wait(left)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=5)


class Files:
    """A self-signed certificate for localhost and 127.0.0.1, its key, and `test:1234`."""

    def __init__(self, directory: Path) -> None:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.fail("openssl is needed to make the test certificate")
        self.directory = directory
        self.cert = directory / "cert.pem"
        self.key = directory / "key.pem"
        subprocess.run(
            [
                openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", str(self.key), "-out", str(self.cert), "-days", "2",
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
        self.users = directory / "users"
        self.users.write_text("# draft §8.1\ntest:1234\n")

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return Files(tmp_path_factory.mktemp("clientid-server"))


Serve = Callable[..., Server]


@pytest.fixture
def serve(files: Files, tmp_path: Path) -> Iterator[Serve]:
    """Starts servers: `serve(policy=TOML text, extra=[more options])`."""
    servers: list[Server] = []

    def start(policy: str | None = None, extra: tuple[str, ...] = ()) -> Server:
        args = [
            "--cert", str(files.cert), "--key", str(files.key), "--users", str(files.users),
            "--hostname", HOST, *extra,
        ]
        if policy is not None:
            path = tmp_path / f"policy{len(servers)}.toml"
            path.write_text(policy)
            args += ["--policy", str(path)]
        server = Server(args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


class Client(smtplib.SMTP):
    # STARTTLS checks the certificate against the host given to SMTP(host), which a separate
    # connect() does not record.
    _host: str


def connect(server: Server) -> smtplib.SMTP:
    client = Client(local_hostname=CLIENT, timeout=10)
    assert client.connect("127.0.0.1", server.port) == (220, f"{HOST} ESMTP ready".encode())
    client._host = "127.0.0.1"  # the certificate names it
    return client


def encrypted(server: Server, files: Files) -> smtplib.SMTP:
    """Connected, plaintext EHLO, STARTTLS, EHLO again: ready for CLIENTID (draft §8.1)."""
    client = connect(server)
    assert client.ehlo(CLIENT) == (250, f"{HOST}\nSTARTTLS".encode())
    assert client.starttls(context=files.tls()) == (220, b"Go ahead")
    assert client.ehlo(CLIENT) == (250, f"{HOST}\nAUTH PLAIN LOGIN\nCLIENTID".encode())
    return client


def send_message(client: smtplib.SMTP) -> None:
    assert client.mail("sender@example.net") == (250, b"OK")
    assert client.rcpt("receiver@example.com") == (250, b"OK")
    assert client.docmd("DATA") == (354, b"Ready for message content")
    client.send(b"Subject: draft 8.1\r\n\r\nHello\r\n..a dot-stuffed line\r\n.\r\n")
    assert client.getreply() == (250, b"OK")


def test_draft_8_1_uuid_identity(serve: Serve, files: Files) -> None:
    server = serve()
    client = connect(server)
    # Before TLS: STARTTLS, no CLIENTID (draft §3 rule 2), and no AUTH (passwords only
    # under TLS: this server's deviation from the transcript's plaintext "250 AUTH LOGIN").
    assert client.ehlo(CLIENT) == (250, f"{HOST}\nSTARTTLS".encode())
    assert client.has_extn("starttls")
    assert not client.has_extn("clientid")
    assert not client.has_extn("auth")
    assert client.starttls(context=files.tls()) == (220, b"Go ahead")
    assert client.ehlo(CLIENT) == (250, f"{HOST}\nAUTH PLAIN LOGIN\nCLIENTID".encode())
    assert client.has_extn("clientid")
    assert client.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
    assert client.docmd("CLIENTID", UUID) == (250, b"OK")
    assert client.docmd("AUTH", PLAIN_8_1) == (235, b"Authentication successful")
    send_message(client)
    assert client.quit() == CLOSING
    (line,) = server.decisions(1)
    assert " account=test mechanism=PLAIN credentials=valid type=UUID " in line
    assert "token=23bf83be-aad7-46aa-9e0f-39191ccf402f decision=allow reply=235" in line


def test_draft_8_1_with_smtplib_login(serve: Serve, files: Files) -> None:
    server = serve()
    # login() picks PLAIN, the first mechanism it prefers among those advertised.
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", UUID) == (250, b"OK")
    assert client.login("test", "1234") == (235, b"Authentication successful")
    send_message(client)
    assert client.quit() == CLOSING

    # LOGIN, as the transcript names it: offered alone, login() has to use it
    # ("AUTH LOGIN dGVzdA==", 334 Password:, the password).
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", UUID) == (250, b"OK")
    client.esmtp_features["auth"] = "LOGIN"
    assert client.login("test", "1234") == (235, b"Authentication successful")
    assert client.quit() == CLOSING

    # LOGIN without an initial response: both prompts (334 Username:, 334 Password:).
    client = encrypted(server, files)
    client.user, client.password = "test", "1234"
    assert client.auth("LOGIN", client.auth_login, initial_response_ok=False) == (
        235,
        b"Authentication successful",
    )
    assert client.quit() == CLOSING
    mechanisms = [line.split(" mechanism=")[1].split()[0] for line in server.decisions(3)]
    assert mechanisms == ["PLAIN", "LOGIN", "LOGIN"]


def test_draft_8_2_clientid_without_tls(serve: Serve) -> None:
    server = serve()
    client = connect(server)
    assert client.ehlo(CLIENT) == (250, f"{HOST}\nSTARTTLS".encode())
    assert client.docmd("CLIENTID", MAC) == (500, b"Syntax error, command unrecognised")
    assert client.mail("sender@example.net") == (250, b"OK")
    assert client.quit() == CLOSING


def test_draft_8_3_refused_at_auth(serve: Serve, files: Files) -> None:
    server = serve(policy=DENY_MAC)
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", MAC) == (250, b"OK")
    reply = client.docmd("AUTH", PLAIN_8_1)
    assert reply == REFUSED
    # draft §6.1: the reason is in the log, never in the reply.
    assert b"type" not in reply[1] and b"MAC" not in reply[1]
    (line,) = server.decisions(1)
    assert " account=test mechanism=PLAIN credentials=valid " in line
    assert " type=MAC token=08:9e:01:70:f6:46 " in line
    assert "decision=refuse reply=550 findings=[type_not_accepted" in line
    assert client.quit() == CLOSING


def test_draft_8_3_refused_at_the_transaction(serve: Serve, files: Files) -> None:
    # The transcript as written: "235 Authentication successful", then 550.
    server = serve(policy=DENY_MAC + 'refuse_at = "transaction"\n')
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", MAC) == (250, b"OK")
    assert client.docmd("AUTH", PLAIN_8_1) == (235, b"Authentication successful")
    assert client.mail("sender@example.net") == REFUSED
    assert client.rcpt("receiver@example.com") == REFUSED
    assert client.docmd("DATA") == REFUSED
    assert client.quit() == CLOSING
    (line,) = server.decisions(1)
    assert "decision=refuse reply=235 findings=[type_not_accepted" in line


def test_draft_8_4_malformed_clientid(serve: Serve, files: Files) -> None:
    server = serve()
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", "MAC") == (501, b"Syntax error in parameters or arguments")
    assert client.quit() == CLOSING


def test_clientid_twice_is_503(serve: Serve, files: Files) -> None:
    client = encrypted(serve(), files)
    assert client.docmd("CLIENTID", UUID) == (250, b"OK")
    assert client.docmd("CLIENTID", MAC) == (503, b"Bad sequence of commands")
    assert client.quit() == CLOSING


def test_clientid_after_auth_is_503(serve: Serve, files: Files) -> None:
    client = encrypted(serve(), files)
    assert client.docmd("AUTH", PLAIN_8_1) == (235, b"Authentication successful")
    assert client.docmd("CLIENTID", UUID) == (503, b"Bad sequence of commands")
    assert client.quit() == CLOSING

    # After a failed AUTH too: draft §4 counts the command, not its outcome.
    client = encrypted(serve(), files)
    assert client.docmd("AUTH", PLAIN_WRONG)[0] == 535
    assert client.docmd("CLIENTID", UUID) == (503, b"Bad sequence of commands")
    assert client.quit() == CLOSING


def test_clientid_after_starttls_before_ehlo_is_503(serve: Serve, files: Files) -> None:
    # The keyword has not been advertised on the encrypted connection yet (draft §4).
    client = connect(serve())
    assert client.ehlo(CLIENT)[0] == 250
    assert client.starttls(context=files.tls()) == (220, b"Go ahead")
    assert client.docmd("CLIENTID", UUID) == (503, b"Bad sequence of commands")
    assert client.ehlo(CLIENT)[0] == 250
    assert client.docmd("CLIENTID", UUID) == (250, b"OK")
    assert client.quit() == CLOSING


def test_a_new_ehlo_keeps_the_identity(serve: Serve, files: Files) -> None:
    # STARTTLS cannot be given twice, so the only reset left is EHLO, which keeps the
    # identity (RFC 5321 §4.1.4): CLIENTID stays refused, and the identity still decides AUTH.
    server = serve(policy=DENY_MAC)
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", MAC) == (250, b"OK")
    assert client.ehlo(CLIENT) == (250, f"{HOST}\nAUTH PLAIN LOGIN\nCLIENTID".encode())
    assert client.docmd("CLIENTID", UUID) == (503, b"Bad sequence of commands")
    assert client.rset() == (250, b"OK")
    assert client.docmd("STARTTLS") == (503, b"Bad sequence of commands")
    assert client.docmd("AUTH", PLAIN_8_1) == REFUSED
    assert "type=MAC" in server.decisions(1)[0]
    assert client.quit() == CLOSING


def test_wrong_password_is_535(serve: Serve, files: Files) -> None:
    server = serve()
    client = encrypted(server, files)
    assert client.docmd("CLIENTID", UUID) == (250, b"OK")
    assert client.docmd("AUTH", PLAIN_WRONG) == (535, b"Authentication credentials invalid")
    # login() would try PLAIN then LOGIN; one mechanism keeps the count of failures at two,
    # below the limit of three per session.
    client.esmtp_features["auth"] = "PLAIN"
    with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
        client.login("test", "12345")
    assert caught.value.smtp_code == 535
    assert client.login("test", "1234") == (235, b"Authentication successful")
    assert client.quit() == CLOSING
    line = server.wait_for("credentials=invalid")
    assert "account=test mechanism=PLAIN credentials=invalid type=UUID" in line
    assert "decision=allow reply=535" in line


def test_a_denied_identity_gets_550_whatever_the_password(serve: Serve, files: Files) -> None:
    # With refuse_at = "auth" (the default) the reply cannot tell a guesser that a password
    # was right.
    server = serve(policy=DENY_MAC)
    for auth in (PLAIN_WRONG, PLAIN_8_1):
        client = encrypted(server, files)
        assert client.docmd("CLIENTID", MAC) == (250, b"OK")
        assert client.docmd("AUTH", auth) == REFUSED
        assert client.quit() == CLOSING
    invalid, valid = server.decisions(2)
    assert "credentials=invalid type=MAC" in invalid and "decision=refuse reply=550" in invalid
    assert "credentials=valid type=MAC" in valid and "decision=refuse reply=550" in valid


def test_require_auth(serve: Serve, files: Files) -> None:
    server = serve(extra=("--require-auth",))
    client = connect(server)
    assert client.ehlo(CLIENT)[0] == 250
    assert client.mail("sender@example.net") == (530, b"Authentication required")
    # No AUTH in plaintext.
    assert client.docmd("AUTH", PLAIN_8_1) == (
        538,
        b"Encryption required for requested authentication mechanism",
    )
    assert client.starttls(context=files.tls()) == (220, b"Go ahead")
    assert client.ehlo(CLIENT)[0] == 250
    assert client.mail("sender@example.net") == (530, b"Authentication required")
    assert client.login("test", "1234") == (235, b"Authentication successful")
    send_message(client)
    assert client.quit() == CLOSING
