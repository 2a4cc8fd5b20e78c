"""Placeholder values for a catalog entry: explicit, then vendor defaults, then the request."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.base import Vendor

# Names whose sensible default comes from the request line rather than its fields
_FROM_REQUEST: dict[str, Callable[[RequestSnapshot], str]] = {
    "method": lambda s: s.method,
    "contentType": lambda s: s.content_type or "application/json",
    "url": lambda s: s.path,
}


def resolve_params(
    vendor: Vendor, entry: CatalogEntry, snapshot: RequestSnapshot, given: Mapping[str, str]
) -> dict[str, str]:
    """Every value the entry's placeholders need, plus anything given explicitly."""
    values = dict(vendor.default_params(entry, snapshot))
    for name in entry.params:
        if name in values:
            continue
        if name in _FROM_REQUEST:
            values[name] = _FROM_REQUEST[name](snapshot)
            continue
        found = snapshot.field(name)
        values[name] = found if found is not None else name
    values.update(given)
    return values
