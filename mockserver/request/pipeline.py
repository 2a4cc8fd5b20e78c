"""The request flow in one place: snapshot -> choose a plan -> render or fault -> journal."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from aiohttp import StreamReader, web

from mockserver.answers.faults import CUT, Fault, apply_fault, gateway_page, malformed
from mockserver.answers.params import resolve_params
from mockserver.answers.plan import PASSTHROUGH, Plan
from mockserver.answers.rendered import JSON, RenderContext, Rendered, compact_json
from mockserver.answers.reuse import ErrorAnswers, retry_after, to_response
from mockserver.catalog.model import Catalog, CatalogEntry, VendorCatalog
from mockserver.operations.router import generic_router
from mockserver.request.injection import InjectionError, InjectionPlans
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor
from mockserver.vendors.kit.call import Call, Env
from mockserver.vendors.kit.rejection import Rejection
from mockserver.vendors.kit.routing import Route

if TYPE_CHECKING:  # loaded with --proxy only (server/services.py)
    from mockserver.request.proxy import Upstreams

_log = logging.getLogger(__name__)
SESSION_HEADER = "x-mock-session"
# a request no operation of the vendor serves (journal and metrics outcome "no_endpoint")
NO_ENDPOINT = Plan("passthrough", outcome="no_endpoint", reason="no operation serves this path")


class Planner(Protocol):
    """Chooses a plan for a request from the loaded rules (the scenario engine)."""

    def plan_for(
        self, snapshot: RequestSnapshot, authorized: Callable[[], bool] | None = None
    ) -> Plan | None:
        """The plan of the first rule that matches and fires, or None.

        `authorized` answers whether the vendor's own auth check passes (asked lazily).
        """


class Recorder(Protocol):
    """Receives one record per answered request (the journal)."""

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency_ms: float) -> None:
        """Keep what happened."""


class Pipeline:
    """Answers every request under a vendor prefix."""

    def __init__(
        self,
        catalog: Catalog,
        planner: Planner | None = None,
        recorders: tuple[Recorder, ...] = (),
        env: Env | None = None,
        clock: Callable[[], float] = time.time,
        read_timeout: float = 0.0,
        max_body: int = 0,
    ) -> None:
        self.catalog = catalog
        self.planner = planner
        self.recorders = recorders
        self.env = env
        self.clock = clock
        self.read_timeout = read_timeout
        # bodies already buffered are checked here; aiohttp checks the ones it still reads
        self.max_body = max_body
        # set when the server shuts down: hanging faults end so shutdown isn't held up
        self.stopping = asyncio.Event()
        self.injections = InjectionPlans()
        self.answers = ErrorAnswers()
        self.request_ids = RequestIds()
        # --proxy: the real vendors the happy path goes to instead (request/proxy.py)
        self.upstreams: Upstreams | None = None

    async def handle(
        self, request: web.BaseRequest, vendor: Vendor, tail: str
    ) -> web.StreamResponse:
        """Answer one vendor request; `tail` is its path below the vendor prefix."""
        started = time.perf_counter()
        # a body already buffered is taken without another coroutine
        body, problem = self.buffered(request) or await self.arriving_body(request)
        snapshot = self.snapshot(request, vendor, body, tail)
        plan, response = self.plan(snapshot, vendor, problem)
        if response is None:
            entry = plan.entry
            if plan.kind == "error" and entry is not None and not plan.delay:
                # the common case, answered without another coroutine
                response = self.error(snapshot, vendor, plan, entry)
            else:
                # journalled inside, as soon as decided: its client may give up waiting
                return await self.execute(request, snapshot, vendor, plan, started)
        self.record(snapshot, plan, response.status, started)
        return response

    def record(
        self, snapshot: RequestSnapshot, plan: Plan, status: int, started: float, wait: float = 0
    ) -> None:
        """Hand what happened to the recorders; `wait` is time still to come (a delay)."""
        latency = (time.perf_counter() - started + wait) * 1000
        for recorder in self.recorders:
            recorder.record(snapshot, plan, status, latency)

    def plan(
        self, snapshot: RequestSnapshot, vendor: Vendor, problem: str | None
    ) -> tuple[Plan, web.StreamResponse | None]:
        """The plan for a request, and a response when it is refused at once.

        A body that stalled or an injection header that names nothing is answered here.
        """
        if problem == "read_timeout":
            return self.timed_out(vendor)
        try:
            return (self.too_large(vendor) if problem else self.choose(snapshot, vendor)), None
        except InjectionError as err:
            plan = Plan("respond", rule="header", reason=f"rejected: {err.message}")
            return plan, admin_error(400, err.body(vendor.name))

    def timed_out(self, vendor: Vendor) -> tuple[Plan, web.StreamResponse]:
        """408 for a body that stalled; the connection closes (the rest may still arrive)."""
        message = f"the request body did not arrive within {self.read_timeout:g}s (--read-timeout)"
        body = InjectionError("read_timeout", message).body(vendor.name)
        response = admin_error(408, body)
        response.force_close()
        return Plan("respond", rule="read-timeout", reason=message, outcome="timeout"), response

    def buffered(self, request: web.BaseRequest) -> tuple[bytes, str | None] | None:
        """The body and its problem when it has all arrived, else None (it must be awaited)."""
        content = request.content
        return self.buffered_body(content) if content.is_eof() else None

    def buffered_body(self, content: StreamReader) -> tuple[bytes, str | None]:
        """A body already received in full (most are), and "too_large" when over --max-body.

        Taken from the buffer as it is: `request.read()` would spend two coroutines and a
        copy on bytes that are already here. Nothing else reads a vendor request's body.
        """
        body = content.read_nowait()
        if self.max_body and len(body) > self.max_body:
            return b"", "too_large"
        return body, None

    async def arriving_body(self, request: web.BaseRequest) -> tuple[bytes, str | None]:
        """A body still arriving, and "too_large" or "read_timeout" when it fails to.

        aiohttp enforces --max-body as it reads (client_max_size); a body that stalls
        longer than `read_timeout` is abandoned.
        """
        try:
            if not self.read_timeout:
                return await request.read(), None
            async with asyncio.timeout(self.read_timeout):
                return await request.read(), None
        except web.HTTPRequestEntityTooLarge:
            return b"", "too_large"
        except TimeoutError:
            return b"", "read_timeout"

    def snapshot(
        self, request: web.BaseRequest, vendor: Vendor, body: bytes, tail: str
    ) -> RequestSnapshot:
        """Freeze what the engine needs; the session comes from the header or credentials."""
        snap = RequestSnapshot(
            vendor=vendor.name,
            method=request.method,
            path="/" + tail,
            query=list(request.query.items()) if request.query_string else None,
            headers=request.headers,
            body=body,
            received_at=self.clock(),
        )
        snap.session = (
            request.headers.get(SESSION_HEADER)
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
        plan = self.injections.plan(self.catalog.vendor(vendor.name), snapshot.raw_headers)
        if plan is None and self.planner is not None:
            plan = self.planner.plan_for(snapshot, lambda: self.authorized(snapshot, vendor))
        return plan or PASSTHROUGH

    def authorized(self, snapshot: RequestSnapshot, vendor: Vendor) -> bool:
        """Whether the vendor's own auth check lets this request reach its endpoint.

        The same check passthrough runs (Vendor.authenticate), asked before the shipped
        magic values decide; a path with no endpoint has nothing to authenticate.
        """
        # the rendered refusal is thrown away, so it needs no request id of its own
        method, path = snapshot.method, snapshot.path
        found = self.call_for(
            snapshot, vendor, RenderContext(vendor.family_for(method, path), method, path, {}, "")
        )
        if found is None:
            return True
        try:
            vendor.authenticate(found[1])
        except Rejection:
            return False
        return True

    def call_for(
        self,
        snapshot: RequestSnapshot,
        vendor: Vendor,
        ctx: RenderContext,
        plan: Plan = PASSTHROUGH,
    ) -> tuple[Route, Call] | None:
        """The endpoint and its call for `snapshot`, or None when the vendor has none."""
        if self.env is None:
            return None
        router = vendor.router()
        found = router.find(snapshot.method, snapshot.path) if router else None
        if found is None or found[0].fallback:  # every other operation the vendor publishes
            found = generic_router(vendor).find(snapshot.method, snapshot.path) or found
        if found is None:
            return None
        route, args = found
        catalog = self.catalog.vendor(vendor.name)
        return route, Call(snapshot, ctx, vendor, catalog, self.env, args, plan.failure)

    async def execute(
        self,
        request: web.BaseRequest,
        snapshot: RequestSnapshot,
        vendor: Vendor,
        plan: Plan,
        started: float,
    ) -> web.StreamResponse:
        """Turn a plan into bytes on the wire, journalled before its delay or fault starts.

        A client may give up on a delayed answer, a `hang` or a `drip` (its handler is then
        cancelled), so the journal cannot wait for the end: the entry is written when the
        answer is known, with the delay counted in its latency.
        """
        if plan.kind == "fault" and plan.fault is not None:
            return await self.fault(request, snapshot, vendor, plan, plan.fault, started)
        upstreams = self.upstreams
        # a callback rule's failure is the mock's to send: its answer stays the mock's too
        forward = plan.kind == "passthrough" and plan.failure is None
        if upstreams is not None and forward and upstreams.serves(vendor.name):
            return await self.proxied(request, snapshot, upstreams, plan, started)
        if plan.kind == "error" and plan.entry is not None:
            response: web.StreamResponse = self.error(snapshot, vendor, plan, plan.entry)
        else:
            ctx = self.context(snapshot, vendor, plan)
            response = to_response(await self.render(snapshot, vendor, plan, ctx))
            if snapshot.no_endpoint and plan.kind == "passthrough":
                # journalled and counted apart: a call the mock does not emulate
                plan = NO_ENDPOINT if plan is PASSTHROUGH else replace(plan, outcome="no_endpoint")
        return await self.deliver(snapshot, plan, response, started)

    async def proxied(
        self,
        request: web.BaseRequest,
        snapshot: RequestSnapshot,
        upstreams: Upstreams,
        plan: Plan,
        started: float,
    ) -> web.StreamResponse:
        """The upstream's answer (after the plan's delay), journalled as `proxied`."""
        from mockserver.request.proxy import UpstreamFailed  # loaded already: upstreams exist

        if plan.delay:
            await asyncio.sleep(plan.delay)
        try:
            response, sent = await upstreams.forward(request, snapshot, snapshot.vendor)
        except UpstreamFailed as err:
            failed = replace(plan, outcome="upstream_failed", reason=str(err))
            self.record(snapshot, failed, 502, started)
            return admin_error(502, {"error": "upstream_failed", "message": str(err)})
        said = f"proxied to {sent.url.split('?', 1)[0]}: {sent.status} in {sent.latency_ms:.0f} ms"
        reason = f"{plan.reason}; {said}" if plan.reason else said
        self.record(snapshot, replace(plan, outcome="proxied", reason=reason), sent.status, started)
        return response

    async def deliver(
        self, snapshot: RequestSnapshot, plan: Plan, response: web.StreamResponse, started: float
    ) -> web.StreamResponse:
        """Journal a ready answer, then hold it for the plan's delay."""
        await self.hold(snapshot, plan, response.status, started)
        return response

    async def hold(
        self, snapshot: RequestSnapshot, plan: Plan, status: int, started: float
    ) -> None:
        """Journal the request as `status` now, then wait out the plan's delay."""
        self.record(snapshot, plan, status, started, plan.delay)
        if plan.delay:
            await asyncio.sleep(plan.delay)

    async def fault(
        self,
        request: web.BaseRequest,
        snapshot: RequestSnapshot,
        vendor: Vendor,
        plan: Plan,
        fault: Fault,
        started: float,
    ) -> web.StreamResponse:
        """A fault's answer; one that acts on the connection is journalled before it acts."""
        if fault.type in ("html502", "html503"):
            rendered = gateway_page(int(fault.type[-3:]))
        else:
            ctx = self.context(snapshot, vendor, plan)
            rendered = await self.render(snapshot, vendor, Plan("passthrough"), ctx)
        # after the render: the fault is what the client met, not the answer it spoils
        snapshot.served = (f"fault:{fault.type}", None)
        if fault.type in ("html502", "html503", "malformed"):
            response = to_response(malformed(rendered) if fault.type == "malformed" else rendered)
            return await self.deliver(snapshot, plan, response, started)
        # a cut connection is journalled as 499 (as metrics count it); drip and truncate
        # send the status line, so theirs is what the client sees
        status = rendered.status if fault.type in ("drip", "truncate") else CUT
        await self.hold(snapshot, plan, status, started)
        return await apply_fault(request, fault, rendered, self.stopping)

    def error(
        self, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan, entry: CatalogEntry
    ) -> web.Response:
        """A catalogued error, noted on the snapshot for the journal (which, and the wait)."""
        response = self.render_error(snapshot, vendor, plan, entry)
        snapshot.served = (entry.key, retry_after(response))
        return response

    def render_error(
        self, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan, entry: CatalogEntry
    ) -> web.Response:
        """A catalogued error, rendered once per distinct request shape and then reused."""
        params = resolve_params(vendor, entry, snapshot, plan.params)
        family = vendor.family_for(snapshot.method, snapshot.path)

        def render(request_id: str) -> Rendered:
            ctx = RenderContext(
                family,
                snapshot.method,
                snapshot.path,
                params,
                request_id,
                plan.status,
                plan.rate,
                plan.retry_after,
            )
            rendered = vendor.render_error(entry, ctx)
            return rendered.with_headers(plan.headers) if plan.headers else rendered

        request_id = self.request_ids.next()
        if plan.rate is not None:  # live counters: never the same answer twice
            return to_response(render(request_id))
        key = (
            vendor.name,
            entry.key,
            family,
            snapshot.method,
            snapshot.path,
            tuple(params.items()),
            plan.status,
            plan.retry_after,
            tuple(plan.headers.items()),
        )
        return self.answers.response(key, render, vendor.request_id_header, request_id)

    async def render(
        self, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan, ctx: RenderContext
    ) -> Rendered:
        """The answer for respond and passthrough plans."""
        if plan.kind == "respond" and plan.literal is not None:
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
        found = self.call_for(snapshot, vendor, ctx, plan)
        if found is None:
            snapshot.no_endpoint = True
            return served(snapshot, self.not_found(vendor, self.catalog.vendor(vendor.name), ctx))
        route, call = found
        try:
            vendor.authenticate(call)
            result = route.handler(call)
            rendered = await result if inspect.isawaitable(result) else result
        except Rejection as rejection:  # the one place a handler's natural error is answered
            rendered = rejection.rendered
        except Exception:  # a bug in the mock: answered as one and journalled, never silent
            _log.exception("%s %s: the %s handler failed", vendor.name, snapshot.path, route.name)
            rendered = mock_failure(route.name)
        return served(snapshot, rendered)

    def not_found(self, vendor: Vendor, catalog: VendorCatalog, ctx: RenderContext) -> Rendered:
        """The vendor's answer to an unknown path, reused like errors are."""
        if ctx.rate is not None:
            return vendor.render_not_found(catalog, ctx)
        key = ("not-found", vendor.name, ctx.family, ctx.method, ctx.path, *ctx.params.items())
        return self.answers.rendered(
            key,
            lambda rid: vendor.render_not_found(catalog, replace(ctx, request_id=rid)),
            vendor.request_id_header,
            ctx.request_id,
        )

    def context(self, snapshot: RequestSnapshot, vendor: Vendor, plan: Plan) -> RenderContext:
        """Everything a renderer may use about this request and a non-error plan."""
        return RenderContext(
            family=vendor.family_for(snapshot.method, snapshot.path),
            method=snapshot.method,
            path=snapshot.path,
            params=dict(plan.params),
            request_id=self.request_ids.next(),
            status=plan.status,
            rate=plan.rate,
            retry_after=plan.retry_after,
        )


