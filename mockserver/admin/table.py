"""The admin route table: every /__admin/ route, its handler, documentation and types."""

from __future__ import annotations

from typing import Any

from mockserver.admin import catalog, metrics, openapi, operations, report, scenarios
from mockserver.admin import models as m
from mockserver.admin.console import routes as console
from mockserver.admin.spec import JSON, Answer, Body, Route, json_route, raw_route
from mockserver.verdicts.report import Report

_NOT_FOUND = "Unknown vendor or key (with suggestions)."
_BAD_QUERY = {400: "A query parameter is not a number."}
_UPLOAD = Body(
    {"application/yaml": m.ScenarioText, JSON: m.ScenarioFile},
    required=True,
    description="Scenarios as YAML or JSON (the scenario file format).",
)
_UPLOAD_ERRORS = {
    400: "Invalid scenarios, each problem as `request body:LINE: where: reason`.",
    413: "Body over --max-scenario-bytes (1 MiB by default).",
}

# Every admin route, in registration order (a render path before the key that could swallow it)
ROUTES: tuple[Route, ...] = (
    json_route("GET", "/health", catalog.health, m.Health, "Liveness and what is loaded.", "Up."),
    json_route(
        "GET",
        "/catalog",
        catalog.catalog_list,
        m.CatalogPage,
        "Catalog entries, filtered.",
        "Matching entries.",
        query=m.CatalogQuery,
        errors={400: "A number parameter is not a number.", 404: "Unknown vendor."},
    ),
    json_route(
        "GET",
        "/catalog/{vendor}/operations",
        operations.operations_list,
        m.OperationsPage,
        "Every operation the vendor publishes, served by a hand-written handler or the generic engine.",
        "The vendor's operation tables and operations.",
        params=m.VendorPath,
        errors={404: "Unknown vendor."},
    ),
    json_route(
        "GET",
        r"/catalog/{vendor}/{key:.+}/render",
        catalog.catalog_render,
        m.RenderedEntry,
        "The exact answer (or callback payload) an entry produces.",
        "Status, headers and body.",
        params=m.EntryPath,
        query=m.RenderQuery,
        errors={400: "Unknown family, bad params or status.", 404: _NOT_FOUND},
    ),
    json_route(
        "GET",
        r"/catalog/{vendor}/{key:.+}",
        catalog.catalog_show,
        m.CatalogEntryDetail,
        "One entry with all its text.",
        "The entry.",
        params=m.EntryPath,
        errors={404: _NOT_FOUND},
    ),
    json_route(
        "GET",
        "/scenarios",
        scenarios.list_scenarios,
        m.Rules,
        "Loaded rules with hit counts.",
        "Rules.",
        query=m.SessionQuery,
    ),
    json_route(
        "POST",
        "/scenarios",
        scenarios.load_scenarios,
        m.Loaded,
        "Load scenarios atomically (a bad batch changes nothing).",
        "Loaded.",
        status=201,
        query=m.UploadQuery,
        body=_UPLOAD,
        errors=_UPLOAD_ERRORS,
    ),
    json_route(
        "DELETE",
        "/scenarios/{name}",
        scenarios.delete_scenario,
        m.Removed,
        "Remove one scenario.",
        "Removed.",
        params=m.ScenarioPath,
        query=m.SessionQuery,
        errors={404: "No such scenario in this session."},
    ),
    json_route(
        "POST",
        "/reset",
        scenarios.reset,
        m.ResetDone,
        "Forget one session's state, or everything.",
        "Forgotten.",
        query=m.SessionQuery,
    ),
    json_route(
        "GET",
        "/requests",
        scenarios.list_requests,
        m.Journal,
        "The request journal, oldest first.",
        "Entries.",
        query=m.RequestsQuery,
        errors=_BAD_QUERY,
    ),
    json_route(
        "DELETE",
        "/requests",
        scenarios.clear_requests,
        m.Cleared,
        "Empty the journal of one session, or all of it.",
        "Cleared.",
        query=m.SessionQuery,
    ),
    json_route(
        "POST",
        "/requests/count",
        scenarios.count_requests,
        m.Count,
        "How many journalled requests match a rule-style match.",
        "The count.",
        query=m.JournalFilters,
        body=Body({JSON: m.CountBody}, required=False),
        errors={400: 'The body is not {"match": {...}} or a parameter is bad.'},
    ),
    json_route(
        "GET",
        "/requests/unmatched",
        scenarios.unmatched,
        m.Unmatched,
        "The last 50 requests no rule decided, with the closest rules.",
        "Entries.",
        query=m.UnmatchedQuery,
        errors=_BAD_QUERY,
    ),
    json_route(
        "GET",
        "/callbacks",
        scenarios.list_callbacks,
        m.Callbacks,
        "Delivery callbacks and every attempt.",
        "Callbacks.",
        query=m.CallbacksQuery,
    ),
    raw_route(
        "GET",
        "/report",
        report.report,
        "Error-handling verdicts: each served error judged, coverage, a summary.",
        Answer(
            200,
            "The verdicts report (schemas/report.schema.json); format=markdown|html|text as text.",
            Report,
            also=dict.fromkeys(report.MEDIA.values(), m.ReportText),
        ),
        query=m.ReportQuery,
        errors={400: "Unknown format, or a format this build cannot render."},
    ),
    *console.ROUTES,
    raw_route(
        "GET",
        "/metrics",
        metrics.metrics,
        "Prometheus metrics.",
        Answer(200, "Prometheus text exposition format.", m.MetricsText, "text/plain"),
    ),
    raw_route(
        "GET",
        "/openapi.json",
        openapi.openapi,
        "This OpenAPI document.",
        Answer(200, "This document.", m.OpenApiDocument),
    ),
)


def document() -> dict[str, Any]:
    """The OpenAPI document of the admin API (a fresh copy)."""
    return openapi.document(ROUTES)
