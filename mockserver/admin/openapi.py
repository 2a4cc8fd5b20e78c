"""GET /__admin/openapi.json: an OpenAPI 3.1 description of every admin route and its answers."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from aiohttp import web

from mockserver import __version__
from mockserver.catalog.model import ENTRY
from mockserver.scenarios.schema import scenario_schema

PREFIX = "/__admin"
SCHEMAS = "#/components/schemas/"
Json = dict[str, Any]

_STR: Json = {"type": "string"}
_INT: Json = {"type": "integer"}
_NUM: Json = {"type": "number"}
_STR_OR_NULL: Json = {"type": ["string", "null"]}
_STRINGS: Json = {"type": "array", "items": _STR}
_STR_MAP: Json = {"type": "object", "additionalProperties": _STR}


def _ref(name: str) -> Json:
    return {"$ref": SCHEMAS + name}


def _obj(required: dict[str, Json], optional: dict[str, Json] | None = None) -> Json:
    """A closed object: `required` keys always present, `optional` ones sometimes."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": False,
    }


# ---- parameters ----------------------------------------------------------------------------


def _query(name: str, schema: Json, description: str) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, description: str, example: str) -> Json:
    # no "/" inside a segment: the router would take it for a separator
    schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
        "example": example,  # schemathesis tries it first: one call reaches the 200 answer
    }


_UINT: Json = {"type": "integer", "minimum": 0}
SESSION = _query("session", _STR, "Only this test session (default: everything).")
JOURNAL_FILTERS = [
    SESSION,
    _query("vendor", _STR, "Only requests to this vendor."),
    _query("method", _STR, "Only this HTTP method (case-insensitive)."),
    _query("path", _STR, "The vendor-relative path, or a glob when it has * or ?."),
    _query("rule", _STR, "Only requests decided by this rule."),
    _query("status", _INT, "Only requests answered with this HTTP status."),
    _query("outcome", _STR, "error, fault, respond, passthrough, rate_limited, too_large..."),
    _query("since", _NUM, "Only requests received at or after this Unix time."),
]
CATALOG_FILTERS = [
    _query("vendor", _STR, "One vendor (404 with suggestions when unknown)."),
    _query("tag", _STR, "Entries with this tag."),
    _query("status", _UINT, "Entries with this HTTP status."),
    _query("q", _STR, "Free text searched in key, code, message and description."),
    _query("delivery", {"enum": ["sync", "async"]}, "sync: HTTP answers; async: callbacks only."),
    _query("limit", _UINT, "At most this many entries (0 or absent: all)."),
    _query("offset", _UINT, "Skip this many entries first."),
]
ENTRY_PATH = [
    _path("vendor", "Vendor id.", "ringcentral"),
    _path("key", "Catalog key.", "CMN-301"),
]


# ---- component schemas ---------------------------------------------------------------------


def _error_schema() -> Json:
    body = _obj(
        {"error": _STR, "message": _STR},
        {"vendor": _STR, "suggestions": _STRINGS, "problems": _STRINGS},
    )
    body["description"] = "Every admin (and X-Mock-* header) error: a kind and a sentence."
    return body


def _entry_schemas() -> dict[str, Json]:
    raw = ENTRY.json_schema(mode="serialization", ref_template=SCHEMAS + "{model}")
    defs = raw.pop("$defs", {})
    summary = copy.deepcopy(raw)
    summary["properties"]["vendor"] = _STR
    summary["required"].append("vendor")
    summary["description"] = "A catalog entry (lists leave out the long text fields)."
    detail = copy.deepcopy(summary)
    detail["properties"]["variants"] = _STRINGS
    detail["required"].append("variants")
    detail["description"] = "A catalog entry with all its text and the keys of its code's variants."
    return {**defs, "CatalogEntry": summary, "CatalogEntryDetail": detail}


def _journal_schemas() -> dict[str, Json]:
    query_value = {"anyOf": [_STR, _STRINGS]}
    entry = _obj(
        {
            "time": _NUM,
            "session": _STR_OR_NULL,
            "vendor": _STR,
            "method": _STR,
            "path": _STR,
            "query": {"type": "object", "additionalProperties": query_value},
            "headers": _STR_MAP,
            "body": _STR,
            "rule": _STR_OR_NULL,
            "reason": _STR,
            "outcome": _STR,
            "status": _INT,
            "latency_ms": _NUM,
            "scenario": _STR_OR_NULL,
        }
    )
    entry["description"] = "One answered vendor request; credentials are blanked as ***."
    miss = _obj({"scenario": _STR, "rule": _STR, "matched_parts": _STR, "mismatches": _STRINGS})
    unmatched = copy.deepcopy(entry)
    unmatched["properties"]["near_misses"] = {"type": "array", "items": _ref("NearMiss")}
    unmatched["required"].append("near_misses")
    return {"JournalEntry": entry, "NearMiss": miss, "UnmatchedEntry": unmatched}


