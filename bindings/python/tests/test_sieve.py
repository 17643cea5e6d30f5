"""mailsec.sieve from Python: compiling, the RFC 6134 §2.9 examples through every kind of list
(a Python object, MemoryLists, SqliteLists, open_lists), deferral and runtime errors, the
outcome's shape, and threads."""

from __future__ import annotations

import ipaddress
import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

import pytest

import mailsec
from mailsec import sieve
from mailsec.sieve import (
    Action,
    Envelope,
    EnvelopeLike,
    Limits,
    ListInfo,
    MemoryLists,
    Outcome,
    Resolver,
    Script,
    SieveCompileError,
    SieveDeferError,
    SieveError,
    SieveLimitError,
    SieveListStoreError,
    SieveRuntimeError,
    SqliteLists,
    TemporaryListError,
)

EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "specs" / "rfc6134-examples"

ADDRBOOK = ":addrbook:default"
ADDRBOOK_KEY = "urn:ietf:params:sieve:addrbook:default"
HOLIDAYS = "tag:example.com,2011-01-01:localHolidays"
MYLIST = "tag:example.com,2010-05-28:mylist"
BAD_IPS = "tag:example.com,2011-04-10:DisallowedIPs"
BAD_EXTS = "tag:example.com,2011-04-10:BadFileNameExts"

# name -> (type, entries): the lists the five examples query.
LISTS: Dict[str, Tuple[str, List[str]]] = {
    ADDRBOOK: ("address", ["alice@example.org", "*@friends.example"]),
    HOLIDAYS: ("date", ["2026-12-25", "2027-01-01"]),
    MYLIST: ("address", ["alice@example.org", "bob@example.net", "carol@example.com"]),
    BAD_IPS: ("ip", ["192.0.2.0/24", "198.51.100.7"]),
    BAD_EXTS: ("extension", ["exe", "com", "scr"]),
}


def example(name: str) -> Script:
    return sieve.compile((EXAMPLES / f"{name}.sieve").read_text())


def message(*headers: str, body: str = "Hello.\r\n") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


class DictLists:
    """A list resolver in Python: the protocol's four methods over a dict, recording every
    question asked."""

    def __init__(self, lists: Dict[str, Tuple[str, List[str]]]) -> None:
        self.lists = {self.key(name): spec for name, spec in lists.items()}
        self.asked: List[Tuple[str, str]] = []

    @staticmethod
    def key(name: str) -> str:
        return ADDRBOOK_KEY if name == ADDRBOOK else name

    def contains(self, list_name: str, value: str) -> Union[bool, str, None]:
        self.asked.append((list_name, value))
        list_type, entries = self.lists[list_name]
        for entry in entries:
            if list_type == "address":
                local, _, domain = entry.lower().partition("@")
                v_local, _, v_domain = value.lower().partition("@")
                if domain == v_domain and local in ("*", v_local):
                    return entry
            elif list_type == "ip":
                if ipaddress.ip_address(value) in ipaddress.ip_network(entry):
                    return entry
            elif list_type == "extension":
                if value.lower().endswith("." + entry):
                    return entry
            elif value == entry:
                return entry
        return False

    def members(self, list_name: str) -> Optional[List[str]]:
        list_type, entries = self.lists[list_name]
        return entries if list_type == "address" else None

    def is_valid(self, list_name: str) -> bool:
        return list_name in self.lists

    def schemes(self) -> List[str]:
        return sorted({name.split(":", 1)[0] for name in self.lists})


def memory_lists(_: Path) -> MemoryLists:
    lists = MemoryLists()
    for name, (list_type, entries) in LISTS.items():
        lists.insert(name, list_type, entries)
    return lists


def sqlite_lists(tmp: Path) -> SqliteLists:
    lists = SqliteLists(tmp / "lists.sqlite")
    for name, (list_type, entries) in LISTS.items():
        assert lists.import_list(name, list_type, entries) == len(entries)
    return lists


