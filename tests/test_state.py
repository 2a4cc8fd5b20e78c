"""The in-memory store: journal bounds and filters, redaction, per-session reset."""

from __future__ import annotations

import json

import pytest

from mockserver.answers.plan import Plan
from mockserver.journal.entry import JournalEntry, journal_entry
from mockserver.journal.query import JournalQuery
from mockserver.journal.recorder import JournalRecorder
from mockserver.journal.redaction import REDACTED, redact_body, redact_headers, redact_pairs
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.matchers import Match
from mockserver.scenarios.matching import Unfired, compile_match
from mockserver.scenarios.model import Scenario
from mockserver.store.memory import BucketKey, Counters, InMemoryStore, LoadedScenario, Store

SMS = "/restapi/v1.0/account/~/extension/~/sms"


def entry(
    n: int = 0,
    *,
    session: str | None = "s1",
    vendor: str = "ringcentral",
    path: str = SMS,
    rule: str | None = None,
    status: int = 200,
    outcome: str = "passthrough",
) -> JournalEntry:
    return JournalEntry(
        time=float(n),
        session=session,
        vendor=vendor,
        method="POST",
        path=path,
        raw_query=(),
        raw_headers=(("content-type", "application/json"),),
        raw_body=json.dumps({"n": n, "to": [{"phoneNumber": f"+1555000{n}"}]}).encode(),
        rule=rule,
        reason="",
        outcome=outcome,
        status=status,
        latency_ms=1.0,
    )


def loaded(name: str, owner: str | None = None, seq: int = 0) -> LoadedScenario:
    scenario = Scenario.model_validate({"name": name, "rules": [{"passthrough": True}]})
    return LoadedScenario(scenario, owner, seq, 0.0)


def test_in_memory_store_satisfies_the_protocol() -> None:
    store: Store = InMemoryStore()
    assert store.generation == 0


# ---- journal -------------------------------------------------------------------------------


def test_journal_is_bounded_and_counts_drops() -> None:
    store = InMemoryStore(journal_limit=3)
    for n in range(5):
        store.record(entry(n))
    assert [e.time for e in store.journal()] == [2.0, 3.0, 4.0]
    assert store.dropped == 2
    assert [e.time for e in store.journal(limit=1)] == [4.0]


def test_journal_default_limit_is_ten_thousand() -> None:
    assert InMemoryStore().journal_limit == 10_000
    with pytest.raises(ValueError, match="at least 1"):
        InMemoryStore(journal_limit=0)


def test_journal_filters() -> None:
    store = InMemoryStore()
    store.record(entry(1, session="a", rule="r1", status=429, outcome="error"))
    store.record(entry(2, session="b", vendor="yeastar", path="/openapi/v1.0/get_token"))
    store.record(entry(3, session="a", path="/restapi/oauth/token"))

    def times(**kw: object) -> list[float]:
        return [e.time for e in store.journal(JournalQuery(**kw))]  # type: ignore[arg-type]

    assert times(session="a") == [1.0, 3.0]
    assert times(vendor="yeastar") == [2.0]
    assert times(path=SMS) == [1.0]
    assert times(path="/restapi/*") == [1.0, 3.0]
    assert times(rule="r1") == [1.0]
    assert times(status=429) == [1.0]
    assert times(outcome="error") == [1.0]
    assert times(since=2.0) == [2.0, 3.0]
    assert times(method="post") == [1.0, 2.0, 3.0]
    assert store.count(JournalQuery(session="a", since=2.0)) == 1
    assert store.count() == 3


def test_count_with_a_rule_style_match() -> None:
    store = InMemoryStore()
    for n in range(4):
        store.record(entry(n))
    pattern = compile_match(Match.model_validate({"body": {"to.0.phoneNumber": "+15550002"}}))
    assert store.count(JournalQuery(match=pattern)) == 1
    pattern = compile_match(
        Match.model_validate({"method": "POST", "path": {"glob": "/restapi/**"}})
    )
    assert store.count(JournalQuery(match=pattern, session="s1")) == 4


def test_clear_journal_of_one_session() -> None:
    store = InMemoryStore()
    store.record(entry(1, session="a"))
    store.record(entry(2, session="b"))
    store.clear_journal("a")
    assert [e.session for e in store.journal()] == ["b"]
    store.clear_journal()
    assert store.journal() == []


def test_entry_to_dict_is_json_ready() -> None:
    e = journal_entry(
        RequestSnapshot(
            vendor="yeastar",
            method="get",
            path="/x",
            query=[("a", "1"), ("a", "2"), ("b", "3")],
            headers={"X-Y": "z"},
        ),
        time=5.0,
        outcome="passthrough",
        status=200,
        latency_ms=0.5,
    )
    data = e.to_dict()
    assert data["query"] == {"a": ["1", "2"], "b": "3"}
    assert data["headers"] == {"x-y": "z"}
    assert data["method"] == "GET"
    json.dumps(data)


