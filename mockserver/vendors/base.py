"""The contract every emulated vendor implements: envelopes, families, sessions and not-found."""

from __future__ import annotations

import abc
import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.catalog.model import CatalogEntry, VendorCatalog
from mockserver.request.snapshot import RequestSnapshot

if TYPE_CHECKING:
    from mockserver.vendors.kit.call import Call
    from mockserver.vendors.kit.routing import Router


class Vendor(abc.ABC):
    """One emulated vendor. Subclasses are stateless; every method is pure.

    Class attributes:
        order: display order among vendors (the registry sorts by it).
        name: catalog/vendor id, e.g. "ringcentral" (also the URL prefix, "/ringcentral").
        title: display name.
        families: envelope family names this vendor renders, first is the default.
        not_found_key: catalog key answered for an unknown path.
        rate_limit_key: catalog key answered when a rate limit is exceeded.
        request_id_header: header carrying a request id on every answer, or None.
        auth_challenge: the WWW-Authenticate value of its 401s, or None (docs/vendors/*.md).
    """

    order: int
    name: str
    title: str
    families: tuple[str, ...]
    not_found_key: str
    rate_limit_key: str
    request_id_header: str | None = None
    # the HTTP status of a rate-limited answer; None keeps the entry's own (Yeastar: HTTP 200)
    rate_limit_status: int | None = 429
    # the answer to a body over --max-body: the closest catalogued code (docs/vendors/*.md)
    too_large_key: str
    too_large_status: int | None = 413
    # the `WWW-Authenticate` challenge on a 401 (RFC 9110 11.6.1), None when the vendor sends
    # none; clients that send credentials only when challenged (Apache HttpClient) need it
    auth_challenge: str | None = None
    _routes_loaded = False
    _router: Router | None = None

    @property
    def folder(self) -> Path:
        """The vendor's own folder (its `defaults.yaml`, `policy.py`...)."""
        module = sys.modules[type(self).__module__]
        return Path(module.__file__ or ".").resolve().parent

    @property
    def defaults_file(self) -> Path:
        """The shipped default scenarios (magic test values) of this vendor."""
        return self.folder / "defaults.yaml"

    @abc.abstractmethod
    def test_credentials(self, session: str) -> dict[str, str]:
        """Credentials that tie an official SDK's requests to `session` (the pytest plugin)."""

    @abc.abstractmethod
    def family_for(self, method: str, path: str) -> str:
        """The envelope family of the endpoint at `path` (vendor-relative, starts with "/")."""

    @abc.abstractmethod
    def render_error(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """Render a catalogued synchronous error exactly as the vendor sends it."""

    @abc.abstractmethod
    def render_async(self, entry: CatalogEntry, ctx: RenderContext) -> Rendered:
        """Render the delivery receipt / status callback that carries an asynchronous code.

        The result is what the vendor POSTs to the integrator's callback URL (its content
        type and field names), used for previews and, later, for callbacks.
        """

    def render_not_found(self, catalog: VendorCatalog, ctx: RenderContext) -> Rendered:
        """The vendor's own answer to an unknown path."""
        entry = catalog.get(self.not_found_key)
        if entry is None:  # pragma: no cover - guarded by catalog tests
            raise LookupError(f"{self.name}: catalog has no {self.not_found_key}")
        return self.render_error(entry, ctx).keyed(entry.key)

    def session_of(self, snapshot: RequestSnapshot) -> str | None:
        """The test session a request belongs to, from its credentials (None: shared)."""
        return None

    def default_params(self, entry: CatalogEntry, snapshot: RequestSnapshot) -> Mapping[str, str]:
        """Vendor-specific default values for placeholders, taken from the request."""
        return {}

    def success_headers(self, ctx: RenderContext) -> tuple[tuple[str, str], ...]:
        """Headers the vendor sends on every answer (request id, rate-limit counters)."""
        if self.request_id_header:
            return ((self.request_id_header, ctx.request_id),)
        return ()

    def challenge_headers(self, status: int) -> tuple[tuple[str, str], ...]:
        """`WWW-Authenticate` on a 401 of a vendor that challenges; every renderer adds it."""
        if status == 401 and self.auth_challenge:
            return (("WWW-Authenticate", self.auth_challenge),)
        return ()

    def router(self) -> Router | None:
        """`ROUTER` of the folder's `routes.py`, imported on first use (None: no endpoints).

        The handler modules behind the routes are a twentieth of start-up (~40 ms) and most
        runs use one or two vendors, so they load with their vendor's first request.
        """
        if not self._routes_loaded:
            self._router = _load_router(f"{type(self).__module__}.routes")
            self._routes_loaded = True
        return self._router

    def authenticate(self, call: Call) -> None:
        """Return when the call's credentials pass; else raise the vendor's refusal.

        `call.reject(key)` raises it; the pipeline answers it, as it does a handler's.
        """
        return  # a vendor without credentials lets every call through

    def token_of(self, snapshot: RequestSnapshot) -> str | None:
        """The issued token a request authenticates with, if the vendor issues tokens."""
        return None


def _load_router(name: str) -> Router | None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:  # a broken import inside routes.py is a bug, not "no routes"
            raise
        return None
    router: Router = module.ROUTER
    return router
