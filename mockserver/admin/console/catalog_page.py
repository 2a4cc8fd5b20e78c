"""The catalog view: ranked search, each entry's facts, its exact bytes and a curl to get them."""

from __future__ import annotations

import functools
import shlex
from http import HTTPStatus

from aiohttp import web

from mockserver.admin.common import services_of
from mockserver.admin.console.html import e, field, link, page, select
from mockserver.admin.spec import PREFIX
from mockserver.answers.rendered import Rendered
from mockserver.catalog.model import CatalogEntry
from mockserver.catalog.query import preview, search
from mockserver.operations.router import generic_router
from mockserver.server.services import Services
from mockserver.vendors.base import Vendor

PAGE_SIZE = 25


async def catalog_view(request: web.Request) -> web.Response:
    """The catalog page: search form and the ranked entries it finds, rendered server-side."""
    services = services_of(request)
    q = request.query.get("q", "").strip()
    vendor = request.query.get("vendor") or None
    delivery = request.query.get("delivery") or None
    offset = _offset(request.query.get("offset", ""))
    problem = _problem(services, vendor, delivery)
    found = [] if problem else list(_found(services, q, vendor, delivery))
    shown = found[offset : offset + PAGE_SIZE]
    origin = f"{request.scheme}://{request.host}"
    secret = bool(services.settings.admin_token)
    items = "".join(_entry(services.vendors[n], x, origin, secret) for n, x in shown)
    body = (
        "<h1>Catalog</h1>\n"
        + _form(services, q, vendor, delivery)
        + f'<section id="results" aria-labelledby="count">\n'
        f'<p id="count" role="status">{e(problem or _count(len(found), offset, len(shown)))}</p>\n'
        f'<ol class="entries" start="{offset + 1}">{items}</ol>\n'
        + _pager(q, vendor, delivery, offset, len(found))
        + "</section>"
    )
    return page("catalog", f"Catalog: {q}" if q else "Catalog", body)


