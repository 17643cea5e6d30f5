"""How a Python mail filter runs a Sieve script with externally stored lists (RFC 6134).

The script rejects mail from blocked senders and files mail from the address book; the lists
come from a Python object (a dict standing in for a directory server), then from an SQLite
store. When the directory server is down, the delivery is deferred (RFC 6134 §3).

    python examples/python/sieve_lists.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Union

from mailsec import sieve
from mailsec.sieve import SieveDeferError, TemporaryListError

SCRIPT = """\
require ["envelope", "extlists", "fileinto", "reject", "variables"];

if address :list "from" "tag:example.com,2026:blocked" {
  reject "Mail from ${0} is not accepted here";
} elsif envelope :list "from" ":addrbook:default" {
  fileinto "Friends";
}
"""

ADDRBOOK = "urn:ietf:params:sieve:addrbook:default"  # ":addrbook:default", as resolvers see it
BLOCKED = "tag:example.com,2026:blocked"


class Directory:
    """A list resolver: any object with contains(list_name, value) will do. Returning a str
    says which entry matched (the script sees it as ${0})."""

    def __init__(self, lists: Dict[str, List[str]]) -> None:
        self.lists = lists
        self.up = True

    def contains(self, list_name: str, value: str) -> Union[bool, str]:
        if not self.up:
            raise TemporaryListError("directory server not answering")
        for entry in self.lists.get(list_name, []):
            if entry.startswith("*@") and value.lower().endswith(entry[1:]):
                return entry
            if entry.lower() == value.lower():
                return entry
        return False

    def members(self, list_name: str) -> Optional[List[str]]:
        return self.lists.get(list_name)


def delivery(sender: str) -> bytes:
    return f"From: {sender}\r\nTo: me@example.com\r\nSubject: hello\r\n\r\nHi!\r\n".encode()


def show(label: str, script: sieve.Script, sender: str, lists: sieve.Resolver) -> None:
    try:
        outcome = script.evaluate(
            delivery(sender), {"from": sender, "to": "me@example.com"}, lists=lists
        )
    except SieveDeferError as error:
        print(f"{label}: {sender}: defer (451 4.4.3): {error.reason}")
        return
    actions = ", ".join(f"{a.action} {a.mailbox or a.reason or ''}".rstrip() for a in outcome)
    print(f"{label}: {sender}: {actions}")


def main() -> int:
    script = sieve.compile(SCRIPT)
    print(f"requires: {', '.join(script.required)}")

    directory = Directory({ADDRBOOK: ["alice@example.org"], BLOCKED: ["*@spam.example"]})
    for sender in ("Alice@Example.org", "bob@example.net", "offers@spam.example"):
        show("python", script, sender, directory)
    directory.up = False
    show("python", script, "alice@example.org", directory)

    with tempfile.TemporaryDirectory() as tmp:
        store = sieve.SqliteLists(Path(tmp) / "lists.sqlite")
        store.import_list(":addrbook:default", "address", ["alice@example.org"])
        store.import_list(BLOCKED, "address", ["*@spam.example", "mallory@example.net"])
        for info in store.lists():
            print(f"sqlite list {info.name} ({info.type}): {info.entries} entries")
        print(f"ManageSieve EXTLISTS: {sieve.extlists_capability(store)}")
        for sender in ("alice@example.org", "mallory@example.net"):
            show("sqlite", script, sender, store)

    try:
        sieve.compile('require "fileinto";\nfileinto "Friends";\nfrobnicate;\n')
    except sieve.SieveCompileError as error:
        print(f"compile error at line {error.line}, column {error.column}: {error.kind}")

    # Every backend answers contains() directly too, e.g. to check an import.
    networks = sieve.MemoryLists()
    networks.insert("tag:example.com,2026:networks", "ip", ["192.0.2.0/24"])
    print(f"192.0.2.77 is in {networks.contains('tag:example.com,2026:networks', '192.0.2.77')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
