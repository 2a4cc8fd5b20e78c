"""Fone Dynamics envelopes: the `ResponseStatus` error object and the failed message resource."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from mockserver.answers.rendered import RenderContext, Rendered, compact_json
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.credentials import basic_user

CONTENT_TYPE = "application/json; charset=utf-8"
# One envelope for every endpoint.
FAMILY = "responsestatus"

# Messages naming the field. "'To' is required." is the documented example; the other two are
# inferred in the same style. Used only when the catalogued message has no placeholder.
_FIELD_MESSAGES = {
    "PARAMETER_REQUIRED": "'{field}' is required.",
    "PARAMETER_INVALID": "'{field}' is invalid.",
    "ONE_OF_SEVERAL_PARAMETERS_REQUIRED": "At least one of '{field}' is required.",
}
# Send-SMS fields a request can leave out (an empty From means "lease a number", so it is optional).
_REQUIRED_FIELDS = ("To", "Text")
_PROPERTY_PATH = re.compile(r"/Properties/([^/]+)/")
_EPOCH = 1700000000
_ACCOUNT_SID = "AC00000000000000000000000000000000"
_PROPERTY_SID = "PR00000000000000000000000000000000"
_FROM = "+61400000001"
_TO = "+61400000000"


def error_message(entry: CatalogEntry, params: Mapping[str, str]) -> str:
    """The catalogued message, or the field-naming form when a `FieldName` is known."""
    field = params.get("FieldName")
    template = _FIELD_MESSAGES.get(entry.code.upper())
    if field and template and not entry.params:
        return template.format(field=field)
    return entry.format_message(params)


def response_status(entry: CatalogEntry, params: Mapping[str, str]) -> dict[str, Any]:
    """`{"ResponseStatus": {ErrorCode, Message, Errors?}}`; `Errors` only with a `FieldName`."""
    status: dict[str, Any] = {"ErrorCode": entry.code, "Message": error_message(entry, params)}
    if "FieldName" in params:
        status["Errors"] = [{"FieldName": params["FieldName"]}]
    return {"ResponseStatus": status}


def missing_field(snapshot: RequestSnapshot) -> str:
    """The first required send-SMS field the JSON body lacks or leaves empty, else `To`."""
    data = snapshot.json
    body = data if isinstance(data, dict) else {}
    return next((name for name in _REQUIRED_FIELDS if not body.get(name)), "To")


def _sid(prefix: str, request_id: str) -> str:
    return prefix + hashlib.sha256(request_id.encode()).hexdigest()[:32].upper()


def _property_sid(ctx: RenderContext) -> str:
    found = _PROPERTY_PATH.search(ctx.path)
    return ctx.params.get("PropertySid") or (found.group(1) if found else _PROPERTY_SID)


def message_resource(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """A failed outbound SMS as the v2 message resource (field names from the C# SDK)."""
    created = int(ctx.params.get("Created", _EPOCH))
    return {
        "Message": {
            "MessageSid": ctx.params.get("MessageSid") or _sid("MS", ctx.request_id),
            "AccountSid": ctx.params.get("AccountSid") or ctx.account or _ACCOUNT_SID,
            "PropertySid": _property_sid(ctx),
            "From": ctx.params.get("From", _FROM),
            "To": ctx.params.get("To", _TO),
            "Text": ctx.params.get("Text", ""),
            "DeliveryReceipt": True,
            "NumSegments": 1,
            "Status": "Failed",
            "Direction": "Transmit",
            "Created": created,
            "Submitted": created + 1,
            "ErrorCode": entry.code,
        }
    }


def family_for(method: str, path: str) -> str:
    """Every endpoint answers errors in the one `ResponseStatus` family."""
    return FAMILY


def render_error(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """The catalogued status (or the override) with a compact `ResponseStatus` body."""
    status = ctx.status or entry.http_status
    headers = (("Retry-After", str(ctx.retry_after)),) if ctx.retry_after is not None else ()
    return Rendered(status, compact_json(response_status(entry, ctx.params)), CONTENT_TYPE, headers)


def render_async(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """The message resource with `Status: Failed` and the code; the receipt body is undocumented."""
    return Rendered(200, compact_json(message_resource(entry, ctx)), CONTENT_TYPE)


def session_of(snapshot: RequestSnapshot) -> str | None:
    """The AccountSid the request authenticates with (Basic user name)."""
    return basic_user(snapshot.headers.get("authorization", ""))


def default_params(entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
    """PARAMETER_REQUIRED / PARAMETER_INVALID always name a field (documented): guess which."""
    code = entry.code.upper()
    if code == "PARAMETER_REQUIRED":
        return {"FieldName": missing_field(snapshot)}
    if code == "PARAMETER_INVALID":
        return {"FieldName": "To"}
    return {}
