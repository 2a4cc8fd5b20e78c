"""The /__admin/ sub-app: its middleware (JSON errors, token, input errors) and its route table."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockserver.admin import catalog, metrics, openapi, scenarios
from mockserver.admin.common import AdminInputError, services_of
from mockserver.request.pipeline import admin_error
from mockserver.server.services import SERVICES, Services

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
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
    if token:
        # non-UTF-8 header bytes arrive as surrogates; they must compare unequal, not crash
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, f"Bearer {token}".encode()):
            return admin_error(
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


def create_admin_app(services: Services) -> web.Application:
    """The /__admin/ sub-app and its route table."""
    app = web.Application(middlewares=[_json_errors, _require_token])
    app[SERVICES] = services
    catalog.add_routes(app)
    scenarios.add_routes(app)
    metrics.add_routes(app)
    openapi.add_routes(app)
    metrics.metrics_recorder(services)  # count from the first request, not the first scrape
    return app
