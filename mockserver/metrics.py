"""Prometheus metrics of one server: a per-request recorder plus state read at scrape time."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

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

    A pipeline recorder: `record` is called once per answered vendor request. Label
    children are cached so a request costs a dict lookup and a locked add per metric.
    """

    def __init__(self, store: Store, env: Env) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._requests = Counter(
            "mockserver_requests",
            "Vendor requests answered, by vendor, outcome and HTTP status "
            "(499: a fault cut the connection).",
            ("vendor", "outcome", "status"),
            registry=self.registry,
        )
        self._duration = Histogram(
            "mockserver_request_duration_seconds",
            "Time to answer a vendor request, including injected delays and faults.",
            ("vendor",),
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._rule_hits = Counter(
            "mockserver_rule_hits",
            f"Requests decided by a rule or injection header (past {MAX_RULE_SERIES} "
            f'distinct rules, new ones count as scenario="{OVERFLOW}").',
            ("scenario", "rule"),
            registry=self.registry,
        )
        self.registry.register(StateCollector(store, env))
        self._request_children: dict[tuple[str, str, int], Counter] = {}
        self._duration_children: dict[str, Histogram] = {}
        self._rule_children: dict[tuple[str, str], Counter] = {}

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float) -> None:
        """Count one answered request."""
        outcome = plan.outcome or plan.kind
        key = (snapshot.vendor, outcome, status)
        counter = self._request_children.get(key)
        if counter is None:
            counter = self._requests.labels(snapshot.vendor, outcome, str(status))
            self._request_children[key] = counter
        counter.inc()
        histogram = self._duration_children.get(snapshot.vendor)
        if histogram is None:
            histogram = self._duration.labels(snapshot.vendor)
            self._duration_children[snapshot.vendor] = histogram
        histogram.observe(latency_ms / 1000)
        if plan.rule is not None:
            self._rule_child(plan.scenario or "", plan.rule).inc()

    def _rule_child(self, scenario: str, rule: str) -> Counter:
        child = self._rule_children.get((scenario, rule))
        if child is None:
            if len(self._rule_children) >= MAX_RULE_SERIES:
                return self._rule_hits.labels(OVERFLOW, OVERFLOW)
            child = self._rule_hits.labels(scenario, rule)
            self._rule_children[(scenario, rule)] = child
        return child

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)


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
