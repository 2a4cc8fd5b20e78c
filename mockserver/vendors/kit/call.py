"""The `Call` every vendor handler receives, and the services (`Env`) it reaches through it."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NoReturn

from mockserver.answers.plan import Failure
from mockserver.answers.rendered import RenderContext, Rendered
from mockserver.callbacks.sender import Callback, CallbackSender
from mockserver.catalog.model import CatalogEntry, VendorCatalog
from mockserver.request.bodies import MalformedBody, is_blank
from mockserver.request.snapshot import RequestSnapshot, lazy
from mockserver.settings import Settings
from mockserver.store.resources import ResourceStore, TokenRegistry
from mockserver.vendors.kit.ids import Ids
from mockserver.vendors.kit.records import Resources
from mockserver.vendors.kit.rejection import Rejection

if TYPE_CHECKING:
    from faker import Faker

    from mockserver.vendors.base import Vendor

# `Call.json(empty=REQUIRED)`: an empty body is malformed rather than "no fields"
REQUIRED: Any = object()


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
        return self.vendor.render_error(self.entry(key), ctx).keyed(key)

    def reject(self, key: str, status: int | None = None, **params: str) -> NoReturn:
        """Answer the catalogued error `key` now: raised, and answered once by the pipeline."""
        raise Rejection(self.error(key, status, **params))

    @lazy
    def resources(self) -> Resources:
        """This vendor's stored resources in this call's session."""
        return Resources(self.env.resources, self.vendor.name, self.session)

    @property
    def rng(self) -> random.Random:
        """The session's seeded random stream, so `--seed` reproduces every generated id."""
        return self.env.ids.rng(self.session)

    @property
    def faker(self) -> Faker:
        """The session's seeded Faker (names, text, numbers), made on first use."""
        return self.env.ids.faker(self.session)

    def json(
        self,
        malformed: str,
        *,
        empty: Any = None,
        objects_only: bool = True,
        status: int | None = None,
    ) -> Any:
        """The strictly parsed JSON body; `reject(malformed, status)` when a vendor would refuse it.

        An empty body is `{}` unless `empty` says otherwise (`REQUIRED`: refused as malformed);
        `objects_only` refuses a body that is valid JSON but not an object.
        """
        if is_blank(self.snapshot.body):
            if empty is REQUIRED:
                self.reject(malformed, status)
            return {} if empty is None else empty
        try:
            value = self.snapshot.strict_json()
        except MalformedBody:
            self.reject(malformed, status)
        if objects_only and not isinstance(value, dict):
            self.reject(malformed, status)
        return value

    def schedule(self, callback: Callback) -> None:
        """Send a delivery callback later."""
        self.env.callbacks.schedule(callback)

    def withdraw(self, resource: str) -> int:
        """Withdraw this session's callbacks about `resource` not attempted yet."""
        return self.env.callbacks.cancel(self.vendor.name, self.session, resource)
