"""How a Python SMTP server keeps CLIENTID state and applies a policy at AUTH with mailsec.

Replays one connection (draft-storey-smtp-client-id-13 §8.2, then §8.3): CLIENTID before TLS is
refused, the keyword is advertised after STARTTLS, the MAC identity is accepted at the command and
refused at AUTH by a policy that denies the MAC type, with the draft's generic 550. The reason goes
to the server's log only (§6.1).

    python examples/python/clientid_session.py
"""

from __future__ import annotations

from mailsec.clientid import Engine, MemoryStore, Policy, Session

POLICY = """
[clientid]
denied_types = ["MAC"]
"""


def main() -> None:
    engine = Engine(Policy.from_toml(POLICY), MemoryStore())  # one per server
    session = Session(engine)  # one per connection, plaintext until STARTTLS
    mac = "CLIENTID MAC 08:9e:01:70:f6:46"

    print("C: EHLO client.example.net")
    print(f"S: 250 (CLIENTID {'advertised' if session.ehlo() else 'not advertised'})")
    print(f"C: {mac}")
    print(f"S: {session.clientid(mac)}")

    print("C: STARTTLS")
    session.tls_established()
    print("C: EHLO client.example.net")
    print(f"S: 250 (CLIENTID {'advertised' if session.ehlo() else 'not advertised'})")
    print(f"C: {mac}")
    print(f"S: {session.clientid(mac)}")

    print("C: AUTH PLAIN ...")
    decision = session.authenticate("test", True, "192.0.2.1")
    print(f"S: {decision.reply}")
    print(f"log: {decision.log_line}")


if __name__ == "__main__":
    main()
