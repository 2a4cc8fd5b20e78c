"""Webex Connect renderers: v1 `response[]` and v2 `{code, message}` errors, delivery notifications."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mockserver.answers.rendered import JSON, RenderContext, Rendered, compact_json
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot

# Only the message-expired code has a documented non-Failed status ("Un-Delivered");
# 7301/7503 mean the same thing, so they get it too.
EXPIRED_CODES = frozenset({"7208", "7301", "7503"})
# Receipts that are not failures carry their own deliveryStatus.
NON_FAILURE_STATUS: Mapping[str, str] = {"7500": "Delivered", "7501": "Submitted", "7502": "Read"}
DEFAULT_DESTINATION = "919000000000"
# Renderers are pure: the callback sender passes the real time as a `timeStamp` param.
EPOCH = "1970-01-01T00:00:00.000+00:00"
# An unknown path has no documented answer; any HTTP front end says 404.
NOT_FOUND_STATUS = 404
# A service key of this form puts requests in the named session (docs/pytest.md)
SESSION_KEY_PREFIX = "mock-session-"


def family_for(path: str) -> str:
    """`/v1/*` and `/v2/*` (e.g. `/v1/sms/messages`) are v2; `/resources/*` and others v1."""
    return "v2" if path.startswith(("/v1/", "/v2/")) else "v1"


def render_error(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """The family's body; no headers, since Webex Connect documents none."""
    status = ctx.status or entry.http_status
    message = entry.format_message(ctx.params, ctx.family)
    body = v2_body(entry, message) if ctx.family == "v2" else v1_body(entry, ctx, message)
    return Rendered(status, compact_json(body), JSON, retry_header(ctx))


def render_async(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    """The JSON delivery notification POSTed to `notifyurl` (status unused: it is a request)."""
    return Rendered(200, compact_json(delivery_notification(entry, ctx)), JSON)


def not_found_context(ctx: RenderContext) -> RenderContext:
    """The not-found answer's context: HTTP 404 unless a status was asked for."""
    return replace(ctx, status=ctx.status or NOT_FOUND_STATUS)


def unknown_message() -> Rendered:
    """The SMS API's answer to an unknown message id: 404 with no body (documented)."""
    return Rendered(404, b"", JSON)


def v1_body(entry: CatalogEntry, ctx: RenderContext, message: str) -> dict[str, Any]:
    """`{"response": [{code, description, correlationid?, transid}]}`, every value a string."""
    item = {"code": entry.code, "description": message}
    if ctx.params.get("correlationid"):
        item["correlationid"] = ctx.params["correlationid"]
    item["transid"] = ctx.request_id
    return {"response": [item]}


def v2_body(entry: CatalogEntry, message: str) -> dict[str, Any]:
    """The newer APIs' flat body: string `code` and `message` (not `description`)."""
    return {"code": entry.code, "message": message}


def v2_error(entry: CatalogEntry, message: str, status: int) -> Rendered:
    """A v2 error with a message of its own rather than the catalogued one."""
    return Rendered(status, compact_json(v2_body(entry, message)), JSON)


def retry_header(ctx: RenderContext) -> tuple[tuple[str, str], ...]:
    """Retry-After only when a scenario asked for one: Webex Connect documents no such header."""
    return (("Retry-After", str(ctx.retry_after)),) if ctx.retry_after else ()


def delivery_status(entry: CatalogEntry) -> str:
    """Failed, except receipts (Delivered/Submitted/Read) and expiry ("Un-Delivered")."""
    if entry.code in NON_FAILURE_STATUS:
        return NON_FAILURE_STATUS[entry.code]
    # 7208 is also "Source ip is not in the allowed list": only its expiry variant is Un-Delivered.
    if entry.code in EXPIRED_CODES and "expired" in entry.message.lower():
        return "Un-Delivered"
    return "Failed"


def delivery_notification(entry: CatalogEntry, ctx: RenderContext) -> dict[str, Any]:
    """`deliveryInfoNotification` as documented, with its capitalised `Description`."""
    p = ctx.params
    info = {
        "timeStamp": p.get("timeStamp", EPOCH),
        "Description": entry.format_message(p),
        "code": entry.code,
        "messageCount": "1",
        "deliveryChannel": p.get("deliveryChannel", "SMS"),
        "additionalInfo": "",
        "destination": p.get("destination", DEFAULT_DESTINATION),
        "destinationType": "msisdn",
        "deliveryStatus": delivery_status(entry),
    }
    return {
        "deliveryInfoNotification": {
            "deliveryInfo": info,
            "subtid": "",
            "transid": p.get("transid", ctx.request_id),
            "callbackData": p.get("callbackData", ""),
            "correlationid": p.get("correlationid", ""),
        }
    }


def session_of(snapshot: RequestSnapshot) -> str | None:
    """A session named after the service key (never the key itself: it is a secret).

    The key comes from the `key` header, a JSON body `key`, else the Authorization value
    (a JWT's `iss`, the service id, is not secret and is used as it is).
    """
    key = snapshot.headers.get("key") or body_key(snapshot)
    if key:
        return session_for_key(key)
    value = snapshot.headers.get("authorization", "")
    issuer = jwt_issuer(bearer_token(value))
    if issuer:
        return issuer
    raw = bearer_token(value)
    return session_for_key(raw) if raw else None


def default_params(snapshot: RequestSnapshot) -> Mapping[str, str]:
    """correlationid, callbackData and the first destination of a messaging request."""
    values = {name: snapshot.field(name) for name in ("correlationid", "callbackData")}
    values["destination"] = first_destination(snapshot.json)
    return {name: value for name, value in values.items() if value}


def body_key(snapshot: RequestSnapshot) -> str | None:
    """The service key older clients put in the JSON body."""
    data = snapshot.json
    key = data.get("key") if isinstance(data, dict) else None
    return key if isinstance(key, str) and key else None


def session_for_key(key: str) -> str:
    """The session of a service key: never the key itself, which is a secret.

    `mock-session-<id>` keys name their session outright (the pytest plugin uses them); any
    other key becomes `key-<hash>`, so the journal and logs never show a real key.
    """
    if key.startswith(SESSION_KEY_PREFIX) and len(key) > len(SESSION_KEY_PREFIX):
        return key[len(SESSION_KEY_PREFIX) :]
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"key-{digest}"


def bearer_token(value: str) -> str:
    """The token of `Bearer <token>`, or the whole value (a raw service key)."""
    scheme, _, rest = value.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value.strip()


def jwt_issuer(token: str) -> str | None:
    """The unverified `iss` claim of a JWT, or None when `token` is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return str(issuer) if issuer else None


def first_destination(data: Any) -> str | None:
    """`destination[0].msisdn[0]` of a v1 messaging request."""
    if not isinstance(data, dict):
        return None
    destinations = data.get("destination")
    first = destinations[0] if isinstance(destinations, list) and destinations else None
    msisdn = first.get("msisdn") if isinstance(first, dict) else None
    if isinstance(msisdn, list) and msisdn:
        msisdn = msisdn[0]
    return msisdn if isinstance(msisdn, str) else None