def opened_sqlite(tmp: Path) -> Resolver:
    sqlite_lists(tmp)
    return sieve.open_lists(tmp / "lists.sqlite")


def opened_toml(tmp: Path) -> Resolver:
    path = tmp / "lists.toml"
    path.write_text(
        "".join(
            f"[[list]]\nname = {json.dumps(name)}\ntype = {json.dumps(list_type)}\n"
            f"entries = {json.dumps(entries)}\n\n"
            for name, (list_type, entries) in LISTS.items()
        )
    )
    return sieve.open_lists(path)


BACKENDS: Dict[str, Callable[[Path], Resolver]] = {
    "python": lambda _: DictLists(LISTS),
    "memory": memory_lists,
    "sqlite": sqlite_lists,
    "open_lists-sqlite": opened_sqlite,
    "open_lists-toml": opened_toml,
}


@pytest.fixture(params=sorted(BACKENDS))
def lists(request: pytest.FixtureRequest, tmp_path: Path) -> Resolver:
    return BACKENDS[request.param](tmp_path)


def names(outcome: Outcome) -> List[str]:
    return [a.action for a in outcome]


KEEP = {"action": "keep", "flags": [], "implicit": True}
SPAM = {"action": "fileinto", "mailbox": "spam", "flags": [], "copy": False}


# RFC 6134 §2.9.1: known senders may score higher before their mail counts as spam.


@pytest.mark.parametrize("name", ["ex1a", "ex1b"])
@pytest.mark.parametrize(
    ("sender", "score", "expected"),
    [
        ("alice@example.org", "10", [SPAM]),
        ("Alice@Example.ORG", "5", [KEEP]),
        ("dave@friends.example", "7", [KEEP]),
        ("mallory@example.net", "5", [SPAM]),
        ("mallory@example.net", "0", [KEEP]),
    ],
)
def test_example_1_spam_tolerance(
    name: str, sender: str, score: str, expected: List[Dict[str, object]], lists: Resolver
) -> None:
    script = example(name)
    outcome = script.evaluate(
        message(f"From: {sender}", f"X-Spam-Score: {score}", "Subject: hi"),
        {"from": sender, "to": "me@example.com"},
        lists=lists,
        spamtest_header="X-Spam-Score",
        spamtest_max=10,
    )
    assert [a.to_dict() for a in outcome] == expected
    assert outcome.implicit_keep == (expected == [KEEP])


# RFC 6134 §2.9.2: a notification on local holidays.


@pytest.mark.parametrize(
    ("now", "notified"),
    [
        (datetime(2026, 12, 25, 9, 30, tzinfo=timezone.utc), True),
        # 23:30 UTC on the 31st is already 1 January at +0100.
        (datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), True),
        (datetime(2026, 12, 24, 9, 30, tzinfo=timezone.utc), False),
    ],
)
def test_example_2_holidays(now: datetime, notified: bool, lists: Resolver) -> None:
    outcome = example("ex2").evaluate(message("From: x@example.net"), lists=lists, now=now)
    if notified:
        notify, keep = outcome
        assert notify.to_dict() == {
            "action": "notify",
            "method": "xmpp:romeo@im.example.com",
            "importance": 2,
            "options": [],
        }
        assert (notify.method, notify.importance, notify.mailbox) == (
            "xmpp:romeo@im.example.com",
            2,
            None,
        )
        assert keep.to_dict() == KEEP
    else:
        assert [a.to_dict() for a in outcome] == [KEEP]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        example("ex2").evaluate(message("From: x@example.net"), now=datetime(2026, 12, 25))


# RFC 6134 §2.9.3: mail from a member to the list address goes to every member.


def test_example_3_redirect_to_members(lists: Resolver) -> None:
    outcome = example("ex3").evaluate(
        message("From: bob@example.net", "To: me+mylist@example.com"),
        Envelope("bob@example.net", "me+mylist@example.com"),
        lists=lists,
    )
    redirects = [a for a in outcome if a.action == "redirect"]
    assert sorted(a.address or "" for a in redirects) == sorted(LISTS[MYLIST][1])
    assert all((a.list, a.copy) == (MYLIST, False) for a in redirects)
    assert not outcome.implicit_keep


