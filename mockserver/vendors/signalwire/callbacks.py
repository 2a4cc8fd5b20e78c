"""Signed status callbacks: compat form posts and /api/messaging JSON webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import urlencode

from mockserver.answers.rendered import JSON, compact_json
from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire.auth import credentials
from mockserver.vendors.signalwire.envelope import FORM

Fields = list[tuple[str, str]]
# Message status callbacks are not retried (documented for Twilio, which SignalWire mirrors;
# inferred for SignalWire): one attempt, the outcome is in the callback log.
RETRIES: tuple[float, ...] = ()


def form_signature(key: str, url: str, fields: Sequence[tuple[str, str]]) -> str:
    """Twilio-style: base64(HMAC-SHA1(key, url + each name+value sorted by name, value))."""
    payload = url + "".join(name + value for name, value in sorted(set(fields)))
    digest = hmac.new(key.encode(), payload.encode("utf-8", "replace"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def body_signature(key: str, url: str, body: bytes, algorithm: str = "sha1") -> str:
    """SignalWire's JSON scheme: hex(HMAC(key, url + raw body))."""
    payload = url.encode("utf-8", "replace") + body
    return hmac.new(key.encode(), payload, getattr(hashlib, algorithm)).hexdigest()


def signing_key(call: Call) -> str:
    """The API token of the request (the mock's stand-in for the project's Signing Key)."""
    found = credentials(call.snapshot.headers.get("authorization", ""))
    return found[1] if found else ""


def form_callback(call: Call, url: str, fields: Fields, event: str, delay: float) -> Callback:
    """A compat status callback, signed under both header names SignalWire sends."""
    signature = form_signature(signing_key(call), url, fields)
    headers = (("X-SignalWire-Signature", signature), ("X-Twilio-Signature", signature))
    return Callback(
        vendor=call.vendor.name,
        session=call.session,
        url=url,
        body=urlencode(fields).encode(),
        content_type=FORM,
        headers=headers,
        event=event,
        resource=_resource(fields),
        delay=delay,
        retries=RETRIES,
    )


def json_callback(call: Call, url: str, payload: dict[str, object], delay: float) -> Callback:
    """A /api/messaging status webhook: JSON, signed over the raw body (SHA-1 and SHA-256)."""
    body = compact_json(payload)
    key = signing_key(call)
    headers = (
        ("X-SignalWire-Signature", body_signature(key, url, body)),
        ("X-SignalWire-Sha256-Signature", body_signature(key, url, body, "sha256")),
    )
    return Callback(
        vendor=call.vendor.name,
        session=call.session,
        url=url,
        body=body,
        content_type=JSON,
        headers=headers,
        event=_event(str(payload.get("status")), payload.get("error_code")),
        resource=str(payload.get("id", "")),
        delay=delay,
        retries=RETRIES,
    )


def _resource(fields: Fields) -> str:
    found = dict(fields)
    return found.get("MessageSid") or found.get("CallSid") or ""


def _event(status: str, code: object) -> str:
    return f"{status} {code}" if code else status
