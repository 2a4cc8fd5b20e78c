"""Glue between the scenario engine and the pipeline: Decision -> Plan, requests -> journal."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from mockserver.callbacks import Callback
from mockserver.catalog.model import Catalog
from mockserver.engine import Decision, Engine
from mockserver.faults import Fault
from mockserver.happy import Failure
from mockserver.matching import Unfired
from mockserver.plan import Plan
from mockserver.render import JSON, Rendered
from mockserver.scenarios import (
    CallbackAction,
    ErrorAction,
    FaultAction,
    RespondAction,
)
from mockserver.snapshot import RequestSnapshot
from mockserver.state import JournalEntry, Store, entry_of, journal_entry
from mockserver.vendors.base import Vendor


class ScenarioDecider:
    """Asks the engine which rule decides a request and turns its decision into a Plan."""

    def __init__(self, engine: Engine, catalog: Catalog, vendors: dict[str, Vendor]) -> None:
        self.engine = engine
        self.catalog = catalog
        self.vendors = vendors

    def plan_for(
        self, snapshot: RequestSnapshot, authorized: Callable[[], bool] | None = None
    ) -> Plan | None:
        """The plan of the first rule that matches and fires; else why matching ones did not.

        `authorized` is the vendor's auth check; the shipped defaults wait for it.
        """
        unfired: list[Unfired] = []
        peer = snapshot.headers.get("x-forwarded-for")
        decision = self.engine.decide(snapshot, peer=peer, authorized=authorized, unfired=unfired)
        if decision is not None:
            return self.plan(snapshot.vendor, decision)
        if not unfired:
            return None
        # explained now: counters move on and reloads restart them, so later is too late
        reason = "no rule fired: " + "; ".join(map(str, unfired))
        return Plan("passthrough", reason=reason, unfired=tuple(unfired))

    def plan(self, vendor: str, decision: Decision) -> Plan:
        """Translate one decision; every field of the Plan says where it came from."""
        # one Plan built directly: dataclasses.replace() on a base plan cost more than the rest
        made = partial(
            Plan,
            delay=decision.delay,
            rule=decision.rule,
            scenario=decision.scenario,
            reason=decision.reason,
            rate=decision.rate,
            session_rule=decision.session_rule,
        )
        action = decision.action
        if decision.rate_limited:
            return self._rate_limited(vendor, decision, made)
        if isinstance(action, ErrorAction):
            entry = self.catalog.vendor(vendor).get(action.code)
            if entry is None:  # the engine checks codes at load; a catalog swap could still race
                raise LookupError(f"{vendor} has no catalogued error {action.code!r}")
            return made(
                "error",
                entry=entry,
                params=action.params,
                status=action.status,
                headers=action.headers,
                retry_after=action.retry_after,
            )
        if isinstance(action, FaultAction):
            return made("fault", fault=_fault(action))
        if isinstance(action, RespondAction):
            return made("respond", literal=_literal(action))
        if isinstance(action, CallbackAction):
            return made(
                "passthrough", failure=Failure(action.code, action.delay), outcome="callback"
            )
        return made("passthrough")

    def _rate_limited(self, vendor: str, decision: Decision, made: Callable[..., Plan]) -> Plan:
        spec = self.vendors[vendor]
        entry = self.catalog.vendor(vendor).get(spec.rate_limit_key)
        retry = decision.rate.retry_after if decision.rate else None
        return made(
            "error",
            entry=entry,
            status=spec.rate_limit_status,
            retry_after=retry,
            outcome="rate_limited",
        )


def _fault(action: FaultAction) -> Fault:
    fault = Fault(action.type)
    return Fault(
        action.type,
        chunk=action.chunk or fault.chunk,
        interval=fault.interval if action.interval is None else action.interval,
        max_hang=action.duration or fault.max_hang,
    )


def _literal(action: RespondAction) -> Rendered:
    headers = dict(action.headers)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), JSON)
    rest = tuple((k, v) for k, v in headers.items() if k.lower() != "content-type")
    body = action.body
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Rendered(action.status, raw, content_type, rest)


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
        self.store.record(self.entry(snapshot, plan, status, latency_ms))

    def record_many(self, records: Sequence[tuple[RequestSnapshot, Plan, int, float]]) -> None:
        """Keep what happened to each of a batch of requests, in one store call."""
        entry = self.entry
        self.store.record_many([entry(s, p, status, ms) for s, p, status, ms in records])

    def entry(
        self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float
    ) -> JournalEntry:
        """The journal entry for one request."""
        entry = entry_of(
            snapshot,
            snapshot.received_at or self.clock(),
            plan.rule,
            plan.reason,
            plan.outcome or plan.kind,
            status,
            latency_ms,
            plan.scenario,
        )
        entry.unfired = plan.unfired
        return entry
