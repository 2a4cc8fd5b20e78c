"""Run the server: bind the main port and any per-vendor ports, print the banner, stop on signal."""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
import sys
from collections.abc import Callable
from typing import TextIO

from aiohttp import web

from mockserver.request import frontdoor
from mockserver.server.app import create_app, create_vendor_app
from mockserver.server.banner import banner
from mockserver.server.services import Services, build_services
from mockserver.settings import Settings, StartupError
from mockserver.telemetry.logs import configure as configure_logs

# aiohttp keeps reading an unread body for this long before closing (10 s by default): only
# a body that timed out or was too large is left unread, and its sender is stalling
LINGER = 1.0


def bind_error(flag: str, host: str, port: int, err: OSError) -> StartupError:
    """The operator's problem in one line, naming the flag to change."""
    if isinstance(err, socket.gaierror):
        return StartupError(f"--host {host}: cannot be resolved ({err.strerror})")
    where = f"address {host}:{port}"
    if err.errno == errno.EADDRINUSE:
        return StartupError(f"{flag}: {where} is already in use")
    if err.errno == errno.EADDRNOTAVAIL:
        return StartupError(f"--host {host}: not an address of this machine")
    if err.errno == errno.EACCES:
        return StartupError(f"{flag}: {where}: permission denied (ports below 1024 need root)")
    return StartupError(f"{flag}: cannot listen on {where}: {err.strerror or err}")


async def _start_site(
    app: web.Application,
    host: str,
    port: int,
    settings: Settings,
    flag: str,
    front: Services | None = None,
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
    # workers share each port; the kernel spreads connections over their sockets
    site = web.TCPSite(runner, host, port, reuse_port=settings.workers > 1 or None)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise bind_error(flag, host, port, err) from None
    bound = runner.addresses[0][1]
    return runner, int(bound)


async def serve(
    settings: Settings,
    out: TextIO | None = sys.stdout,
    on_ready: Callable[[], object] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, then finish in-flight requests and exit.

    With `--workers`, each worker serves the same ports (SO_REUSEPORT) and only the first
    prints the banner (`out` None for the others).
    """
    configure_logs(settings.log_format)
    services = build_services(settings)
    runners: list[web.AppRunner] = []
    try:
        port, vendor_urls = await _start_sites(settings, services, runners)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        # after the handlers: a SIGTERM sent as soon as the banner is read stops gracefully
        url = f"http://{settings.host}:{port}"
        if out is not None:
            print(banner(services, url, vendor_urls, settings.log_format), file=out, flush=True)
        if on_ready is not None:
            on_ready()
        await stop.wait()
    finally:
        for runner in runners:
            await runner.cleanup()


async def _start_sites(
    settings: Settings, services: Services, runners: list[web.AppRunner]
) -> tuple[int, dict[str, str]]:
    """Bind the main port, then each vendor port; returns the main port and vendor URLs."""
    app = create_app(settings, services)
    flag = f"--port {settings.port}"
    main, port = await _start_site(app, settings.host, settings.port, settings, flag, services)
    # callbacks must never reach the mock itself (e.g. /__admin/reset): note every listener
    policy = services.env.callbacks.policy
    policy.listen(settings.host, port)
    runners.append(main)
    vendor_urls: dict[str, str] = {}
    for name, vport in settings.vendor_ports.items():
        vapp = create_vendor_app(services, services.vendors[name])
        flag = f"--vendor-port {name}={vport}"
        runner, bound = await _start_site(vapp, settings.host, vport, settings, flag)
        policy.listen(settings.host, bound)
        runners.append(runner)
        vendor_urls[name] = f"http://{settings.host}:{bound}/"
    return port, vendor_urls
