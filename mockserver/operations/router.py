"""A vendor's generic routes: its operation tables and dialects, loaded on first use."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mockserver.operations.table import Operation, Operations, load
from mockserver.vendors.kit.routing import Route

if TYPE_CHECKING:
    from mockserver.operations.dialect import Dialect
    from mockserver.vendors.base import Vendor


class GenericRouter:
    """Finds the table operation for a request that no hand-written route serves."""

    def __init__(self, operations: Operations, dialects: Mapping[str, Dialect]) -> None:
        self.operations = operations
        self.dialects = dialects
        self._routes: dict[Operation, Route] = {}

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route of the operation at `method path`, with its path arguments."""
        found = self.operations.find(method, path)
        if found is None:
            return None
        op, args = found
        route = self._routes.get(op)
        if route is None:
            route = self._routes[op] = self._route(op)
        return route, args

    def _route(self, op: Operation) -> Route:
        from mockserver.operations.engine import serve  # loads synth/validate on first use

        dialect = self.dialects[op.table.style]
        handler = functools.partial(serve, op, self.operations, dialect)
        return Route(op.method, op.pattern, handler, op.id)


@functools.cache
def generic_router(vendor: Vendor) -> GenericRouter:
    """The vendor's tables (`spec/`) and dialects (`dialect.py`: DIALECTS, ALIASES)."""
    package = type(vendor).__module__
    try:
        module = importlib.import_module(f"{package}.dialect")
    except ModuleNotFoundError as err:
        if err.name != f"{package}.dialect":
            raise
        return GenericRouter(Operations([]), {})
    aliases: Mapping[str, str] = getattr(module, "ALIASES", {})
    operations = load(vendor.folder / "spec", vendor.name, aliases)
    return GenericRouter(operations, module.DIALECTS)
