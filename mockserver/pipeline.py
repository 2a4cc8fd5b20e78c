"""The request flow in one place: snapshot -> choose a plan -> render or fault -> journal."""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from aiohttp import web

from mockserver.catalog.model import Catalog
from mockserver.faults import apply_fault, gateway_page, malformed
from mockserver.happy import Call, Env
from mockserver.injection import InjectionError, plan_from_headers
from mockserver.params import resolve_params
from mockserver.plan import PASSTHROUGH, Plan
from mockserver.render import RenderContext, Rendered, compact_json
from mockserver.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor

SESSION_HEADER = "x-mock-session"


class Decider(Protocol):
    """Chooses a plan for a request from the loaded rules (the scenario engine)."""

    def plan_for(self, snapshot: RequestSnapshot) -> Plan | None:
        """The plan of the first rule that matches and fires, or None."""


class Recorder(Protocol):
    """Receives one record per answered request (the journal)."""

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float) -> None:
        """Keep what happened."""


class Pipeline:
    """Answers every request under a vendor prefix."""

    def __init__(
        self,
        catalog: Catalog,
        decider: Decider | None = None,
        recorders: tuple[Recorder, ...] = (),
        env: Env | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.decider = decider
        self.recorders = recorders
        self.env = env
        self.clock = clock
        # set when the server shuts down: hanging faults end so shutdown isn't held up
        self.stopping = asyncio.Event()

    async def handle(self, request: web.Request, vendor: Vendor) -> web.StreamResponse:
        """Answer one vendor request."""
        started = time.perf_counter()
        try:
            body, too_large = await request.read(), False
        except web.HTTPRequestEntityTooLarge:
            body, too_large = b"", True
        snapshot = self.snapshot(request, vendor, body)
        response: web.StreamResponse
        try:
            plan = self.too_large(vendor) if too_large else self.choose(snapshot, vendor)
        except InjectionError as err:
            plan = Plan("respond", rule="header", reason=f"rejected: {err.message}")
            response = admin_error(400, err.body(vendor.name))
        else:
            if plan.delay:
                await asyncio.sleep(plan.delay)
            response = await self.execute(request, snapshot, vendor, plan)
        latency = (time.perf_counter() - started) * 1000
        for recorder in self.recorders:
            recorder.record(snapshot, plan, response.status, latency)
        return response

    def snapshot(self, request: web.Request, vendor: Vendor, body: bytes) -> RequestSnapshot:
        """Freeze what the engine needs; the session comes from the header or credentials."""
        snap = RequestSnapshot(
            vendor=vendor.name,
            method=request.method,
            path="/" + request.match_info.get("tail", ""),
            query=list(request.query.items()),
            headers=request.headers,
            body=body,
            received_at=self.clock(),
        )
        snap.session = (
            snap.headers.get(SESSION_HEADER)
            or vendor.session_of(snap)
            or self._token_session(vendor, snap)
        )
        return snap

    def _token_session(self, vendor: Vendor, snapshot: RequestSnapshot) -> str | None:
        # SDKs can't add headers, so a token the mock issued carries its session along
        value = vendor.token_of(snapshot)
        if value is None or self.env is None:
            return None
        token = self.env.tokens.get(vendor.name, value)
        return token.session if token is not None else None

    def too_large(self, vendor: Vendor) -> Plan:
        """The vendor's answer to a body over the configured limit."""
        entry = self.catalog.vendor(vendor.name).get(vendor.too_large_key)
        return Plan(
            "error",
            entry=entry,
            status=vendor.too_large_status,
            rule="max-body",
            reason="request body over the --max-body limit",
            outcome="too_large",
        )

    def choose(self, snapshot: RequestSnapshot, vendor: Vendor) -> Plan:
        """Header injection first, then scenario rules, then the normal answer."""
        plan = plan_from_headers(self.catalog.vendor(vendor.name), snapshot.headers)
        if plan is None and self.decider is not None:
            plan = self.decider.plan_for(snapshot)
        return plan or PASSTHROUGH

    async def execute(
        self, request: web.Request, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan
    ) -> web.StreamResponse:
        """Turn a plan into bytes on the wire."""
        ctx = self.context(snapshot, vendor, plan)
        if plan.kind == "fault" and plan.fault is not None:
            if plan.fault.type in ("html502", "html503"):
                return to_response(gateway_page(int(plan.fault.type[-3:])))
            base = await self.render(snapshot, vendor, Plan("passthrough"), ctx)
            if plan.fault.type == "malformed":
                return to_response(malformed(base))
            return await apply_fault(request, plan.fault, base, self.stopping)
        return to_response(await self.render(snapshot, vendor, plan, ctx))

    async def render(
        self, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan, ctx: RenderContext
    ) -> Rendered:
        """The answer for error, respond and passthrough plans."""
        if plan.kind == "error" and plan.entry is not None:
            rendered = vendor.render_error(plan.entry, ctx)
        elif plan.kind == "respond" and plan.literal is not None:
            rendered = plan.literal
        else:
            rendered = await self.passthrough(snapshot, vendor, ctx, plan)
        return rendered.with_headers(plan.headers) if plan.headers else rendered

    async def passthrough(
        self,
        snapshot: RequestSnapshot,
        vendor: Vendor,
        ctx: RenderContext,
        plan: Plan = PASSTHROUGH,
    ) -> Rendered:
        """The endpoint's normal answer; unknown endpoints get the vendor's not-found."""
        catalog = self.catalog.vendor(vendor.name)
        router = vendor.router()
        found = router.find(snapshot.method, snapshot.path) if router and self.env else None
        if found is None or self.env is None:
            return vendor.render_not_found(catalog, ctx)
        route, args = found
        call = Call(snapshot, ctx, vendor, catalog, self.env, args, plan.failure)
        denied = vendor.authenticate(call)
        if denied is not None:
            return denied
        result = route.handler(call)
        return await result if inspect.isawaitable(result) else result

    def context(self, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan) -> RenderContext:
        """Everything a renderer may use about this request and plan."""
        if plan.kind == "error" and plan.entry is not None:
            params = resolve_params(vendor, plan.entry, snapshot, plan.params)
        else:
            params = dict(plan.params)
        return RenderContext(
            family=vendor.family_for(snapshot.method, snapshot.path),
            method=snapshot.method,
            path=snapshot.path,
            params=params,
            request_id=request_id(),
            status=plan.status,
            rate=plan.rate,
            retry_after=plan.retry_after,
        )


def request_id() -> str:
    """A random version-4-shaped UUID; not for secrets, so the fast PRNG is fine here."""
    bits = random.getrandbits(128)
    return (
        f"{bits >> 96:08x}-{(bits >> 80) & 0xFFFF:04x}-4{(bits >> 68) & 0xFFF:03x}-"
        f"{0x8 | ((bits >> 66) & 0x3):x}{(bits >> 52) & 0xFFF:03x}-{bits & 0xFFFFFFFFFFFF:012x}"
    )


def to_response(rendered: Rendered) -> web.Response:
    """An aiohttp response carrying exactly the rendered status, headers and bytes."""
    headers = dict(rendered.headers)
    headers["Content-Type"] = rendered.content_type
    return web.Response(status=rendered.status, body=rendered.body, headers=headers)


def admin_error(status: int, body: Mapping[str, object]) -> web.Response:
    """A mockserver (not vendor) error: plain JSON that names the problem."""
    headers = {"Content-Type": "application/json", "X-Mock-Server-Error": "true"}
    return web.Response(status=status, body=compact_json(body), headers=headers)
