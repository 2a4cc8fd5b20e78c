"""Fone Dynamics authentication: HTTP Basic `AccountSid:Token`, refused with a 401."""

from __future__ import annotations

from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.credentials import basic_credentials, strict_ok
from mockserver.vendors.kit.call import Call

# The 401's ErrorCode is undocumented: FORBIDDEN is the closest catalogued refusal (docs).
UNAUTHORIZED_KEY = "FORBIDDEN"
UNAUTHORIZED_STATUS = 401


def test_credentials(session: str) -> dict[str, str]:
    """The SDK's `account_sid` is the session (see `session_of`); any token passes."""
    return {"account_sid": session, "token": "mock-token"}


def credentials(snapshot: RequestSnapshot) -> tuple[str, str] | None:
    """`(AccountSid, Token)` from `Authorization: Basic ...`, both non-empty, else None."""
    found = basic_credentials(snapshot.headers.get("authorization", ""))
    return found if found and all(found) else None


def configured(call: Call, found: tuple[str, str]) -> bool:
    """Strict mode (`--credentials fonedynamics=SID:TOKEN`): only that pair; else any pair."""
    return strict_ok(call.env.settings.credentials.get(call.vendor.name), *found)


def authenticate(call: Call) -> None:
    """Any well-formed pair passes, or only the strict-mode pair; otherwise a 401 is raised.

    The mock keeps no accounts, so without `--credentials` it cannot tell a wrong pair.
    """
    found = credentials(call.snapshot)
    if found is None or not configured(call, found):
        call.reject(UNAUTHORIZED_KEY, status=UNAUTHORIZED_STATUS)


def account_sid(call: Call) -> str:
    """The authenticated AccountSid (authenticate() ran before any handler)."""
    found = credentials(call.snapshot)
    return found[0] if found else ""