def test_example_3_non_member_and_other_detail(lists: Resolver) -> None:
    script = example("ex3")
    stranger = script.evaluate(
        message("From: mallory@example.org"),
        {"from": "mallory@example.org", "to": "me+mylist@example.com"},
        lists=lists,
    )
    assert [a.to_dict() for a in stranger] == [KEEP]
    other = script.evaluate(
        message("From: bob@example.net"),
        {"from": "bob@example.net", "to": "me+other@example.com"},
        lists=lists,
    )
    assert [a.to_dict() for a in other] == [KEEP]


def test_example_3_handled_list_and_unenumerable_list() -> None:
    memory = memory_lists(Path())
    assert memory.set_handled(MYLIST, True)
    outcome = example("ex3").evaluate(
        message("From: bob@example.net"),
        {"from": "bob@example.net", "to": "me+mylist@example.com"},
        lists=memory,
    )
    [redirect] = outcome
    assert (redirect.action, redirect.address, redirect.list) == ("redirect", None, MYLIST)

    class NoMembers(DictLists):
        def members(self, list_name: str) -> Optional[List[str]]:
            return None

    with pytest.raises(SieveRuntimeError) as caught:
        example("ex3").evaluate(
            message("From: bob@example.net"),
            {"from": "bob@example.net", "to": "me+mylist@example.com"},
            lists=NoMembers(LISTS),
        )
    assert caught.value.code == "runtime" and caught.value.line == 7


# RFC 6134 §2.9.4: the IP address of the last hop, checked against a list.


RECEIVED_BAD = (
    "Received: from mx.example.net (mx.example.net [192.0.2.77]) by mail.example.com; "
    "Mon, 23 Nov 2026 10:00:00 +0000"
)
RECEIVED_GOOD = (
    "Received: from mx.example.org (mx.example.org [203.0.113.5]) by mail.example.com; "
    "Mon, 23 Nov 2026 10:00:00 +0000"
)


def test_example_4_reject_by_ip(lists: Resolver) -> None:
    script = example("ex4")
    bad = script.evaluate(message(RECEIVED_BAD, RECEIVED_GOOD, "From: x@example.net"), lists=lists)
    [reject] = bad
    assert reject.to_dict() == {
        "action": "reject",
        "reason": "Message not allowed from this IP address",
    }
    # :index 1 is the topmost Received field only.
    good = script.evaluate(message(RECEIVED_GOOD, RECEIVED_BAD, "From: x@example.net"), lists=lists)
    assert [a.to_dict() for a in good] == [KEEP]


def test_example_4_python_resolver_sees_the_built_value() -> None:
    resolver = DictLists(LISTS)
    example("ex4").evaluate(message(RECEIVED_BAD, "From: x@example.net"), lists=resolver)
    assert resolver.asked == [(BAD_IPS, "192.0.2.77")]


# RFC 6134 §2.9.5: a message with an executable attachment is enclosed in a warning.


def attachment_message(filename: str) -> bytes:
    return message(
        "From: x@example.net",
        "Subject: invoice",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        body=(
            "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            f'--b\r\nContent-Type: application/octet-stream; name="{filename}"\r\n'
            f'Content-Disposition: attachment; filename="{filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n"
        ),
    )


def test_example_5_enclose_executables(lists: Resolver) -> None:
    script = example("ex5")
    outcome = script.evaluate(attachment_message("invoice.EXE"), lists=lists)
    enclose, keep = outcome
    assert enclose.action == "enclose" and enclose.subject == "Warning"
    assert enclose.reason is not None and enclose.reason.startswith("WARNING! The enclosed")
    assert keep.to_dict() == KEEP
    assert outcome.message is not None
    assert b"Subject: Warning" in outcome.message
    assert b"invoice.EXE" in outcome.message

    harmless = script.evaluate(attachment_message("invoice.pdf"), lists=lists)
    assert [a.to_dict() for a in harmless] == [KEEP]
    assert harmless.message is None


