"""Yeastar P-Series renderers: `errcode`/`errmsg` answers (HTTP 200) and call-status events."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from mockserver.answers.rendered import RenderContext, Rendered, compact_json
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot

CONTENT_TYPE = "application/json; charset=utf-8"
FAMILY = "errcode"
CALL_STATUS_CHANGED = 30011
_SERIAL = "3631A2124XXX"  # the placeholder serial the Yeastar docs use in event examples
_EPOCH = 1700000000
_CALLER = "1001"
_CALLEE = "0745000111"


def as_errcode(code: str) -> int | str:
    """errcode is an integer on the wire; a non-numeric key (never in the seed) stays a string."""
    try:
        return int(code)
    except ValueError:
        return code


def invalid_params(params: Mapping[str, str]) -> list[dict[str, str]]:
    """`invalid_param_list`: one item naming `field`, with its `value` or `validation_type`."""
    item = {"field": params["field"]}
    if "value" in params:
        item["value"] = params["value"]
    if "validation_type" in params or "value" not in params:
        item["validation_type"] = params.get("validation_type", "required")
    return [item]


def duplicate_fields(params: Mapping[str, str]) -> list[dict[str, str]]:
    """`duplicate_field_list`: the duplicated field, its value and, when known, its owner."""
    item = {"field": params["duplicate_field"], "value": params.get("duplicate_value", "")}
    for name in ("external_source", "external_source_name"):
        if name in params:
            item[name] = params[name]
    return [item]


def errcode_body(entry: CatalogEntry, params: Mapping[str, str]) -> dict[str, Any]:
    """The response-result body with the optional detail fields the params ask for."""
    body: dict[str, Any] = {
        "errcode": as_errcode(entry.code),
        "errmsg": entry.format_message(params),
    }
    if "submsg" in params:
        body["submsg"] = params["submsg"]
    if "field" in params:
        body["invalid_param_list"] = invalid_params(params)
    if "duplicate_field" in params:
        body["duplicate_field_list"] = duplicate_fields(params)
    return body


def event(sn: str, msg: Mapping[str, Any]) -> dict[str, Any]:
    """A 30011 call-status event; `msg` is a JSON document encoded as a string (documented)."""
    encoded = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
    return {"type": CALL_STATUS_CHANGED, "sn": sn, "msg": encoded}


def call_event(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """A failed call's 30011 event; `errcode`/`errmsg` inside `msg` are the mock's own addition."""
    call_id = ctx.params.get("call_id", f"{_EPOCH}.{zlib.crc32(ctx.request_id.encode()) % 1000}")
    outbound = {
        "from": ctx.params.get("caller", _CALLER),
        "to": ctx.params.get("callee", _CALLEE),
        "trunk_name": ctx.params.get("trunk_name", ""),
        "channel_id": "",
        "member_status": ctx.params.get("member_status", "BYE"),
        "call_path": "",
    }
    msg = {
        "call_id": call_id,
        "members": [{"outbound": outbound}],
        "errcode": as_errcode(entry.code),
        "errmsg": entry.format_message(ctx.params),
    }
    return event(ctx.params.get("sn", _SERIAL), msg)


def family_for(method: str, path: str) -> str:
    """One envelope for every endpoint."""
    return FAMILY


def render_error(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """HTTP 200 (unless overridden) with compact `errcode`/`errmsg`; success rows too."""
    headers = (("Retry-After", str(ctx.retry_after)),) if ctx.retry_after is not None else ()
    body = compact_json(errcode_body(entry, ctx.params))
    return Rendered(ctx.status or 200, body, CONTENT_TYPE, headers)


def render_async(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """Preview of the webhook / WebSocket event (`{type, sn, msg}`) for a failed call."""
    return Rendered(200, compact_json(call_event(entry, ctx)), CONTENT_TYPE)


def session_of(snapshot: RequestSnapshot) -> str | None:
    """The client id (`username`) of a get_token request; tokens are mapped by the caller."""
    if not snapshot.path.endswith("/get_token"):  # before parsing any body
        return None
    data = snapshot.json
    if not isinstance(data, dict):
        return None
    username = data.get("username")
    return username if isinstance(username, str) and username else None


def default_params(entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
    """get_token's FAILURE names the credentials, as the documented example does."""
    if entry.code == "-1" and snapshot.path.endswith("/get_token"):
        return {"field": "username or password", "value": "error"}
    return {}
