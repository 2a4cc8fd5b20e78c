"""SignalWire renderers: compat (Twilio-style), REST/Fabric and Relay REST errors, status callbacks."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from mockserver.answers.rendered import JSON, RenderContext, Rendered, compact_json
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.credentials import basic_user

Headers = tuple[tuple[str, str], ...]
# The vendor's `WWW-Authenticate` headers for a status (Vendor.challenge_headers)
Challenge = Callable[[int], Headers]

FORM = "application/x-www-form-urlencoded"
API_VERSION = "2010-04-01"
COMPAT_MORE_INFO = "https://signalwire.com/docs/compatibility-api/reference/errors"
REST_URL = "https://signalwire.com/docs/apis/error-codes"
# A string code's item links to its anchor: the not_routable capture and the spec's
# invalid_from_number example both carry this URL (vendors.md 3.2).
STRING_CODE_URL = "https://developer.signalwire.com/rest/overview/error-codes/#{code}"
REQUEST_ID_HEADER = "X-Request-Id"
# The documented API rate-limit window is 10 s: waiting that long always reaches a fresh window.
DEFAULT_RETRY_AFTER = 10
# Plain bodies the /api/* spec declares for these statuses (StatusCode400..StatusCode500).
PLAIN_ERRORS: Mapping[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
}
# Carrier-reported message failures are `undelivered`; anything SignalWire refused is `failed`.
UNDELIVERED_CODES = frozenset({"30003", "30004", "30005", "30006", "30007", "30008", "30009"})
VOICE_PREFIXES = ("13", "31", "32")
DEFAULT_FROM = "+15551234567"
DEFAULT_TO = "+15559876543"
DEFAULT_PROJECT = "00000000-0000-0000-0000-000000000000"
# Renderers are pure: the callback sender passes the real time as a `Timestamp` param.
EPOCH_RFC2822 = "Thu, 01 Jan 1970 00:00:00 +0000"
EPOCH_ISO = "1970-01-01T00:00:00Z"

_ACCOUNT_IN_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+?)(?:\.json)?(?:/|$)")
# POST to the Calls collection: its 400 is the spec's errors-array body (CompatibilityErrorArrayResponse)
_CALLS = re.compile(r"(?:/api/laml)?/2010-04-01/Accounts/[^/]+/Calls(?:\.json)?")
_SPACE_API = ("/api/relay/rest", "/api/rest/applications")
_REQUEST_FIELDS = ("From", "To", "Body")


def family_for(path: str) -> str:
    """`/api/laml/*` and root paths are compat; Space API paths relay; other `/api/*` rest."""
    if _under(path, "/api/laml") or not _under(path, "/api"):
        return "compat"
    if any(_under(path, prefix) for prefix in _SPACE_API):
        return "relay"
    return "rest"


def render_error(entry: CatalogEntry, ctx: RenderContext, challenge: Challenge) -> Rendered:
    """The error body of the request's family, with the request id, Retry-After and challenge."""
    if ctx.family == "compat":
        status = ctx.status or entry.http_status
        body: Any = (
            compat_array(entry, ctx)
            if is_call_create(ctx, status)
            else compat_body(entry, ctx, status)
        )
    else:
        status = api_status(entry, ctx)
        body = api_body(entry, ctx, status)
    headers = error_headers(ctx, status) + challenge(status)
    return Rendered(status, compact_json(body), JSON, headers)


