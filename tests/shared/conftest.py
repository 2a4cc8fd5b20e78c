"""A real redis-server per test module (Debian's, installed by the project's setup)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from mockserver.store.shared.local import LocalRedis


@pytest.fixture(scope="module")
def redis_server() -> Iterator[LocalRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make test installs it: scripts/system-deps.sh)")
    with LocalRedis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: LocalRedis) -> str:
    """The module's Redis, emptied: a test's replicas start from nothing shared."""
    redis_server.flush()
    return redis_server.url
