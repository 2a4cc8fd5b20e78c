"""Prometheus metrics of one server: a per-request recorder plus state read at scrape time."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

from mockserver.answers.plan import Plan
from mockserver.request.snapshot import RequestSnapshot
from mockserver.store.memory import Store
from mockserver.vendors.kit.call import Env

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# the classic text format generate_latest writes: every Prometheus 2.x and 3.x scraper reads it
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# from a cached answer (~1 ms) to the longest X-Mock-Delay / hang (300 s)
DURATION_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
    300,
)
# rule names come from users (one scenario per test is common): cap the series they create
MAX_RULE_SERIES = 1000
OVERFLOW = "_other"
# a session's rules live as long as one test: their names would be a new series per test
SESSION_RULES = "(session rule)"


class MetricsRecorder:
    """Counts every vendor request into this server's own registry (never the global one).

    A pipeline recorder: `record` is called once per answered vendor request, always on
    the server's event loop. It only adds to plain dicts (no locks, no label lookups:
    prometheus_client's children take a lock per update, which cost more than the rest of
    an injected error); the registry turns the tallies into metric families when scraped.
    """

    def __init__(self, store: Store, env: Env, settle: Callable[[], None] = lambda: None) -> None:
        """Count into fresh tallies; `settle` lands records still being batched (before a scrape)."""
        self.store = store
        self.env = env
        self.settle = settle
        self.requests: Tally[tuple[str, str, int]] = Tally()
        self.durations: dict[str, DurationTally] = {}
        self.rule_hits: Tally[tuple[str, str]] = Tally()
        # made by telemetry.exposition on the first scrape (prometheus_client loads with it)
        self.registry: CollectorRegistry | None = None

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float) -> None:
        """Count one answered request."""
        self.record_many(((snapshot, plan, status, latency_ms),))

    def record_many(self, records: Sequence[tuple[RequestSnapshot, Plan, int, float]]) -> None:
        """Count a batch of answered requests (the loop is inlined: it runs for each one)."""
        requests, durations, rule_hits = self.requests, self.durations, self.rule_hits
        for snapshot, plan, status, latency_ms in records:
            vendor = snapshot.vendor
            requests[(vendor, plan.outcome or plan.kind, status)] += 1
            tally = durations.get(vendor)
            if tally is None:
                tally = durations[vendor] = DurationTally()
            tally.observe(latency_ms / 1000)
            if plan.rule is not None:
                key = (
                    (SESSION_RULES, SESSION_RULES)
                    if plan.session_rule
                    else (plan.scenario or "", plan.rule)
                )
                if key not in rule_hits and len(rule_hits) >= MAX_RULE_SERIES:
                    key = (OVERFLOW, OVERFLOW)
                rule_hits[key] += 1


class DurationTally:
    """One histogram's bucket counts (not cumulative) and sum, in seconds."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        # one slot per bucket plus +Inf
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        """Count one duration into the first bucket whose bound is >= it."""
        self.counts[bisect_left(DURATION_BUCKETS, seconds)] += 1
        self.total += seconds

    def cumulative(self) -> list[tuple[str, float]]:
        """(le, count) pairs as Prometheus exposes them, ending with +Inf."""
        # repr of a float is how Prometheus spells bucket bounds ("0.005", "1.0")
        bounds = [repr(float(b)) for b in DURATION_BUCKETS] + ["+Inf"]
        return list(zip(bounds, accumulate(self.counts), strict=True))
