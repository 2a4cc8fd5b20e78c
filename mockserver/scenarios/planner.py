"""Scenario decisions turned into plans: a rule's error, fault, literal or callback answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from mockserver.answers.faults import Fault
from mockserver.answers.plan import Failure, Plan, why_and_when
from mockserver.answers.rendered import JSON, Rendered
from mockserver.catalog.model import Catalog
from mockserver.memo import Memo
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios import (
    CallbackAction,
    ErrorAction,
    FaultAction,
    RespondAction,
)
from mockserver.scenarios.engine import Decision, Engine
from mockserver.scenarios.matching import Unfired
from mockserver.vendors.base import Vendor

if TYPE_CHECKING:
    from mockserver.store.shared.state import SharedState


class ScenarioPlanner:
    """Asks the engine which rule decides a request and makes the Plan of its decision."""

    def __init__(self, engine: Engine, catalog: Catalog, vendors: dict[str, Vendor]) -> None:
        self.engine = engine
        self.catalog = catalog
        self.vendors = vendors
        # plans of reusable decisions, per (decision, vendor); each entry holds its decision,
        # so no other decision can take its id while it is there
        self._plans: Memo[tuple[int, str], tuple[Decision, Plan]] = Memo()

    def plan_for(
        self, snapshot: RequestSnapshot, authorized: Callable[[], bool] | None = None
    ) -> Plan | None:
        """The plan of the first rule that matches and fires; else why matching ones did not.

        `authorized` is the vendor's auth check; the shipped defaults wait for it.
        """
        unfired: list[Unfired] = []
        peer = snapshot.headers.get("x-forwarded-for")
        decision = self.engine.evaluate(snapshot, peer=peer, authorized=authorized, unfired=unfired)
        return self.explained(snapshot, decision, unfired)

    async def plan_for_shared(
        self,
        snapshot: RequestSnapshot,
        shared: SharedState,
        authorized: Callable[[], bool] | None = None,
    ) -> Plan | None:
        """`plan_for` with counters in the store replicas share (raises StoreUnavailable)."""
        unfired: list[Unfired] = []
        peer = snapshot.headers.get("x-forwarded-for")
        epoch = shared.epoch(snapshot.session)
        decision = await self.engine.evaluate_shared(
            snapshot, shared.counting, epoch, peer=peer, authorized=authorized, unfired=unfired
        )
        return self.explained(snapshot, decision, unfired)

    def explained(
        self, snapshot: RequestSnapshot, decision: Decision | None, unfired: list[Unfired]
    ) -> Plan | None:
        """The decision's plan; without one, a passthrough saying why matching rules did not fire."""
        if decision is not None:
            return self.kept(snapshot.vendor, decision)
        if not unfired:
            return None
        # explained now: counters move on and reloads restart them, so later is too late
        reason = "no rule fired: " + "; ".join(map(str, unfired))
        return Plan("passthrough", reason=reason, unfired=tuple(unfired))

    def kept(self, vendor: str, decision: Decision) -> Plan:
        """`translate`, made once per reusable decision (a rule whose firings are alike)."""
        if not decision.reusable:
            return self.translate(vendor, decision)
        return self._plans.get((id(decision), vendor), self._planned, vendor, decision)[1]

    def _planned(self, vendor: str, decision: Decision) -> tuple[Decision, Plan]:
        return decision, self.translate(vendor, decision)

    def translate(self, vendor: str, decision: Decision) -> Plan:
        """The decision's plan, with what its action answers (the engine fixed the rest)."""
        action, plan = decision.action, decision.plan
        if decision.rate_limited:
            return self._rate_limited(vendor, plan)
        if isinstance(action, ErrorAction):
            entry = self.catalog.vendor(vendor).get(action.code)
            if entry is None:  # the engine checks codes at load; a catalog swap could still race
                raise LookupError(f"{vendor} has no catalogued error {action.code!r}")
            return Plan(
                "error",
                *why_and_when(plan),
                entry=entry,
                params=action.params,
                status=action.status,
                headers=action.headers,
                retry_after=action.retry_after,
            )
        if isinstance(action, FaultAction):
            return Plan("fault", *why_and_when(plan), fault=_fault(action))
        if isinstance(action, RespondAction):
            return Plan("respond", *why_and_when(plan), literal=_literal(action))
        if isinstance(action, CallbackAction):
            failure = Failure(action.code, action.delay)
            return replace(plan, failure=failure, outcome="callback")
        return plan

    def _rate_limited(self, vendor: str, plan: Plan) -> Plan:
        spec = self.vendors[vendor]
        entry = self.catalog.vendor(vendor).get(spec.rate_limit_key)
        retry = plan.rate.retry_after if plan.rate else None
        status = spec.rate_limit_status
        return Plan("error", *why_and_when(plan), entry=entry, status=status, retry_after=retry)


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
