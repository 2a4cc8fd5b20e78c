"""Webex Connect authentication: service key (`key` header / body) or `Authorization`."""

from __future__ import annotations

from typing import Literal

from mockserver.vendors.credentials import same
from mockserver.vendors.kit.call import Call
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


def authenticate(call: Call) -> None:
    """Reject with 7002 when no credential is sent, 7001 when one is empty, unusable or not ours.

    Order: `Authorization` (a JWT wins over a key, documented), the `key` header, then a
    `key` in the JSON body (older v1 clients). Any non-empty key passes: the mock keeps no
    service table, unless strict mode (`--credentials webexconnect=SERVICE_ID:KEY`) names the
    one service to accept.
    """
    verdict = credential_verdict(call)
    if verdict == "ok":
        return
    _, failed, missing = keys(call.snapshot.path)
    if verdict == "missing":
        call.reject(missing)
    sms = call.snapshot.path.startswith("/v1/")
    call.reject(failed, status=SMS_AUTH_FAILED_STATUS if sms else None)


def credential_verdict(call: Call) -> Literal["ok", "bad", "missing"]:
    """The credential verdict: ok, bad (present but unusable or, strict, not ours) or missing."""
    expected = call.env.settings.credentials.get(call.vendor.name)
    headers = call.snapshot.headers
    if "authorization" in headers:
        return "ok" if authorization_ok(headers["authorization"], expected) else "bad"
    if "key" in headers:
        return "ok" if key_ok(headers["key"].strip(), expected) else "bad"
    data = call.snapshot.json
    if call.snapshot.path.startswith("/resources/") and isinstance(data, dict) and "key" in data:
        key = data["key"]
        return "ok" if isinstance(key, str) and key_ok(key, expected) else "bad"
    return "missing"


def authorization_ok(value: str, expected: tuple[str, str] | None = None) -> bool:
    """A raw service key, or `Bearer <JWT>` whose claims name an issuer (the service id).

    With `expected` (strict mode's service id and key) the raw key must be that key and the
    JWT's `iss` that service id. JWT signatures are not verified, strict or not.
    """
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() == "bearer":
        issuer = jwt_issuer(rest.strip())
        if issuer is None:
            return False
        return expected is None or same(issuer, expected[0])
    return key_ok(value.strip(), expected)


def key_ok(key: str, expected: tuple[str, str] | None = None) -> bool:
    """A non-empty service key; in strict mode, exactly the configured one."""
    if not key.strip():
        return False
    return expected is None or same(key, expected[1])
