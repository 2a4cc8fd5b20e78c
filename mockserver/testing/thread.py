"""Run a full mockserver on 127.0.0.1 in a daemon thread, for synchronous clients and SDKs."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from aiohttp import web

from mockserver.request import frontdoor
from mockserver.server.app import create_app
from mockserver.server.run import LINGER
from mockserver.server.services import Services, build_services
from mockserver.settings import Settings


class ServerThread:
    """A real server with its own event loop; `url` is valid between start() and stop().

    Example:
        with ServerThread() as server:
            requests.get(server.url + "/__admin/health")
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = (settings or Settings()).model_copy(update={"host": "127.0.0.1", "port": 0})
        self.services: Services = build_services(self.settings)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://127.0.0.1:{self.port}"

    async def _start(self) -> int:
        self._runner = web.AppRunner(
            create_app(self.settings, self.services),
            access_log=None,
            keepalive_timeout=self.settings.keepalive_timeout,
            lingering_time=LINGER,
            handler_cancellation=True,  # as server.py: a client leaving ends a hang
        )
        await self._runner.setup()
        frontdoor.install(self._runner, self.services.pipeline, self.services.vendors)
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = int(self._runner.addresses[0][1])
        self.services.env.callbacks.policy.listen("127.0.0.1", port)  # as server.py
        return port

    def start(self) -> ServerThread:
        """Start serving; returns self once the port is bound."""
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def stop(self) -> None:
        """Stop serving and end the thread."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
