"""Bare aiohttp server replaying one recorded response: the ceiling the mockserver is compared to."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from mockserver.server.loop import run_loop

# Headers aiohttp writes itself; replaying them would duplicate or contradict its own.
AUTO_HEADERS = frozenset({"date", "server", "content-length", "transfer-encoding", "connection"})


@dataclass(frozen=True, slots=True)
class Recorded:
    """One HTTP answer as captured from the mockserver."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def to_json(self) -> dict[str, object]:
        """A JSON-safe form (the body base64-encoded)."""
        return {
            "status": self.status,
            "headers": [list(pair) for pair in self.headers],
            "body_b64": base64.b64encode(self.body).decode(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recorded:
        """Inverse of to_json."""
        headers = tuple((str(k), str(v)) for k, v in data["headers"])
        return cls(int(data["status"]), headers, base64.b64decode(data["body_b64"]))

    def replay_headers(self) -> list[tuple[str, str]]:
        """The recorded headers minus those aiohttp sets on its own."""
        return [(k, v) for k, v in self.headers if k.lower() not in AUTO_HEADERS]

    @property
    def closes(self) -> bool:
        """Whether the recorded answer closed the connection."""
        return any(k.lower() == "connection" and v.lower() == "close" for k, v in self.headers)


def create_server(recorded: Recorded) -> web.Server:
    """aiohttp's low-level server answering every request with the recorded bytes.

    No `Application`: the mockserver's front door skips aiohttp's URL dispatcher and takes a
    buffered body from the buffer, so a ceiling paying for the dispatcher, a catch-all regex
    route and `await request.read()` sat a third below a plain aiohttp app (bench/README.md).
    """
    headers = recorded.replay_headers()

    async def replay(request: web.BaseRequest) -> web.Response:
        content = request.content
        if content.is_eof():
            content.read_nowait()
        else:
            await request.read()
        response = web.Response(status=recorded.status, body=recorded.body, headers=headers)
        if recorded.closes:
            response.force_close()
        return response

    return web.Server(replay, access_log=None)


def create_plain_app(recorded: Recorded, method: str, path: str) -> web.Application:
    """The textbook aiohttp app: one route for the case's method and path, the bytes as a body.

    The bench checks the replay server against it, so the ceiling is known not to be low.
    """
    headers = recorded.replay_headers()

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=recorded.status, body=recorded.body, headers=headers)

    app = web.Application()
    app.router.add_route(method, path, answer)
    return app


async def serve(
    recorded: Recorded, host: str, port: int, plain: tuple[str, str] | None = None
) -> None:
    """Serve until SIGTERM/SIGINT, printing the bound URL first (like the mockserver banner)."""
    runner: web.BaseRunner
    if plain is None:
        runner = web.ServerRunner(create_server(recorded), handle_signals=False)
    else:
        app = create_plain_app(recorded, *plain)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"baseline listening on http://{host}:{runner.addresses[0][1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.baseline SPEC.json [--host H] [--port P] [--plain METHOD PATH]`."""
    parser = argparse.ArgumentParser(prog="bench.baseline", description=__doc__)
    parser.add_argument("spec", type=Path, help="JSON file written by Recorded.to_json")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--plain", nargs=2, metavar=("METHOD", "PATH"), help="serve the textbook app instead"
    )
    args = parser.parse_args(argv)
    recorded = Recorded.from_json(json.loads(args.spec.read_text()))
    plain = (args.plain[0], args.plain[1]) if args.plain else None
    # the loop the bench asked for (bench.loops), as the mockserver beside it runs on
    run_loop(serve(recorded, args.host, args.port, plain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
