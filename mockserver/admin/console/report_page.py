"""The verdicts view: the error-handling report (summary, charts, tables) inside the console."""

from __future__ import annotations

from typing import Any, cast

from aiohttp import web

from mockserver.admin.console.html import field, link, page
from mockserver.admin.report import current
from mockserver.verdicts.formats import render


async def report_view(request: web.Request) -> web.Response:
    """The report over the journal (or one session's part), as `GET /__admin/report?format=html`."""
    session = request.query.get("session") or None
    document = render(cast(dict[str, Any], current(request)), "html")
    # the shared renderer writes a whole page; its <main> is the report, the console has its own
    inner = document.split("<main>", 1)[-1].rsplit("</main>", 1)[0]
    body = (
        f'<form class="filters" method="get" action="{link("report")}" aria-label="Session">'
        + field("session", "Session", session)
        + '<button type="submit">Show</button></form>\n'
        + f'<div class="report">{inner}</div>'
    )
    return page("report", "Verdicts", body)
