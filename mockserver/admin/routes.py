"""Admin route table and thin handlers; logic lives in the catalog, engine and store modules."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from mockserver import __version__
from mockserver.catalog.query import detail, preview, rendered_json, search, summary
from mockserver.injection import InjectionError, parse_params
from mockserver.pipeline import admin_error
from mockserver.render import compact_json
from mockserver.services import SERVICES, Services


class AdminInputError(Exception):
    """A bad admin request; answered as plain JSON naming the problem."""

    def __init__(self, status: int, kind: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, object] = {"error": kind, "message": message, **extra}


def json_ok(data: Any, status: int = 200) -> web.Response:
    """A JSON admin answer."""
    return web.Response(status=status, body=compact_json(data), content_type="application/json")


def _services(request: web.Request) -> Services:
    return request.app[SERVICES]


async def health(request: web.Request) -> web.Response:
    """Liveness plus what is loaded."""
    services = _services(request)
    vendors = {
        name: {
            "prefix": f"/{name}",
            "entries": len(services.catalog.vendor(name)),
            "codes": len({e.code for e in services.catalog.vendor(name)}),
            "envelopes": list(services.catalog.vendor(name).envelopes),
        }
        for name in services.vendors
    }
    return json_ok(
        {
            "status": "ok",
            "version": __version__,
            "entries": len(services.catalog),
            "vendors": vendors,
        }
    )


def _int_query(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise AdminInputError(400, "bad_query", f"query parameter {name} must be an integer")
    return int(raw)


async def catalog_list(request: web.Request) -> web.Response:
    """Entries filtered by vendor, tag, status, delivery and free text."""
    services = _services(request)
    vendor = request.query.get("vendor") or None
    if vendor and vendor not in services.catalog.vendors:
        return admin_error(404, _unknown_vendor(services, vendor))
    found = [
        summary(name, entry)
        for name, entry in search(
            services.catalog,
            vendor=vendor,
            tag=request.query.get("tag") or None,
            status=_int_query(request, "status"),
            q=request.query.get("q") or None,
            delivery=request.query.get("delivery") or None,
        )
    ]
    limit = _int_query(request, "limit") or len(found)
    offset = _int_query(request, "offset") or 0
    return json_ok({"total": len(found), "entries": found[offset : offset + limit]})


def _unknown_vendor(services: Services, vendor: str) -> dict[str, object]:
    return {
        "error": "unknown_vendor",
        "message": f"no vendor {vendor!r}",
        "suggestions": sorted(services.catalog.vendors),
    }


def _lookup(request: web.Request) -> tuple[str, Any] | web.Response:
    services = _services(request)
    vendor, key = request.match_info["vendor"], request.match_info["key"]
    if vendor not in services.catalog.vendors:
        return admin_error(404, _unknown_vendor(services, vendor))
    cat = services.catalog.vendor(vendor)
    entry = cat.get(key)
    if entry is None:
        body = {
            "error": "unknown_code",
            "vendor": vendor,
            "message": f"{cat.name} has no catalogued error {key!r}",
            "suggestions": cat.closest(key),
        }
        return admin_error(404, body)
    return vendor, entry


async def catalog_show(request: web.Request) -> web.Response:
    """One entry with all its text, plus the other variants of its code."""
    found = _lookup(request)
    if isinstance(found, web.Response):
        return found
    vendor, entry = found
    variants = [e.key for e in _services(request).catalog.vendor(vendor).variants(entry.code)]
    return json_ok({**detail(vendor, entry), "variants": variants})


async def catalog_render(request: web.Request) -> web.Response:
    """The exact status, headers and body an entry produces."""
    found = _lookup(request)
    if isinstance(found, web.Response):
        return found
    vendor_name, entry = found
    vendor = _services(request).vendors[vendor_name]
    family = request.query.get("family") or None
    if family and family not in vendor.families:
        body = {"error": "unknown_family", "message": f"{vendor_name} families: {vendor.families}"}
        return admin_error(400, body)
    try:
        params = parse_params(request.query.get("params", ""))
    except InjectionError as err:
        return admin_error(400, err.body(vendor_name))
    rendered = preview(vendor, entry, family, params, _int_query(request, "status"))
    return json_ok(
        {
            "vendor": vendor_name,
            "key": entry.key,
            "delivery": entry.delivery,
            "family": family or vendor.families[0],
            **rendered_json(rendered),
        }
    )


@web.middleware
async def _require_token(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    token = _services(request).settings.admin_token
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
    app.router.add_get("/health", health)
    app.router.add_get("/catalog", catalog_list)
    app.router.add_get(r"/catalog/{vendor}/{key:.+}/render", catalog_render)
    app.router.add_get(r"/catalog/{vendor}/{key:.+}", catalog_show)
    return app
