"""Fone Dynamics authentication: HTTP Basic `AccountSid:Token`, refused with a 401."""

from __future__ import annotations

import base64
import binascii
import hmac

from mockserver.happy import Call
from mockserver.render import Rendered
from mockserver.snapshot import RequestSnapshot
from mockserver.vendors.fonedynamics.wire import VENDOR

# The 401's ErrorCode is undocumented: FORBIDDEN is the closest catalogued refusal (docs).
UNAUTHORIZED_KEY = "FORBIDDEN"
UNAUTHORIZED_STATUS = 401


def credentials(snapshot: RequestSnapshot) -> tuple[str, str] | None:
    """`(AccountSid, Token)` from `Authorization: Basic ...`, both non-empty, else None."""
    scheme, _, value = snapshot.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # bad base64 and undecodable bytes alike
        return None
    account, sep, token = decoded.partition(":")
    return (account, token) if sep and account and token else None


def configured(call: Call, found: tuple[str, str]) -> bool:
    """Strict mode (`--credentials fonedynamics=SID:TOKEN`): only that pair; else any pair."""
    expected = call.env.settings.credentials.get(VENDOR)
    if expected is None:
        return True
    return _same(found[0], expected[0]) & _same(found[1], expected[1])


def _same(given: str, expected: str) -> bool:
    """Constant-time equality (as bytes: compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(_raw(given), _raw(expected))


def _raw(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def authenticate(call: Call) -> Rendered | None:
    """Any well-formed pair passes, or only the strict-mode pair; otherwise 401.

    The mock keeps no accounts, so without `--credentials` it cannot tell a wrong pair.
    """
    found = credentials(call.snapshot)
    if found is not None and configured(call, found):
        return None
    return call.error(UNAUTHORIZED_KEY, status=UNAUTHORIZED_STATUS)


def account_sid(call: Call) -> str:
    """The authenticated AccountSid (authenticate() ran before any handler)."""
    found = credentials(call.snapshot)
    return found[0] if found else ""
