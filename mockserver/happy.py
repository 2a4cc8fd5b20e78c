"""Happy-path plumbing: a per-vendor route table and the `Call` object every handler receives."""

from __future__ import annotations

import random
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mockserver.callbacks import Callback, CallbackSender
from mockserver.catalog.model import CatalogEntry, VendorCatalog
from mockserver.render import RenderContext, Rendered
from mockserver.resources import ResourceStore, TokenRegistry
from mockserver.settings import Settings
from mockserver.snapshot import RequestSnapshot

if TYPE_CHECKING:
    from faker import Faker

    from mockserver.vendors.base import Vendor

# The largest id a signed 64-bit integer holds: Java's long and .NET's Int64 parse ids as that
INT64_MAX = 2**63 - 1

# A handler may be async when it must talk to the outside first (e.g. a webhook handshake)
Handler = Callable[["Call"], "Rendered | Awaitable[Rendered]"]


@dataclass(frozen=True)
class Route:
    """One happy-path endpoint: method, path pattern (named groups become `Call.args`)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    name: str


def route(method: str, pattern: str, handler: Handler, name: str = "") -> Route:
    """Build a route; `pattern` is a full-match regex over the vendor-relative path."""
    return Route(method.upper(), re.compile(pattern), handler, name or handler.__name__)


class Router:
    """Finds the route for a request; distinguishes unknown paths from wrong methods."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The matching route and its path arguments, or None."""
        for item in self.routes:
            found = item.pattern.fullmatch(path)
            if found and item.method == method:
                return item, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def allowed(self, path: str) -> list[str]:
        """Methods some route accepts at this path (for "method not allowed" answers)."""
        return [r.method for r in self.routes if r.pattern.fullmatch(path)]


class Ids:
    """Deterministic randomness per session, so `--seed` reproduces every id a test sees."""

    def __init__(self, seed: int, capacity: int = 256) -> None:
        self.seed = seed
        self.capacity = capacity
        self._rngs: OrderedDict[str | None, random.Random] = OrderedDict()
        self._fakers: OrderedDict[str | None, Faker] = OrderedDict()

    def rng(self, session: str | None) -> random.Random:
        """The session's random stream."""
        rng = self._rngs.get(session)
        if rng is None:
            rng = random.Random(_seed_bytes(self.seed, session))
            self._remember(self._rngs, session, rng)
        return rng

    def faker(self, session: str | None) -> Faker:
        """A seeded Faker for realistic names, text and numbers (imported on first use)."""
        fake = self._fakers.get(session)
        if fake is None:
            from faker import Faker

            fake = Faker()
            fake.seed_instance(_seed_bytes(self.seed, session))
            self._remember(self._fakers, session, fake)
        return fake

    def hex(self, session: str | None, length: int = 32) -> str:
        """A lowercase hex id."""
        return "".join(self.rng(session).choice("0123456789abcdef") for _ in range(length))

    def digits(self, session: str | None, length: int) -> str:
        """A numeric id without a leading zero."""
        rng = self.rng(session)
        return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(length - 1))

    def uuid(self, session: str | None) -> str:
        """A version-4-shaped UUID."""
        h = self.hex(session, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def reset(self, session: str | None = None) -> None:
        """Restart a session's streams (or all), so a reset test sees the same ids again."""
        for table in (self._rngs, self._fakers):
            if session is None:
                table.clear()
            else:
                table.pop(session, None)

    def _remember(self, table: OrderedDict[Any, Any], key: str | None, value: Any) -> None:
        table[key] = value
        while len(table) > self.capacity:
            table.popitem(last=False)


def id_bounds(length: int) -> tuple[int, int]:
    """The smallest and largest `length`-digit id that still fits a signed 64-bit integer."""
    low = 10 ** (length - 1)
    high = min(10**length - 1, INT64_MAX)
    if length < 1 or low > high:
        raise ValueError(f"no {length}-digit id fits a signed 64-bit integer")
    return low, high


def _seed_bytes(seed: int, session: str | None) -> bytes:
    # header values may carry lone surrogates (aiohttp decodes bytes with surrogateescape)
    return f"{seed}:{session}".encode("utf-8", "surrogatepass")


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
class Failure:
    """How a scenario or magic value wants an asynchronous lifecycle to end."""

    key: str
    delay: float | None = None


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
