"""The SMTP CLIENTID extension (draft-storey-smtp-client-id-13).

A server parses the command it receives with :func:`parse`; a client builds the command it sends
with :class:`ClientIdCommand` and checks the server's EHLO reply with :func:`ehlo_advertises`.

A server that speaks CLIENTID keeps one :class:`Engine` (its :class:`Policy`, the ``[clientid]``
table of a mailsec policy file, and a history store: :class:`MemoryStore` or
:class:`SqliteStore`) and one :class:`Session` per connection. The session answers whether to
advertise the keyword (draft §3) and how to reply to each CLIENTID command (§4); at AUTH,
:meth:`Session.authenticate` applies the policy's heuristics (§6) and returns a
:class:`Decision` whose reply the server sends.

>>> engine = Engine(Policy.from_toml('[clientid]\\ndenied_types = ["MAC"]\\n'))
>>> session = Session(engine)
>>> session.ehlo(), str(session.clientid("CLIENTID MAC 08:9e:01:70:f6:46"))
(False, '500 Syntax error, command unrecognised')
>>> session.tls_established()
>>> session.ehlo(), str(session.clientid("CLIENTID MAC 08:9e:01:70:f6:46"))
(True, '250 OK')
>>> decision = session.authenticate("test", True, "192.0.2.1")
>>> decision.verdict, str(decision.reply)
('refuse', '550 Server policy does not permit your use of this mail system')
>>> decision.findings[0][:2]
('type_not_accepted', 'deny')

>>> command = parse("CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f")
>>> command.type, command.token
('UUID', '23bf83be-aad7-46aa-9e0f-39191ccf402f')
>>> try:
...     parse("CLIENTID MAC")
... except ClientIdSyntaxError as e:
...     print(e.reply_code, e.offset, e.code)
501 12 missing-token
"""

from __future__ import annotations

from typing import List, Optional, Union

from mailsec._errors import MailsecError
from mailsec._mailsec import (
    ClientIdCommand,
    ClientIdPolicy as Policy,
    Decision,
    Engine,
    MemoryStore,
    Reply,
    Session,
    SqliteStore,
    clientid_ehlo_advertises as _ehlo_advertises,
    clientid_ehlo_keywords as _ehlo_keywords,
    clientid_parse as _parse,
)

__all__ = [
    "ClientIdCommand",
    "ClientIdPolicyError",
    "ClientIdSyntaxError",
    "Decision",
    "EhloReplyError",
    "Engine",
    "HistoryStoreError",
    "MemoryStore",
    "Policy",
    "Reply",
    "Session",
    "SqliteStore",
    "parse",
    "ehlo_advertises",
    "ehlo_keywords",
]


class ClientIdSyntaxError(MailsecError, ValueError):
    """A CLIENTID command, type or token that breaks the draft §5 grammar.

    Attributes:
        code: what kind of error, e.g. ``"missing-token"`` or ``"type-too-long"``.
        offset: byte offset in the input where the error was found (0-based).
        rule: the grammar rule broken, e.g. ``"client-id-token"``.
        reply_code: the SMTP reply a server answers with: 501 (draft §4), or 500 when the line
            is not a CLIENTID command at all.
    """

    code: str
    offset: int
    rule: str
    reply_code: int

    def __init__(self, message: str, code: str, offset: int, rule: str, reply_code: int) -> None:
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.rule = rule
        self.reply_code = reply_code


class EhloReplyError(MailsecError, ValueError):
    """An EHLO reply that is malformed or not positive (RFC 5321 §4.1.1.1).

    Attributes:
        offset: byte offset in the reply where the error was found, when it has one.
    """

    offset: Optional[int]

    def __init__(self, message: str, offset: Optional[int]) -> None:
        super().__init__(message)
        self.offset = offset


class ClientIdPolicyError(MailsecError, ValueError):
    """A policy that cannot be used: bad TOML, an unknown key, an inconsistent ``[clientid]``
    setting, a token key file that is too short.

    ``str(error)`` names the place (``"line 3, column 1: ..."``) or the setting.

    Attributes:
        setting: the ``[clientid]`` setting at fault (e.g. ``"travel.ipv4_prefix"``), when the
            TOML itself was fine but a value does not fit.
        line: 1-based line in the TOML text, when known.
        column: 1-based column (in characters) in the TOML text, when known.
    """

    setting: Optional[str]
    line: Optional[int]
    column: Optional[int]

    def __init__(
        self,
        message: str,
        setting: Optional[str],
        line: Optional[int],
        column: Optional[int],
    ) -> None:
        super().__init__(message)
        self.setting = setting
        self.line = line
        self.column = column


class HistoryStoreError(MailsecError):
    """A history store could not be opened or used.

    Attributes:
        code: ``"store_unavailable"``, ``"store_corrupt"`` or ``"store_full"``.
        temporary: whether trying again later may succeed.
    """

    code: str
    temporary: bool

    def __init__(self, message: str, code: str, temporary: bool) -> None:
        super().__init__(message)
        self.code = code
        self.temporary = temporary


def parse(line: Union[str, bytes], *, lenient: bool = False) -> ClientIdCommand:
    """Parse one CLIENTID command line as a server receives it, with or without CRLF.

    With ``lenient=True`` the type may also contain ``_`` (draft §7 names ``DEVICE_ID``, which
    the §5 grammar forbids); nothing else is relaxed.

    Raises:
        ClientIdSyntaxError: the line breaks the grammar.
    """
    return _parse(line, lenient)


def ehlo_advertises(reply: Union[str, bytes]) -> bool:
    """Whether a server's complete EHLO reply advertises CLIENTID (draft §3).

    Raises:
        EhloReplyError: the reply is malformed or not a 250 reply.
    """
    return _ehlo_advertises(reply)


def ehlo_keywords(reply: Union[str, bytes]) -> List[str]:
    """The extension keywords of a server's complete EHLO reply, in order.

    Raises:
        EhloReplyError: the reply is malformed or not a 250 reply.
    """
    return _ehlo_keywords(reply)
