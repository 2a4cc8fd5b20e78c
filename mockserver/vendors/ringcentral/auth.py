"""RingCentral OAuth: the token endpoint's four grants, revoke, and bearer checks on resource calls."""

from __future__ import annotations

import math
import string

from mockserver.answers.rendered import Rendered
from mockserver.settings import Settings
from mockserver.vendors.credentials import basic_credentials, strict_ok
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.account import identity_of
from mockserver.vendors.ringcentral.envelope import basic_client_id, bearer
from mockserver.vendors.ringcentral.wire import answer, empty, reject_invalid

ACCESS_TTL = 3600.0  # vendors.md 1.2 and the SDK's ACCESS_TOKEN_TTL
REFRESH_TTL = 604800.0  # one week, the SDK's REFRESH_TOKEN_TTL
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "ReadAccounts ReadCallLog ReadMessages RingOut SMS SubscriptionWebhook"
# What each grant must carry (RFC 6749 sections 4.1.3, 4.3.2, 6; RFC 7523 for the JWT grant).
_REQUIRED: dict[str, tuple[str, ...]] = {
    JWT_GRANT: ("assertion",),
    "authorization_code": ("code",),
    "password": ("username", "password"),
    "refresh_token": ("refresh_token",),
}
_ENDPOINT_ALPHABET = string.ascii_letters + string.digits + "-_"


def token_ttls(settings: Settings) -> tuple[float, float]:
    """Access and refresh lifetimes: RingCentral's, or `--token-ttl` and 168x it (the real ratio)."""
    if settings.token_ttl is None:
        return ACCESS_TTL, REFRESH_TTL
    return settings.token_ttl, settings.token_ttl * (REFRESH_TTL / ACCESS_TTL)


def _client_id(call: Call) -> str:
    """The Basic client id; OAU-123 without one, OAU-146 when strict mode wants another pair."""
    client_id = basic_client_id(call.snapshot)
    if client_id is None:
        call.reject("OAU-123")  # captured text, no placeholder: the header is not echoed
    found = basic_credentials(call.snapshot.headers.get("authorization", ""))
    expected = call.env.settings.credentials.get(call.vendor.name)
    if found is None or not strict_ok(expected, *found):
        call.reject("OAU-146")
    return client_id


def _seconds(value: float) -> int:
    # TokenInfo types both lifetimes as int32 (typed SDKs parse them as integers); a fractional
    # --token-ttl is reported rounded up, so it never reads 0, while the token keeps its real expiry.
    return math.ceil(value)


def _endpoint_id(call: Call, session: str | None) -> str:
    # the stream of the token's session, which a refresh carries over (not call.rng)
    rng = call.env.ids.rng(session)
    return "".join(rng.choice(_ENDPOINT_ALPHABET) for _ in range(22))


def _session_id(call: Call, session: str | None) -> str:
    return str(call.env.ids.rng(session).randrange(10**17, 10**18))


def _redeem(call: Call, value: str) -> str | None:
    """Spend a refresh token; its session carries over to the new pair."""
    token = call.env.tokens.get(call.vendor.name, value)
    if token is None or token.kind != "refresh":
        call.reject("OAU-213")
    state = token.state(call.now)
    if state == "expired":
        call.reject("OAU-210")
    if state == "revoked":
        call.reject("OAU-213")
    # refresh tokens are single use: rotating revokes the old pair (access token included)
    call.env.tokens.revoke(call.vendor.name, value)
    return token.session


def _issue(call: Call, client_id: str, session: str | None) -> Rendered:
    access_ttl, refresh_ttl = token_ttls(call.env.settings)
    access, refresh = call.env.tokens.issue(
        call.vendor.name, session, client_id, call.now, access_ttl, refresh_ttl, SCOPE
    )
    body = {
        "access_token": access.value,
        "token_type": "bearer",
        "expires_in": _seconds(access_ttl),
        "refresh_token": refresh.value,
        "refresh_token_expires_in": _seconds(refresh_ttl),
        "scope": SCOPE,
        "owner_id": identity_of(call, session).extension_id,
        "endpoint_id": _endpoint_id(call, session),
        # TokenInfo's `session_id` (vendors.md 1.2): SDKs that log or key on it read it here.
        "session_id": _session_id(call, session),
    }
    return answer(call, body)


def token(call: Call) -> Rendered:
    """POST /restapi/oauth/token: JWT, authorization code, password and refresh grants."""
    client_id = _client_id(call)
    form = call.snapshot.form
    grant = form.get("grant_type")
    if not grant:
        reject_invalid(call, "grant_type")
    required = _REQUIRED.get(grant)
    if required is None:
        call.reject("OAU-251")
    missing = next((name for name in required if not form.get(name)), None)
    if missing is not None:
        reject_invalid(call, missing)
    session = call.session
    if grant == "refresh_token":
        session = _redeem(call, form["refresh_token"])
    return _issue(call, client_id, session)


def revoke(call: Call) -> Rendered:
    """POST /restapi/oauth/revoke: the token and its pair stop working; 200 with no body."""
    _client_id(call)
    value = call.snapshot.form.get("token")
    if not value:
        reject_invalid(call, "token")
    # an unknown token is not an error (RFC 7009 section 2.2): there is nothing left to revoke
    call.env.tokens.revoke(call.vendor.name, value)
    return empty(call)


def authenticate(call: Call) -> None:
    """Resource calls need a live bearer token; the token endpoint checks its own Basic auth.

    Rejects with OAU-134 without a token, OAU-213 for an unknown or revoked one, OAU-128 when
    it expired.
    """
    if call.ctx.family == "oauth":
        return
    value = bearer(call.snapshot)
    if value is None:
        call.reject("OAU-134")
    found = call.env.tokens.get(call.vendor.name, value)
    if found is None or found.kind != "access":
        call.reject("OAU-213")
    state = found.state(call.now)
    if state == "revoked":
        call.reject("OAU-213")
    if state == "expired":
        call.reject("OAU-128")


def sdk_credentials(session: str) -> dict[str, str]:
    """Credentials that put an official SDK's requests into `session` (the client id is it)."""
    return {"client_id": session, "client_secret": "mock-secret", "jwt": "mock-jwt"}
