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

_OPEN: web.AppKey[frozenset[Handler]] = web.AppKey("admin_open_handlers", frozenset)
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


def create_admin_app(services: Services, routes: Sequence[Route] = ROUTES) -> web.Application:
    """The /__admin/ sub-app serving `routes`, and their OpenAPI document."""
    app = web.Application(middlewares=[_json_errors, _require_token])
    app[SERVICES] = services
    app[openapi.DOCUMENTED] = tuple(routes)
    app[_OPEN] = frozenset(route.handler for route in routes if not route.auth)
    for route in routes:
        if route.method == "GET":  # and its HEAD twin
            app.router.add_get(route.path, route.handler)
        else:
            app.router.add_route(route.method, route.path, route.handler)
    return app
