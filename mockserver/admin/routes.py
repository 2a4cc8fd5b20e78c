"""The /__admin/ sub-app: its middleware (token, input errors) and its route table."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockserver.admin import catalog, scenarios
from mockserver.admin.common import AdminInputError, services_of
from mockserver.pipeline import admin_error
from mockserver.services import SERVICES, Services


@web.middleware
async def _require_token(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    token = services_of(request).settings.admin_token
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
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
    app = web.Application(middlewares=[_require_token])
    app[SERVICES] = services
    catalog.add_routes(app)
    scenarios.add_routes(app)
    return app