# Compile errors.


@pytest.mark.parametrize(
    ("script", "line", "column", "kind"),
    [
        ('require "fileinto";\n\n  frobnicate "x";\n', 3, 3, "unknown-command"),
        ('if foo "x" { keep; }', 1, 4, "unknown-test"),
        ('require "vacation-seconds-plus";', 1, 9, "unsupported-extension"),
        ('keep;\nfileinto "x";', 2, 1, "not-required"),
        (
            'require ["extlists", "envelope"];\n'
            'if envelope :list :comparator "i;octet" "from" ":addrbook:default" { keep; }',
            2,
            19,  # the :comparator tag
            "list-with-comparator",
        ),
        (
            'require ["extlists", "body"];\nif body :list ":addrbook:default" { keep; }',
            2,
            9,
            "list-not-supported",
        ),
        (
            'require "extlists";\nif header :list "from" "not a uri" { keep; }',
            2,
            24,
            "invalid-list-name",
        ),
        ('keep;\nrequire "fileinto";', 2, 1, "misplaced"),
        ('if true { keep; ', 1, 17, "syntax"),
    ],
)
def test_compile_errors(script: str, line: int, column: int, kind: str) -> None:
    with pytest.raises(SieveCompileError) as caught:
        sieve.compile(script)
    error = caught.value
    assert isinstance(error, SieveError) and isinstance(error, mailsec.MailsecError)
    assert isinstance(error, ValueError)
    assert (error.kind, error.line, error.column, error.code) == (kind, line, column, "compile")
    assert str(error) == f"{line}:{column}: {error.detail}"
    assert (error.limit, error.max) == (None, None)


def test_compile_error_in_bytes_that_are_not_utf8() -> None:
    with pytest.raises(SieveCompileError) as caught:
        sieve.compile(b'require "fileinto";\n# caf\xc3\xa9 \xff\nkeep;\n')
    error = caught.value
    assert (error.kind, error.line, error.column) == ("syntax", 2, 8)
    assert "UTF-8" in str(error)


def test_compile_limit() -> None:
    with pytest.raises(SieveCompileError) as caught:
        sieve.compile("if true { if true { if true { keep; } } }", limits=Limits(max_nesting=2))
    error = caught.value
    assert (error.kind, error.limit, error.max) == ("limit", "max_nesting", 2)


def test_compile_accepts_bytes_and_reports_requirements() -> None:
    script = sieve.compile(b'require ["fileinto", "extlists"];\nfileinto "x";')
    assert script.required == ["fileinto", "extlists"]
    assert "fileinto" in repr(script)


# Deferral and permanent list failures.


class Failing(DictLists):
    def __init__(self, error: BaseException) -> None:
        super().__init__(LISTS)
        self.error = error

    def contains(self, list_name: str, value: str) -> Union[bool, str, None]:
        raise self.error


def evaluate_ex1(lists: Resolver, limits: Optional[Limits] = None) -> Outcome:
    return example("ex1a").evaluate(
        message("From: a@example.org"), {"from": "a@example.org"}, lists=lists, limits=limits
    )


def test_temporary_list_error_defers() -> None:
    with pytest.raises(SieveDeferError) as caught:
        evaluate_ex1(Failing(TemporaryListError("directory server unreachable")))
    error = caught.value
    assert isinstance(error, SieveError) and not isinstance(error, SieveRuntimeError)
    assert error.code == "defer"
    assert (error.list, error.reason) == (
        ADDRBOOK_KEY,
        "temporary failure: directory server unreachable",
    )
    assert (error.line, error.column) == (None, None)
    assert isinstance(error.__cause__, TemporaryListError)


def test_slow_list_defers() -> None:
    with pytest.raises(SieveDeferError):
        evaluate_ex1(DictLists(LISTS), limits=Limits(list_timeout=0))


