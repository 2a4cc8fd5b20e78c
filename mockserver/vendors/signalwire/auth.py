"""HTTP Basic ProjectID:APIToken, checked on every happy-path request."""

from __future__ import annotations

from mockserver.vendors.credentials import basic_credentials, strict_ok
from mockserver.vendors.kit.call import Call

AUTH_FAILED = "20003"


def credentials(authorization: str) -> tuple[str, str] | None:
    """(project, token) of a well-formed Basic credential with both parts, else None."""
    found = basic_credentials(authorization)
    return found if found and all(found) else None


def credentials_of(call: Call) -> tuple[str, str] | None:
    """The request's (project, token), or None."""
    return credentials(call.snapshot.headers.get("authorization", ""))


def project(call: Call) -> str:
    """The project id of the request's credentials (authentication already passed)."""
    found = credentials_of(call)
    return found[0] if found else ""


def configured(call: Call, found: tuple[str, str]) -> bool:
    """Strict mode (`--credentials signalwire=PROJECT:TOKEN`): only that pair; else any pair."""
    return strict_ok(call.env.settings.credentials.get(call.vendor.name), *found)


def authenticate(call: Call) -> None:
    """Reject with 20003 missing or malformed credentials, or a path AccountSid of another project.

    Any well-formed pair passes unless strict mode names the one pair to accept: the mock has
    no accounts, and the project id is the session.
    """
    found = credentials_of(call)
    if found is None or not configured(call, found):
        call.reject(AUTH_FAILED)
    account = call.args.get("account")
    if account is not None and account != found[0]:
        call.reject(AUTH_FAILED)
