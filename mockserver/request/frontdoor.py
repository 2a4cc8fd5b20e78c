"""A fast lane in front of aiohttp's URL dispatcher: vendor requests go straight to the pipeline.

Every vendor request is `/<vendor>/<anything>` and the pipeline has its own router, so
aiohttp's dispatcher (resolving against every resource, building match info, wrapping the
admin sub-app's middleware) only adds cost: about a quarter of a request that answers an
injected error (measured in bench/README.md). The front door takes the first path segment,
and hands everything that is not a vendor's to the application as before, so the admin
API, 404s for unknown prefixes and `Expect: 100-continue` keep aiohttp's behaviour. The
application keeps its vendor routes too: an app driven without the front door (aiohttp's
test client, `--vendor-port` sub-servers) answers the same through them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import hdrs, web

from mockserver.request.pipeline import Pipeline
from mockserver.vendors.base import Vendor

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


class FrontDoor:
    """The request handler of the main server: vendor prefixes first, the app for the rest."""

    def __init__(
        self, pipeline: Pipeline, vendors: Mapping[str, Vendor], fallback: Handler
    ) -> None:
        self.pipeline = pipeline
        self.vendors = dict(vendors)
        self.fallback = fallback

    def __call__(self, request: web.BaseRequest) -> Awaitable[web.StreamResponse]:
        """Answer one request (aiohttp awaits the handler's coroutine: no wrapper of ours)."""
        routed = self.route(request)
        if routed is None:
            return self.fallback(request)
        vendor, tail = routed
        return self.pipeline.handle(request, vendor, tail)

    def route(self, request: web.BaseRequest) -> tuple[Vendor, str] | None:
        """The vendor and the path below its prefix, or None for the application to route."""
        if hdrs.EXPECT in request.headers:  # the app's routes answer 100-continue
            return None
        # the decoded path, exactly what the app's `{tail}` route would have matched
        name, _, tail = request.path[1:].partition("/")
        vendor = self.vendors.get(name)
        return None if vendor is None else (vendor, tail)


def install(runner: web.AppRunner, pipeline: Pipeline, vendors: Mapping[str, Vendor]) -> None:
    """Put a front door before a set-up runner's application (before any connection).

    `Server.request_handler` is aiohttp's own attribute, not public API: each connection
    reads it when it is made. aiohttp offers no public hook that skips its dispatcher, so
    pyproject pins aiohttp below its next minor and tests/test_fastpath.py fails if the
    attribute goes or stops being read, rather than the server quietly taking the slow lane.
    """
    server = runner.server
    if server is None:
        raise RuntimeError("install the front door after runner.setup()")
    server.request_handler = FrontDoor(pipeline, vendors, server.request_handler)
