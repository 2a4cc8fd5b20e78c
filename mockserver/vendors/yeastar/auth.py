"""Yeastar tokens: get_token / refresh_token / del_token and the per-request token check."""

from __future__ import annotations

import math

from mockserver.answers.rendered import Rendered
from mockserver.request.snapshot import RequestSnapshot
from mockserver.store.resources import Token
from mockserver.vendors.credentials import strict_ok
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.wire import body, required, success, text

API = "/openapi/v1.0"
ACCESS_TTL = 1800.0  # documented: access token 30 min
REFRESH_TTL = 86400.0  # documented: refresh token 24 h
# Token endpoints authenticate with the body, not with `access_token`.
PUBLIC_PATHS = frozenset({f"{API}/get_token", f"{API}/refresh_token"})


def authenticate(call: Call) -> None:
    """User-Agent first (every request), then a valid `access_token` query parameter."""
    if not call.snapshot.headers.get("user-agent", "").strip():
        # Integrators report 40002 without a User-Agent; the detail list is the mock's own.
        required(call, "User-Agent")
    if call.snapshot.path in PUBLIC_PATHS:
        return
    if access_token(call) is None:
        # Missing, unknown, revoked and expired all answer 10004 (documented: Bearer is ignored).
        call.reject("10004")


def access_token(call: Call) -> Token | None:
    """The request's valid access token (query parameter only), or None."""
    value = call.snapshot.query.get("access_token", "")
    token = call.env.tokens.get(call.vendor.name, value)
    if token is None or token.kind != "access" or token.state(call.now) != "valid":
        return None
    return token


def token_of(snapshot: RequestSnapshot) -> str | None:
    """`access_token` from the query; refresh_token's body token keeps its session too."""
    value = snapshot.query.get("access_token")
    if value:
        return value
    data = snapshot.json
    if snapshot.path.endswith("/refresh_token") and isinstance(data, dict):
        found = data.get("refresh_token")
        return found if isinstance(found, str) and found else None
    return None


def get_token(call: Call) -> Rendered:
    """Issue a pair for any non-empty username/password (the mock has no user table).

    Strict mode (`--credentials yeastar=USERNAME:PASSWORD`) accepts only that pair, and any
    other gets the same documented failure as an empty one.
    """
    data = body(call)
    username, password = text(data.get("username")), text(data.get("password"))
    if username is None or password is None or not _configured(call, username, password):
        # documented get_token failure: the detail names both fields with value "error"
        call.reject("-1", field="username or password", value="error")
    return _issue(call, username)


def _configured(call: Call, username: str, password: str) -> bool:
    """Whether strict mode is off, or the pair is the configured one."""
    return strict_ok(call.env.settings.credentials.get(call.vendor.name), username, password)


def refresh_token(call: Call) -> Rendered:
    """Swap a valid refresh token for a new pair; the old pair stops working."""
    value = text(body(call).get("refresh_token"))
    if value is None:
        required(call, "refresh_token")
    tokens = call.env.tokens
    token = tokens.get(call.vendor.name, value)
    if token is None or token.kind != "refresh" or token.state(call.now) != "valid":
        call.reject("10004")
    tokens.revoke(call.vendor.name, value)
    return _issue(call, token.client_id)


def del_token(call: Call) -> Rendered:
    """Revoke the access token the request carries (authenticate already checked it)."""
    call.env.tokens.revoke(call.vendor.name, call.snapshot.query.get("access_token", ""))
    return success()


def _issue(call: Call, client_id: str) -> Rendered:
    ttl = call.env.settings.token_ttl
    ttl = ACCESS_TTL if ttl is None else ttl
    access, refresh = call.env.tokens.issue(
        call.vendor.name, call.session, client_id, call.now, ttl, REFRESH_TTL
    )
    return success(
        access_token_expire_time=math.ceil(ttl),
        access_token=access.value,
        refresh_token_expire_time=math.ceil(REFRESH_TTL),
        refresh_token=refresh.value,
    )
