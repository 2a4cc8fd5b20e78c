"""SignalWire: compat (Twilio-style), REST/Fabric and Relay REST envelopes."""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire import auth, envelope


class SignalWire(Vendor):
    """SignalWire: the Twilio-compatible API, the /api/* REST and Relay REST families."""

    order = 3
    name = "signalwire"
    title = "SignalWire"
    families = ("compat", "rest", "relay")
    not_found_key = "20404"
    rate_limit_key = "20429"
    too_large_key = "20413"  # inferred: no documented answer to an oversized body
    request_id_header = envelope.REQUEST_ID_HEADER
    # inferred: Twilio challenges with `Basic realm="Twilio API"`; the realm here is a guess
    auth_challenge = 'Basic realm="SignalWire"'

    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that put an official SDK's requests into `session`."""
        return {"project": session, "token": "mock-token"}

    def family_for(self, method: str, path: str) -> str:
        """compat, rest or relay, by path prefix."""
        return envelope.family_for(path)

    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """The error body of the request's family, with the request id and Retry-After."""
        return envelope.render_error(entry, ctx, self.challenge_headers)

    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """A call status callback for voice codes, else a message status callback."""
        return envelope.render_async(entry, ctx)

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """The Project ID: the Basic auth username, else the AccountSid in the path."""
        return envelope.session_of(snapshot)

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """From/To/Body of the request, for callbacks."""
        return envelope.default_params(snapshot)

    def authenticate(self, call: Call) -> None:
        """Basic ProjectID:APIToken; rejects with 20003 (see auth.py)."""
        auth.authenticate(call)

    def token_of(self, snapshot: RequestSnapshot) -> str | None:
        """SignalWire issues no tokens: the project's API token is the credential."""
        return None


VENDOR = SignalWire()

__all__ = ["VENDOR", "SignalWire"]
