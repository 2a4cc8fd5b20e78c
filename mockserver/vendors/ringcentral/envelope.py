"""RingCentral envelopes: REST errors, OAuth token errors, gateway not-found and webhook events."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.answers.rendered import RenderContext, Rendered, compact_json
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.credentials import basic_user

CONTENT_TYPE = "application/json; charset=UTF-8"
REQUEST_ID_HEADER = "RCRequestId"
WEBHOOK_USER_AGENT = "RingCentral-Webhook/8.3"  # vendors.md 1.7
Headers = tuple[tuple[str, str], ...]

_REST_PREFIXES = (
    "/restapi/v",
    "/scim/",
    "/team-messaging/",
    "/ai/",
    "/rcvideo/",
    "/webinar/",
)
# Error-item attributes RingCentral also copies to the top level (vendors.md 1.3 A).
_ATTRIBUTES = ("parameterName", "parameterValue", "permissionName")

# Default plan, vendors.md 1.5: requests per 60 s window; the 429 penalty is 60 s.
_GROUP_LIMITS = {"light": 50, "medium": 40, "heavy": 10, "auth": 5}
_SEGMENT_GROUPS = (("sms", "medium"), ("ring-out", "heavy"), ("call-log", "heavy"))
_WINDOW = 60
_PENALTY = 60


def _errors(kind: str, *codes: str) -> dict[str, str]:
    return dict.fromkeys(codes, kind)


# RFC 6749 `error` per OAU code. Observed in captures (vendors.md 1.3 B): OAU-140, OAU-210 ->
# invalid_grant; OAU-123, OAU-153 -> invalid_client; OAU-251 -> unauthorized_client. Every other
# row is inferred from the code's meaning and RFC 6749 section 5.2; unlisted -> invalid_request.
_OAUTH_ERRORS: Mapping[str, str] = {
    **_errors(
        "invalid_grant",
        *("OAU-140", "OAU-210", "OAU-213", "OAU-106", "OAU-108", "OAU-109", "OAU-110"),
        *("OAU-128", "OAU-129", "OAU-149", "OAU-136", "OAU-141", "OAU-142", "OAU-147"),
        *("OAU-148", "OAU-105", "OAU-119"),
    ),
    **_errors(
        "invalid_client",
        *("OAU-123", "OAU-153", "OAU-120", "OAU-121", "OAU-127", "OAU-134", "OAU-146"),
        *("OAU-151", "OAU-116"),
    ),
    **_errors("unauthorized_client", "OAU-251", "OAU-112", "OAU-125"),
}
# OAU-153's item names the rejected client id in `parameters[]` (captured, vendors.md 1.3 B).
_OAUTH_ITEM_PARAMETERS = {"OAU-153": "client_id"}

_EVENT = "/restapi/v1.0/account/~/extension/~/message-store"
_PLATFORM = "https://platform.ringcentral.com/restapi/v1.0/account/~/extension/~/message-store"
_TIMESTAMP = "2024-01-01T00:00:00.000Z"
_OWNER_ID = "1000000001"
_TO_NUMBER = "+15550100000"
_FROM_NUMBER = "+15550100001"


# json.dumps(v, ensure_ascii=False) builds a new encoder per call: over a tenth of a happy-path
# send went there. One encoder with the same settings gives the same text; strings (most
# values, every key) go straight to the C escapers json.dumps itself ends in.
_UTF8 = json.JSONEncoder(ensure_ascii=False)
_quote = json.encoder.encode_basestring
_quote_ascii = json.encoder.encode_basestring_ascii


def jackson_json(value: Any, level: int = 0) -> str:
    """Pretty-print like RingCentral's Jackson: 2-space indent, `"k" : v`, inline `[ {..} ]`."""
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is dict or isinstance(value, dict):
        return _object(value, level)
    if kind is list or isinstance(value, list):
        if not value:
            return "[ ]"
        # Jackson's array indenter is inline, so array items do not deepen the indent.
        return "[ " + ", ".join([jackson_json(v, level) for v in value]) + " ]"
    return _UTF8.encode(value)


def _object(value: dict[Any, Any], level: int) -> str:
    if not value:
        return "{ }"
    pad = _pad(level + 1)
    # scalars are written here rather than through a call each: most values are scalars
    inner = level + 1
    items = [
        f"{pad}{_quote_ascii(k) if type(k) is str else _key(k)} : "
        f"{_quote(v) if type(v) is str else jackson_json(v, inner)}"
        for k, v in value.items()
    ]
    return "{\n" + ",\n".join(items) + "\n" + _pad(level) + "}"


def _pad(level: int) -> str:
    return _PADS[level] if level < len(_PADS) else "  " * level


_PADS = tuple("  " * n for n in range(16))


def _key(key: Any) -> str:
    """A key as `json.dumps(key)` writes it (ASCII-escaped)."""
    return _quote_ascii(key) if type(key) is str else json.dumps(key)


