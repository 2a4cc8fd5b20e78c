"""Resource store and token registry: bounded, indexed per session, tokens really expire."""

from __future__ import annotations

from mockserver.store.resources import ResourceStore, TokenRegistry


def test_store_is_bounded_and_keeps_order() -> None:
    store = ResourceStore(capacity=3)
    for i in range(5):
        store.put("v", "s", "msg", str(i), {"i": i})
    assert [d["i"] for d in store.list("v", "s", "msg")] == [2, 3, 4]
    assert store.dropped == 2
    assert store.get("v", "s", "msg", "0") is None
    assert len(store) == 3


def test_sessions_and_kinds_are_separate() -> None:
    store = ResourceStore()
    store.put("v", "a", "msg", "1", {"n": 1})
    store.put("v", "b", "msg", "1", {"n": 2})
    store.put("v", "a", "call", "1", {"n": 3})
    assert store.list("v", "a", "msg") == [{"n": 1}]
    assert store.get("v", "b", "msg", "1") == {"n": 2}
    store.reset("a")
    assert store.list("v", "a", "msg") == []
    assert store.list("v", "a", "call") == []
    assert store.list("v", "b", "msg") == [{"n": 2}]


def test_replace_moves_to_newest_and_delete() -> None:
    store = ResourceStore(capacity=2)
    store.put("v", None, "k", "x", {"v": 1})
    store.put("v", None, "k", "y", {"v": 2})
    store.put("v", None, "k", "x", {"v": 3})  # x is now the newest
    store.put("v", None, "k", "z", {"v": 4})  # so y is the one dropped
    assert [d["v"] for d in store.list("v", None, "k")] == [3, 4]
    assert store.delete("v", None, "k", "x")
    assert not store.delete("v", None, "k", "x")
    assert len(store) == 1


def test_tokens_expire_refresh_and_revoke() -> None:
    tokens = TokenRegistry()
    access, refresh = tokens.issue("rc", "s", "client", now=100.0, ttl=10, refresh_ttl=100)
    assert tokens.state("rc", access.value, 105.0) == "valid"
    assert tokens.state("rc", access.value, 110.0) == "expired"
    assert tokens.state("yeastar", access.value, 105.0) == "unknown"
    assert tokens.revoke("rc", refresh.value)
    assert tokens.state("rc", access.value, 101.0) == "revoked"
    assert tokens.expire("rc", "s", 0.0) == 1
