"""Run the server: bind the main port and any per-vendor ports, print the banner, stop on signal."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TextIO

from aiohttp import web

from mockserver import __version__, frontdoor
from mockserver.app import create_app, create_vendor_app
from mockserver.logs import configure as configure_logs
from mockserver.services import Services, build_services
from mockserver.settings import Settings

# aiohttp keeps reading an unread body for this long before closing (10 s by default): only
# a body that timed out or was too large is left unread, and its sender is stalling
LINGER = 1.0


def banner(services: Services, url: str, vendor_urls: dict[str, str]) -> str:
    """The start-up summary: where each vendor lives and what it serves."""
    lines = [f"mockserver {__version__} listening on {url}"]
    for name, vendor in services.vendors.items():
        cat = services.catalog.vendor(name)
        where = vendor_urls.get(name, f"/{name}")
        codes = len({e.code for e in cat})
        lines.append(
            f"  {name:<13} {where:<24} {len(cat):>5} entries {codes:>5} codes"
            f"   envelopes: {', '.join(vendor.families)}"
        )
    lines.append(f"  {'admin':<13} {'/__admin':<24} health, catalog, scenarios, requests")
    return "\n".join(lines)


async def _start_site(
    app: web.Application, host: str, port: int, settings: Settings, front: Services | None = None
) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=settings.shutdown_grace,
        keepalive_timeout=settings.keepalive_timeout,
        lingering_time=LINGER,
        # a client that leaves cancels its handler: how a `hang` or `drip` learns its client
        # gave up without polling; slow answers are journalled when decided (pipeline.py)
        handler_cancellation=True,
    )
    await runner.setup()
    if front is not None:
        frontdoor.install(runner, front.pipeline, front.vendors)
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    return runner, int(bound)


async def serve(settings: Settings, out: TextIO = sys.stdout) -> None:
    """Serve until SIGINT/SIGTERM, then finish in-flight requests and exit."""
    configure_logs(settings.log_format)
    services = build_services(settings)
    runners: list[web.AppRunner] = []
    main, port = await _start_site(
        create_app(settings, services), settings.host, settings.port, settings, front=services
    )
    runners.append(main)
    vendor_urls: dict[str, str] = {}
    for name, vport in settings.vendor_ports.items():
        vapp = create_vendor_app(services, services.vendors[name])
        runner, bound = await _start_site(vapp, settings.host, vport, settings)
        runners.append(runner)
        vendor_urls[name] = f"http://{settings.host}:{bound}/"
    print(banner(services, f"http://{settings.host}:{port}", vendor_urls), file=out, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()
