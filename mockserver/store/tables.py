"""Per-key engine state that forgets what went idle: rule counters per session, rate windows."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

R = TypeVar("R", bound=Hashable)
S = TypeVar("S", bound=Hashable)
V = TypeVar("V")
B = TypeVar("B", bound=Hashable)

# a sweep costs one pass over what it may drop; it runs when the table has doubled since the
# last one (never below this), so its cost per new key stays constant
SWEEP_FLOOR = 1024
DEFAULT_SESSION_TTL = 3600.0
DEFAULT_SESSION_CAP = 10_000


class CounterTable(Generic[R, S, V]):
    """Values per (rule, session), indexed by rule, forgetting sessions that went idle.

    A session is active while it keeps deciding requests: each `set` with a time marks it.
    Sessions idle for longer than `ttl`, and the least recently active ones beyond `cap`,
    lose their values (as if reset). An active session's values are never dropped while it
    is within both bounds, so `times`, sequences and `every` stay exact for it.
    """

    def __init__(self, ttl: float = DEFAULT_SESSION_TTL, cap: int = DEFAULT_SESSION_CAP) -> None:
        if ttl <= 0 or cap < 1:
            raise ValueError("session ttl must be positive and the cap at least 1")
        self.ttl = ttl
        self.cap = cap
        self._by_rule: dict[R, dict[S, V]] = {}
        # last activity per session, least recent first (re-inserted on every touch)
        self._active: dict[S, float] = {}
        self._sweep_at = SWEEP_FLOOR

    def get(self, rule: R, session: S) -> V | None:
        """The value of one (rule, session), or None."""
        found = self._by_rule.get(rule)
        return None if found is None else found.get(session)

    def set(self, rule: R, session: S, value: V, now: float | None = None) -> None:
        """Store a value; `now` (the engine's clock) marks the session active."""
        self._by_rule.setdefault(rule, {})[session] = value
        if now is None:
            return
        active = self._active
        active.pop(session, None)
        active[session] = now
        if len(active) > self._sweep_at or len(active) > self.cap:
            self.sweep(now)

    def of_rule(self, rule: R) -> dict[S, V]:
        """Every session's value for one rule (the table's own dict: do not change it)."""
        return self._by_rule.get(rule, {})

    def sweep(self, now: float) -> int:
        """Forget sessions idle for longer than ttl, then the least recent beyond cap."""
        active = self._active
        # keep 10% headroom under the cap, so a full table does not sweep on every session
        keep = self.cap - self.cap // 10 if len(active) > self.cap else len(active)
        doomed: set[S] = set()
        for session, seen in active.items():
            if seen > now - self.ttl and len(active) - len(doomed) <= keep:
                break  # least recent first: everything after is newer
            doomed.add(session)
        for session in doomed:
            del active[session]
        self.drop_sessions(doomed.__contains__, len(doomed))
        self._sweep_at = max(SWEEP_FLOOR, 2 * len(active))
        return len(doomed)

    def drop_sessions(self, doomed: Callable[[S], bool], hint: int | None = None) -> None:
        """Forget the values of every session for which `doomed` holds."""
        if hint == 0:
            return
        for rule, values in list(self._by_rule.items()):
            kept = {s: v for s, v in values.items() if not doomed(s)}
            if kept:
                self._by_rule[rule] = kept
            else:
                del self._by_rule[rule]
        for session in [s for s in self._active if doomed(s)]:
            del self._active[session]

    def drop_rules(self, doomed: Callable[[R], bool]) -> None:
        """Forget every value of the rules for which `doomed` holds."""
        self._by_rule = {r: v for r, v in self._by_rule.items() if not doomed(r)}

    def clear(self) -> None:
        """Forget everything."""
        self._by_rule.clear()
        self._active.clear()
        self._sweep_at = SWEEP_FLOOR

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_rule.values())

    @property
    def sessions(self) -> int:
        """Sessions marked active (those a sweep may forget)."""
        return len(self._active)


class WindowTable(Generic[B]):
    """Rate-limit buckets: accepted times per bucket, expired buckets swept away.

    A bucket whose newest time is older than its window holds nothing a later request can
    see, so dropping it changes no answer; it is swept when the table has doubled.
    """

    def __init__(self) -> None:
        self._stamps: dict[B, deque[float]] = {}
        self._spans: dict[B, float] = {}
        self._sweep_at = SWEEP_FLOOR

    def slide(self, bucket: B, horizon: float) -> tuple[int, float | None]:
        """Drop a bucket's times at or before `horizon`; return (count, oldest)."""
        stamps = self._stamps.get(bucket)
        if stamps is None:
            return 0, None
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        if not stamps:
            self._forget(bucket)
            return 0, None
        return len(stamps), stamps[0]

    def push(self, bucket: B, stamp: float, span: float = 0.0) -> None:
        """Add an accepted time; `span` is the bucket's window (0: never swept)."""
        self._stamps.setdefault(bucket, deque()).append(stamp)
        if span:
            self._spans[bucket] = span
        if len(self._stamps) > self._sweep_at:
            self.sweep(stamp)

    def sweep(self, now: float) -> int:
        """Drop buckets whose every time has left its window."""
        stale = [
            b
            for b, span in self._spans.items()
            if (stamps := self._stamps.get(b)) is None or stamps[-1] <= now - span
        ]
        for bucket in stale:
            self._forget(bucket)
        self._sweep_at = max(SWEEP_FLOOR, 2 * len(self._stamps))
        return len(stale)

    def _forget(self, bucket: B) -> None:
        self._stamps.pop(bucket, None)
        self._spans.pop(bucket, None)

    def drop(self, doomed: Callable[[B], bool]) -> None:
        """Forget the buckets for which `doomed` holds."""
        for bucket in [b for b in self._stamps if doomed(b)]:
            self._forget(bucket)

    def clear(self) -> None:
        """Forget everything."""
        self._stamps.clear()
        self._spans.clear()
        self._sweep_at = SWEEP_FLOOR

    def __len__(self) -> int:
        return len(self._stamps)

    def __iter__(self) -> Iterator[B]:
        return iter(self._stamps)
