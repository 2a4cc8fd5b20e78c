"""HTTP Basic ProjectID:APIToken, checked on every happy-path request."""

from __future__ import annotations

from mockserver.answers.rendered import Rendered
from mockserver.vendors.credentials import basic_credentials, strict_ok
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire.common import VENDOR

AUTH_FAILED = "20003"


def credentials(authorization: str) -> tuple[str, str] | None:
    """(project, token) of a well-formed Basic credential with both parts, else None."""
    found = basic_credentials(authorization)
    return found if found and all(found) else None


def configured(call: Call, found: tuple[str, str]) -> bool:
    """Strict mode (`--credentials signalwire=PROJECT:TOKEN`): only that pair; else any pair."""
    return strict_ok(call.env.settings.credentials.get(VENDOR), *found)


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
