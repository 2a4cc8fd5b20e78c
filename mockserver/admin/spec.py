"""One admin route as data: method, path, handler, summary, types, answers and auth."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from mockserver.admin.common import json_ok

PREFIX = "/__admin"
JSON = "application/json"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """A documented answer: its status, a sentence, and the type its body is."""

    status: int
    description: str
    type: Any
    media: str = JSON
    # the same answer in other media types (e.g. a report as HTML), each with its type
    also: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Body:
    """A request body: the type it is in each media type accepted."""

    types: Mapping[str, Any]
    required: bool
    description: str | None = None


@dataclass(frozen=True, eq=False)
class Route:
    """One row of the admin route table: what aiohttp serves and OpenAPI describes.

    `path` is aiohttp's (`{key:.+}` and all); `query` and `params` are TypedDicts of the
    query and path parameters; `errors` maps each error status to when it happens (the
    body is always `Error`); `auth` is whether the admin token is asked for.
    """

    method: str
    path: str
    name: str
    handler: Handler
    summary: str
    answer: Answer
    errors: Mapping[int, str] = field(default_factory=dict)
    query: Any = None
    params: Any = None
    body: Body | None = None
    auth: bool = True


def json_route(
    method: str,
    path: str,
    handler: Callable[[web.Request], Awaitable[T]],
    answer: type[T],
    summary: str,
    ok: str,
    *,
    status: int = 200,
    errors: Mapping[int, str] | None = None,
    query: Any = None,
    params: Any = None,
    body: Body | None = None,
    auth: bool = True,
) -> Route:
    """A route whose handler returns its answer as a value of `answer`, sent as JSON.

    Typed so that mypy holds the handler's return type to the documented type.
    """
    return Route(
        method,
        path,
        handler.__name__,
        _as_json(handler, status),
        summary,
        Answer(status, ok, answer),
        errors or {},
        query,
        params,
        body,
        auth,
    )


def raw_route(
    method: str,
    path: str,
    handler: Handler,
    summary: str,
    answer: Answer,
    *,
    errors: Mapping[int, str] | None = None,
    query: Any = None,
    auth: bool = True,
) -> Route:
    """A route whose handler builds its own response (not JSON, or prepared bytes)."""
    return Route(
        method, path, handler.__name__, handler, summary, answer, errors or {}, query, auth=auth
    )


def _as_json(handler: Callable[[web.Request], Awaitable[Any]], status: int) -> Handler:
    @functools.wraps(handler)
    async def answer(request: web.Request) -> web.StreamResponse:
        return json_ok(await handler(request), status)

    return answer
