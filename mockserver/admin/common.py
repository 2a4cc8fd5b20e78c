"""Shared pieces of the admin handlers: JSON answers, input errors, the services lookup."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mockserver.answers.rendered import compact_json
from mockserver.server.services import SERVICES, Services


class AdminInputError(Exception):
    """A bad admin request; answered as plain JSON naming the problem."""

    def __init__(self, status: int, kind: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, object] = {"error": kind, "message": message, **extra}


def json_ok(data: Any, status: int = 200) -> web.Response:
    """A JSON admin answer."""
    return web.Response(status=status, body=compact_json(data), content_type="application/json")


def services_of(request: web.Request) -> Services:
    """The server's shared services."""
    return request.app[SERVICES]
