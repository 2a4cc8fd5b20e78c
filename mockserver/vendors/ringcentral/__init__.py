"""RingCentral: REST, OAuth and gateway envelopes, rate-limit headers and webhook events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.catalog.model import CatalogEntry, VendorCatalog
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor
from mockserver.vendors.ringcentral import auth, envelope

if TYPE_CHECKING:
    from mockserver.vendors.kit.call import Call


class RingCentral(Vendor):
    """RingCentral: REST (`/restapi/v1.0`), OAuth (`/restapi/oauth`) and API-gateway envelopes."""

    order = 1
    name = "ringcentral"
    title = "RingCentral"
    families = ("rest", "oauth", "gateway", "analytics")
    not_found_key = "AGW-404"
    rate_limit_key = "CMN-301"
    too_large_key = "MSG-338"  # inferred: no documented answer to an oversized body
    request_id_header = envelope.REQUEST_ID_HEADER

    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that put an official SDK's requests into `session`."""
        return auth.sdk_credentials(session)

    def family_for(self, method: str, path: str) -> str:
        """OAuth under `/restapi/oauth/`, analytics, REST under the API prefixes, else gateway."""
        return envelope.family_for(path)

    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """Render `entry` in the envelope of `ctx.family`, pretty-printed as RingCentral does."""
        return envelope.render_error(entry, ctx)

    def render_not_found(self, catalog: VendorCatalog, ctx: RenderContext) -> Rendered:
        """Unknown paths are answered by the API gateway, whatever prefix they carry."""
        return super().render_not_found(catalog, replace(ctx, family="gateway"))

    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """The message-store webhook notification carrying `deliveryErrorCode` (vendors.md 1.7)."""
        return envelope.render_async(entry, ctx)

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """The client id of a Basic-authenticated (token) request; bearer calls use the token's."""
        return envelope.basic_client_id(snapshot)

    def authenticate(self, call: Call) -> None:
        """OAU-134 without a bearer token, OAU-213 for an unknown/revoked one, OAU-128 expired."""
        auth.authenticate(call)

    def token_of(self, snapshot: RequestSnapshot) -> str | None:
        """The bearer access token (header or `access_token` query), so calls keep its session."""
        return envelope.bearer(snapshot)

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """Placeholder values the request itself can supply (field names, method, numbers)."""
        return envelope.default_params(entry, snapshot)

    def success_headers(self, ctx: RenderContext) -> envelope.Headers:
        """Request id, language and rate-limit counters; token answers also forbid caching."""
        return envelope.success_headers(ctx)


VENDOR = RingCentral()

__all__ = ["VENDOR", "RingCentral"]
