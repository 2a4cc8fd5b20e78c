"""Fone Dynamics REST API v2: the `Vendor` (ServiceStack `ResponseStatus` envelope, messages)."""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor
from mockserver.vendors.fonedynamics import auth, envelope
from mockserver.vendors.kit.call import Call


class FoneDynamics(Vendor):
    """Fone Dynamics REST API v2 (ServiceStack): every error is a `ResponseStatus` object."""

    order = 4
    name = "fonedynamics"
    title = "Fone Dynamics"
    families = (envelope.FAMILY,)
    not_found_key = "RECORD_NOT_FOUND"
    # No throttle is documented; FORBIDDEN is the generic refusal (docs/vendors/fonedynamics.md).
    rate_limit_key = "FORBIDDEN"
    too_large_key = "PARAMETER_TOO_LONG"  # inferred: no documented answer to an oversized body
    too_large_status = 400
    request_id_header = None
    # inferred: ServiceStack's BasicAuthProvider challenges as `basic realm="/auth/basic"`
    auth_challenge = 'basic realm="/auth/basic"'

    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that put an official SDK's requests into `session`."""
        return auth.test_credentials(session)

    def family_for(self, method: str, path: str) -> str:
        """One envelope for every endpoint."""
        return envelope.family_for(method, path)

    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """The `ResponseStatus` answer, challenging on a 401 like every vendor renderer."""
        rendered = envelope.render_error(entry, ctx)
        challenge = self.challenge_headers(rendered.status)
        return rendered.with_headers(dict(challenge)) if challenge else rendered

    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """The failed message resource (the receipt body is undocumented)."""
        return envelope.render_async(entry, ctx)

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """The AccountSid the request authenticates with (Basic user name)."""
        return envelope.session_of(snapshot)

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """The `FieldName` PARAMETER_REQUIRED / PARAMETER_INVALID always carry."""
        return envelope.default_params(entry, snapshot)

    def authenticate(self, call: Call) -> None:
        """HTTP Basic `AccountSid:Token`, both non-empty; otherwise a 401 `ResponseStatus`."""
        auth.authenticate(call)


VENDOR = FoneDynamics()

__all__ = ["VENDOR", "FoneDynamics"]