@functools.lru_cache(maxsize=4096)
def _error_body(entry: CatalogEntry, family: str, params: tuple[tuple[str, str], ...]) -> bytes:
    # The pretty printer is the costliest step of an error answer and its output depends only
    # on these arguments (the request id travels in a header), so identical errors share it.
    values = dict(params)
    message = entry.format_message(values, family)
    if family == "oauth":
        body = oauth_body(entry, message, values)
    elif family == "gateway":
        body = gateway_body(entry, message)
    elif family == "analytics":
        body = analytics_body(entry, message, values)
    else:
        body = rest_body(entry, message, values)
    return jackson_json(body).encode()


def oauth_error(code: str) -> str:
    """The RFC 6749 `error` value RingCentral pairs with an OAU code."""
    return _OAUTH_ERRORS.get(code.upper(), "invalid_request")


@functools.lru_cache(maxsize=1024)
def rate_group(path: str) -> str:
    """The default API group of an endpoint (vendors.md 1.5 `x-throttling-group`)."""
    if path.startswith("/restapi/oauth/"):
        return "auth"
    segments = set(path.strip("/").split("/"))
    return next((group for seg, group in _SEGMENT_GROUPS if seg in segments), "light")


def bearer(snapshot: RequestSnapshot) -> str | None:
    """The access token of `Authorization: Bearer <token>` (or `?access_token=`), if any."""
    header = snapshot.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    if not snapshot.query_all:  # most requests: no query to parse
        return None
    return snapshot.query.get("access_token") or None


def basic_client_id(snapshot: RequestSnapshot) -> str | None:
    """The client id of `Authorization: Basic base64(clientId:secret)`, if the request has one."""
    return basic_user(snapshot.headers.get("authorization", ""))


def _attributes(params: Mapping[str, str]) -> dict[str, str]:
    return {name: params[name] for name in _ATTRIBUTES if name in params}


def rest_body(entry: CatalogEntry, message: str, params: Mapping[str, str]) -> dict[str, Any]:
    """Envelope A: top-level code/message, one `errors[]` item, attributes in both places.

    The top-level code is the entry's `top_code` where the API is captured sending a semantic
    word there (TokenInvalid, InsufficientPermissions); `errors[]` always has the catalogued code.
    """
    attrs = _attributes(params)
    item = {"errorCode": entry.code, "message": message, **attrs}
    top = entry.top_code or entry.code
    return {"errorCode": top, "message": message, "errors": [item], **attrs}


def analytics_body(entry: CatalogEntry, message: str, params: Mapping[str, str]) -> dict[str, Any]:
    """Analytics APIs answer with only `errors[]`, no top-level fields (vendors.md 1.3 A)."""
    return {"errors": [{"errorCode": entry.code, "message": message, **_attributes(params)}]}


def oauth_body(entry: CatalogEntry, message: str, params: Mapping[str, str]) -> dict[str, Any]:
    """Envelope B: RFC 6749 `error`/`error_description` around a RingCentral `errors[]` item."""
    item: dict[str, Any] = {"errorCode": entry.code, "message": message}
    named = _OAUTH_ITEM_PARAMETERS.get(entry.code.upper())
    if named:
        item["parameters"] = [{"parameterName": named, "parameterValue": params.get(named, "")}]
    return {"error": oauth_error(entry.code), "errors": [item], "error_description": message}


def gateway_body(entry: CatalogEntry, message: str) -> dict[str, Any]:
    """Envelope C: the API gateway's answer, with an empty `errors[]`."""
    return {"errorCode": entry.code, "message": message, "errors": []}


def oauth_status(entry: CatalogEntry) -> int:
    """Token errors are 400 in every capture; throttling and outages keep 429/5xx (1.4)."""
    return entry.http_status if entry.http_status == 429 or entry.http_status >= 500 else 400


def _first_to(snapshot: RequestSnapshot) -> str:
    data = snapshot.json
    to = data.get("to") if isinstance(data, dict) else None
    first = to[0] if isinstance(to, list) and to else to  # SMS sends a list, RingOut one object
    number = first.get("phoneNumber") if isinstance(first, dict) else None
    return number if isinstance(number, str) else _TO_NUMBER


def _request_names(snapshot: RequestSnapshot) -> list[str]:
    data = snapshot.json
    body = list(data) if isinstance(data, dict) else []
    return [k for k, _ in snapshot.query_all] + [k for k, _ in snapshot.form_all] + body


def _parameter_name(snapshot: RequestSnapshot) -> str:
    names = _request_names(snapshot)
    return "to" if "to" in names or not names else names[0]


def _parameter_value(snapshot: RequestSnapshot) -> str:
    name = _parameter_name(snapshot)
    value = snapshot.field(name)
    if value is None and name == "to":
        return _first_to(snapshot)
    return value or ""


_DEFAULTS: Mapping[str, Callable[[RequestSnapshot], str | None]] = {
    "parameterName": _parameter_name,
    "parameterValue": _parameter_value,
    "method": lambda s: s.method,
    "contentType": lambda s: s.content_type or None,
    "header": lambda s: "Authorization",
    "toPhoneNumber": _first_to,
    "client_id": lambda s: basic_client_id(s) or s.field("client_id"),
}


