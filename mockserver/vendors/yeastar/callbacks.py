"""Yeastar webhook events: where they go, the signed `{type, sn, msg}` body, when they are sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from collections.abc import Sequence
from typing import Any

from mockserver.answers.rendered import compact_json
from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.envelope import CALL_STATUS_CHANGED, event

WEBHOOK_HEADER = "x-mock-webhook"
_WEBHOOK_KIND = "webhook"
EVENT_CONTENT_TYPE = "application/json"
# (seconds from now, member status, the event's `msg`) for each event of one call
Timeline = Sequence[tuple[float, str, dict[str, Any]]]


def sign(secret: str, body: bytes) -> str:
    """Documented X-Signature: Base64(HMAC-SHA256(secret, raw body))."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def serial(session: str | None) -> str:
    """A stable PBX serial per session, shaped like the docs' `3631A2124XXX`."""
    number = zlib.crc32(str(session).encode("utf-8", "surrogatepass")) % 1000
    return f"3631A2124{number:03d}"


def event_body(session: str | None, msg: dict[str, Any]) -> bytes:
    """The raw body of a 30011 event of this session's PBX."""
    return compact_json(event(serial(session), msg))


def webhook_url(call: Call) -> str | None:
    """This request's X-Mock-Webhook (remembered for the session), else the console URL."""
    given = call.snapshot.headers.get(WEBHOOK_HEADER, "").strip()
    if given:
        call.resources.put(_WEBHOOK_KIND, "url", {"url": given})
        return given
    remembered = call.resources.get(_WEBHOOK_KIND, "url")
    if remembered is not None:
        return str(remembered["url"])
    return call.env.settings.webhooks.get(call.vendor.name)


def schedule(call: Call, resource: str, timeline: Timeline) -> None:
    """Send each `(offset, status, msg)` as a signed event `offset` seconds from now."""
    url = webhook_url(call)
    if url is None:
        return
    for offset, status, msg in timeline:
        call.schedule(signed_event(call, url, resource, msg, status, offset))


def signed_event(
    call: Call, url: str, resource: str, msg: dict[str, Any], status: str, offset: float
) -> Callback:
    """One 30011 event to `url`, signed with the webhook secret."""
    body = event_body(call.session, msg)
    return Callback(
        vendor=call.vendor.name,
        session=call.session,
        url=url,
        body=body,
        content_type=EVENT_CONTENT_TYPE,
        headers=(("X-Signature", sign(call.env.settings.webhook_secret, body)),),
        event=f"{CALL_STATUS_CHANGED} {status}",
        resource=resource,
        delay=max(offset, 0.0),
    )
