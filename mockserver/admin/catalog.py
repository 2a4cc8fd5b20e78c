"""Admin handlers for health and the catalog: list/filter, show one entry, render it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mockserver import __version__
from mockserver.admin.common import AdminInputError, json_ok, services_of
from mockserver.catalog.query import detail, preview, rendered_json, search, summary
from mockserver.request.injection import InjectionError, parse_params
from mockserver.request.pipeline import admin_error
from mockserver.server.services import Services


async def health(request: web.Request) -> web.Response:
    """Liveness plus what is loaded."""
    services = services_of(request)
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
    if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is True, int("²") fails
        raise AdminInputError(400, "bad_query", f"query parameter {name} must be an integer")
    return int(raw)


async def catalog_list(request: web.Request) -> web.Response:
    """Entries filtered by vendor, tag, status, delivery and free text."""
    services = services_of(request)
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
    services = services_of(request)
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
    variants = [e.key for e in services_of(request).catalog.vendor(vendor).variants(entry.code)]
    return json_ok({**detail(vendor, entry), "variants": variants})


async def catalog_render(request: web.Request) -> web.Response:
    """The exact status, headers and body an entry produces."""
    found = _lookup(request)
    if isinstance(found, web.Response):
        return found
    vendor_name, entry = found
    vendor = services_of(request).vendors[vendor_name]
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


def add_routes(app: web.Application) -> None:
    """Register this module's routes."""
    app.router.add_get("/health", health)
    app.router.add_get("/catalog", catalog_list)
    app.router.add_get(r"/catalog/{vendor}/{key:.+}/render", catalog_render)
    app.router.add_get(r"/catalog/{vendor}/{key:.+}", catalog_show)
