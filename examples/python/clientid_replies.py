"""How a Python SMTP server answers CLIENTID commands with mailsec.

Reads SMTP command lines on stdin and prints the reply a server sends for each
(draft-storey-smtp-client-id-13 §4, §8); the reason for a refusal goes to the log (stderr), never
to the client (§6.1).

    printf 'CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\\r\\nCLIENTID MAC\\r\\n' \\
        | python examples/python/clientid_replies.py
"""

from __future__ import annotations

import sys

import mailsec.clientid
from mailsec.clientid import ClientIdCommand, ClientIdSyntaxError


def reply_to(line: bytes) -> tuple[str, ClientIdCommand | None]:
    """The SMTP reply to one CLIENTID line, and the identity it presented, if well-formed."""
    try:
        command = mailsec.clientid.parse(line)
    except ClientIdSyntaxError as error:
        print(f"log: {error} (rule {error.rule})", file=sys.stderr)
        return f"{error.reply_code} Syntax error in parameters or arguments", None
    return "250 OK", command


def main() -> int:
    for line in sys.stdin.buffer:
        reply, command = reply_to(line)
        if command is not None:
            print(f"log: client presented {command.type} {command.token}", file=sys.stderr)
        print(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
