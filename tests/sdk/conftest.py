"""A real server in a background thread, shared by the official-SDK tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.testing import ServerThread


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread() as running:
        yield running
