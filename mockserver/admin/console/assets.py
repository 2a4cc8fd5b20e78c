"""The console's stylesheet and script, shipped inside the package and served as they are."""

from __future__ import annotations

import functools
from importlib import resources

from aiohttp import web

_TYPES = {"console.css": "text/css", "console.js": "text/javascript"}


@functools.cache
def asset(name: str) -> bytes:
    """The bytes of a shipped asset (read once)."""
    return resources.files("mockserver.admin.console").joinpath("static", name).read_bytes()


def _answer(name: str) -> web.Response:
    # revalidated each time: an upgraded server must not run yesterday's script
    response = web.Response(
        body=asset(name),
        content_type=_TYPES[name],
        charset="utf-8",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
    response.enable_compression()
    return response


async def console_css(request: web.Request) -> web.Response:
    """The console's stylesheet."""
    return _answer("console.css")


async def console_js(request: web.Request) -> web.Response:
    """The console's script (progressive: every view works without it)."""
    return _answer("console.js")
