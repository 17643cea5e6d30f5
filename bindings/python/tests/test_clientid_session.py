"""mailsec.clientid server side from Python: the session rules of draft §3 and §4, the handling
flags of §7, each policy heuristic of §6, policy and store errors, threads, the SQLite store."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import mailsec
from mailsec.clientid import (
    ClientIdPolicyError,
    Decision,
    Engine,
    HistoryStoreError,
    MemoryStore,
    Policy,
    Reply,
    Session,
    SqliteStore,
)

UUID = "23bf83be-aad7-46aa-9e0f-39191ccf402f"
UUID_LINE = f"CLIENTID UUID {UUID}"
MAC_LINE = "CLIENTID MAC 08:9e:01:70:f6:46"
OTHER_UUID_LINE = "CLIENTID UUID 0b9e6b3c-0d0e-4a53-9c55-2f6b8b1c6a11"
NOW = 1_700_000_000
REFUSED = "550 Server policy does not permit your use of this mail system"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "python"


def engine(toml: str = "", store: Optional[MemoryStore] = None) -> Engine:
    """An engine for the `[clientid]` table `toml` (without its header)."""
    return Engine(Policy.from_toml("[clientid]\n" + toml), store)


def ready(e: Engine, line: Optional[str] = UUID_LINE) -> Session:
    """A session after STARTTLS and EHLO, with `line` answered 250 (when given)."""
    session = Session(e)
    session.tls_established()
    assert session.ehlo()
    if line is not None:
        assert session.clientid(line).code == 250
    return session


def auth(
    e: Engine,
    line: Optional[str] = UUID_LINE,
    account: str = "alice@example.com",
    valid: bool = True,
    peer: str = "192.0.2.1",
    now: int = NOW,
) -> Decision:
    """One connection up to AUTH."""
    return ready(e, line).authenticate(account, valid, peer, now=now)


def names(decision: Decision) -> List[str]:
    return [name for name, _, _ in decision.findings]


# draft §3: the EHLO keyword


def test_section_3_rule_1_never_advertised_when_disabled() -> None:
    session = Session(engine("enabled = false"), tls=True)
    assert not session.advertises
    assert not session.ehlo()
    # Not enabled: CLIENTID is an unknown command.
    assert session.clientid(UUID_LINE).code == 500


def test_section_3_rule_2_never_advertised_before_tls() -> None:
    session = Session(engine())
    assert not session.tls
    assert not session.advertises
    assert not session.ehlo()


def test_section_3_rule_3_always_advertised_after_tls() -> None:
    session = Session(engine())
    session.tls_established()
    assert session.tls and session.advertises
    assert session.ehlo()
    assert session.ehlo()  # every EHLO reply
    # Implicit TLS (port 465) is encrypted from the start.
    assert Session(engine(), tls=True).ehlo()


# draft §4: the CLIENTID command


def test_section_4_before_tls_is_500_section_8_2() -> None:
    session = Session(engine())
    session.ehlo()
    reply = session.clientid("CLIENTID MAC 08:9e:01:70:f6:46")
    assert (reply.code, reply.text) == (500, "Syntax error, command unrecognised")
    assert session.identity is None


def test_section_4_before_the_keyword_was_advertised_is_503() -> None:
    session = Session(engine())
    session.tls_established()
    assert session.clientid(UUID_LINE).code == 503
    session.helo()  # a HELO reply lists no keyword
    assert session.clientid(UUID_LINE).code == 503
    assert session.ehlo()
    assert session.clientid(UUID_LINE).code == 250


def test_section_4_malformed_is_501_section_8_4() -> None:
    session = ready(engine(), None)
    reply = session.clientid("CLIENTID MAC")
    assert str(reply) == "501 Syntax error in parameters or arguments"
    assert reply.enhanced == "5.5.4"
    assert not session.clientid_accepted
    # A malformed command is not a successful one.
    assert session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46\r\n").code == 250


def test_section_4_after_a_successful_clientid_is_503() -> None:
    session = ready(engine())
    assert session.clientid_accepted
    assert session.clientid(UUID_LINE).code == 503
    assert session.clientid(MAC_LINE).code == 503
    assert session.identity == ("UUID", UUID)


def test_section_4_after_auth_is_503() -> None:
    session = ready(engine(), None)
    session.auth_started()
    assert session.clientid(UUID_LINE).code == 503
    decided = ready(engine())
    decided.authenticate("alice@example.com", True, "192.0.2.1", now=NOW)
    assert decided.clientid(UUID_LINE).code == 503


def test_section_4_security_layer_reset_discards_the_identity() -> None:
    session = ready(engine())
    session.authenticate("alice@example.com", True, "192.0.2.1", now=NOW)
    session.security_layer_reset()
    assert session.identity is None
    assert session.tls and not session.authenticated
    # Back to the initial state: the keyword must be advertised again first.
    assert session.clientid(UUID_LINE).code == 503
    assert session.ehlo()
    assert session.clientid(UUID_LINE).code == 250


def test_section_4_starttls_discards_what_came_before() -> None:
    session = ready(engine())
    session.tls_established()
    assert session.identity is None
    assert session.clientid(UUID_LINE).code == 503


def test_rset_keeps_the_identity_and_quit_ends_the_session() -> None:
    session = ready(engine())
    session.rset()
    assert session.identity == ("UUID", UUID)
    session.quit()
    assert not session.advertises
    assert session.clientid(UUID_LINE).code == 503


def test_section_8_1_whole_session() -> None:
    session = Session(engine())
    assert not session.ehlo()
    session.tls_established()
    assert session.ehlo()
    assert str(session.clientid(UUID_LINE)) == "250 OK"
    decision = session.authenticate("test", True, "192.0.2.1", now=NOW)
    assert decision.verdict == "allow"
    assert decision.outcome == "succeeded"
    assert str(decision.reply) == "235 Authentication successful"
    assert decision.reply.line(enhanced=True) == "235 2.7.0 Authentication successful"
    assert decision.findings == [] and decision.alerts == []
    assert decision.log_line == "allow reply=235"
    assert session.authenticated
    assert session.transaction_refusal is None


def test_section_8_3_refusal_after_235_with_refuse_at_transaction() -> None:
    e = engine('refuse_at = "transaction"\ndenied_types = ["MAC"]')
    assert e.policy.refuse_at == "transaction"
    session = ready(e, MAC_LINE)
    decision = session.authenticate("test", True, "192.0.2.1", now=NOW)
    assert (decision.verdict, decision.reply.code) == ("refuse", 235)
    assert decision.outcome == "refused_after_auth"
    refusal = session.transaction_refusal
    assert refusal is not None and str(refusal) == REFUSED


def test_credentials_decide_when_the_policy_allows() -> None:
    decision = auth(engine(), valid=False)
    assert (decision.verdict, str(decision.reply)) == (
        "allow",
        "535 Authentication credentials invalid",
    )
    assert decision.outcome == "failed"
    # The default handling alerts on failed authentication (draft §7 flag 6).
    assert decision.alerts == ["authentication_failed"]


# draft §7: handling flags


def handling_engine(flags: str, extra: str = "") -> Engine:
    return engine(f"{extra}\n[clientid.handling]\ntypes = {{ MAC = {flags} }}\n")


def test_section_7_default_handling_of_an_unknown_type() -> None:
    session = ready(engine(), "CLIENTID X-VENDOR-ID abc")  # SHOULD NOT reject an unknown type
    assert session.handling == {"system-log", "authentication", "alert-on-failure"}
    assert session.loggable_identity("system") == ("X-VENDOR-ID", "abc")
    assert session.loggable_identity("user") is None


def test_section_7_flag_1_ignore_is_not_presented_nor_kept() -> None:
    e = handling_engine('["ignore"]', "require_clientid = true")
    session = ready(e, MAC_LINE)  # still answered 250
    assert session.identity is None and session.handling is None
    assert session.clientid(UUID_LINE).code == 503  # it was a successful CLIENTID
    decision = session.authenticate("test", True, "192.0.2.1", now=NOW)
    assert names(decision) == ["clientid_required"]


def test_section_7_flag_2_debug_is_kept_but_not_presented() -> None:
    e = handling_engine('["debug", "system-log"]', "require_clientid = true")
    session = ready(e, MAC_LINE)
    assert session.identity == ("MAC", "08:9e:01:70:f6:46")
    assert session.presented_identity is None
    assert session.handling == {"debug", "system-log"}
    assert session.loggable_identity("system") == ("MAC", "08:9e:01:70:f6:46")
    decision = session.authenticate("test", True, "192.0.2.1", now=NOW)
    assert decision.verdict == "refuse" and names(decision) == ["clientid_required"]


def test_section_7_flags_3_and_4_system_log_versus_user_log() -> None:
    system = ready(handling_engine('["system-log"]'), MAC_LINE)
    assert system.loggable_identity("system") == ("MAC", "08:9e:01:70:f6:46")
    assert system.loggable_identity("user") is None
    user = ready(handling_engine('["user-log"]'), MAC_LINE)
    assert user.loggable_identity("system") is None
    assert user.loggable_identity("user") == ("MAC", "08:9e:01:70:f6:46")
    neither = ready(handling_engine("[]"), MAC_LINE)
    assert neither.handling == set()
    assert neither.presented_identity == ("MAC", "08:9e:01:70:f6:46")
    assert neither.loggable_identity("system") is None
    with pytest.raises(ValueError):
        neither.loggable_identity("everyone")


def test_section_7_flag_5_only_used_for_authentication_when_set() -> None:
    # Without flag 5 the denied type is never looked at.
    decision = auth(handling_engine('["system-log"]', 'denied_types = ["MAC"]'), MAC_LINE)
    assert decision.verdict == "allow"
    decision = auth(handling_engine('["authentication"]', 'denied_types = ["MAC"]'), MAC_LINE)
    assert decision.verdict == "refuse"


def test_section_7_flags_6_and_7_alerts() -> None:
    e = handling_engine('["authentication", "alert-on-failure", "alert-on-success"]')
    assert auth(e, MAC_LINE).alerts == ["authentication_succeeded"]
    assert auth(e, MAC_LINE, valid=False).alerts == ["authentication_failed"]
    quiet = handling_engine('["authentication"]')
    assert auth(quiet, MAC_LINE, valid=False).alerts == []


# draft §6: the heuristics, each at least once


def test_section_6_1_item_1_require_clientid() -> None:
    e = engine("require_clientid = true")
    assert e.policy.require_clientid
    decision = auth(e, None)
    assert str(decision.reply) == REFUSED
    assert decision.findings == [("clientid_required", "deny", "no client identity presented")]
    assert auth(e).verdict == "allow"


def test_section_6_1_items_2_and_3_denied_and_allowed_types() -> None:
    decision = auth(engine('denied_types = ["MAC"]'), MAC_LINE)
    assert (decision.verdict, str(decision.reply)) == ("refuse", REFUSED)
    assert decision.findings == [("type_not_accepted", "deny", "type MAC is not accepted")]
    assert decision.alerts == ["authentication_failed", "type_not_accepted"]
    # Refused whatever the credentials: the reply tells a guesser nothing (draft §6.1).
    assert str(auth(engine('denied_types = ["MAC"]'), MAC_LINE, valid=False).reply) == REFUSED
    allowed = engine('allowed_types = ["UUID"]')
    assert auth(allowed).verdict == "allow"
    assert names(auth(allowed, MAC_LINE)) == ["type_not_accepted"]


def test_section_6_1_item_4_revoked() -> None:
    e = engine(f'[[clientid.revoked]]\ntype = "uuid"\ntoken = "{UUID}"')
    decision = auth(e)
    assert decision.verdict == "refuse" and names(decision) == ["revoked"]
    assert auth(e, OTHER_UUID_LINE).verdict == "allow"


def test_section_6_1_item_5_accounts() -> None:
    e = engine(f'[clientid.accounts]\n"alice@example.com" = [{{ type = "UUID", token = "{UUID}" }}]')
    assert auth(e).verdict == "allow"
    decision = auth(e, OTHER_UUID_LINE)
    assert names(decision) == ["not_permitted_for_account"]
    assert str(decision.reply) == REFUSED
    # Accounts without an entry are not restricted.
    assert auth(e, OTHER_UUID_LINE, account="bob@example.com").verdict == "allow"


def test_section_6_3_use_case_3_new_device_denied_until_known() -> None:
    store = MemoryStore()
    strict = engine('token_storage = "plain"\nnew_device = "deny"', store)
    decision = auth(strict)
    assert decision.verdict == "refuse" and decision.findings[0][:2] == ("new_device", "deny")
    # A refused device does not become known.
    assert auth(strict).verdict == "refuse"
    # Let in once, with an alert...
    alerting = engine('token_storage = "plain"\nnew_device = "alert"', store)
    decision = auth(alerting)
    assert decision.verdict == "allow"
    assert decision.findings[0][:2] == ("new_device", "alert")
    assert "new_device" in decision.alerts
    # ...it is known from then on, to the strict policy too; for this account only.
    assert auth(strict).findings == []
    assert auth(strict).verdict == "allow"
    assert names(auth(strict, account="bob@example.com")) == ["new_device"]
    assert store.identity_count() == 1


def test_section_6_3_use_case_2_shared_identity() -> None:
    e = engine("[clientid.shared_identity]\nmax_accounts = 2\nwindow_seconds = 3600")
    assert auth(e, account="a@example.com").verdict == "allow"
    assert auth(e, account="b@example.com", now=NOW + 1).verdict == "allow"
    decision = auth(e, account="c@example.com", now=NOW + 2)
    assert names(decision) == ["shared_across_accounts"]
    assert decision.verdict == "refuse"
    # Out of the window the count starts again.
    assert auth(e, account="d@example.com", now=NOW + 3700).verdict == "allow"


def test_section_6_2_item_3_rate_per_identity() -> None:
    e = engine("[clientid.rate]\nmax_attempts = 2\nwindow_seconds = 600")
    assert auth(e, now=NOW).verdict == "allow"
    assert auth(e, now=NOW + 1).verdict == "allow"
    assert names(auth(e, now=NOW + 2)) == ["rate_limited"]
    # Another device behind the same address is counted on its own (draft §6.3 use case 7).
    assert auth(e, OTHER_UUID_LINE, now=NOW + 3).verdict == "allow"
    assert auth(e, now=NOW + 700).verdict == "allow"


def test_section_6_2_item_4_travel() -> None:
    e = engine("[clientid.travel]\nwindow_seconds = 3600")
    assert auth(e, peer="192.0.2.1", now=NOW).findings == []
    # Same /16 a minute later: one network.
    assert auth(e, peer="192.0.99.7", now=NOW + 60).findings == []
    # Another network ten minutes later: alert (the default action), still allowed.
    decision = auth(e, peer="198.51.100.7", now=NOW + 600)
    assert decision.verdict == "allow"
    assert decision.findings[0][:2] == ("impossible_travel", "alert")
    assert "impossible_travel" in decision.alerts
    # Back again, but after the window: no finding.
    assert auth(e, peer="192.0.2.1", now=NOW + 600 + 3601).findings == []
    # Locations supplied by the host replace prefixes.
    session = ready(e)
    located = session.authenticate(
        "alice@example.com", True, "192.0.2.1", now=NOW + 7300, location="FR"
    )
    assert names(located) == ["impossible_travel"]


def test_section_6_2_item_3_connections_per_identity() -> None:
    e = engine("max_connections_per_identity = 1")
    first = ready(e)
    assert first.authenticate("a@example.com", True, "192.0.2.1", now=NOW).verdict == "allow"
    assert names(auth(e)) == ["too_many_connections"]
    first.quit()  # frees the slot
    assert auth(e).verdict == "allow"


def test_peer_may_be_an_ipaddress_object_and_now_defaults_to_the_clock() -> None:
    session = ready(engine())
    decision = session.authenticate("a", True, ipaddress.ip_address("2001:db8::1"))
    assert decision.verdict == "allow"
    with pytest.raises(ValueError):
        ready(engine()).authenticate("a", True, "not an address")


# Policy, errors, stores


def test_policy_defaults_and_load(tmp_path: Path) -> None:
    assert Policy() == Policy.from_toml("")
    assert Policy().enabled and not Policy().lenient
    path = tmp_path / "mailsec.toml"
    path.write_text('[clientid]\nlenient = true\nrefuse_at = "transaction"\n')
    loaded = Policy.load(path)
    assert loaded.lenient and loaded.refuse_at == "transaction"
    assert Policy.load(str(path)) == loaded
    assert repr(Policy()) == "Policy(enabled=True, require_clientid=False, refuse_at='auth')"
    session = Session(Engine(loaded), tls=True)
    session.ehlo()
    assert session.clientid("CLIENTID DEVICE_ID a1").code == 250
    with pytest.raises(OSError):
        Policy.load(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    "toml, setting, line",
    [
        ("[clientid]\nrequire_clientid = maybe\n", None, 2),
        ("[clientid]\nrequire_clientd = true\n", None, 2),
        ("[clientid.travel]\nwindow_seconds = 60\nipv4_prefix = 40\n", "travel.ipv4_prefix", None),
        ("[clientid.rate]\nmax_attempts = 1\nwindow_seconds = 0\n", "rate.window_seconds", None),
    ],
)
def test_policy_errors(toml: str, setting: Optional[str], line: Optional[int]) -> None:
    with pytest.raises(ClientIdPolicyError) as caught:
        Policy.from_toml(toml)
    error = caught.value
    assert isinstance(error, mailsec.MailsecError) and isinstance(error, ValueError)
    assert (error.setting, error.line) == (setting, line)
    assert (setting or f"line {line}") in str(error)


def test_token_key_file_too_short(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"short")
    with pytest.raises(ClientIdPolicyError) as caught:
        Engine(Policy.from_toml(f'[clientid]\ntoken_key_file = "{key}"\n'))
    assert caught.value.setting == "token_key_file"


def test_store_argument_must_be_a_store() -> None:
    with pytest.raises(TypeError):
        Engine(Policy(), "memory")  # type: ignore[arg-type]


def test_sqlite_store_persists_across_engines(tmp_path: Path) -> None:
    key = tmp_path / "token.key"
    key.write_bytes(b"k" * 32)
    path = tmp_path / "history.sqlite"
    policy = f'[clientid]\ntoken_key_file = "{key}"\nnew_device = "%s"\n'

    first = Engine(Policy.from_toml(policy % "alert"), SqliteStore(path))
    assert names(auth(first)) == ["new_device"]
    assert auth(first).findings == []
    del first

    store = SqliteStore(path)
    assert store.path == path and store.identity_count() == 1
    second = Engine(Policy.from_toml(policy % "deny"), store)
    assert auth(second).verdict == "allow"
    assert names(auth(second, OTHER_UUID_LINE)) == ["new_device"]
    assert store.identity_count() == 2

    # Another key names the same device differently: it is new again.
    other_key = tmp_path / "other.key"
    other_key.write_bytes(b"o" * 32)
    rekeyed = Engine(
        Policy.from_toml(f'[clientid]\ntoken_key_file = "{other_key}"\nnew_device = "deny"\n'),
        SqliteStore(path),
    )
    assert auth(rekeyed).verdict == "refuse"


def test_sqlite_store_errors(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "text"
    not_sqlite.write_text("not an SQLite database, not even close; long enough to be read.\n")
    with pytest.raises(HistoryStoreError) as caught:
        SqliteStore(not_sqlite)
    assert (caught.value.code, caught.value.temporary) == ("store_corrupt", False)
    with pytest.raises(HistoryStoreError) as caught:
        SqliteStore(tmp_path / "no" / "such" / "dir.sqlite")
    assert (caught.value.code, caught.value.temporary) == ("store_unavailable", True)
    assert isinstance(caught.value, mailsec.MailsecError)
    assert SqliteStore.in_memory().path is None


def test_reply_values() -> None:
    reply = ready(engine(), None).clientid(UUID_LINE)
    assert isinstance(reply, Reply)
    assert (reply.code, reply.enhanced, reply.text, reply.positive) == (250, "2.0.0", "OK", True)
    assert repr(reply) == "Reply(250, '2.0.0', 'OK')"
    assert reply == ready(engine(), None).clientid(MAC_LINE)
    assert len({reply, ready(engine(), None).clientid("CLIENTID MAC")}) == 2


# Threads


def test_one_engine_many_threads() -> None:
    e = engine("[clientid.rate]\nmax_attempts = 1000\nwindow_seconds = 600")

    def connection(i: int) -> Tuple[int, str]:
        session = ready(e, f"CLIENTID UUID device-{i % 4}")
        decision = session.authenticate(f"user{i}@example.com", True, "192.0.2.1", now=NOW)
        return decision.reply.code, decision.verdict

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(connection, range(200)))
    assert results == [(235, "allow")] * 200


def test_one_session_shared_by_threads_accepts_one_clientid() -> None:
    session = ready(engine(), None)
    barrier = threading.Barrier(8)

    def send(i: int) -> int:
        barrier.wait()
        return session.clientid(f"CLIENTID UUID device-{i}").code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = sorted(pool.map(send, range(8)))
    assert codes == [250] + [503] * 7


def test_example_clientid_session_replays_the_draft() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "clientid_session.py")],
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().splitlines() == [
        "C: EHLO client.example.net",
        "S: 250 (CLIENTID not advertised)",
        f"C: {MAC_LINE}",
        "S: 500 Syntax error, command unrecognised",
        "C: STARTTLS",
        "C: EHLO client.example.net",
        "S: 250 (CLIENTID advertised)",
        f"C: {MAC_LINE}",
        "S: 250 OK",
        "C: AUTH PLAIN ...",
        f"S: {REFUSED}",
        "log: refuse reply=550 findings=[type_not_accepted (deny): type MAC is not accepted]",
    ]
    assert result.stderr == b""
