"""Fixtures for the example's tests; the `mock` fixture itself comes from mockserver's plugin."""

from __future__ import annotations

import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sms_sender import RetryPolicy


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    """mockserver's scenario library: $SCENARIO_LIBRARY, or `scenarios/` above this file."""
    configured = os.environ.get("SCENARIO_LIBRARY")
    if configured:
        return Path(configured)
    for parent in Path(__file__).resolve().parents:
        if (parent / "scenarios" / "README.md").is_file():
            return parent / "scenarios"
    raise pytest.UsageError("scenario library not found: set SCENARIO_LIBRARY")


@pytest.fixture
def sleeps(request: pytest.FixtureRequest) -> list[float]:
    """Waits the client asked for, recorded instead of slept (pass `sleep=sleeps.append`).

    The server then sees every retry come at once, so the test's error-handling verdicts
    would call a patient client hasty: the test is left out of `--mockserver-report`.
    """
    request.applymarker(pytest.mark.mockserver_no_verdicts)
    return []


@pytest.fixture
def policy() -> RetryPolicy:
    """Fast retries for tests; `max_delay` still bounds what a Retry-After can ask for."""
    return RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=5.0, jitter=0.5)


class StatusReceiver:
    """A local HTTP endpoint that records status callbacks (form POSTs) sent to it."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                with receiver._lock:
                    receiver.received.append(form)
                    receiver._lock.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sms-status"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(
        self, predicate: Callable[[list[dict[str, str]]], bool], timeout: float = 10.0
    ) -> list[dict[str, str]]:
        """Block until `predicate(received)` holds; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"status callbacks not received in {timeout}s: {self.received}")
                self._lock.wait(left)
            return list(self.received)

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def status_receiver() -> Iterator[StatusReceiver]:
    """Where the mock posts this test's status callbacks (it must reach 127.0.0.1 here)."""
    receiver = StatusReceiver()
    yield receiver
    receiver.close()
