"""Admin handlers for health and the catalog: list/filter, show one entry, render it."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from aiohttp import web

from mockserver import __version__
from mockserver.admin.common import AdminInputError, services_of
from mockserver.admin.models import (
    CatalogEntryDetail,
    CatalogPage,
    Error,
    Health,
    RenderedEntry,
    StoreHealth,
    VendorSummary,
)
from mockserver.catalog.model import CatalogEntry
from mockserver.catalog.query import detail, preview, rendered_json, search, summary
from mockserver.request.injection import InjectionError, parse_params
from mockserver.server.services import Services
from mockserver.store.shared.errors import StoreUnavailable, redacted

if TYPE_CHECKING:
    from mockserver.store.shared.state import SharedState


async def health(request: web.Request) -> Health:
    """Liveness plus what is loaded."""
    services = services_of(request)
    vendors: dict[str, VendorSummary] = {
        name: {
            "prefix": f"/{name}",
            "entries": len(services.catalog.vendor(name)),
            "codes": len({e.code for e in services.catalog.vendor(name)}),
            "envelopes": list(services.catalog.vendor(name).envelopes),
        }
        for name in services.vendors
    }
    store = await _store_health(services.shared)
    return {
        "status": "degraded" if store["problem"] else "ok",
        "version": __version__,
        "entries": len(services.catalog),
        "vendors": vendors,
        "store": store,
    }


async def _store_health(shared: SharedState | None) -> StoreHealth:
    if shared is None:
        return {"kind": "memory", "url": None, "problem": None, "replica": None}
    # asked, not remembered: an idle replica would not notice Redis leaving or coming back
    with contextlib.suppress(StoreUnavailable):
        await shared.link.call(shared.link.client.ping())
    url, replica = redacted(shared.link.url), shared.replica.id
    return {"kind": "redis", "url": url, "problem": shared.problem, "replica": replica}


def _int_query(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is True, int("²") fails
        raise AdminInputError(400, "bad_query", f"query parameter {name} must be an integer")
    return int(raw)


async def catalog_list(request: web.Request) -> CatalogPage:
    """Entries filtered by vendor, tag, status, delivery and free text."""
    services = services_of(request)
    vendor = request.query.get("vendor") or None
    if vendor and vendor not in services.catalog.vendors:
        raise AdminInputError.of(404, _unknown_vendor(services, vendor))
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
    return {"total": len(found), "entries": found[offset : offset + limit]}


def _unknown_vendor(services: Services, vendor: str) -> Error:
    return {
        "error": "unknown_vendor",
        "message": f"no vendor {vendor!r}",
        "suggestions": sorted(services.catalog.vendors),
    }


def _lookup(request: web.Request) -> tuple[str, CatalogEntry]:
    services = services_of(request)
    vendor, key = request.match_info["vendor"], request.match_info["key"]
    if vendor not in services.catalog.vendors:
        raise AdminInputError.of(404, _unknown_vendor(services, vendor))
    cat = services.catalog.vendor(vendor)
    entry = cat.get(key)
    if entry is None:
        body: Error = {
            "error": "unknown_code",
            "vendor": vendor,
            "message": f"{cat.name} has no catalogued error {key!r}",
            "suggestions": cat.closest(key),
        }
        raise AdminInputError.of(404, body)
    return vendor, entry


async def catalog_show(request: web.Request) -> CatalogEntryDetail:
    """One entry with all its text, plus the other variants of its code."""
    vendor, entry = _lookup(request)
    variants = [e.key for e in services_of(request).catalog.vendor(vendor).variants(entry.code)]
    return {**detail(vendor, entry), "variants": variants}


async def catalog_render(request: web.Request) -> RenderedEntry:
    """The exact status, headers and body an entry produces."""
    vendor_name, entry = _lookup(request)
    vendor = services_of(request).vendors[vendor_name]
    family = request.query.get("family") or None
    if family and family not in vendor.families:
        message = f"{vendor_name} families: {vendor.families}"
        raise AdminInputError(400, "unknown_family", message)
    try:
        params = parse_params(request.query.get("params", ""))
    except InjectionError as err:
        raise AdminInputError.of(400, err.body(vendor_name)) from None
    rendered = preview(vendor, entry, family, params, _int_query(request, "status"))
    return {
        "vendor": vendor_name,
        "key": entry.key,
        "delivery": entry.delivery,
        "family": family or vendor.families[0],
        **rendered_json(rendered),
    }
