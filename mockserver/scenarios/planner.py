"""Scenario decisions turned into plans: a rule's error, fault, literal or callback answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from mockserver.answers.faults import Fault
from mockserver.answers.plan import Failure, Plan
from mockserver.answers.rendered import JSON, Rendered
from mockserver.catalog.model import Catalog
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
