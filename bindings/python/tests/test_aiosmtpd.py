"""mailsec.clientid inside aiosmtpd 1.4.6, a widely used Python SMTP server, driven by smtplib
over STARTTLS: the keyword appears only after TLS (draft §3), the CLIENTID command is answered by
the session (§4), AUTH is decided by the policy (§6) with the generic 550 of §8.3.

The glue is what an aiosmtpd server needs: an `SMTP` subclass holding one mailsec session per
connection with an `smtp_CLIENTID` command, handler hooks for EHLO (the keyword), STARTTLS,
HELO, RSET, QUIT and the mail transaction, and an `authenticator` that lets the policy decide.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, syntax
from aiosmtpd.smtp import Session as SmtpSession

from mailsec.clientid import Decision, Engine, MemoryStore, Policy, Session

UUID = "23bf83be-aad7-46aa-9e0f-39191ccf402f"
USERS = {"test": "1234"}
REFUSED = b"5.7.1 Server policy does not permit your use of this mail system"
MESSAGE = b"From: sender@example.net\r\nTo: receiver@example.com\r\nSubject: hi\r\n\r\nbody\r\n"


class ClientIdSMTP(SMTP):
    """aiosmtpd's SMTP protocol (one instance per connection) with a CLIENTID session."""

    def __init__(self, handler: Any, *, engine: Engine, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.clientid = Session(engine)

    @syntax("CLIENTID client-id-type client-id-token")
    async def smtp_CLIENTID(self, arg: Optional[str]) -> None:
        # aiosmtpd hands over the arguments with the surrounding blanks stripped.
        line = "CLIENTID" if arg is None else f"CLIENTID {arg}"
        await self.push(str(self.clientid.clientid(line)))

    async def smtp_AUTH(self, arg: str) -> None:
        # draft §4: CLIENTID is refused from the AUTH command on, whatever becomes of it.
        self.clientid.auth_started()
        await super().smtp_AUTH(arg)


def clientid_of(server: SMTP) -> Session:
    assert isinstance(server, ClientIdSMTP)
    return server.clientid


def peer_address(session: SmtpSession) -> str:
    # aiosmtpd annotates Session.peer as a string; it holds the socket's (host, port).
    peer: Any = session.peer
    return str(peer[0])


@dataclass
class Handler:
    """aiosmtpd handler hooks feeding the CLIENTID session, and what the server saw."""

    decisions: List[Decision] = field(default_factory=list)
    messages: List[Tuple[bytes, Optional[Tuple[str, str]]]] = field(default_factory=list)

    async def handle_EHLO(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        hostname: str,
        responses: List[str],
    ) -> List[str]:
        session.host_name = hostname
        if clientid_of(server).ehlo():  # draft §3
            return responses[:-1] + ["250-CLIENTID"] + responses[-1:]
        return responses

    async def handle_HELO(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, hostname: str
    ) -> str:
        session.host_name = hostname
        clientid_of(server).helo()
        return f"250 {server.hostname}"

    def handle_STARTTLS(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> bool:
        clientid_of(server).tls_established()  # RFC 3207 §4.2: forget everything before
        return True

    async def handle_RSET(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        clientid_of(server).rset()
        return "250 OK"

    async def handle_QUIT(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        clientid_of(server).quit()
        return "221 Bye"

    async def handle_MAIL(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        mail_options: List[str],
    ) -> str:
        refusal = clientid_of(server).transaction_refusal  # draft §8.3 as written
        if refusal is not None:
            return refusal.line(enhanced=True)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: List[str],
    ) -> str:
        refusal = clientid_of(server).transaction_refusal
        if refusal is not None:
            return refusal.line(enhanced=True)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((content, clientid_of(server).loggable_identity("system")))
        return "250 OK"

    def authenticate(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        """aiosmtpd's authenticator: the credentials, then the policy (draft §6)."""
        assert isinstance(auth_data, LoginPassword)
        account = auth_data.login.decode()
        valid = USERS.get(account) == auth_data.password.decode()
        decision = clientid_of(server).authenticate(account, valid, peer_address(session))
        self.decisions.append(decision)  # decision.log_line goes to the server's log
        if decision.reply.code == 235:
            return AuthResult(success=True, auth_data=account)
        return AuthResult(success=False, handled=False, message=decision.reply.line(enhanced=True))


class ClientIdController(Controller):
    """aiosmtpd's threaded controller, making ClientIdSMTP protocols over one engine."""

    def __init__(self, handler: Handler, engine: Engine, **kwargs: Any) -> None:
        self.engine = engine
        super().__init__(handler, authenticator=handler.authenticate, **kwargs)

    def factory(self) -> SMTP:
        return ClientIdSMTP(self.handler, engine=self.engine, **self.SMTP_kwargs)


@dataclass
class Server:
    port: int
    handler: Handler
    client_context: ssl.SSLContext


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-keyout", str(key), "-out", str(cert),
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(policy: str, certificate: Tuple[Path, Path]) -> Iterator[Server]:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    handler = Handler()
    engine = Engine(Policy.from_toml(policy), MemoryStore())
    controller = ClientIdController(
        handler,
        engine,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="server.example.com",
        tls_context=server_context,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    try:
        yield Server(controller.port, handler, ssl.create_default_context(cafile=str(cert)))
    finally:
        controller.stop()


@pytest.fixture
def server(certificate: Tuple[Path, Path]) -> Iterator[Server]:
    yield from start("", certificate)


@pytest.fixture
def denying_server(certificate: Tuple[Path, Path]) -> Iterator[Server]:
    yield from start('[clientid]\ndenied_types = ["MAC"]\n', certificate)


@pytest.fixture
def transaction_refusing_server(certificate: Tuple[Path, Path]) -> Iterator[Server]:
    yield from start('[clientid]\ndenied_types = ["MAC"]\nrefuse_at = "transaction"\n', certificate)


def connect(server: Server) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", server.port, local_hostname="client.example.net", timeout=10)


def test_draft_8_1_over_starttls(server: Server) -> None:
    with connect(server) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        assert not client.has_extn("clientid")  # draft §3 rule 2
        assert client.docmd("CLIENTID", f"UUID {UUID}") == (
            500,
            b"Syntax error, command unrecognised",
        )  # draft §8.2
        client.starttls(context=server.client_context)
        client.ehlo()
        assert client.has_extn("clientid")  # draft §3 rule 3
        assert client.has_extn("auth")
        assert client.docmd("CLIENTID", f"UUID {UUID}") == (250, b"OK")
        assert client.docmd("CLIENTID", f"UUID {UUID}") == (503, b"Bad sequence of commands")
        assert client.login("test", "1234") == (235, b"2.7.0 Authentication successful")
        assert client.docmd("CLIENTID", f"UUID {UUID}")[0] == 503  # after AUTH
        assert client.sendmail("sender@example.net", ["receiver@example.com"], MESSAGE) == {}
    assert [d.log_line for d in server.handler.decisions] == ["allow reply=235"]
    [(content, identity)] = server.handler.messages
    assert content.endswith(b"Subject: hi\r\n\r\nbody\r\n")
    assert identity == ("UUID", UUID)


def test_draft_8_4_malformed_and_sequence(server: Server) -> None:
    with connect(server) as client:
        client.starttls(context=server.client_context)
        # No EHLO since TLS: the keyword was not advertised yet.
        assert client.docmd("CLIENTID", f"UUID {UUID}")[0] == 503
        client.ehlo()
        assert client.docmd("CLIENTID", "MAC") == (
            501,
            b"Syntax error in parameters or arguments",
        )
        assert client.docmd("CLIENTID")[0] == 501
        assert client.docmd("CLIENTID", "MAC 08:9e:01:70:f6:46")[0] == 250


def test_denied_type_fails_login_with_the_generic_550(denying_server: Server) -> None:
    with connect(denying_server) as client:
        client.starttls(context=denying_server.client_context)
        client.ehlo()
        assert client.docmd("CLIENTID", "MAC 08:9e:01:70:f6:46") == (250, b"OK")
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            client.login("test", "1234")
        assert (caught.value.smtp_code, caught.value.smtp_error) == (550, REFUSED)
        # Wrong password, same answer: the reply reveals nothing (draft §6.1).
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            client.login("test", "wrong")
        assert (caught.value.smtp_code, caught.value.smtp_error) == (550, REFUSED)
    decision = denying_server.handler.decisions[0]
    assert decision.verdict == "refuse"
    assert [name for name, _, _ in decision.findings] == ["type_not_accepted"]
    assert "type MAC is not accepted" in decision.log_line
    assert denying_server.handler.messages == []


def test_allowed_type_on_the_denying_server(denying_server: Server) -> None:
    with connect(denying_server) as client:
        client.starttls(context=denying_server.client_context)
        client.ehlo()
        assert client.docmd("CLIENTID", f"UUID {UUID}")[0] == 250
        assert client.login("test", "1234")[0] == 235


def test_refusal_at_the_transaction(transaction_refusing_server: Server) -> None:
    server = transaction_refusing_server
    with connect(server) as client:
        client.starttls(context=server.client_context)
        client.ehlo()
        assert client.docmd("CLIENTID", "MAC 08:9e:01:70:f6:46")[0] == 250
        assert client.login("test", "1234")[0] == 235  # draft §8.3: 235, then 550
        with pytest.raises(smtplib.SMTPSenderRefused) as caught:
            client.sendmail("sender@example.net", ["receiver@example.com"], MESSAGE)
        assert (caught.value.smtp_code, caught.value.smtp_error) == (550, REFUSED)
    assert server.handler.messages == []


def test_helo_and_rset_keep_their_meaning(server: Server) -> None:
    codes: Dict[str, int] = {}
    with connect(server) as client:
        client.starttls(context=server.client_context)
        codes["helo"] = client.helo()[0]
        codes["after helo"] = client.docmd("CLIENTID", f"UUID {UUID}")[0]
        client.ehlo()
        codes["after ehlo"] = client.docmd("CLIENTID", f"UUID {UUID}")[0]
        codes["rset"] = client.rset()[0]
        codes["after rset"] = client.docmd("CLIENTID", f"UUID {UUID}")[0]
    assert codes == {
        "helo": 250,
        "after helo": 503,
        "after ehlo": 250,
        "rset": 250,
        "after rset": 503,
    }