def _offset(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() else 0


def _problem(services: Services, vendor: str | None, delivery: str | None) -> str | None:
    if vendor and vendor not in services.catalog.vendors:
        return f"No vendor {vendor!r}; vendors: {', '.join(services.catalog.vendors)}."
    if delivery not in (None, "sync", "async"):
        return f"Delivery {delivery!r} is neither sync nor async."
    return None


def _found(
    services: Services, q: str, vendor: str | None, delivery: str | None
) -> list[tuple[str, CatalogEntry]]:
    found = search(services.catalog, vendor=vendor, q=q or None, delivery=delivery)
    return [(name, entry) for name, entry in found if name in services.vendors]


def _count(total: int, offset: int, shown: int) -> str:
    noun = "entry matches" if total == 1 else "entries match"
    if total <= shown:
        return f"{total} {noun}."
    return f"{total} {noun}; showing {offset + 1}-{offset + shown}."


def _form(services: Services, q: str, vendor: str | None, delivery: str | None) -> str:
    vendors = [("", "All vendors"), *((n, c.name) for n, c in services.catalog.vendors.items())]
    kinds = [
        ("", "Sync and async"),
        ("sync", "Sync (HTTP answers)"),
        ("async", "Async (callbacks)"),
    ]
    return (
        f'<form class="filters" role="search" method="get" action="{link("catalog")}">'
        + field("q", "Search codes, messages, tags, statuses", q)
        + select("vendor", "Vendor", vendors, vendor)
        + select("delivery", "Delivery", kinds, delivery)
        + '<button type="submit">Search</button></form>\n'
    )


def _pager(q: str, vendor: str | None, delivery: str | None, offset: int, total: int) -> str:
    links = []
    if offset > 0:
        back = link("catalog", q=q, vendor=vendor, delivery=delivery, offset=offset - PAGE_SIZE)
        links.append(f'<a rel="prev" href="{e(back)}">Previous {PAGE_SIZE}</a>')
    if offset + PAGE_SIZE < total:
        nxt = link("catalog", q=q, vendor=vendor, delivery=delivery, offset=offset + PAGE_SIZE)
        links.append(f'<a rel="next" href="{e(nxt)}">Next {PAGE_SIZE}</a>')
    return (
        f'<nav class="pager" aria-label="Result pages">{" ".join(links)}</nav>\n' if links else ""
    )


def _entry(vendor: Vendor, entry: CatalogEntry, origin: str, secret: bool) -> str:
    anchor = f"{vendor.name}-{entry.key}".replace("/", "-")
    families = "".join(_family(vendor, entry, f, origin, secret) for f in vendor.families)
    what = "Callback payload" if entry.delivery == "async" else "Answer"
    return (
        f'<li class="entry" id="{e(anchor)}"><article aria-labelledby="t-{e(anchor)}">'
        f'<h2 id="t-{e(anchor)}"><code>{e(entry.key)}</code> '
        f'<span class="vendor">{e(vendor.title)}</span></h2>'
        f'<p class="message">{e(entry.message)}</p>'
        f"{_facts(entry)}"
        f"<details><summary>{what} bytes in {len(vendor.families)} envelope "
        f"{'family' if len(vendor.families) == 1 else 'families'}</summary>{families}</details>"
        "</article></li>"
    )


def _facts(entry: CatalogEntry) -> str:
    retry = "retryable" if entry.retryable else "not retryable"
    facts = [
        f"HTTP {entry.http_status} ({entry.status.origin})",
        "async: reported in callbacks" if entry.delivery == "async" else "sync: an HTTP answer",
        f"{retry}: {entry.retry_reason}",
        "tags: " + ", ".join(entry.tags),
        "source: " + (entry.source or f"seed line {entry.source_line}"),
    ]
    items = "".join(f"<li>{e(fact)}</li>" for fact in facts)
    return f'<ul class="facts" aria-label="Facts">{items}</ul>'


def _family(vendor: Vendor, entry: CatalogEntry, family: str, origin: str, secret: bool) -> str:
    rendered = preview(vendor, entry, family)
    curl = _curl(vendor, entry, family, origin, secret)
    return (
        f'<section class="family"><h3>{e(family)}</h3>'
        f'<pre tabindex="0"><code>{e(_wire(rendered))}</code></pre>'
        f'<button type="button" class="copy" data-copy="{e(curl)}">Copy as curl</button>'
        f'<code class="curl">{e(curl)}</code></section>'
    )


def _wire(rendered: Rendered) -> str:
    """The answer as it goes on the wire: status line, headers, blank line, body."""
    try:
        reason = HTTPStatus(rendered.status).phrase
    except ValueError:
        reason = ""
    head = [f"HTTP/1.1 {rendered.status} {reason}".rstrip()]
    head.append(f"Content-Type: {rendered.content_type}")
    head += [f"{k}: {v}" for k, v in rendered.headers]
    return "\n".join(head) + "\n\n" + rendered.body.decode("utf-8", "replace")


def _curl(vendor: Vendor, entry: CatalogEntry, family: str, origin: str, secret: bool) -> str:
    """A command that gets these bytes: X-Mock-Error on a path of the family, or the preview."""
    if entry.delivery == "async":
        url = f"{origin}{PREFIX}/catalog/{vendor.name}/{entry.key}/render"
        auth = ' -H "Authorization: Bearer $MOCKSERVER_ADMIN_TOKEN"' if secret else ""
        return f"curl{auth} {shlex.quote(url + '?family=' + family)}"
    method, path = sample_path(vendor, family)
    header = shlex.quote(f"X-Mock-Error: {entry.key}")
    return f"curl -i -X {method} -H {header} {shlex.quote(origin + '/' + vendor.name + path)}"


@functools.cache
def _samples(vendor: Vendor) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for op in generic_router(vendor).operations.operations:
        path = op.example_path("1")
        found.setdefault(vendor.family_for(op.method, path), (op.method, path))
    return found


def sample_path(vendor: Vendor, family: str) -> tuple[str, str]:
    """A (method, path) the vendor answers in `family`'s envelope (an operation of it)."""
    return _samples(vendor).get(family, ("GET", "/"))
