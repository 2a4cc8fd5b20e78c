"""Catalog of vendor errors: frozen entries loaded from `catalog/<vendor>.yaml`."""

from mockserver.catalog.loader import CatalogError, load_catalog, load_vendor_file
from mockserver.catalog.model import Catalog, CatalogEntry, VendorCatalog

__all__ = [
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "VendorCatalog",
    "load_catalog",
    "load_vendor_file",
]
