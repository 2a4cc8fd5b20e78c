"""Catalog search and rendering previews, shared by the admin API and the CLI."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mockserver.catalog.model import ENTRY, Catalog, CatalogEntry
from mockserver.catalog.ranking import expand, score
from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.vendors.base import Vendor

if TYPE_CHECKING:
    from mockserver.admin import models

# Long free text left out of list views; `show` returns everything
_HEAVY = {"docs", "causes", "solutions", "description", "secondary_message"}


def search(
    catalog: Catalog,
    vendor: str | None = None,
    tag: str | None = None,
    status: int | None = None,
    q: str | None = None,
    delivery: str | None = None,
) -> Iterator[tuple[str, CatalogEntry]]:
    """(vendor, entry) pairs passing every filter; with `q`, only relevant ones, best first."""
    found = _filtered(catalog, vendor, tag, status, delivery)
    if not q or not q.strip():
        yield from found
        return
    needle, synonyms = expand(q)
    scored = [(score(entry, needle, synonyms), name, entry) for name, entry in found]
    # sorted() is stable: equally relevant entries keep catalog order
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])
    yield from ((name, entry) for _, name, entry in ranked)


def _filtered(
    catalog: Catalog,
    vendor: str | None,
    tag: str | None,
    status: int | None,
    delivery: str | None,
) -> Iterator[tuple[str, CatalogEntry]]:
    names = [vendor] if vendor else list(catalog.vendors)
    for name in names:
        for entry in catalog.vendor(name):
            if tag and tag not in entry.tags:
                continue
            if status is not None and entry.http_status != status:
                continue
            if delivery and entry.delivery != delivery:
                continue
            yield name, entry


def summary(vendor: str, entry: CatalogEntry) -> dict[str, Any]:
    """An entry without its long text, for lists."""
    data = ENTRY.dump_python(entry, mode="json", exclude_none=True, exclude=_HEAVY)
    return {"vendor": vendor, **data}


def detail(vendor: str, entry: CatalogEntry) -> dict[str, Any]:
    """Every field of an entry."""
    return {"vendor": vendor, **ENTRY.dump_python(entry, mode="json", exclude_none=True)}


def preview(
    vendor: Vendor,
    entry: CatalogEntry,
    family: str | None = None,
    params: Mapping[str, str] | None = None,
    status: int | None = None,
) -> Rendered:
    """What the entry renders to: its HTTP answer, or for async codes the callback payload."""
    ctx = RenderContext(
        family=family or vendor.families[0],
        params=dict(params or {}),
        request_id="00000000-0000-4000-8000-000000000000",
        status=status,
    )
    if entry.delivery == "async":
        return vendor.render_async(entry, ctx)
    return vendor.render_error(entry, ctx)


def rendered_json(rendered: Rendered) -> models.RenderedAnswer:
    """A JSON-friendly view of a rendered answer (body parsed when it is JSON)."""
    text = rendered.body.decode("utf-8", "replace")
    out: models.RenderedAnswer = {
        "status": rendered.status,
        "content_type": rendered.content_type,
        "headers": dict(rendered.headers),
        "body_text": text,
    }
    if "json" in rendered.content_type:
        out["body"] = rendered.json()
    return out
