"""Webex Connect: legacy v1 `response[]` and newer v2 `{code, message}` envelopes."""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.catalog.model import CatalogEntry, VendorCatalog
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect import auth, envelope


class WebexConnect(Vendor):
    """Webex Connect (formerly imiconnect): legacy `/resources/*` and newer `/v1/*` APIs."""

    order = 5
    name = "webexconnect"
    title = "Webex Connect"
    families = ("v1", "v2")
    not_found_key = "7600"
    rate_limit_key = "7020"
    too_large_key = "7000"  # inferred: no documented answer to an oversized body
    too_large_status = 400
    request_id_header = None

    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that put an official SDK's requests into `session`."""
        # Webex keys are secrets, so the mock never uses one as a session name, except keys
        # of this explicit form (envelope.session_for_key)
        return {"service_key": f"{envelope.SESSION_KEY_PREFIX}{session}"}

    def family_for(self, method: str, path: str) -> str:
        """`/v1/*` and `/v2/*` are v2; `/resources/*` and others v1."""
        return envelope.family_for(path)

    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """The family's `response[]` or `{code, message}` body."""
        return envelope.render_error(entry, ctx)

    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """The JSON delivery notification POSTed to `notifyurl`."""
        return envelope.render_async(entry, ctx)

    def render_not_found(self, catalog: VendorCatalog, ctx: RenderContext) -> Rendered:
        """The catalogued not-found code, with HTTP 404 unless a status was asked for."""
        return super().render_not_found(catalog, envelope.not_found_context(ctx))

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """A session named after the service key (never the key itself: it is a secret)."""
        return envelope.session_of(snapshot)

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """correlationid, callbackData and the first destination of a messaging request."""
        return envelope.default_params(snapshot)

    def authenticate(self, call: Call) -> None:
        """Raises 7002 without a service key, 7001 with an empty key or an unusable JWT."""
        auth.authenticate(call)


VENDOR = WebexConnect()

__all__ = ["VENDOR", "WebexConnect"]