def _callback_schemas() -> dict[str, Json]:
    attempt = _obj(
        {"number": _INT, "time": _NUM, "status": {"type": ["integer", "null"]}}, {"error": _STR}
    )
    record = _obj(
        {
            "id": _INT,
            "vendor": _STR,
            "session": _STR_OR_NULL,
            "url": _STR,
            "method": _STR,
            "event": _STR,
            "resource": _STR,
            "content_type": _STR,
            "headers": _STR_MAP,
            "payload": _STR,
            "scheduled": _NUM,
            "attempts": {"type": "array", "items": _ref("CallbackAttempt")},
            "outcome": {"enum": ["pending", "delivered", "failed", "refused", "canceled"]},
        }
    )
    return {"CallbackAttempt": attempt, "CallbackRecord": record}


def _misc_schemas() -> dict[str, Json]:
    vendor = _obj({"prefix": _STR, "entries": _INT, "codes": _INT, "envelopes": _STRINGS})
    rule = _obj(
        {
            "scenario": _STR,
            "rule": _STR,
            "session": _STR_OR_NULL,
            "group": _STR_OR_NULL,
            "priority": _INT,
            "vendor": _STR_OR_NULL,
            "action": _STR,
            "hits": _INT,
            "description": _STR_OR_NULL,
        }
    )
    rendered = _obj(
        {
            "vendor": _STR,
            "key": _STR,
            "delivery": {"enum": ["sync", "async"]},
            "family": _STR,
            "status": _INT,
            "content_type": _STR,
            "headers": _STR_MAP,
            "body_text": _STR,
        },
        {"body": {"description": "The body parsed, when it is JSON."}},
    )
    health = _obj(
        {
            "status": {"const": "ok"},
            "version": _STR,
            "entries": _INT,
            "vendors": {"type": "object", "additionalProperties": _ref("VendorSummary")},
        }
    )
    return {
        "Error": _error_schema(),
        "Health": health,
        "VendorSummary": vendor,
        "RuleInfo": rule,
        "RenderedEntry": rendered,
    }


def _scenario_schemas() -> dict[str, Json]:
    """The scenario file format, its `#/$defs/` references moved under components."""
    raw = json.loads(json.dumps(scenario_schema()).replace('"#/$defs/', f'"{SCHEMAS}'))
    defs: dict[str, Json] = raw.pop("$defs")
    for key in ("$schema", "$id"):
        raw.pop(key, None)
    return {**defs, "ScenarioFile": raw}


def _schemas() -> dict[str, Json]:
    return {
        **_entry_schemas(),
        **_journal_schemas(),
        **_callback_schemas(),
        **_misc_schemas(),
        **_scenario_schemas(),
    }


# ---- operations ----------------------------------------------------------------------------


def _json(schema: Json, description: str) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Json:
    return _json(_ref("Error"), description)


def _op(
    summary: str,
    ok: Json,
    *,
    status: str = "200",
    params: list[Json] | None = None,
    errors: dict[str, str] | None = None,
    body: Json | None = None,
) -> Json:
    responses = {status: ok, **{code: _error(text) for code, text in (errors or {}).items()}}
    responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    op: Json = {"summary": summary, "parameters": params or [], "responses": responses}
    if body is not None:
        op["requestBody"] = body
    return op


def _list(item: str) -> Json:
    return {"type": "array", "items": _ref(item)}


_BAD_QUERY = {"400": "A query parameter is not a number."}


def _catalog_paths() -> dict[str, Json]:
    render_params = [
        *ENTRY_PATH,
        _query("family", _STR, "Envelope family (default: the vendor's first)."),
        _query("params", _STR, "Placeholder values: name=value; name2=value2."),
        _query("status", _UINT, "Override the HTTP status."),
    ]
    listing = _obj({"total": _INT, "entries": _list("CatalogEntry")})
    not_found = "Unknown vendor or key (with suggestions)."
    return {
        "/health": {"get": _op("Liveness and what is loaded.", _json(_ref("Health"), "Up."))},
        "/catalog": {
            "get": _op(
                "Catalog entries, filtered.",
                _json(listing, "Matching entries."),
                params=CATALOG_FILTERS,
                errors={"400": "A number parameter is not a number.", "404": "Unknown vendor."},
            )
        },
        "/catalog/{vendor}/{key}": {
            "get": _op(
                "One entry with all its text.",
                _json(_ref("CatalogEntryDetail"), "The entry."),
                params=ENTRY_PATH,
                errors={"404": not_found},
            )
        },
        "/catalog/{vendor}/{key}/render": {
            "get": _op(
                "The exact answer (or callback payload) an entry produces.",
                _json(_ref("RenderedEntry"), "Status, headers and body."),
                params=render_params,
                errors={"400": "Unknown family, bad params or status.", "404": not_found},
            )
        },
    }


