"""Prometheus families made from a MetricsRecorder's tallies and the server's state at scrape time.

Imported on the first scrape, not at start-up: prometheus_client is about a megabyte of
the idle RSS and 16 ms of the start-up time, and most runs never ask for /__admin/metrics.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from mockserver.callbacks.sender import CallbackSender
from mockserver.store.memory import Store
from mockserver.telemetry.metrics import MAX_RULE_SERIES, OVERFLOW, MetricsRecorder
from mockserver.vendors.kit.call import Env

# the sender's record outcomes, as the metric names them
_OUTCOMES = {
    "delivered": "sent",
    "failed": "failed",
    "refused": "refused",
    "canceled": "canceled",
}


def page(recorder: MetricsRecorder) -> bytes:
    """Every metric in the Prometheus text format, from the recorder's own registry."""
    from prometheus_client import generate_latest

    recorder.settle()
    if recorder.registry is None:
        recorder.registry = registry(recorder, recorder.store, recorder.env)
    return generate_latest(recorder.registry)


def registry(recorder: MetricsRecorder, store: Store, env: Env) -> CollectorRegistry:
    """A registry of this server's own (never the global one) with every family in it."""
    made = CollectorRegistry(auto_describe=True)
    made.register(RequestCollector(recorder))
    made.register(StateCollector(store, env))
    return made


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
            "(sent: a 2xx; failed: retries exhausted; refused: the outbound policy; "
            "canceled: withdrawn before its first attempt, e.g. a hung-up call).",
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
        """(vendor, "sent"|"failed"|"refused"|"canceled") -> deliveries finished so far."""
        live: set[int] = set()
        for record in self.sender.records():
            live.add(record.id)
            outcome = _OUTCOMES.get(record.outcome)
            if outcome is not None and record.id not in self._seen:
                self._seen.add(record.id)
                self._counts[(record.callback.vendor, outcome)] += 1
        self._seen &= live  # ids that left the log never come back: keep the set bounded
        out = dict(self._counts)
        totals = (
            ("sent", self.sender.sent),
            ("failed", self.sender.failed),
            ("refused", self.sender.refused),
            ("canceled", self.sender.canceled),
        )
        for outcome, total in totals:
            known = sum(n for (_, o), n in self._counts.items() if o == outcome)
            if total > known:
                out[("unknown", outcome)] = total - known
        return out


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