# ---- redaction -----------------------------------------------------------------------------


def test_redact_headers() -> None:
    out = redact_headers(
        {
            "Authorization": "Bearer abc.def",
            "Cookie": "sid=1",
            "key": "webex-key",
            "X-Api-Key": "k",
            "X-Auth-Token": "t",
            "Content-Type": "application/json",
            "X-Mock-Session": "s1",
        }
    )
    assert out["Authorization"] == f"Bearer {REDACTED}"
    assert out["Cookie"] == REDACTED
    assert out["key"] == REDACTED
    assert out["X-Api-Key"] == REDACTED
    assert out["X-Auth-Token"] == REDACTED
    assert out["Content-Type"] == "application/json"
    assert out["X-Mock-Session"] == "s1"


def test_redact_query_pairs() -> None:
    pairs = [("access_token", "t"), ("page", "2"), ("client_secret", "s")]
    assert redact_pairs(pairs) == (
        ("access_token", REDACTED),
        ("page", "2"),
        ("client_secret", REDACTED),
    )


def test_redact_form_body() -> None:
    body = b"grant_type=password&username=bob&password=hunter2&client_secret=s&assertion=jwt"
    text = redact_body(body, "application/x-www-form-urlencoded")
    assert "hunter2" not in text
    assert "jwt" not in text
    assert "=s&" not in text
    assert "username=bob" in text
    assert f"password={REDACTED}" in text


def test_redact_json_body_at_any_depth() -> None:
    body = json.dumps(
        {
            "refresh_token": "r",
            "user": {"password": "p", "name": "n"},
            "list": [{"access_token": "a"}],
        }
    ).encode()
    data = json.loads(redact_body(body, "application/json"))
    assert data == {
        "refresh_token": REDACTED,
        "user": {"password": REDACTED, "name": "n"},
        "list": [{"access_token": REDACTED}],
    }


def test_redact_body_truncates_and_keeps_other_text() -> None:
    assert redact_body(b"") == ""
    assert redact_body(b"\xff plain") == "\ufffd plain"
    text = redact_body(b"x" * 100, "text/plain", limit=10)
    assert text == "x" * 10 + "...[90 more characters]"


def test_journal_entry_redacts_everything() -> None:
    snapshot = RequestSnapshot(
        vendor="yeastar",
        method="POST",
        path="/openapi/v1.0/get_token",
        query=[("access_token", "secret-token")],
        headers={"Content-Type": "application/json", "Authorization": "Basic Ym9iOnB3"},
        body=b'{"username": "api", "password": "pw"}',
        session="s1",
    )
    e = journal_entry(snapshot, time=1.0, outcome="passthrough", status=200, latency_ms=2.0)
    flat = json.dumps(e.to_dict())
    assert "secret-token" not in flat
    assert "Ym9iOnB3" not in flat
    assert '"pw"' not in flat
    assert e.session == "s1"


def test_one_builder_makes_the_recorders_entries_and_everyone_elses() -> None:
    snapshot = RequestSnapshot(
        vendor="ringcentral", method="POST", path=SMS, body=b"{}", session="s1", received_at=7.0
    )
    unfired = (Unfired("r1", "s", "times 1", "spent"),)
    by_name = journal_entry(
        snapshot,
        time=7.0,
        outcome="error",
        status=429,
        latency_ms=2.0,
        rule="r2",
        scenario="s",
        reason="why",
        unfired=unfired,
    )
    assert by_name == journal_entry(snapshot, 7.0, "error", 429, 2.0, "r2", "s", "why", unfired)
    assert by_name.unfired == unfired  # given when built, not set afterwards
    store = InMemoryStore()
    plan = Plan("error", rule="r2", scenario="s", reason="why", unfired=unfired)
    JournalRecorder(store).record(snapshot, plan, 429, 2.0)
    assert store.journal() == [by_name]


# ---- scenarios, counters, windows, reset ---------------------------------------------------


def test_swap_scenarios_replaces_and_drops_state() -> None:
    store = InMemoryStore()
    store.swap_scenarios([loaded("a", seq=0), loaded("b", seq=1)], [])
    rule_a, rule_b = (None, "a", "a#0"), (None, "b", "b#0")
    store.set_counters(rule_a, "s1", Counters(2, 1))
    store.set_counters(rule_b, "s1", Counters(5, 5))
    store.push_window(BucketKey(rule_a, "s1"), 1.0)
    generation = store.generation
    store.swap_scenarios([loaded("a", seq=0)], [(None, "b")])
    assert store.generation > generation
    assert [s.scenario.name for s in store.scenarios()] == ["a"]
    assert store.counters(rule_a, "s1") == Counters()
    assert store.counters(rule_b, "s1") == Counters()
    assert store.window(BucketKey(rule_a, "s1"), 0.0) == (0, None)


