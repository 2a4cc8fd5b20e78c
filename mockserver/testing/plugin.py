"""pytest plugin: a running mockserver per test run and a per-test, isolated `mock` session."""

from __future__ import annotations

import os
import re
import uuid
import warnings
from collections.abc import Iterator, Mapping

import pytest

from mockserver.testing.client import MockSession
from mockserver.testing.thread import ServerThread

URL_ENV = "MOCKSERVER_URL"
TOKEN_ENV = "MOCKSERVER_ADMIN_TOKEN"
# Names people reach for instead of URL_ENV (MOCK_URL, MOCKSERVER_BASE_URL, MOCK_SERVER_URL...)
_LOOK_ALIKE = re.compile(r"^MOCK_?(SERVER)?_?\w*URL$", re.IGNORECASE)


@pytest.fixture(scope="session")
def mockserver_url() -> Iterator[str]:
    """Base URL of the server: $MOCKSERVER_URL (e.g. a CI service container) or one in-process."""
    external = os.environ.get(URL_ENV)
    if external:
        yield external.rstrip("/")
        return
    _warn_about_look_alikes(os.environ)
    with ServerThread() as server:
        yield server.url


def _warn_about_look_alikes(environ: Mapping[str, str]) -> None:
    """A URL under a near-miss name would otherwise be ignored without a word."""
    names = sorted(n for n in environ if n != URL_ENV and _LOOK_ALIKE.match(n))
    if names:
        warnings.warn(
            f"{', '.join(names)} set but {URL_ENV} is not: the plugin reads only {URL_ENV}, "
            "so these tests run against an in-process mockserver",
            stacklevel=2,
        )


@pytest.fixture
def mock(mockserver_url: str, request: pytest.FixtureRequest) -> Iterator[MockSession]:
    """This test's own mock session: rules, counters and journal no other test sees."""
    name = request.node.name.replace("[", "-").replace("]", "")[:40]
    session = MockSession(
        mockserver_url, f"t-{name}-{uuid.uuid4().hex[:8]}", os.environ.get(TOKEN_ENV)
    )
    yield session
    session.reset()
