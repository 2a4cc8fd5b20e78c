"""Yeastar P-Series envelopes: `errcode`/`errmsg` answers (HTTP 200) and call-status events."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mockserver.answers.rendered import RenderContext, Rendered, compact_json
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor

if TYPE_CHECKING:
    from mockserver.vendors.kit.call import Call
    from mockserver.vendors.kit.routing import Router

CONTENT_TYPE = "application/json; charset=utf-8"
CALL_STATUS_CHANGED = 30011
_SERIAL = "3631A2124XXX"  # the placeholder serial the Yeastar docs use in event examples
_EPOCH = 1700000000
_CALLER = "1001"
_CALLEE = "0745000111"


def _as_code(code: str) -> int | str:
    # errcode is an integer on the wire; a non-numeric key (never in the seed) stays a string.
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
    body: dict[str, Any] = {"errcode": _as_code(entry.code), "errmsg": entry.format_message(params)}
    if "submsg" in params:
        body["submsg"] = params["submsg"]
    if "field" in params:
        body["invalid_param_list"] = invalid_params(params)
    if "duplicate_field" in params:
        body["duplicate_field_list"] = duplicate_fields(params)
    return body


def call_event(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """A 30011 call-status event; `errcode`/`errmsg` inside `msg` are the mock's own addition."""
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
        "errcode": _as_code(entry.code),
        "errmsg": entry.format_message(ctx.params),
    }
    # `msg` is a JSON document encoded as a string, as in every documented event.
    encoded = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
    return {"type": CALL_STATUS_CHANGED, "sn": ctx.params.get("sn", _SERIAL), "msg": encoded}


class Yeastar(Vendor):
    """Yeastar P-Series Open API v1.0: every answer is HTTP 200 with `errcode`/`errmsg`."""

    order = 2
    name = "yeastar"
    title = "Yeastar P-Series"
    families = ("errcode",)
    not_found_key = "10001"
    # No throttle is documented; FAILURE is the generic "API request fail" (docs/vendors/yeastar.md).
    rate_limit_key = "-1"
    too_large_key = "40004"  # inferred: no documented answer to an oversized body
    too_large_status = None
    rate_limit_status = None  # Yeastar answers HTTP 200 with a non-zero errcode, even here
    request_id_header = None

    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that put an official SDK's requests into `session`."""
        return {"username": session, "password": "mock-secret"}

    def family_for(self, method: str, path: str) -> str:
        """One envelope for every endpoint."""
        return "errcode"

    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """HTTP 200 (unless overridden) with compact `errcode`/`errmsg`; success rows too."""
        headers = (("Retry-After", str(ctx.retry_after)),) if ctx.retry_after is not None else ()
        body = compact_json(errcode_body(entry, ctx.params))
        return Rendered(ctx.status or 200, body, CONTENT_TYPE, headers)

    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """Preview of the webhook / WebSocket event (`{type, sn, msg}`) for a failed call."""
        return Rendered(200, compact_json(call_event(entry, ctx)), CONTENT_TYPE)

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """The client id (`username`) of a get_token request; tokens are mapped by the caller."""
        if not snapshot.path.endswith("/get_token"):  # before parsing any body
            return None
        data = snapshot.json
        if not isinstance(data, dict):
            return None
        username = data.get("username")
        return username if isinstance(username, str) and username else None

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """get_token's FAILURE names the credentials, as the documented example does."""
        if entry.code == "-1" and snapshot.path.endswith("/get_token"):
            return {"field": "username or password", "value": "error"}
        return {}

    # Happy paths live in sibling modules that import this one, hence the local imports.
    def router(self) -> Router:
        """get_token, refresh_token, del_token, call/dial, call/query, message/send, extension/list."""
        from mockserver.vendors.yeastar.routes import ROUTER

        return ROUTER

    def authenticate(self, call: Call) -> Rendered | None:
        """40002 without a User-Agent; 10004 without a valid `access_token` (token calls aside)."""
        from mockserver.vendors.yeastar.auth import authenticate

        return authenticate(call)

    def token_of(self, snapshot: RequestSnapshot) -> str | None:
        """The `access_token` query parameter (refresh_token: the body's refresh token)."""
        from mockserver.vendors.yeastar.auth import token_of

        return token_of(snapshot)
