"""Webex Connect authentication: service key (`key` header / body) or `Authorization`."""

from __future__ import annotations

from typing import Literal

from mockserver.happy import Call
from mockserver.render import Rendered
from mockserver.vendors.webexconnect.envelope import jwt_issuer

EVENTS_PATH = "/resources/v1/events/externalevent"
# Per API section: (invalid JSON, authentication failed, key missing) catalog keys.
_EVENT_KEYS = ("7000/2", "7001/2", "7002/2")
_MESSAGING_KEYS = ("7000", "7001", "7002")
# Documented for the newer SMS API: "403 Authentication Failed" with code 7001.
SMS_AUTH_FAILED_STATUS = 403


def keys(path: str) -> tuple[str, str, str]:
    """The (7000, 7001, 7002) variants of the API section a path belongs to."""
    return _EVENT_KEYS if path == EVENTS_PATH else _MESSAGING_KEYS


def authenticate(call: Call) -> Rendered | None:
    """7002 when no credential is sent, 7001 when one is empty or not a usable JWT.

    Order: `Authorization` (a JWT wins over a key, documented), the `key` header, then a
    `key` in the JSON body (older v1 clients). Any non-empty key passes: the mock keeps no
    service table.
    """
    verdict = credential_verdict(call)
    if verdict == "ok":
        return None
    _, failed, missing = keys(call.snapshot.path)
    if verdict == "missing":
        return call.error(missing)
    sms = call.snapshot.path.startswith("/v1/")
    return call.error(failed, status=SMS_AUTH_FAILED_STATUS if sms else None)


def credential_verdict(call: Call) -> Literal["ok", "bad", "missing"]:
    """The credential verdict: ok, bad (present but unusable) or missing."""
    headers = call.snapshot.headers
    if "authorization" in headers:
        return "ok" if authorization_ok(headers["authorization"]) else "bad"
    if "key" in headers:
        return "ok" if headers["key"].strip() else "bad"
    data = call.snapshot.json
    if call.snapshot.path.startswith("/resources/") and isinstance(data, dict) and "key" in data:
        key = data["key"]
        return "ok" if isinstance(key, str) and key.strip() else "bad"
    return "missing"


def authorization_ok(value: str) -> bool:
    """A raw service key, or `Bearer <JWT>` whose claims name an issuer (the service id)."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() == "bearer":
        return jwt_issuer(rest.strip()) is not None
    return bool(value.strip())