def test_scenarios_come_out_in_load_order() -> None:
    store = InMemoryStore()
    store.swap_scenarios([loaded("late", seq=5), loaded("early", seq=1)], [])
    assert [s.scenario.name for s in store.scenarios()] == ["early", "late"]


def test_rate_windows_slide() -> None:
    store = InMemoryStore()
    bucket = BucketKey((None, "a", "a#0"), "s1")
    for stamp in (1.0, 2.0, 3.0):
        store.push_window(bucket, stamp)
    assert store.window(bucket, 0.5) == (3, 1.0)
    assert store.window(bucket, 2.0) == (1, 3.0)
    assert store.window(bucket, 3.0) == (0, None)


def test_hits_per_session() -> None:
    store = InMemoryStore()
    rule = (None, "a", "a#0")
    store.set_counters(rule, "s1", Counters(3, 2))
    store.set_counters(rule, "s2", Counters(1, 1))
    store.set_counters(rule, "s3", Counters(4, 0))
    assert store.hits(rule) == {"s1": 2, "s2": 1}


def test_reset_one_session_leaves_others_intact() -> None:
    store = InMemoryStore()
    store.swap_scenarios([loaded("shared"), loaded("mine", owner="a", seq=1)], [])
    shared, mine = (None, "shared", "shared#0"), ("a", "mine", "mine#0")
    store.set_counters(shared, "a", Counters(1, 1))
    store.set_counters(shared, "b", Counters(2, 2))
    store.set_counters(mine, "a", Counters(3, 3))
    store.push_window(BucketKey(shared, "a"), 1.0)
    store.push_window(BucketKey(shared, "b"), 2.0)
    store.push_window(BucketKey(shared, None, shared=True), 3.0)
    store.record(entry(1, session="a"))
    store.record(entry(2, session="b"))

    store.reset("a")

    assert [s.scenario.name for s in store.scenarios()] == ["shared"]
    assert store.counters(shared, "a") == Counters()
    assert store.counters(shared, "b") == Counters(2, 2)
    assert store.window(BucketKey(shared, "a"), 0.0) == (0, None)
    assert store.window(BucketKey(shared, "b"), 0.0) == (1, 2.0)
    assert store.window(BucketKey(shared, None, shared=True), 0.0) == (1, 3.0)
    assert [e.session for e in store.journal()] == ["b"]

    store.reset()
    assert store.scenarios() == []
    assert store.counters(shared, "b") == Counters()
    assert store.journal() == []


def test_stores_are_independent() -> None:
    one, two = InMemoryStore(), InMemoryStore()
    one.record(entry())
    one.set_counters((None, "a", "a#0"), None, Counters(1, 1))
    assert two.journal() == []
    assert two.counters((None, "a", "a#0"), None) == Counters()


# ---- memory bounds -------------------------------------------------------------------------


def _big(n: int, body: int = 1000) -> JournalEntry:
    snapshot = RequestSnapshot(
        vendor="ringcentral",
        method="POST",
        path=SMS,
        headers={"Content-Type": "text/plain", "X-Big": "y" * 10},
        body=b"x" * body,
        session="s1",
    )
    return journal_entry(snapshot, time=float(n), outcome="passthrough", status=200, latency_ms=0)


def test_an_entry_counts_its_kept_body_and_header_bytes() -> None:
    assert _big(0).size == 1000 + len("Content-Type") + len("text/plain") + len("X-Big") + 10
    # the body is kept only up to four times the shown limit, and counted as kept
    assert _big(0, body=100_000).size == 32_768 + 37


def test_the_journal_keeps_within_its_byte_budget_dropping_the_oldest() -> None:
    store = InMemoryStore(journal_limit=1000, journal_bytes=5 * 1037)
    store.record_many([_big(n) for n in range(8)])
    store.record(_big(8))
    assert [e.time for e in store.journal()] == [4.0, 5.0, 6.0, 7.0, 8.0]
    assert store.dropped == 4
    assert store.footprint()["journal_bytes"] == 5 * 1037
    store.clear_journal("s1")
    assert store.footprint()["journal_bytes"] == 0


def test_an_entry_over_the_whole_budget_is_kept_alone() -> None:
    store = InMemoryStore(journal_bytes=100)
    store.record_many([_big(0), _big(1)])
    assert [e.time for e in store.journal()] == [1.0]
    assert store.dropped == 1


def test_the_count_bound_still_holds_beside_the_byte_budget() -> None:
    store = InMemoryStore(journal_limit=3)
    store.record_many([_big(n, body=1) for n in range(5)])
    assert [e.time for e in store.journal()] == [2.0, 3.0, 4.0]
    assert store.dropped == 2


def test_a_journal_budget_below_one_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="journal_bytes must be at least 1"):
        InMemoryStore(journal_bytes=0)
