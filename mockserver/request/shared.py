"""The request flow of a replica sharing its state through Redis (--store redis://...).

The same flow as Pipeline's, with three round trips around it: take in what other replicas
changed before deciding, count matching rules in Redis, and send this request's own changes
before its answer leaves. When Redis cannot be reached the answer is a mock-level 503 that
says so (`X-Mock-Server-Error: true`), never anything a client could take for the vendor's.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from mockserver.answers.plan import PASSTHROUGH, Plan
from mockserver.catalog.model import Catalog
from mockserver.request.pipeline import Pipeline, admin_error
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.planner import ScenarioPlanner
from mockserver.store.shared.errors import StoreUnavailable
from mockserver.store.shared.state import SharedState
from mockserver.vendors.base import Vendor

UNAVAILABLE = "store_unavailable"


class SharedPipeline(Pipeline):
    """A Pipeline whose rules are counted, and whose state is kept, in a shared store."""

    def __init__(
        self, catalog: Catalog, *, rules: ScenarioPlanner, shared: SharedState, **kw: Any
    ) -> None:
        # the base flow asks no planner: rules are decided here, with an await
        super().__init__(catalog, None, **kw)
        self.rules = rules
        self.shared = shared

    async def handle(
        self, request: web.BaseRequest, vendor: Vendor, tail: str
    ) -> web.StreamResponse:
        """Answer one vendor request with every replica's state."""
        started = time.perf_counter()
        # a body already buffered is taken without another coroutine
        body, problem = self.buffered(request) or await self.arriving_body(request)
        snapshot = self.snapshot(request, vendor, body, tail)
        try:
            plan, response = await self.plan_shared(snapshot, vendor, problem)
        except StoreUnavailable as err:
            return self.unavailable(snapshot, err, started)
        if response is None:
            entry = plan.entry
            if plan.kind == "error" and entry is not None and not plan.delay:
                response = self.error(snapshot, vendor, plan, entry)
            else:
                response = await self.execute(request, snapshot, vendor, plan, started)
                return await self.sent(snapshot, response, started)
        self.record(snapshot, plan, response.status, started)
        return response

    async def plan_shared(
        self, snapshot: RequestSnapshot, vendor: Vendor, problem: str | None
    ) -> tuple[Plan, web.StreamResponse | None]:
        """Pipeline.plan, then (caught up with the other replicas) the rules, counted in Redis."""
        plan, response = self.plan(snapshot, vendor, problem)
        if response is not None or plan is not PASSTHROUGH or problem is not None:
            return plan, response  # an injected error reads no shared state: no round trip
        await self.shared.before_request()
        ruled = await self.rules.plan_for_shared(
            snapshot, self.shared, lambda: self.authorized(snapshot, vendor)
        )
        return ruled or PASSTHROUGH, None

    async def sent(
        self, snapshot: RequestSnapshot, response: web.StreamResponse, started: float
    ) -> web.StreamResponse:
        """The response, once this request's changes reached the store (a 503 if they cannot)."""
        try:
            await self.shared.flush()
        except StoreUnavailable as err:
            if not response.prepared:  # its changes stay queued and go out when Redis is back
                return self.unavailable(snapshot, err, started)
        return response

    def unavailable(
        self, snapshot: RequestSnapshot, err: StoreUnavailable, started: float
    ) -> web.StreamResponse:
        """A mock-level 503 naming the store problem, journalled as `store_unavailable`."""
        message = f"{err}; the mock cannot answer consistently until it is back"
        plan = Plan("respond", reason=message, outcome=UNAVAILABLE)
        self.record(snapshot, plan, 503, started)
        return admin_error(503, {"error": UNAVAILABLE, "message": message})
