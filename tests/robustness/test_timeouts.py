"""Per-connection deadlines: a stalled body gets a 408, a stalled head or idle connection is closed."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import aiohttp
import pytest

from mockserver.settings import Settings
from mockserver.testing import ServerThread

SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    settings = Settings(read_timeout=0.3, keepalive_timeout=0.3, defaults=False)
    with ServerThread(settings) as running:
        yield running


def _connect(server: ServerThread) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.settimeout(5)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_stalled_body_gets_408_and_the_connection_closes(server: ServerThread) -> None:
    with _connect(server) as sock:
        head = f"POST {SMS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        sock.sendall((head + "Content-Length: 100\r\n\r\n{}").encode())
        started = time.monotonic()
        answer = _read_all(sock)  # returns only once the server closes
        assert time.monotonic() - started < 4
        status, _, rest = answer.partition(b"\r\n")
        assert status == b"HTTP/1.1 408 Request Timeout"
        body = json.loads(rest.partition(b"\r\n\r\n")[2])
        assert body["error"] == "read_timeout"
        assert "0.3s" in body["message"]
        entries = server.services.store.journal()
        assert [(e.outcome, e.status, e.rule) for e in entries] == [
            ("timeout", 408, "read-timeout")
        ]


def test_a_body_that_arrives_in_time_is_answered_normally(server: ServerThread) -> None:
    with _connect(server) as sock:
        head = f"POST {SMS} HTTP/1.1\r\nHost: x\r\nX-Mock-Error: CMN-301\r\nConnection: close\r\n"
        sock.sendall((head + "Content-Length: 2\r\n\r\n{").encode())
        time.sleep(0.1)
        sock.sendall(b"}")
        assert _read_all(sock).startswith(b"HTTP/1.1 429 ")


def test_an_idle_keep_alive_connection_is_closed(server: ServerThread) -> None:
    with _connect(server) as sock:
        sock.sendall(f"GET {SMS} HTTP/1.1\r\nHost: x\r\nX-Mock-Error: CMN-301\r\n\r\n".encode())
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 429 ")
        started = time.monotonic()
        assert _read_all(sock) == b""  # the server hung up on the idle connection
        assert time.monotonic() - started < 4


# aiohttp closes a connection that never completes a request head only from 3.14.4 on
# (aio-libs/aiohttp#13681): before, --keepalive-timeout started with the first answer
_HEAD_TIMEOUT = tuple(int(p) for p in aiohttp.__version__.split(".")[:3]) >= (3, 14, 4)


@pytest.mark.skipif(not _HEAD_TIMEOUT, reason="aiohttp < 3.14.4 has no timeout for a request head")
@pytest.mark.parametrize("sent", [b"", b"GET /ringcentral/x HT", b"GET / HTTP/1.1\r\nHost: x\r\n"])
def test_a_request_head_that_never_completes_is_cut_off(server: ServerThread, sent: bytes) -> None:
    # slowloris: nothing, half a request line, or headers without their final blank line
    with _connect(server) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        assert _read_all(sock) == b""  # closed by the server, no answer
        assert time.monotonic() - started < 4


def test_the_server_keeps_serving_after_timeouts(server: ServerThread) -> None:
    for _ in range(3):
        with _connect(server) as sock:
            sock.sendall(f"POST {SMS} HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n".encode())
            assert _read_all(sock).startswith(b"HTTP/1.1 408 ")
    with _connect(server) as sock:
        sock.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 200 ")
