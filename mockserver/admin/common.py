"""Shared pieces of the admin handlers: JSON answers, input errors, the services lookup."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

from aiohttp import web

from mockserver.admin.models import Error
from mockserver.server.services import SERVICES, Services


class AdminInputError(Exception):
    """A bad admin request; answered as plain JSON naming the problem."""

    def __init__(self, status: int, kind: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, object] = {"error": kind, "message": message, **extra}

    @classmethod
    def of(cls, status: int, body: Error | Mapping[str, object]) -> AdminInputError:
        """The error answering `body` as it is (its keys in their order)."""
        err = cls(status, str(body["error"]), str(body["message"]))
        err.body = dict(body)
        return err


def json_ok(data: Any, status: int = 200) -> web.Response:
    """A JSON admin answer (dataclasses, such as the engine's RuleInfo, as objects)."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_plain)
    return web.Response(status=status, body=body.encode(), content_type="application/json")


def _plain(value: object) -> dict[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def services_of(request: web.Request) -> Services:
    """The server's shared services."""
    return request.app[SERVICES]