def _scenario_paths() -> dict[str, Json]:
    listing = _obj({"scenarios": _STRINGS, "rules": _list("RuleInfo"), "errors": _STRINGS})
    loaded = _obj({"loaded": _STRINGS, "session": _STR_OR_NULL})
    text = {"type": "string", "description": "One scenario, a list, or several YAML documents."}
    body = {
        "required": True,
        "description": "Scenarios as YAML or JSON (the scenario file format).",
        "content": {
            "application/yaml": {"schema": text},
            "application/json": {"schema": _ref("ScenarioFile")},
        },
    }
    replace = _query("replace", {"type": "boolean"}, "false: keep this session's other scenarios.")
    return {
        "/scenarios": {
            "get": _op("Loaded rules with hit counts.", _json(listing, "Rules."), params=[SESSION]),
            "post": _op(
                "Load scenarios atomically (a bad batch changes nothing).",
                _json(loaded, "Loaded."),
                status="201",
                params=[SESSION, replace],
                errors={
                    "400": "Invalid scenarios, each problem as `request body:LINE: where: reason`.",
                    "413": "Body over 1 MiB.",
                },
                body=body,
            ),
        },
        "/scenarios/{name}": {
            "delete": _op(
                "Remove one scenario.",
                _json(_obj({"removed": _STR}), "Removed."),
                params=[_path("name", "Scenario name.", "second-sms-rate-limited"), SESSION],
                errors={"404": "No such scenario in this session."},
            )
        },
        "/reset": {
            "post": _op(
                "Forget one session's state, or everything.",
                _json(_obj({"reset": _STR}), "Forgotten."),
                params=[SESSION],
            )
        },
    }


def _journal_paths() -> dict[str, Json]:
    listing = _obj({"requests": _list("JournalEntry"), "dropped": _INT})
    count_body = {
        "required": False,
        "content": {
            "application/json": {
                "schema": _obj({}, {"match": _ref("Match"), "status": _INT, "outcome": _STR})
            }
        },
    }
    limit = _query("limit", _UINT, "Only the newest N entries.")
    defaults = _query(
        "defaults", {"enum": ["true", "false"]}, "false: near misses of your own rules only."
    )
    return {
        "/requests": {
            "get": _op(
                "The request journal, oldest first.",
                _json(listing, "Entries."),
                params=[*JOURNAL_FILTERS, limit],
                errors=_BAD_QUERY,
            ),
            "delete": _op(
                "Empty the journal of one session, or all of it.",
                _json(_obj({"cleared": _STR}), "Cleared."),
                params=[SESSION],
            ),
        },
        "/requests/count": {
            "post": _op(
                "How many journalled requests match a rule-style match.",
                _json(_obj({"count": _INT}), "The count."),
                params=JOURNAL_FILTERS,
                errors={"400": 'The body is not {"match": {...}} or a parameter is bad.'},
                body=count_body,
            )
        },
        "/requests/unmatched": {
            "get": _op(
                "The last 50 requests no rule decided, with the closest rules.",
                _json(_obj({"requests": _list("UnmatchedEntry")}), "Entries."),
                params=[*JOURNAL_FILTERS, defaults],
                errors=_BAD_QUERY,
            )
        },
    }


def _other_paths() -> dict[str, Json]:
    callbacks = _obj({"callbacks": _list("CallbackRecord"), "pending": _INT})
    metrics = {
        "description": "Prometheus text exposition format.",
        "content": {"text/plain": {"schema": _STR}},
    }
    document = _json({"type": "object"}, "This document.")
    return {
        "/callbacks": {
            "get": _op(
                "Delivery callbacks and every attempt.",
                _json(callbacks, "Callbacks."),
                params=[SESSION, _query("vendor", _STR, "Only this vendor.")],
            )
        },
        "/metrics": {"get": _op("Prometheus metrics.", metrics)},
        "/openapi.json": {"get": _op("This OpenAPI document.", document)},
    }


@functools.cache
def _document_text() -> bytes:
    paths = {**_catalog_paths(), **_scenario_paths(), **_journal_paths(), **_other_paths()}
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "mockserver admin API",
            "version": __version__,
            "description": "Health, catalog, scenarios, request journal, callbacks and metrics. "
            "Vendor APIs live under /<vendor>/ and answer in each vendor's own envelopes.",
        },
        "security": [{"adminToken": []}, {}],
        "paths": {PREFIX + path: item for path, item in paths.items()},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Required on every admin route when the server runs with "
                    "--admin-token (or MOCKSERVER_ADMIN_TOKEN).",
                }
            },
            "responses": {"Unauthorized": _error("The admin token is missing or wrong.")},
        },
    }
    return json.dumps(document, separators=(",", ":")).encode()


def document() -> dict[str, Any]:
    """The OpenAPI document as data (a fresh copy)."""
    data: dict[str, Any] = json.loads(_document_text())
    return data


async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of the admin API."""
    return web.Response(body=_document_text(), content_type="application/json")


def add_routes(app: web.Application) -> None:
    """Register this module's routes."""
    app.router.add_get("/openapi.json", openapi)
