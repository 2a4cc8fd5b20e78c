"""Webhook receivers for callback tests: a recording endpoint on 127.0.0.1 and app starters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from mockserver.server.app import create_app
from mockserver.server.services import Services

Client = TestClient[web.Request, web.Application]
Start = Callable[..., Awaitable[tuple[Client, Services]]]
R = TypeVar("R", bound="Recorder")


@dataclass
class Recorder:
    """An endpoint that records every request (method, query, headers, body) and answers 200.

    Subclasses change the answer by overriding `answer`.
    """

    url: str = ""
    hits: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.hits.append(
            {
                "method": request.method,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "body": body,
            }
        )
        return self.answer(body)

    def answer(self, body: bytes) -> web.Response:
        return web.Response(text="ok")

    async def wait(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The hits once there are at least `count` (bounded wait)."""
        for _ in range(int(timeout / 0.02)):
            if len(self.hits) >= count:
                break
            await asyncio.sleep(0.02)
        assert len(self.hits) >= count, self.hits
        return self.hits


@asynccontextmanager
async def serving(recorder: R, path: str) -> AsyncIterator[R]:
    """Serve `recorder` for every method and path on 127.0.0.1; its url ends in `path`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    recorder.url = str(server.make_url(path))
    try:
        yield recorder
    finally:
        await server.close()


def starter(aiohttp_client: Any, make_services: Callable[..., Services], **defaults: Any) -> Start:
    """A `start(**settings)` that builds services (defaults first) and a test client."""

    async def start(**options: Any) -> tuple[Client, Services]:
        services = make_services(**{**defaults, **options})
        return await aiohttp_client(create_app(services.settings, services)), services

    return start
