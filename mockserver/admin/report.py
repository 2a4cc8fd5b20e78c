"""GET /__admin/report: the verdicts report over the journal, as JSON or a rendered format."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final, cast

from aiohttp import web

from mockserver.admin.common import AdminInputError, json_ok, services_of
from mockserver.journal.query import JournalQuery
from mockserver.verdicts.report import CALLBACK_OUTCOME, Report, build_report

MEDIA: Final = {"markdown": "text/markdown", "html": "text/html", "text": "text/plain"}
# the formats live in their own module (mockserver/verdicts/formats.py); a build without it
# still serves JSON, and says so for the others instead of failing
FORMATS_MODULE: Final = "mockserver.verdicts.formats"


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
    text = renderer(fmt)(cast(dict[str, Any], built), fmt)
    return web.Response(text=text, content_type=MEDIA[fmt], charset="utf-8")


def renderer(fmt: str) -> Callable[[dict[str, Any], str], str]:
    """`formats.render`, or a 400 naming the format when this build has no formats module."""
    try:
        module = importlib.import_module(FORMATS_MODULE)
    except ModuleNotFoundError:
        message = f"format {fmt!r} is not available in this build; use format=json"
        raise AdminInputError(400, "format_unavailable", message) from None
    render: Callable[[dict[str, Any], str], str] = module.render
    return render
