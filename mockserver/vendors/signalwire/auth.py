"""HTTP Basic ProjectID:APIToken, checked on every happy-path request."""

from __future__ import annotations

import base64
import binascii

from mockserver.happy import Call
from mockserver.render import Rendered

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


def authenticate(call: Call) -> Rendered | None:
    """20003 for missing or malformed credentials, or a path AccountSid of another project.

    Any well-formed pair passes: the mock has no accounts, and the project id is the session.
    """
    found = credentials(call.snapshot.headers.get("authorization", ""))
    if found is None:
        return call.error(AUTH_FAILED)
    account = call.args.get("account")
    if account is not None and account != found[0]:
        return call.error(AUTH_FAILED)
    return None
