"""A real redis-server per test module (Debian's, installed by the project's setup)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from mockserver.store.shared.local import LocalRedis


@pytest.fixture(autouse=True)
def redis_installed() -> None:
    """Every test here drives a real redis-server: skip without one (fail in CI)."""
    if shutil.which("redis-server") is None:
        why = "redis-server is not installed (make test installs it: scripts/system-deps.sh)"
        if os.environ.get("MOCKSERVER_REQUIRE_REDIS"):  # CI: a missing Redis is a failure
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[LocalRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with LocalRedis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: LocalRedis) -> str:
    """The module's Redis, emptied: a test's replicas start from nothing shared."""
    redis_server.flush()
    return redis_server.url
