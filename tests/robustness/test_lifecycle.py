"""Shutdown and cleanup: SIGTERM drains requests and callbacks; no task outlives its client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from aiohttp import web

from mockserver.callbacks.sender import Callback, CallbackSender
from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"listening on http://(127\.0\.0\.1):(\d+)")
GRACE = 10.0  # Settings.shutdown_grace


# ---- a real `python -m mockserver serve` process ------------------------------------------


class Served:
    """A server subprocess we started; only its own PID is ever signalled."""

    def __init__(self, *args: str, stderr: int = subprocess.DEVNULL) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--no-watch", *args]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        found = LISTENING.search(line)
        assert found, f"no banner: {line!r}"
        self.host, self.port = found[1], int(found[2])
        # keep draining stdout so the process never blocks on a full pipe
        self._drain = threading.Thread(target=self.proc.stdout.read, daemon=True)
        self._drain.start()

    def request(
        self, method: str, path: str, timeout: float = 15, **kw: object
    ) -> requests.Response:
        url = f"http://{self.host}:{self.port}{path}"
        return requests.request(method, url, timeout=timeout, **kw)  # type: ignore[arg-type]

    def term(self) -> None:
        os.kill(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._drain.join(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served()
    yield server
    server.stop()


def refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def in_background(fn: object) -> tuple[threading.Thread, dict[str, object]]:
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn()  # type: ignore[operator]
        except Exception as err:  # surfaced by the asserting test
            out["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_json_log_format_writes_one_json_object_per_stderr_line() -> None:
    server = Served("--log-format", "json", "--access-log", stderr=subprocess.PIPE)
    try:
        server.request("GET", "/yeastar/openapi/v1.0/extension/list?access_token=hush")
        server.term()
        assert server.proc.wait(GRACE) == 0
        assert server.proc.stderr is not None
        lines = server.proc.stderr.read().decode().splitlines()
    finally:
        server.stop()
    records = [json.loads(line) for line in lines]  # every line parses
    access = [r for r in records if r["logger"] == "mockserver.access"]
    assert len(access) == 1
    assert access[0]["query"] == "access_token=***"
    assert "hush" not in "\n".join(lines)


def test_binds_loopback_by_default(served: Served) -> None:
    assert served.host == "127.0.0.1"


def test_sigterm_idle_exits_zero_quickly(served: Served) -> None:
    assert served.request("GET", "/__admin/health").status_code == 200
    started = time.monotonic()
    served.term()
    assert served.proc.wait(GRACE) == 0
    assert time.monotonic() - started < 3


def test_sigterm_finishes_the_slow_request_then_refuses_and_exits_zero(served: Served) -> None:
    slow, out = in_background(
        lambda: served.request(
            "GET",
            "/ringcentral/restapi/v1.0/nothing",
            headers={"X-Mock-Delay": "1", "Connection": "close"},
        )
    )
    time.sleep(0.3)  # the request is now sleeping inside the server
    started = time.monotonic()
    served.term()
    time.sleep(0.3)
    assert refused(served.host, served.port)  # new connections are refused while it drains
    slow.join(5)
    answer = out.get("value")
    assert isinstance(answer, requests.Response), out
    assert answer.status_code == 404
    assert answer.json()["errorCode"] == "AGW-404"  # the in-flight request got its real answer
    assert served.proc.wait(GRACE) == 0
    assert time.monotonic() - started < GRACE


def test_sigterm_ends_a_hanging_fault_and_exits_zero_promptly(served: Served) -> None:
    hang, _ = in_background(
        # the client waits longer than the server may: only the server's shutdown ends the hang
        lambda: served.request(
            "GET", "/ringcentral/x", timeout=60, headers={"X-Mock-Fault": "hang"}
        )
    )
    time.sleep(0.3)
    started = time.monotonic()
    served.term()
    assert served.proc.wait(3 * GRACE) == 0
    hang.join(5)
    assert time.monotonic() - started < 3  # the hang ends on shutdown; no grace is waited out


# ---- delivery callbacks drain on shutdown --------------------------------------------------


class SlowReceiver:
    """An HTTP receiver on 127.0.0.1 that takes `delay` seconds to answer each callback."""

    def __init__(self, delay: float) -> None:
        received: list[tuple[float, bytes]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                received.append((time.monotonic(), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cb"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_sigterm_waits_for_pending_delivery_callbacks() -> None:
    receiver = SlowReceiver(delay=0.3)
    served = Served()
    try:
        project = "6b1f3d2e-0000-4000-8000-00000000abcd"
        auth = "Basic " + base64.b64encode(f"{project}:token".encode()).decode()
        sent = served.request(
            "POST",
            f"/signalwire/2010-04-01/Accounts/{project}/Messages.json",
            headers={"Authorization": auth},
            data={
                "To": "+15550100001",
                "From": "+15550100002",
                "Body": "hi",
                "StatusCallback": receiver.url,
            },
        )
        pending = served.request("GET", "/__admin/callbacks").json()["pending"]
        if sent.status_code != 201 or not pending:
            pytest.skip(f"SignalWire sends no status callbacks yet ({sent.status_code})")
        terminated = time.monotonic()
        served.term()
        assert served.proc.wait(GRACE + 5) == 0
        # every callback still arrived, after SIGTERM: the process drained them before exiting
        assert len(receiver.received) >= pending
        assert max(at for at, _ in receiver.received) > terminated
    finally:
        served.stop()
        receiver.close()


async def slow_app(delay: float) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/cb", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)  # the test ends before a slow handler
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/cb"


def callback(url: str) -> Callback:
    return Callback(
        vendor="signalwire", session="s", url=url, body=b"x=1", content_type="text/plain"
    )


async def test_close_waits_for_a_delivery_within_the_grace() -> None:
    runner, url = await slow_app(delay=0.4)
    sender = CallbackSender()
    record = sender.schedule(callback(url))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await sender.close(grace=5)
    assert 0.3 < time.monotonic() - started < 2
    assert record.outcome == "delivered"
    assert (sender.sent, sender.pending) == (1, 0)
    await runner.cleanup()


async def test_close_cancels_deliveries_beyond_the_grace() -> None:
    runner, url = await slow_app(delay=5)
    sender = CallbackSender()
    record = sender.schedule(callback(url))
    await asyncio.sleep(0.05)
    before = len(asyncio.all_tasks())
    started = time.monotonic()
    await sender.close(grace=0.3)
    assert time.monotonic() - started < 1.5
    assert sender.pending == 0
    assert record.outcome == "pending"  # cut short, never reported as delivered
    assert len(asyncio.all_tasks()) < before  # the delivery task is gone, not orphaned
    await runner.cleanup()


# ---- no task outlives a client that gave up ------------------------------------------------


@pytest.fixture
def thread_server() -> Iterator[ServerThread]:
    with ServerThread(Settings(watch_interval=0)) as server:
        yield server


def tasks(server: ServerThread) -> list[str]:
    """The server loop's tasks, other than the one asking."""

    async def names() -> list[str]:
        me = asyncio.current_task()
        return sorted(repr(t.get_coro()) for t in asyncio.all_tasks() if t is not me)

    return asyncio.run_coroutine_threadsafe(names(), server._loop).result(5)


