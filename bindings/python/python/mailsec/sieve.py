"""Sieve (RFC 5228) with externally stored lists (RFC 6134).

- :func:`compile` turns a script into a :class:`Script`, or raises :class:`SieveCompileError`
  with the line and column of the fault. A :class:`Script` is immutable: compile it once and
  evaluate it for every delivery, from any number of threads.
- :meth:`Script.evaluate` runs it on one message (bytes) with an envelope and the lists
  (``:list``, ``redirect :list``, ``valid_ext_list``) and returns an :class:`Outcome`: the
  :class:`Action` objects for the host to carry out (the engine never delivers or sends
  anything), the implicit keep last when it applies (RFC 5228 §2.10.2). Iterating an outcome
  iterates its actions.
- Lists: :class:`MemoryLists`, :class:`SqliteLists` (a file shared by processes),
  :func:`open_lists` (an SQLite store or a TOML lists file), or any object with a
  ``contains(list_name, value)`` method (see :class:`ListResolver`).

A list backend that is temporarily down makes the evaluation raise :class:`SieveDeferError`:
defer the delivery and try again later, as when the script itself cannot be fetched
(RFC 6134 §3). A Python resolver says so by raising :class:`TemporaryListError`; any other
exception it raises is a permanent failure, and the evaluation raises
:class:`SieveRuntimeError` (file the message as if by an implicit keep, RFC 5228 §2.10.6).

Evaluation releases the GIL; a Python resolver takes it back for each query.

>>> script = compile('''
... require ["envelope", "extlists", "fileinto"];
... if envelope :list "from" ":addrbook:default" { fileinto "friends"; }
... ''')
>>> lists = MemoryLists()
>>> lists.insert(":addrbook:default", "address", ["*@example.org"])
>>> message = b"From: alice@example.org\\r\\nSubject: hi\\r\\n\\r\\nhello\\r\\n"
>>> [a.to_dict() for a in script.evaluate(message, {"from": "alice@example.org"}, lists=lists)]
[{'action': 'fileinto', 'mailbox': 'friends', 'flags': [], 'copy': False}]
>>> [a.action for a in script.evaluate(message, {"from": "mallory@example.net"}, lists=lists)]
['keep']

>>> class Friends:
...     def contains(self, list_name: str, value: str) -> bool:
...         return value.endswith("@example.org")
>>> script.evaluate(message, Envelope("bob@example.org"), lists=Friends())[0].mailbox
'friends'

>>> try:
...     compile('require "fileinto";\\nfileinto "spam"')
... except SieveCompileError as e:
...     print(e.line, e.column, e.kind)
2 16 syntax
"""

from __future__ import annotations

from os import PathLike
from typing import List, Mapping, Optional, Protocol, Union

from mailsec._errors import MailsecError
from mailsec._mailsec import (
    ListInfo,
    MemoryLists,
    SieveAction as Action,
    SieveEnvelope as Envelope,
    SieveLimits as Limits,
    SieveLists as Lists,
    SieveOutcome as Outcome,
    SieveScript as Script,
    SieveTraceEvent as TraceEvent,
    SqliteLists,
    sieve_capabilities as _capabilities,
    sieve_compile as _compile,
    sieve_extlists_capability as _extlists_capability,
    sieve_open_lists as _open_lists,
)

__all__ = [
    "Action",
    "Envelope",
    "EnvelopeLike",
    "Limits",
    "ListInfo",
    "ListResolver",
    "Lists",
    "MemoryLists",
    "Outcome",
    "Resolver",
    "Script",
    "SieveCompileError",
    "SieveDeferError",
    "SieveError",
    "SieveLimitError",
    "SieveListStoreError",
    "SieveRuntimeError",
    "SqliteLists",
    "TemporaryListError",
    "TraceEvent",
    "capabilities",
    "compile",
    "extlists_capability",
    "open_lists",
]


class ListResolver(Protocol):
    """Any object with this method serves as the ``lists`` of :meth:`Script.evaluate`.

    ``contains(list_name, value)`` says whether ``value`` is on the list: a non-empty ``str``
    is the entry that matched (it becomes ``${0}``, RFC 6134 §2.2), any other true value means
    the value itself matched, a false value that it is not on the list. ``list_name`` is the
    canonical name: the ``:`` shorthand expanded (``":addrbook:default"`` arrives as
    ``"urn:ietf:params:sieve:addrbook:default"``), the scheme in lower case.

    Optional methods, used when present:

    - ``members(list_name) -> Iterable[str] | None``: the addresses on the list, for
      ``redirect :list``; None (or no such method) when the list cannot be enumerated, which
      makes ``redirect :list`` a runtime error.
    - ``is_valid(list_name) -> bool``: for ``valid_ext_list`` (RFC 6134 §2.7); without it every
      well-formed name is taken to exist.
    - ``schemes() -> list[str]``: the URI schemes served, for :func:`extlists_capability`.

    Raise :class:`TemporaryListError` when the backend is down for now; raise ``LookupError``
    or anything else for a permanent failure. The methods are called from the evaluating
    thread with the GIL held.
    """

    def contains(self, list_name: str, value: str) -> Union[bool, str, None]: ...


