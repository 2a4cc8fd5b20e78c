"""The objects a running server shares between handlers, behind one typed AppKey."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web

from mockserver.catalog import Catalog, load_catalog
from mockserver.pipeline import Pipeline
from mockserver.settings import Settings
from mockserver.vendors import VENDORS, Vendor


@dataclass
class Services:
    """Everything a request handler needs, created once per server."""

    settings: Settings
    catalog: Catalog
    pipeline: Pipeline
    vendors: dict[str, Vendor] = field(default_factory=lambda: dict(VENDORS))
    started: float = field(default_factory=time.time)


SERVICES = web.AppKey("services", Services)


def build_services(settings: Settings) -> Services:
    """Load the catalog and wire the pipeline."""
    catalog = load_catalog(settings.catalog_dir)
    return Services(settings, catalog, Pipeline(catalog))
