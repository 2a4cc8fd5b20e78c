"""The console's rows of the admin route table: its pages, assets, live feed and editor check."""

# No `from __future__ import annotations`: pydantic reads the TypedDicts' annotations for the docs
from typing import Annotated

from aiohttp import web
from pydantic import Field
from typing_extensions import TypedDict

from mockserver.admin import models as m
from mockserver.admin.console import assets, catalog_page, journal_page, report_page
from mockserver.admin.console import scenarios_page as scenarios
from mockserver.admin.console.html import HTML
from mockserver.admin.models import JournalFilters, SessionQuery
from mockserver.admin.spec import JSON, Answer, Body, Handler, Route, json_route, raw_route


class CatalogView(TypedDict, total=False):
    """What the catalog page searches for."""

    q: Annotated[str, Field(description="Free text: codes, messages, tags, statuses.")]
    vendor: Annotated[str, Field(description="One vendor (all when absent).")]
    delivery: Annotated[str, Field(description="sync or async (both when absent).")]
    offset: Annotated[str, Field(description="Skip this many results (pages of 25).")]


class JournalView(SessionQuery, total=False):
    """What the journal page shows."""

    vendor: Annotated[str, Field(description="Only requests to this vendor.")]
    status: Annotated[str, Field(description="Only requests answered with this status.")]
    outcome: Annotated[str, Field(description="Only requests with this outcome.")]


async def console_home(request: web.Request) -> web.Response:
    """The console's front page: the catalog view."""
    return await catalog_page.catalog_view(request)


def _page(path: str, handler: Handler, summary: str, query: object = None) -> Route:
    answer = Answer(200, "The page, rendered server-side.", m.HtmlPage, HTML)
    return raw_route("GET", path, handler, summary, answer, query=query)


_CHECK = Body(
    {"application/yaml": m.ScenarioText, JSON: m.ScenarioFile},
    required=True,
    description="Scenarios as YAML or JSON, checked but not loaded.",
)

ROUTES: tuple[Route, ...] = (
    _page("/ui/", console_home, "Web console: its front page (the catalog view).", CatalogView),
    _page("/ui/catalog", catalog_page.catalog_view, "Web console: catalog search.", CatalogView),
    _page("/ui/journal", journal_page.journal_view, "Web console: the live journal.", JournalView),
    _page("/ui/scenarios", scenarios.scenarios_view, "Web console: scenarios.", SessionQuery),
    _page("/ui/report", report_page.report_view, "Web console: the verdicts.", SessionQuery),
    raw_route(
        "GET",
        "/ui/console.css",
        assets.console_css,
        "Web console: its stylesheet.",
        Answer(200, "The stylesheet.", m.Asset, "text/css"),
    ),
    raw_route(
        "GET",
        "/ui/console.js",
        assets.console_js,
        "Web console: its script.",
        Answer(200, "The script.", m.Asset, "text/javascript"),
    ),
    raw_route(
        "GET",
        "/journal/stream",
        journal_page.journal_stream,
        "Journal entries as server-sent events: followed with Accept: text/event-stream, "
        "else those so far (since=) and the answer ends.",
        Answer(200, "The events.", m.EventStream, "text/event-stream"),
        query=JournalFilters,
        errors={400: "A query parameter is not a number."},
    ),
    json_route(
        "POST",
        "/scenarios/validate",
        scenarios.validate_scenarios,
        m.Validated,
        "Check scenarios as `mockserver validate` does, loading nothing.",
        "What the check found (problems are not an error status).",
        body=_CHECK,
        errors={413: "Body over --max-scenario-bytes (1 MiB by default)."},
    ),
)