def served(snapshot: RequestSnapshot, rendered: Rendered) -> Rendered:
    """`rendered`, noted on the snapshot when it is a catalogued error (for the journal)."""
    if rendered.key is not None:
        snapshot.served = (rendered.key, rendered.header("Retry-After"))
    return rendered


class RequestIds:
    """Version-4-shaped UUIDs, unique per server: a random prefix, then a counter.

    Vendors' request ids are opaque to clients; what tests rely on is that each answer has
    its own. A counter in the last 48 bits gives that at a fraction of the cost of 128
    random bits per request. Not for secrets, so the fast PRNG is fine for the prefix.
    """

    def __init__(self) -> None:
        a, b, c, d = (random.getrandbits(n) for n in (32, 16, 12, 14))
        # version nibble 4, variant bits 10: a valid v4 shape whatever the counter says
        self._prefix = f"{a:08x}-{b:04x}-4{c:03x}-{0x8000 | d:04x}-"
        # from 16**11 up: always 12 hex digits without padding (for 2**40 requests at least)
        self._counter = itertools.count(16**11 + random.getrandbits(40))

    def next(self) -> str:
        """The next id."""
        return self._prefix + hex(next(self._counter))[2:]


def mock_failure(handler: str) -> Rendered:
    """A mock-level 500 for a handler that failed: never mistaken for the vendor's answer."""
    body = {
        "error": "mock_handler_failed",
        "message": f"the mock's {handler} handler failed (see the server log); please report it",
    }
    return Rendered(500, compact_json(body), JSON, (("X-Mock-Server-Error", "true"),))


def admin_error(status: int, body: Mapping[str, object]) -> web.Response:
    """A mockserver (not vendor) error: plain JSON that names the problem."""
    headers = {"Content-Type": "application/json", "X-Mock-Server-Error": "true"}
    return web.Response(status=status, body=compact_json(body), headers=headers)