def render_async(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """A call status callback for voice codes, else a message status callback."""
    if is_voice(entry):
        return form_callback(call_callback(entry, ctx))
    if ctx.family == "rest":
        return Rendered(200, compact_json(rest_message_callback(entry, ctx)), JSON)
    return form_callback(message_callback(entry, ctx))


def session_of(snapshot: RequestSnapshot) -> str | None:
    """The Project ID: the Basic auth username, else the AccountSid in the path."""
    credential = snapshot.headers.get("authorization", "")
    return basic_username(credential) or account_in_path(snapshot.path)


def default_params(snapshot: RequestSnapshot) -> Mapping[str, str]:
    """From/To/Body of the request (compat form fields or /api/* JSON), for callbacks."""
    values: dict[str, str] = {}
    for name in _REQUEST_FIELDS:
        found = snapshot.field(name) or snapshot.field(name.lower())
        if found is not None:
            values[name] = found
    return values


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def compat_body(entry: CatalogEntry, ctx: RenderContext, status: int) -> dict[str, Any]:
    """Twilio-style flat error; never carries `type`+`title` (twilio 9 would read RFC 9457)."""
    return {
        "code": numeric(entry.code),
        "message": entry.format_message(ctx.params),
        "more_info": COMPAT_MORE_INFO,
        "status": status,
    }


def is_call_create(ctx: RenderContext, status: int) -> bool:
    """A 400 answering `POST .../Calls`, the one compat answer the spec gives an errors array."""
    return status == 400 and ctx.method == "POST" and _CALLS.fullmatch(ctx.path) is not None


def compat_array(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """`{"errors": [{code, message, more_info}]}` with the code as a string (documented).

    twilio's SDK reads only top-level `code`/`message`, so it reports this error with the
    HTTP status as its code, as it would against SignalWire.
    """
    item = {"code": entry.code, "message": entry.format_message(ctx.params)}
    return {"errors": [{**item, "more_info": COMPAT_MORE_INFO}]}


def api_status(entry: CatalogEntry, ctx: RenderContext) -> int:
    """/api/* answers parameter errors (400 on compat) with 422, the spec's errors[] status."""
    if ctx.status:
        return ctx.status
    if "validation" in entry.tags and entry.http_status in (400, 422):
        return 422
    return entry.http_status


def api_body(entry: CatalogEntry, ctx: RenderContext, status: int) -> dict[str, Any]:
    """Plain `{"error": ...}` where the spec declares one, else the family's errors[] item."""
    if status in PLAIN_ERRORS:
        return {"error": PLAIN_ERRORS[status]}
    message = entry.format_message(ctx.params)
    if ctx.family == "relay":
        return {"errors": [relay_item(entry, message, status)]}
    return {"errors": [rest_item(entry, ctx, message, status)]}


def rest_item(entry: CatalogEntry, ctx: RenderContext, message: str, status: int) -> dict[str, Any]:
    """RestApiErrorItem; `type` other than validation_error is undocumented (api_error)."""
    return {
        "type": "validation_error" if status == 422 else "api_error",
        "code": entry.code,
        "message": message,
        "attribute": ctx.params.get("attribute"),
        "url": REST_URL if entry.code.isdigit() else STRING_CODE_URL.format(code=entry.code),
    }


def relay_item(entry: CatalogEntry, message: str, status: int) -> dict[str, Any]:
    """SpaceApiErrorItem: strings only; the 422 title is the spec's, others the HTTP phrase."""
    title = "Invalid Attribute" if status == 422 else reason_phrase(status)
    return {"detail": message, "status": str(status), "title": title, "code": entry.code}


def reason_phrase(status: int) -> str:
    """The standard HTTP reason phrase, or "Error" for a non-standard status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_headers(ctx: RenderContext, status: int) -> Headers:
    """The request id on every answer; Retry-After on 429 (and on 503 when one was asked)."""
    headers = [(REQUEST_ID_HEADER, ctx.request_id)]
    retry_after = ctx.retry_after or (ctx.rate.retry_after if ctx.rate else None)
    if status == 429:
        retry_after = retry_after or DEFAULT_RETRY_AFTER
    if retry_after and status in (429, 503):
        headers.append(("Retry-After", str(retry_after)))
    return tuple(headers)


def numeric(code: str) -> int | str:
    """Compat codes are JSON numbers; a non-numeric code stays a string rather than failing."""
    return int(code) if code.isdigit() else code


def is_voice(entry: CatalogEntry) -> bool:
    """cXML verb (13xxx), client/voice (31xxx) and SIP (32xxx) codes belong to calls."""
    if entry.code.startswith(VOICE_PREFIXES):
        return True
    return "voice" in entry.tags and "messaging" not in entry.tags


def message_status(entry: CatalogEntry) -> str:
    """`undelivered` when a carrier reported the failure, `failed` when SignalWire refused it."""
    return "undelivered" if entry.code in UNDELIVERED_CODES else "failed"


def project_of(ctx: RenderContext) -> str:
    """The project (AccountSid) the request addressed; a fixed id when nothing names one."""
    given = ctx.params.get("AccountSid") or ctx.account or account_in_path(ctx.path)
    return given or DEFAULT_PROJECT


def message_callback(entry: CatalogEntry, ctx: RenderContext) -> list[tuple[str, str]]:
    """The compat SMS status callback fields (messages/models/webhooks.tsp) plus ApiVersion."""
    p = ctx.params
    return [
        ("MessageSid", p.get("MessageSid", ctx.request_id)),
        ("AccountSid", project_of(ctx)),
        ("From", p.get("From", DEFAULT_FROM)),
        ("To", p.get("To", DEFAULT_TO)),
        ("Body", p.get("Body", "")),
        ("MessageStatus", message_status(entry)),
        ("ErrorCode", entry.code),
        ("NumMedia", p.get("NumMedia", "0")),
        ("NumSegments", p.get("NumSegments", "1")),
        ("ApiVersion", API_VERSION),
    ]


def call_callback(entry: CatalogEntry, ctx: RenderContext) -> list[tuple[str, str]]:
    """The voice status callback of a failed call (calls/models/webhooks.tsp) plus ErrorCode."""
    p = ctx.params
    fields = [
        ("CallSid", p.get("CallSid", ctx.request_id)),
        ("AccountSid", project_of(ctx)),
        ("From", p.get("From", DEFAULT_FROM)),
        ("To", p.get("To", DEFAULT_TO)),
        ("CallStatus", "failed"),
        ("Direction", p.get("Direction", "outbound-api")),
        ("ApiVersion", API_VERSION),
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", "0"),
        ("Timestamp", p.get("Timestamp", EPOCH_RFC2822)),
        ("ErrorCode", entry.code),
    ]
    if "SipResultCode" in p:
        fields.append(("SipResultCode", p["SipResultCode"]))
    return fields


def rest_message_callback(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """The /api/messaging status webhook (MessageStatusCallbackPayload), JSON."""
    p = ctx.params
    return {
        "id": p.get("MessageSid", ctx.request_id),
        "project_id": project_of(ctx),
        "status": message_status(entry),
        "to": p.get("To", DEFAULT_TO),
        "from": p.get("From", DEFAULT_FROM),
        "body": p.get("Body", ""),
        "number_of_segments": int(p["NumSegments"]) if p.get("NumSegments", "").isdigit() else 1,
        "timestamp": p.get("Timestamp", EPOCH_ISO),
        "error_code": entry.code,
        "error_message": entry.format_message(p),
    }


def form_callback(fields: list[tuple[str, str]]) -> Rendered:
    """A form-encoded callback POST body (status 200 is unused: callbacks are requests)."""
    return Rendered(200, urlencode(fields).encode(), FORM)


def basic_username(authorization: str) -> str | None:
    """The username of an HTTP Basic credential, or None."""
    return basic_user(authorization)


def account_in_path(path: str) -> str | None:
    """The `{AccountSid}` of a `/2010-04-01/Accounts/{sid}/...` path."""
    found = _ACCOUNT_IN_PATH.search(path)
    return found.group(1) if found else None
