"""Shared fixtures: the catalog loaded once, an app per test on 127.0.0.1:0."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from mockserver.catalog import Catalog, load_catalog
from mockserver.server.app import create_app
from mockserver.server.services import Services, build_services
from mockserver.settings import Settings
from mockserver.vendors import VENDORS

ClientFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(names=tuple(VENDORS))


@pytest.fixture
def make_services(catalog: Catalog) -> Callable[..., Services]:
    def make(**settings: object) -> Services:
        return build_services(Settings(**settings), catalog)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> TestClient:
    services = make_services()
    return await aiohttp_client(create_app(services.settings, services))


pytest_plugins = ["pytester"]
