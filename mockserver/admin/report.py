"""GET /__admin/report: the verdicts report over the journal, as JSON or a rendered format."""

from __future__ import annotations

from typing import Any, Final, cast

from aiohttp import web

from mockserver.admin.common import AdminInputError, json_ok, services_of
from mockserver.journal.query import JournalQuery
from mockserver.verdicts.formats import render
from mockserver.verdicts.report import CALLBACK_OUTCOME, Report, build_report

MEDIA: Final = {"markdown": "text/markdown", "html": "text/html", "text": "text/plain"}


def current(request: web.Request) -> Report:
    """The report over the journal, or over one session's part of it (`?session=`)."""
    services = services_of(request)
    query = JournalQuery(
        session=request.query.get("session") or None, hide=frozenset({CALLBACK_OUTCOME})
    )
    return build_report(services.store.journal(query), services.catalog, services.vendors)


async def report(request: web.Request) -> web.StreamResponse:
    """The verdicts report; `?format=` json (default), markdown, html or text."""
    fmt = request.query.get("format") or "json"
    if fmt != "json" and fmt not in MEDIA:
        raise AdminInputError(400, "bad_query", f"unknown format {fmt!r}: json, {', '.join(MEDIA)}")
    built = current(request)
    if fmt == "json":
        return json_ok(built)
    text = render(cast(dict[str, Any], built), fmt)
    return web.Response(text=text, content_type=MEDIA[fmt], charset="utf-8")
