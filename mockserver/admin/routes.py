"""The /__admin/ sub-app built from the route table, with its middleware (JSON errors, token)."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from aiohttp import web

from mockserver.admin import openapi
from mockserver.admin.common import AdminInputError, services_of
from mockserver.admin.console import auth as console_auth
from mockserver.admin.spec import Handler, Route
from mockserver.admin.table import ROUTES
from mockserver.request.pipeline import admin_error
from mockserver.server.services import SERVICES, Services
from mockserver.store.shared.errors import StoreUnavailable

_OPEN: web.AppKey[frozenset[Handler]] = web.AppKey("admin_open_handlers", frozenset)
# handlers that answer without syncing with the shared store (health reports on it)
_UNSYNCED: web.AppKey[frozenset[Handler]] = web.AppKey("admin_unsynced_handlers", frozenset)
HEALTH = "/health"
_KINDS = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own refusals (no such route, wrong method, body too large) as admin JSON.

    Clients of the admin API parse every error the same way, so none may be text/plain.
    """
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = _KINDS.get(exc.status, "http_error")
        message = f"{request.method} {request.path}: {exc.reason}"
        response = admin_error(exc.status, {"error": kind, "message": message})
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response


@web.middleware
async def _require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = services_of(request).settings.admin_token
    if token and request.match_info.handler not in request.app[_OPEN]:
        # non-UTF-8 header bytes arrive as surrogates; they must compare unequal, not crash
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        bearer = hmac.compare_digest(given, f"Bearer {token}".encode())
        if not (bearer or console_auth.admitted(request, token)):
            return console_auth.refusal(request, token) or admin_error(
                401,
                {
                    "error": "unauthorized",
                    "message": "admin API needs Authorization: Bearer <token>",
                },
            )
    try:
        return await handler(request)
    except AdminInputError as err:
        return admin_error(err.status, err.body)


@web.middleware
async def _shared_state(request: web.Request, handler: Handler) -> web.StreamResponse:
    """With a shared store: read everyone's state, and send this call's changes before answering.

    Health is exempt: it must answer, and say why, while the store is away.
    """
    shared = services_of(request).shared
    if shared is None or _is_health(request):
        return await handler(request)
    try:
        await shared.before_read()
        response = await handler(request)
        await shared.flush()
        await shared.before_request()  # this replica's own resets take effect here at once
    except StoreUnavailable as err:
        return admin_error(503, {"error": "store_unavailable", "message": str(err)})
    return response


def _is_health(request: web.Request) -> bool:
    return request.match_info.handler in request.app[_UNSYNCED]


def create_admin_app(services: Services, routes: Sequence[Route] = ROUTES) -> web.Application:
    """The /__admin/ sub-app serving `routes`, and their OpenAPI document."""
    app = web.Application(middlewares=[_json_errors, _require_token, _shared_state])
    app[SERVICES] = services
    app[openapi.DOCUMENTED] = tuple(routes)
    app[_OPEN] = frozenset(route.handler for route in routes if not route.auth)
    app[_UNSYNCED] = frozenset(route.handler for route in routes if route.path == HEALTH)
    for route in routes:
        if route.method == "GET":  # and its HEAD twin
            app.router.add_get(route.path, route.handler)
        else:
            app.router.add_route(route.method, route.path, route.handler)
    return app
