"""Per-key state forgets what went idle: sessions past their TTL or cap, expired rate buckets."""

from __future__ import annotations

from mockserver.store.memory import Counters, InMemoryStore
from mockserver.store.tables import SWEEP_FLOOR, CounterTable, WindowTable

RULE = (None, "a", "a#0")


def test_sessions_idle_past_the_ttl_are_forgotten_active_ones_kept() -> None:
    table: CounterTable[str, str, int] = CounterTable(ttl=60, cap=1_000_000)
    table.set("r", "busy", 1, now=0)
    for n in range(SWEEP_FLOOR):
        table.set("r", f"idle-{n}", 1, now=1)
    table.set("r", "busy", 2, now=100)  # still deciding requests
    for n in range(2 * SWEEP_FLOOR):
        table.set("r", f"new-{n}", 1, now=100)  # the table doubles: a sweep runs
    assert table.get("r", "idle-0") is None
    assert table.get("r", "busy") == 2
    assert table.get("r", "new-0") == 1
    assert table.sessions == len(table) == 2 * SWEEP_FLOOR + 1


def test_beyond_the_cap_the_least_recently_active_sessions_go_first() -> None:
    table: CounterTable[str, str, int] = CounterTable(ttl=10_000, cap=100)
    for n in range(100):
        table.set("r", f"s{n}", n, now=n)
    table.set("r", "s0", 7, now=200)  # s0 was the oldest; it is active again
    table.set("r", "s100", 1, now=201)  # the 101st session: 10 % headroom is made
    assert table.sessions == 90
    assert table.get("r", "s0") == 7
    assert [table.get("r", f"s{n}") for n in range(1, 13)] == [None] * 11 + [12]


def test_expired_rate_buckets_are_swept_live_ones_kept() -> None:
    windows: WindowTable[str] = WindowTable()
    for n in range(SWEEP_FLOOR):
        windows.push(f"old-{n}", 0.0, span=1.0)
    windows.push("live", 9.5, span=1.0)
    for n in range(SWEEP_FLOOR):
        windows.push(f"new-{n}", 10.0, span=1.0)
    assert len(windows) <= SWEEP_FLOOR + 1  # the expired thousand are gone
    assert windows.slide("live", 9.0) == (1, 9.5)
    assert windows.slide("old-0", -1.0) == (0, None)


def test_the_store_sweeps_counters_and_lists_hits_per_rule() -> None:
    store = InMemoryStore(session_ttl=5, session_cap=1_000_000)
    other = (None, "b", "b#0")
    for n in range(3 * SWEEP_FLOOR):
        store.set_counters(RULE, f"s{n}", Counters(1, 1), now=float(n // SWEEP_FLOOR) * 10)
    store.set_counters(other, "s-last", Counters(2, 2), now=30.0)
    # every batch of sessions went idle past the TTL before the table doubled again
    assert store.footprint()["counters"] == store.footprint()["sessions"] == 1
    assert store.hits(other) == {"s-last": 2}
    assert store.hits(RULE) == {}
