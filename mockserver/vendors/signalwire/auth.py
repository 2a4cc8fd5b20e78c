"""HTTP Basic ProjectID:APIToken, checked on every happy-path request."""

from __future__ import annotations

import base64
import binascii
import hmac

from mockserver.happy import Call
from mockserver.render import Rendered
from mockserver.vendors.signalwire.common import VENDOR

AUTH_FAILED = "20003"


def credentials(authorization: str) -> tuple[str, str] | None:
    """(project, token) of a well-formed Basic credential with both parts, else None."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    project, sep, secret = decoded.partition(":")
    if not sep or not project or not secret:
        return None
    return project, secret


def configured(call: Call, found: tuple[str, str]) -> bool:
    """Strict mode (`--credentials signalwire=PROJECT:TOKEN`): only that pair; else any pair."""
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
    """20003 for missing or malformed credentials, or a path AccountSid of another project.

    Any well-formed pair passes unless strict mode names the one pair to accept: the mock has
    no accounts, and the project id is the session.
    """
    found = credentials(call.snapshot.headers.get("authorization", ""))
    if found is None or not configured(call, found):
        return call.error(AUTH_FAILED)
    account = call.args.get("account")
    if account is not None and account != found[0]:
        return call.error(AUTH_FAILED)
    return None
