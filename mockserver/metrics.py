"""Prometheus metrics of one server: a per-request recorder plus state read at scrape time."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter as Tally
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from mockserver.callbacks import CallbackSender
from mockserver.happy import Env
from mockserver.plan import Plan
from mockserver.snapshot import RequestSnapshot
from mockserver.state import Store

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
# the sender's record outcomes, as the metric names them
_OUTCOMES = {"delivered": "sent", "failed": "failed"}


class MetricsRecorder:
    """Counts every vendor request into this server's own registry (never the global one).

    A pipeline recorder: `record` is called once per answered vendor request, always on
    the server's event loop. It only adds to plain dicts (no locks, no label lookups:
    prometheus_client's children take a lock per update, which cost more than the rest of
    an injected error); the registry turns the tallies into metric families when scraped.
    """

    def __init__(self, store: Store, env: Env) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests: Tally[tuple[str, str, int]] = Tally()
        self.durations: dict[str, DurationTally] = {}
        self.rule_hits: Tally[tuple[str, str]] = Tally()
        # called before a scrape: lands records still being batched
        self.settle: Callable[[], None] = lambda: None
        self.registry.register(RequestCollector(self))
        self.registry.register(StateCollector(store, env))

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
                key = (plan.scenario or "", plan.rule)
                if key not in rule_hits and len(rule_hits) >= MAX_RULE_SERIES:
                    key = (OVERFLOW, OVERFLOW)
                rule_hits[key] += 1

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        self.settle()
        return generate_latest(self.registry)


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


class RequestCollector:
    """The per-request families, read from a recorder's tallies at scrape time."""

    def __init__(self, recorder: MetricsRecorder) -> None:
        self.recorder = recorder

    def collect(self) -> Iterator[Metric]:
        """Requests by vendor/outcome/status, durations by vendor, rule hits."""
        requests = CounterMetricFamily(
            "mockserver_requests",
            "Vendor requests answered, by vendor, outcome and HTTP status "
            "(499: a fault cut the connection).",
            labels=("vendor", "outcome", "status"),
        )
        for (vendor, outcome, status), n in sorted(self.recorder.requests.items()):
            requests.add_metric((vendor, outcome, str(status)), n)
        yield requests
        durations = HistogramMetricFamily(
            "mockserver_request_duration_seconds",
            "Time to answer a vendor request, including injected delays and faults.",
            labels=("vendor",),
        )
        for vendor, tally in sorted(self.recorder.durations.items()):
            durations.add_metric((vendor,), tally.cumulative(), tally.total)
        yield durations
        hits = CounterMetricFamily(
            "mockserver_rule_hits",
            f"Requests decided by a rule or injection header (past {MAX_RULE_SERIES} "
            f'distinct rules, new ones count as scenario="{OVERFLOW}").',
            labels=("scenario", "rule"),
        )
        for (scenario, rule), n in sorted(self.recorder.rule_hits.items()):
            hits.add_metric((scenario, rule), n)
        yield hits


class StateCollector:
    """Metrics read from the server's state at scrape time, so requests never pay for them."""

    def __init__(self, store: Store, env: Env) -> None:
        self.store = store
        self.env = env
        self.callbacks = CallbackTally(env.callbacks)

    def collect(self) -> Iterator[Metric]:
        """One family per value; called by the registry on every scrape."""
        yield _counter(
            "mockserver_journal_dropped",
            "Journal entries dropped (journal full).",
            self.store.dropped,
        )
        yield _counter(
            "mockserver_resources_dropped",
            "Happy-path resources dropped (resource store full).",
            self.env.resources.dropped,
        )
        yield _counter(
            "mockserver_callback_log_dropped",
            "Callback log records dropped (callback log full).",
            self.env.callbacks.dropped,
        )
        yield _gauge("mockserver_journal_entries", "Requests in the journal.", self.store.count())
        yield _gauge("mockserver_resources", "Happy-path resources kept.", len(self.env.resources))
        yield _gauge(
            "mockserver_callbacks_pending",
            "Callback deliveries not finished.",
            self.env.callbacks.pending,
        )
        yield self._callbacks()

    def _callbacks(self) -> CounterMetricFamily:
        family = CounterMetricFamily(
            "mockserver_callbacks",
            "Delivery callbacks finished, by vendor and outcome "
            "(sent: a 2xx; failed: retries exhausted).",
            labels=("vendor", "outcome"),
        )
        for (vendor, outcome), value in sorted(self.callbacks.counts().items()):
            family.add_metric((vendor, outcome), value)
        return family


class CallbackTally:
    """Per-vendor delivery outcomes, counted from the sender's log at scrape time.

    The sender keeps only totals, so finished records are counted once each by id. A
    delivery that finished after its record left the bounded log is counted under vendor
    "unknown": per outcome, the sum always equals the sender's own total.
    """

    def __init__(self, sender: CallbackSender) -> None:
        self.sender = sender
        self._counts: Tally[tuple[str, str]] = Tally()
        self._seen: set[int] = set()

    def counts(self) -> dict[tuple[str, str], int]:
        """(vendor, "sent"|"failed") -> deliveries finished so far."""
        live: set[int] = set()
        for record in self.sender.records():
            live.add(record.id)
            outcome = _OUTCOMES.get(record.outcome)
            if outcome is not None and record.id not in self._seen:
                self._seen.add(record.id)
                self._counts[(record.callback.vendor, outcome)] += 1
        self._seen &= live  # ids that left the log never come back: keep the set bounded
        out = dict(self._counts)
        for outcome, total in (("sent", self.sender.sent), ("failed", self.sender.failed)):
            known = sum(n for (_, o), n in self._counts.items() if o == outcome)
            if total > known:
                out[("unknown", outcome)] = total - known
        return out


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