def settle(server: ServerThread, baseline: int, within: float) -> list[str]:
    """Wait until the loop is back to `baseline` tasks; the leftovers if it never is."""
    deadline = time.monotonic() + within
    while (left := tasks(server)) and len(left) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    return left if len(left) > baseline else []


def baseline(server: ServerThread) -> int:
    requests.get(server.url + "/__admin/health", headers={"Connection": "close"}, timeout=5)
    time.sleep(0.1)
    return len(tasks(server))


def raw(
    server: ServerThread, headers: str, read: int, path: str = "/ringcentral/restapi/v1.0/x"
) -> bytes:
    """Send a GET, read at most `read` bytes, then drop the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        return conn.recv(read) if read else b""


def test_hang_ends_when_the_client_gives_up(thread_server: ServerThread) -> None:
    base = baseline(thread_server)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(
            thread_server.url + "/ringcentral/x", headers={"X-Mock-Fault": "hang"}, timeout=0.3
        )
    assert settle(thread_server, base, within=3) == []


def test_drip_ends_when_the_client_leaves_mid_response(thread_server: ServerThread) -> None:
    base = baseline(thread_server)
    head = raw(thread_server, "X-Mock-Fault: drip\r\n", read=64)
    assert head.startswith(b"HTTP/1.1 404")
    assert settle(thread_server, base, within=5) == []


def test_drip_to_the_end_leaves_nothing(thread_server: ServerThread) -> None:
    base = baseline(thread_server)
    headers = {"X-Mock-Fault": "drip", "Connection": "close"}
    got = requests.get(thread_server.url + "/yeastar/x", headers=headers, timeout=30)
    assert got.json()["errcode"] == 10001
    assert settle(thread_server, base, within=3) == []


@pytest.mark.parametrize("fault", ["reset", "empty", "truncate", "malformed", "html502"])
def test_quick_faults_leave_nothing(thread_server: ServerThread, fault: str) -> None:
    base = baseline(thread_server)
    with contextlib.suppress(OSError):
        raw(thread_server, f"X-Mock-Fault: {fault}\r\nConnection: close\r\n", read=65536)
    assert settle(thread_server, base, within=3) == []


def test_delayed_answer_to_a_departed_client_ends_after_its_delay(
    thread_server: ServerThread,
) -> None:
    base = baseline(thread_server)
    raw(thread_server, "X-Mock-Delay: 0.5\r\n", read=0)  # connect, ask, leave at once
    assert settle(thread_server, base, within=3) == []
    conn = http.client.HTTPConnection("127.0.0.1", thread_server.port, timeout=5)
    conn.request("GET", "/__admin/health")
    assert conn.getresponse().status == 200  # and the server keeps serving
    conn.close()