@pytest.mark.parametrize("raised", [RuntimeError("backend bug"), KeyError("nope")])
def test_other_exceptions_are_runtime_errors(raised: Exception) -> None:
    with pytest.raises(SieveRuntimeError) as caught:
        evaluate_ex1(Failing(raised))
    error = caught.value
    assert not isinstance(error, SieveDeferError)
    assert (error.code, error.line, error.column) == ("runtime", 3, 4)
    assert str(error) == f"3:4: runtime error: list {ADDRBOOK_KEY}: {raised}"
    assert error.__cause__ is raised


def test_keyboard_interrupt_is_not_swallowed() -> None:
    with pytest.raises(KeyboardInterrupt):
        evaluate_ex1(Failing(KeyboardInterrupt()))


def test_unknown_list_in_native_lists_is_a_runtime_error() -> None:
    with pytest.raises(SieveRuntimeError):
        evaluate_ex1(MemoryLists())


def test_lists_without_contains_are_refused() -> None:
    with pytest.raises(TypeError, match="contains"):
        evaluate_ex1(object())  # type: ignore[arg-type]


def test_evaluation_limit() -> None:
    script = sieve.compile('require "fileinto";\nfileinto "a";\nfileinto "b";\nfileinto "c";')
    with pytest.raises(SieveLimitError) as caught:
        script.evaluate(message("From: x@example.net"), limits=Limits(max_actions=2))
    error = caught.value
    assert isinstance(error, SieveRuntimeError)
    assert (error.code, error.limit, error.max) == ("limit", "max_actions", 2)


def test_redirect_domains() -> None:
    script = sieve.compile('redirect "someone@elsewhere.example";')
    allowed = script.evaluate(message("From: x@example.net"), redirect_domains=["elsewhere.example"])
    assert [a.address for a in allowed] == ["someone@elsewhere.example"]
    with pytest.raises(SieveRuntimeError):
        script.evaluate(message("From: x@example.net"), redirect_domains=["example.com"])


# The outcome and its actions.


def test_outcome_shape_and_json() -> None:
    script = sieve.compile(
        'require ["fileinto", "copy", "imap4flags"];\n'
        'fileinto :copy :flags ["\\\\Seen"] "Archive";\n'
        'if header :contains "subject" "urgent" { addflag "\\\\Flagged"; }\n'
    )
    outcome = script.evaluate(message("From: x@example.net", "Subject: urgent"), trace=True)
    assert len(outcome) == 2 and outcome[0] == outcome.actions[0] and outcome[-1] == outcome[1]
    fileinto, keep = outcome
    assert (fileinto.action, fileinto.mailbox, fileinto.flags, fileinto.copy) == (
        "fileinto",
        "Archive",
        ["\\Seen"],
        True,
    )
    assert (fileinto.implicit, fileinto.address, fileinto.reason, fileinto.headers) == (
        None,
        None,
        None,
        None,
    )
    assert (keep.action, keep.implicit, keep.flags, keep.copy) == ("keep", True, ["\\Flagged"], None)
    assert outcome.implicit_keep
    assert repr(fileinto) == (
        "Action(action='fileinto', mailbox='Archive', flags=['\\\\Seen'], copy=True)"
    )
    assert json.loads(fileinto.to_json()) == fileinto.to_dict()
    document = outcome.to_dict()
    assert isinstance(document, dict)
    assert document["actions"] == [a.to_dict() for a in outcome]
    assert json.loads(outcome.to_json()) == document
    assert outcome.trace and any(e.name == "header" and e.result for e in outcome.trace)
    assert all(e.line >= 1 and e.column >= 1 for e in outcome.trace)
    assert fileinto == script.evaluate(message("From: y@example.net")).actions[0]
    assert hash(fileinto) == hash(script.evaluate(message("From: y@example.net"))[0])
    with pytest.raises(IndexError):
        outcome[2]


