"""Application factory: shared services, one sub-app per vendor prefix, the admin sub-app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from mockserver.admin.routes import create_admin_app
from mockserver.server.services import SERVICES, Services, build_services
from mockserver.settings import Settings, StartupError
from mockserver.store.shared.errors import StoreUnavailable
from mockserver.vendors import Vendor

if TYPE_CHECKING:
    from mockserver.store.shared.state import SharedState


def _vendor_handler(
    services: Services, vendor: Vendor
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await services.pipeline.handle(request, vendor, request.match_info.get("tail", ""))

    return handle


async def _stop_faults(app: web.Application) -> None:
    # on_shutdown runs before aiohttp waits for in-flight handlers
    app[SERVICES].pipeline.stopping.set()


async def _background(app: web.Application) -> AsyncIterator[None]:
    """Watch scenario files while serving; drain pending callbacks on shutdown."""
    services = app[SERVICES]
    if services.shared is not None:
        await start_store(services.shared)
    watcher = None
    if services.files is not None and services.settings.watch_interval > 0:
        watcher = asyncio.create_task(services.files.watch(services.settings.watch_interval))
    yield
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    await services.env.callbacks.close(grace=services.settings.shutdown_grace)
    if services.pipeline.upstreams is not None:
        await services.pipeline.upstreams.close()
    if services.shared is not None:
        await services.shared.stop()


async def start_store(shared: SharedState) -> None:
    """Connect to the shared store before serving: one line naming --store when it fails."""
    try:
        await shared.start()
    except StoreUnavailable:
        raise StartupError(shared.link.unreachable()) from None


async def _to_console(request: web.Request) -> web.StreamResponse:
    """`/` answers with the web console (docs/console.md), not a bare 404."""
    return web.Response(status=302, headers={"Location": "/__admin/ui/"})


# `[\s\S]*`, not `.*`: a percent-encoded newline in a path must still reach the vendor
TAIL = "{tail:[\\s\\S]*}"


def create_vendor_app(services: Services, vendor: Vendor) -> web.Application:
    """One vendor at the root path of its own port (`--vendor-port`)."""
    app = web.Application(client_max_size=services.settings.max_body)
    app[SERVICES] = services
    app.router.add_route("*", "/" + TAIL, _vendor_handler(services, vendor))
    return app


def create_app(
    settings: Settings | None = None, services: Services | None = None
) -> web.Application:
    """The main application: `/<vendor>/...` for each vendor and `/__admin/`."""
    settings = settings or Settings()
    services = services or build_services(settings)
    app = web.Application(client_max_size=settings.max_body)
    app[SERVICES] = services
    app.cleanup_ctx.append(_background)
    app.on_shutdown.append(_stop_faults)
    app.add_subapp("/__admin/", create_admin_app(services))
    app.router.add_get("/", _to_console)
    for name, vendor in services.vendors.items():
        # plain prefix routes, not sub-apps: one dispatch layer less on every vendor request
        handler = _vendor_handler(services, vendor)
        app.router.add_route("*", f"/{name}", handler)
        app.router.add_route("*", f"/{name}/" + TAIL, handler)
    return app