def _default_param(name: str, snapshot: RequestSnapshot) -> str | None:
    fill = _DEFAULTS.get(name)
    return fill(snapshot) if fill else snapshot.field(name)


def _message_id(request_id: str) -> str:
    digest = hashlib.sha256(request_id.encode()).hexdigest()
    return str(int(digest[:12], 16))


def message_record(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """A failed outbound SMS as a message-store record (vendors.md 1.6, 1.7)."""
    status = ctx.params.get("messageStatus", "DeliveryFailed")
    msg_id = _message_id(ctx.request_id)
    when = ctx.params.get("timestamp", _TIMESTAMP)
    return {
        "id": msg_id,
        "uri": f"{_PLATFORM}/{msg_id}",
        "type": "SMS",
        "direction": "Outbound",
        "messageStatus": status,
        "deliveryErrorCode": entry.code,
        "from": {"phoneNumber": ctx.params.get("fromPhoneNumber", _FROM_NUMBER)},
        "to": [
            {"phoneNumber": ctx.params.get("toPhoneNumber", _TO_NUMBER), "messageStatus": status}
        ],
        "creationTime": when,
        "lastModifiedTime": when,
        "readStatus": "Read",
        "priority": "Normal",
        "availability": "Alive",
        "subject": ctx.params.get("text", ""),
        "smsSendingAttemptsCount": 1,
    }


def family_for(path: str) -> str:
    """OAuth under `/restapi/oauth/`, analytics, REST under the API prefixes, else gateway."""
    if path.startswith("/restapi/oauth/"):
        return "oauth"
    if path.startswith("/analytics/"):
        return "analytics"
    return "rest" if path.startswith(_REST_PREFIXES) else "gateway"


def render_error(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """Render `entry` in the envelope of `ctx.family`, pretty-printed as RingCentral does."""
    if ctx.family == "oauth":
        status = ctx.status or oauth_status(entry)
    else:
        status = ctx.status or entry.http_status
    body = _error_body(entry, ctx.family, tuple(sorted(ctx.params.items())))
    headers = _headers(ctx, limited=status == 429) + _retry_after(status, ctx)
    return Rendered(status, body, CONTENT_TYPE, headers)


def render_async(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """The message-store webhook notification carrying `deliveryErrorCode` (vendors.md 1.7)."""
    notification = {
        "uuid": ctx.request_id,
        "event": _EVENT,
        "timestamp": ctx.params.get("timestamp", _TIMESTAMP),
        "subscriptionId": ctx.params.get("subscriptionId", ctx.request_id),
        "ownerId": ctx.params.get("ownerId", _OWNER_ID),
        "body": message_record(entry, ctx),
    }
    headers: Headers = (("User-Agent", WEBHOOK_USER_AGENT),)
    if "validationToken" in ctx.params:
        headers += (("Validation-Token", ctx.params["validationToken"]),)
    return Rendered(200, compact_json(notification), CONTENT_TYPE, headers)


def default_params(entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
    """Placeholder values the request itself can supply (field names, method, numbers)."""
    # OAU-153 names the client id in `parameters[]` even though its message has no placeholder.
    extra = _OAUTH_ITEM_PARAMETERS.get(entry.code.upper())
    names = (*entry.params, extra) if extra else entry.params
    if not names:  # most codes: nothing to look up
        return {}
    values = {name: _default_param(name, snapshot) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def success_headers(ctx: RenderContext) -> Headers:
    """Request id, language and rate-limit counters; token answers also forbid caching."""
    return _headers(ctx, limited=False)


def _headers(ctx: RenderContext, *, limited: bool) -> Headers:
    base: Headers = ((REQUEST_ID_HEADER, ctx.request_id), ("Content-Language", "en-US"))
    no_cache: Headers = (("Pragma", "no-cache"), ("Cache-Control", "no-store"))
    return base + _rate_headers(ctx, limited) + (no_cache if ctx.family == "oauth" else ())


def _rate_headers(ctx: RenderContext, limited: bool) -> Headers:
    group = (ctx.rate.group if ctx.rate else None) or rate_group(ctx.path)
    limit = ctx.rate.limit if ctx.rate else _GROUP_LIMITS[group]
    window = ctx.rate.window if ctx.rate else _WINDOW
    remaining = 0 if limited else (ctx.rate.remaining if ctx.rate else limit - 1)
    return (
        ("X-Rate-Limit-Group", group),
        ("X-Rate-Limit-Limit", str(limit)),
        ("X-Rate-Limit-Remaining", str(remaining)),
        ("X-Rate-Limit-Window", str(window)),
    )


def _retry_after(status: int, ctx: RenderContext) -> Headers:
    if status == 429:
        rate_retry = ctx.rate.retry_after if ctx.rate else None
        return (("Retry-After", str(ctx.retry_after or rate_retry or _PENALTY)),)
    if ctx.retry_after is not None:
        return (("Retry-After", str(ctx.retry_after)),)
    return ()