Resolver = Union[MemoryLists, SqliteLists, Lists, ListResolver]
"""What :meth:`Script.evaluate` accepts as ``lists``."""

EnvelopeLike = Union[Envelope, Mapping[str, Optional[str]]]
"""An :class:`Envelope`, or a mapping with the keys ``"from"``, ``"to"`` and ``"auth"``."""


class TemporaryListError(MailsecError):
    """Raise this from a Python list resolver when the backend is temporarily unavailable: the
    evaluation then raises :class:`SieveDeferError` (RFC 6134 §3)."""


class SieveError(MailsecError):
    """A Sieve script that does not compile, fails at run time, or a list backend failure.

    Attributes:
        code: ``"compile"``, ``"runtime"``, ``"limit"``, ``"defer"``, ``"store"`` or
            ``"internal"``.
        line, column: where in the script (1-based; the column counts characters), or None.
    """

    code: str
    line: Optional[int]
    column: Optional[int]

    def __init__(
        self, message: str, code: str, line: Optional[int], column: Optional[int]
    ) -> None:
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column


class SieveCompileError(SieveError, ValueError):
    """The script does not compile; ``str(e)`` is ``"line:column: message"``.

    Attributes:
        kind: ``"syntax"``, ``"unknown-command"``, ``"unknown-test"``,
            ``"unsupported-extension"``, ``"not-required"``, ``"arguments"``,
            ``"list-with-comparator"``, ``"list-not-supported"`` (RFC 6134 §2.2),
            ``"invalid-list-name"`` (§2.5, §2.6), ``"misplaced"`` or ``"limit"``.
        detail: the message without the position.
        limit, max: for ``"limit"``, the :class:`Limits` field and its value; else None.
    """

    line: int
    column: int
    kind: str
    detail: str
    limit: Optional[str]
    max: Optional[int]

    def __init__(
        self,
        message: str,
        code: str,
        line: int,
        column: int,
        kind: str,
        detail: str,
        limit: Optional[str],
        max: Optional[int],
    ) -> None:
        super().__init__(message, code, line, column)
        self.kind = kind
        self.detail = detail
        self.limit = limit
        self.max = max


class SieveRuntimeError(SieveError):
    """The script failed while running (code ``"runtime"``), a list backend failed for good
    among the causes: file the message as if by an implicit keep (RFC 5228 §2.10.6). When a
    Python resolver raised, its exception is ``__cause__``."""

    line: int
    column: int


class SieveLimitError(SieveRuntimeError):
    """An evaluation limit was hit (code ``"limit"``).

    Attributes:
        limit: the :class:`Limits` field (``"max_actions"``, ``"max_list_queries"``...).
        max: its value.
    """

    limit: str
    max: int

    def __init__(
        self, message: str, code: str, line: int, column: int, limit: str, max: int
    ) -> None:
        super().__init__(message, code, line, column)
        self.limit = limit
        self.max = max


class SieveDeferError(SieveError):
    """A list backend is temporarily unavailable (code ``"defer"``): defer the delivery (SMTP
    4xx, exit code 75) and try again later (RFC 6134 §3). When a Python resolver raised
    :class:`TemporaryListError`, that exception is ``__cause__``.

    Attributes:
        list: the list being queried.
        reason: the backend's words.
    """

    list: str
    reason: str

    def __init__(
        self,
        message: str,
        code: str,
        line: Optional[int],
        column: Optional[int],
        list: str,
        reason: str,
    ) -> None:
        super().__init__(message, code, line, column)
        self.list = list
        self.reason = reason


class SieveListStoreError(SieveError):
    """A list store cannot be opened, read or written, or refuses a list (an invalid name, an
    entry that is not of the list's type) (code ``"store"``)."""


def compile(script: Union[str, bytes], *, limits: Optional[Limits] = None) -> Script:
    """Compile a Sieve script (UTF-8 text, RFC 5228 §2.2).

    Raises:
        SieveCompileError: the script is not valid Sieve, uses a capability it does not
            ``require`` or this implementation lacks, misuses ``:list`` (RFC 6134 §2.2), or
            exceeds ``limits``.
    """
    return _compile(script, limits)


def open_lists(path: Union[str, PathLike[str]]) -> Lists:
    """Open lists kept in a file: an SQLite store (as :class:`SqliteLists` writes) or a TOML
    lists file, told apart by content.

    Raises:
        SieveListStoreError: the file cannot be read or is not a list store.
    """
    return _open_lists(path)


def capabilities() -> List[str]:
    """The capabilities a script may ``require`` here (the ManageSieve SIEVE capability)."""
    return _capabilities()


def extlists_capability(lists: Optional[Resolver] = None) -> str:
    """The ManageSieve ``EXTLISTS`` capability value for ``lists`` (RFC 6134 §2.8): the URI
    schemes served, space-separated; ``urn`` (for ``:addrbook:default``) is always there."""
    return _extlists_capability(lists)
