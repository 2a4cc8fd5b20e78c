"""The `Call` every vendor handler receives, and the services (`Env`) it reaches through it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.callbacks.sender import Callback, CallbackSender
from mockserver.catalog.model import CatalogEntry, VendorCatalog
from mockserver.request.snapshot import RequestSnapshot
from mockserver.settings import Settings
from mockserver.store.resources import ResourceStore, TokenRegistry

if TYPE_CHECKING:
    from mockserver.vendors.base import Vendor

from mockserver.answers.plan import Failure
from mockserver.vendors.kit.ids import Ids


@dataclass
class Env:
    """Services shared by every vendor's happy paths."""

    settings: Settings
    resources: ResourceStore
    tokens: TokenRegistry
    callbacks: CallbackSender
    ids: Ids
    clock: Callable[[], float]


@dataclass(frozen=True)
class Call:
    """Everything a happy-path handler may use."""

    snapshot: RequestSnapshot
    ctx: RenderContext
    vendor: Vendor
    catalog: VendorCatalog
    env: Env
    args: Mapping[str, str] = field(default_factory=dict)
    failure: Failure | None = None

    @property
    def session(self) -> str | None:
        """The request's session."""
        return self.snapshot.session

    @property
    def now(self) -> float:
        """Wall-clock seconds (injectable for tests)."""
        return self.env.clock()

    def entry(self, key: str) -> CatalogEntry:
        """A catalog entry that must exist (a missing one is a bug in the vendor module)."""
        found = self.catalog.get(key)
        if found is None:
            raise LookupError(f"{self.vendor.name} catalog has no {key!r}")
        return found

    def error(self, key: str, status: int | None = None, **params: str) -> Rendered:
        """Render a catalogued error naturally, as the vendor would for this request."""
        ctx = replace(self.ctx, params={**self.ctx.params, **params}, status=status)
        return self.vendor.render_error(self.entry(key), ctx)

    def schedule(self, callback: Callback) -> None:
        """Send a delivery callback later."""
        self.env.callbacks.schedule(callback)

    def withdraw(self, resource: str) -> int:
        """Withdraw this session's callbacks about `resource` not attempted yet."""
        return self.env.callbacks.cancel(self.vendor.name, self.session, resource)
