"""Fone Dynamics authentication: HTTP Basic `AccountSid:Token`, refused with a 401."""

from __future__ import annotations

import base64
import binascii

from mockserver.happy import Call
from mockserver.render import Rendered
from mockserver.snapshot import RequestSnapshot

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


def authenticate(call: Call) -> Rendered | None:
    """Any well-formed pair passes (the mock keeps no accounts); otherwise 401."""
    if credentials(call.snapshot) is not None:
        return None
    return call.error(UNAUTHORIZED_KEY, status=UNAUTHORIZED_STATUS)


def account_sid(call: Call) -> str:
    """The authenticated AccountSid (authenticate() ran before any handler)."""
    found = credentials(call.snapshot)
    return found[0] if found else ""
