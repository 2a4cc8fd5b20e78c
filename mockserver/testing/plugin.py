"""pytest plugin: a running mockserver per test run and a per-test, isolated `mock` session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from mockserver.testing.client import MockSession
from mockserver.testing.thread import ServerThread

URL_ENV = "MOCKSERVER_URL"
TOKEN_ENV = "MOCKSERVER_ADMIN_TOKEN"


@pytest.fixture(scope="session")
def mockserver_url() -> Iterator[str]:
    """Base URL of the server: $MOCKSERVER_URL (e.g. a CI service container) or one in-process."""
    external = os.environ.get(URL_ENV)
    if external:
        yield external.rstrip("/")
        return
    with ServerThread() as server:
        yield server.url


@pytest.fixture
def mock(mockserver_url: str, request: pytest.FixtureRequest) -> Iterator[MockSession]:
    """This test's own mock session: rules, counters and journal no other test sees."""
    name = request.node.name.replace("[", "-").replace("]", "")[:40]
    session = MockSession(
        mockserver_url, f"t-{name}-{uuid.uuid4().hex[:8]}", os.environ.get(TOKEN_ENV)
    )
    yield session
    session.reset()