def test_discard_cancels_the_implicit_keep() -> None:
    outcome = sieve.compile("discard;").evaluate(message("From: x@example.net"))
    assert [a.to_dict() for a in outcome] == [{"action": "discard"}]
    assert not outcome.implicit_keep and outcome.trace == []


def test_envelope_forms() -> None:
    script = sieve.compile(
        'require ["envelope", "fileinto"];\n'
        'if envelope :is "from" "" { fileinto "bounces"; }\n'
    )
    bounce = message("From: MAILER-DAEMON@example.net")
    null_sender: List[EnvelopeLike] = [
        Envelope(""),
        {"from": ""},
        Envelope(from_="", to="me@example.com"),
    ]
    for envelope in null_sender:
        assert script.evaluate(bounce, envelope)[0].mailbox == "bounces"
    others: List[Optional[EnvelopeLike]] = [
        None,
        Envelope(),
        {"from": None},
        Envelope("x@example.net", auth="x"),
    ]
    for other in others:
        assert names(script.evaluate(bounce, other)) == ["keep"]
    assert Envelope("a", "b", auth="c") == Envelope(from_="a", to="b", auth="c")
    assert Envelope("a").to is None and Envelope("a", auth="c").auth == "c"
    with pytest.raises(ValueError, match="unknown envelope part"):
        script.evaluate(bounce, {"mail_from": "x"})
    with pytest.raises(TypeError):
        script.evaluate(bounce, "x@example.net")  # type: ignore[arg-type]


def test_limits() -> None:
    default = Limits()
    assert default.max_nesting == 32 and default.list_timeout == 5.0
    custom = Limits(max_actions=3, list_timeout=0.5)
    assert (custom.max_actions, custom.list_timeout, custom.max_nesting) == (3, 0.5, 32)
    assert custom == Limits(max_actions=3, list_timeout=0.5) and custom != default
    with pytest.raises(ValueError):
        Limits(list_timeout=-1)


# The lists themselves.


def test_memory_lists() -> None:
    lists = MemoryLists()
    lists.insert(":addrbook:DEFAULT", "address", ["*@Example.org"])
    assert len(lists) == 1
    assert lists.contains(ADDRBOOK, "bob@EXAMPLE.org") == "*@example.org"
    assert lists.contains(ADDRBOOK, "bob@example.net") is None
    assert lists.is_valid(":addrbook:default") and not lists.is_valid("tag:x,2026:none")
    [info] = lists.lists()
    assert isinstance(info, ListInfo)
    assert (info.name, info.type, info.entries) == (ADDRBOOK_KEY, "address", 1)
    with pytest.raises(ValueError, match="unknown list type"):
        lists.insert("tag:x,2026:l", "phone", ["1"])
    with pytest.raises(SieveListStoreError):
        lists.insert("tag:x,2026:ips", "ip", ["not an ip"])
    with pytest.raises(SieveListStoreError):
        lists.insert("no scheme", "string", ["x"])
    assert lists.remove(":addrbook:default") and not lists.remove(":addrbook:default")
    assert len(lists) == 0


def test_sqlite_lists(tmp_path: Path) -> None:
    path = tmp_path / "lists.sqlite"
    store = SqliteLists(path)
    assert store.path == path
    assert store.import_list(BAD_IPS, "ip", ["192.0.2.0/24"]) == 1
    assert store.import_list(BAD_IPS, "ip", ["198.51.100.0/24", "203.0.113.9"]) == 2
    assert store.contains(BAD_IPS, "198.51.100.20") == "198.51.100.0/24"
    assert store.contains(BAD_IPS, "192.0.2.1") is None
    again = SqliteLists(str(path))
    assert [(i.name, i.type, i.entries) for i in again.lists()] == [(BAD_IPS, "ip", 2)]
    assert again.schemes() == ["tag"]
    assert again.remove(BAD_IPS) and store.lists() == []
    assert SqliteLists.in_memory().path is None
    with pytest.raises(SieveListStoreError):
        SqliteLists(tmp_path / "no" / "such" / "dir" / "lists.sqlite")


