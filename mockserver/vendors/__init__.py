"""The vendor registry: every folder of this package with a `VENDOR`, in its declared order."""

from __future__ import annotations

import importlib
import pkgutil

from mockserver.vendors.base import Vendor

# folders of this package that are not vendors
_NOT_VENDORS = frozenset({"kit"})


def _discover() -> dict[str, Vendor]:
    """Import each vendor folder once; adding a vendor is adding a folder (and its catalog)."""
    found: list[Vendor] = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg and info.name not in _NOT_VENDORS and not info.name.startswith("_"):
            found.append(importlib.import_module(f"{__name__}.{info.name}").VENDOR)
    return {vendor.name: vendor for vendor in sorted(found, key=lambda v: (v.order, v.name))}


VENDORS: dict[str, Vendor] = _discover()

__all__ = ["VENDORS", "Vendor"]
