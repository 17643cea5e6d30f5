"""The SMTP CLIENTID extension (draft-storey-smtp-client-id-13).

A server parses the command it receives with :func:`parse`; a client builds the command it sends
with :class:`ClientIdCommand` and checks the server's EHLO reply with :func:`ehlo_advertises`.

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
    clientid_ehlo_advertises as _ehlo_advertises,
    clientid_ehlo_keywords as _ehlo_keywords,
    clientid_parse as _parse,
)

__all__ = [
    "ClientIdCommand",
    "ClientIdSyntaxError",
    "EhloReplyError",
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
