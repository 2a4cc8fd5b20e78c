"""Yeastar webhook events: where they go, the `{type, sn, msg}` body and the X-Signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from collections.abc import Sequence
from typing import Any

from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.envelope import CALL_STATUS_CHANGED
from mockserver.vendors.yeastar.wire import VENDOR

WEBHOOK_HEADER = "x-mock-webhook"
_WEBHOOK_KIND = "webhook"
EVENT_CONTENT_TYPE = "application/json"


def sign(secret: str, body: bytes) -> str:
    """Documented X-Signature: Base64(HMAC-SHA256(secret, raw body))."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def serial(session: str | None) -> str:
    """A stable PBX serial per session, shaped like the docs' `3631A2124XXX`."""
    number = zlib.crc32(str(session).encode("utf-8", "surrogatepass")) % 1000
    return f"3631A2124{number:03d}"


def event_body(session: str | None, msg: dict[str, Any]) -> bytes:
    """A 30011 event; `msg` is a JSON document encoded as a string (documented)."""
    encoded = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
    body = {"type": CALL_STATUS_CHANGED, "sn": serial(session), "msg": encoded}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_url(call: Call) -> str | None:
    """This request's X-Mock-Webhook (remembered for the session), else the console URL."""
    given = call.snapshot.headers.get(WEBHOOK_HEADER, "").strip()
    store = call.env.resources
    if given:
        store.put(VENDOR, call.session, _WEBHOOK_KIND, "url", {"url": given})
        return given
    remembered = store.get(VENDOR, call.session, _WEBHOOK_KIND, "url")
    if remembered is not None:
        return str(remembered["url"])
    return call.env.settings.webhooks.get(VENDOR)


def schedule(
    call: Call, resource: str, timeline: Sequence[tuple[float, str, dict[str, Any]]]
) -> None:
    """Send each `(offset, status, msg)` as a signed event `offset` seconds from now."""
    url = webhook_url(call)
    if url is None:
        return
    secret = call.env.settings.webhook_secret
    for offset, status, msg in timeline:
        body = event_body(call.session, msg)
        call.schedule(
            Callback(
                vendor=VENDOR,
                session=call.session,
                url=url,
                body=body,
                content_type=EVENT_CONTENT_TYPE,
                headers=(("X-Signature", sign(secret, body)),),
                event=f"{CALL_STATUS_CHANGED} {status}",
                resource=resource,
                delay=max(offset, 0.0),
            )
        )