def test_open_lists_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[list]]\nname = "tag:x,2026:l"\ntype = "string"\n')
    with pytest.raises(SieveListStoreError):
        sieve.open_lists(bad)
    with pytest.raises(SieveListStoreError):
        sieve.open_lists(tmp_path / "missing.toml")


def test_capabilities(tmp_path: Path) -> None:
    capabilities = sieve.capabilities()
    assert {"extlists", "fileinto", "envelope", "enclose", "foreverypart"} <= set(capabilities)
    assert sieve.extlists_capability() == "urn"
    assert sieve.extlists_capability(memory_lists(tmp_path)) == "tag urn"
    assert sieve.extlists_capability(DictLists({"ldap://x/cn=a": ("string", [])})) == "ldap urn"

    class Minimal:
        def contains(self, list_name: str, value: str) -> bool:
            return False

    assert sieve.extlists_capability(Minimal()) == "urn"


def test_valid_ext_list(lists: Resolver) -> None:
    script = sieve.compile(
        'require ["extlists", "fileinto"];\n'
        f'if valid_ext_list ["{ADDRBOOK}", "{MYLIST}"] {{ fileinto "yes"; }}\n'
        'if valid_ext_list "tag:example.com,2026:nonesuch" { fileinto "no"; }\n'
    )
    outcome = script.evaluate(message("From: x@example.net"), lists=lists)
    assert [a.mailbox for a in outcome] == ["yes"]


def test_resolver_entry_becomes_match_variable() -> None:
    script = sieve.compile(
        'require ["extlists", "variables", "fileinto"];\n'
        'if address :list "from" "tag:example.com,2026:vip" { fileinto "vip/${0}"; }\n'
    )

    class Vip:
        def contains(self, list_name: str, value: str) -> Union[bool, str]:
            return "*@example.org" if value.endswith("@example.org") else False

    [fileinto] = script.evaluate(message("From: Alice <alice@example.org>"), lists=Vip())
    assert fileinto.mailbox == "vip/*@example.org"


# Threads.


def test_one_script_many_threads(tmp_path: Path) -> None:
    script = example("ex1b")
    backends: List[Resolver] = [DictLists(LISTS), memory_lists(tmp_path), sqlite_lists(tmp_path)]
    cases = [("alice@example.org", "5", [KEEP]), ("mallory@example.net", "5", [SPAM])]
    failures: List[str] = []

    def work(worker: int) -> None:
        for round in range(25):
            sender, score, expected = cases[(worker + round) % 2]
            outcome = script.evaluate(
                message(f"From: {sender}", f"X-Spam-Score: {score}"),
                {"from": sender},
                lists=backends[worker % len(backends)],
                spamtest_header="X-Spam-Score",
            )
            if [a.to_dict() for a in outcome] != expected:
                failures.append(f"worker {worker} round {round}: {outcome!r}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_memory_lists_updated_while_evaluating(tmp_path: Path) -> None:
    lists = memory_lists(tmp_path)
    script = example("ex1b")
    stop = threading.Event()

    def update() -> None:
        while not stop.is_set():
            lists.insert("tag:example.com,2026:other", "string", ["x"])

    updater = threading.Thread(target=update)
    updater.start()
    try:
        for _ in range(50):
            outcome = script.evaluate(
                message("From: alice@example.org", "X-Spam-Score: 5"),
                {"from": "alice@example.org"},
                lists=lists,
                spamtest_header="X-Spam-Score",
            )
            assert [a.to_dict() for a in outcome] == [KEEP]
    finally:
        stop.set()
        updater.join()


def test_exports() -> None:
    assert set(sieve.__all__) <= set(dir(sieve))
    assert isinstance(example("ex1a"), Script)
    assert Action.__name__ == "Action" and Script.__module__ == "mailsec.sieve"
    assert issubclass(TemporaryListError, mailsec.MailsecError)
    assert mailsec.sieve is sieve
