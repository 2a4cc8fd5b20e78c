"""Requests and callback attempts written to the journal as redacted entries."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from mockserver.answers.plan import Plan
from mockserver.callbacks.sender import Callback
from mockserver.journal.entry import journal_entry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.store.memory import Store


def journal_callback(store: Store, callback: Callback, attempt: dict[str, Any]) -> None:
    """Journal one delivery-callback attempt beside the requests (outcome callback_attempt)."""
    snapshot = RequestSnapshot(
        vendor=callback.vendor,
        method=callback.method,
        path=callback.url,
        headers={**dict(callback.headers), "Content-Type": callback.content_type},
        body=callback.body,
        session=callback.session,
    )
    result = attempt.get("error") or f"HTTP {attempt['status']}"
    store.record(
        journal_entry(
            snapshot,
            time=attempt["time"],
            outcome="callback_attempt",
            status=attempt["status"] or 0,
            latency_ms=0.0,
            reason=f"callback {callback.event} attempt {attempt['number']}: {result}",
        )
    )


class JournalRecorder:
    """Writes one redacted journal entry per answered request into the store."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float) -> None:
        """Keep what happened to one request."""
        self.record_many(((snapshot, plan, status, latency_ms),))

    def record_many(self, records: Sequence[tuple[RequestSnapshot, Plan, int, float]]) -> None:
        """Keep what happened to each of a batch of requests, in one store call."""
        clock = self.clock
        # the loop is inlined and the builder called positionally: it runs for every request
        entries = [
            journal_entry(
                s,
                s.received_at or clock(),
                p.outcome or p.kind,
                status,
                ms,
                p.rule,
                p.scenario,
                p.reason,
                p.unfired,
            )
            for s, p, status, ms in records
        ]
        self.store.record_many(entries)
