"""Yeastar P-Series Open API: errcode/errmsg envelope and call-status event previews."""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar import auth, envelope


class Yeastar(Vendor):
    """Yeastar P-Series Open API v1.0: every answer is HTTP 200 with `errcode`/`errmsg`."""

    order = 2
    name = "yeastar"
    title = "Yeastar P-Series"
    families = (envelope.FAMILY,)
    not_found_key = "10001"
    # No throttle is documented; FAILURE is the generic "API request fail" (docs/vendors/yeastar.md).
    rate_limit_key = "-1"
    too_large_key = "40004"  # inferred: no documented answer to an oversized body
    too_large_status = None
    rate_limit_status = None  # Yeastar answers HTTP 200 with a non-zero errcode, even here
    request_id_header = None

    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that put an official SDK's requests into `session`."""
        return {"username": session, "password": "mock-secret"}

    def family_for(self, method: str, path: str) -> str:
        """One envelope for every endpoint."""
        return envelope.family_for(method, path)

    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """HTTP 200 (unless overridden) with compact `errcode`/`errmsg`; success rows too."""
        return envelope.render_error(entry, ctx)

    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """Preview of the webhook / WebSocket event (`{type, sn, msg}`) for a failed call."""
        return envelope.render_async(entry, ctx)

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """The client id (`username`) of a get_token request; tokens are mapped by the caller."""
        return envelope.session_of(snapshot)

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """get_token's FAILURE names the credentials, as the documented example does."""
        return envelope.default_params(entry, snapshot)

    def authenticate(self, call: Call) -> None:
        """40002 without a User-Agent; 10004 without a valid `access_token` (token calls aside)."""
        auth.authenticate(call)

    def token_of(self, snapshot: RequestSnapshot) -> str | None:
        """The `access_token` query parameter (refresh_token: the body's refresh token)."""
        return auth.token_of(snapshot)


VENDOR = Yeastar()

__all__ = ["VENDOR", "Yeastar"]
