"""Each transport fault, observed from real clients as the failure it is meant to be."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Iterator

import aiohttp
import pytest
import requests

from mockserver.testing import ServerThread

PATH = "/signalwire/2010-04-01/Accounts/P/Messages.json"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread() as running:
        yield running


def _get(server: ServerThread, fault: str, timeout: float = 5) -> requests.Response:
    return requests.get(server.url + PATH, headers={"X-Mock-Fault": fault}, timeout=timeout)


def test_reset_is_a_connection_error(server: ServerThread) -> None:
    with pytest.raises(requests.ConnectionError):
        _get(server, "reset")


def test_empty_reply_is_a_disconnect(server: ServerThread) -> None:
    with pytest.raises(requests.ConnectionError):
        _get(server, "empty")


def test_hang_is_a_client_timeout(server: ServerThread) -> None:
    with pytest.raises(requests.ReadTimeout):
        _get(server, "hang", timeout=0.5)


def test_truncated_body_is_a_payload_error(server: ServerThread) -> None:
    async def fetch() -> None:
        headers = {"X-Mock-Fault": "truncate"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(server.url + PATH, headers=headers) as r,
        ):
            await r.read()

    with pytest.raises(aiohttp.ClientPayloadError):
        asyncio.run(fetch())


def test_malformed_json_fails_to_parse(server: ServerThread) -> None:
    resp = _get(server, "malformed")
    assert resp.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.text)


@pytest.mark.parametrize("status", [502, 503])
def test_gateway_html_page(server: ServerThread, status: int) -> None:
    resp = _get(server, f"html{status}")
    assert resp.status_code == status
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "<html>" in resp.text


def test_drip_delivers_the_whole_body_slowly(server: ServerThread) -> None:
    started = time.perf_counter()
    resp = requests.get(server.url + PATH, headers={"X-Mock-Fault": "drip"}, timeout=30)
    assert resp.json()["code"] in (20404, 20003)
    # 16-byte chunks every 0.2 s: a ~150-byte body takes well over a second
    assert time.perf_counter() - started >= 1.0


def test_server_survives_every_fault(server: ServerThread) -> None:
    resp = requests.get(server.url + "/__admin/health", timeout=5)
    assert resp.json()["status"] == "ok"


def test_hang_leaves_no_task_behind(server: ServerThread) -> None:
    with pytest.raises(requests.ReadTimeout):
        _get(server, "hang", timeout=0.3)

    async def count() -> int:
        # every task but this probe: a hung handler would still be one
        return len(asyncio.all_tasks()) - 1

    deadline = 30
    while deadline:
        left = asyncio.run_coroutine_threadsafe(count(), server._loop).result(5)
        if left == 0:
            break
        deadline -= 1
        asyncio.run(asyncio.sleep(0.1))
    assert left == 0


def _journal(server: ServerThread, session: str) -> list[dict[str, object]]:
    url = f"{server.url}/__admin/requests?session={session}"
    entries: list[dict[str, object]] = requests.get(url, timeout=5).json()["requests"]
    return entries


def _await_journal(server: ServerThread, session: str) -> list[dict[str, object]]:
    # the server answers in its own thread: give it a moment to decide, never a threshold
    for _ in range(100):
        entries = _journal(server, session)
        if entries:
            return entries
        time.sleep(0.05)
    return []


def _idle(server: ServerThread) -> bool:
    async def count() -> int:
        return len(asyncio.all_tasks()) - 1  # every task but this probe

    for _ in range(100):
        if asyncio.run_coroutine_threadsafe(count(), server._loop).result(5) == 0:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(
    ("headers", "status", "rule"),
    [
        ({"X-Mock-Fault": "hang"}, 499, "header:X-Mock-Fault"),
        ({"X-Mock-Delay": "30", "X-Mock-Error": "20404"}, 404, "header:X-Mock-Error"),
    ],
)
def test_a_request_still_waiting_is_already_journalled(
    server: ServerThread, headers: dict[str, str], status: int, rule: str
) -> None:
    session = f"waiting-{status}"
    waiting = {**headers, "X-Mock-Session": session}

    async def ask() -> None:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            task = asyncio.ensure_future(client.get(server.url + PATH, headers=waiting))
            # while the client still waits, the journal lists the request with its outcome
            entries = await asyncio.to_thread(_await_journal, server, session)
            task.cancel()  # then it gives up
            assert [(e["status"], e["path"]) for e in entries] == [(status, PATH[11:])]
            assert entries[0]["rule"] == rule

    asyncio.run(ask())
    assert _idle(server)
    assert len(_journal(server, session)) == 1  # journalled once, not again when it ended


def test_an_abandoned_drip_is_journalled_once_without_a_traceback(
    server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    head = (
        f"GET {PATH} HTTP/1.1\r\nHost: x\r\nX-Mock-Fault: drip\r\n"
        "X-Mock-Session: drip-abandoned\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head.encode())
        assert sock.recv(64).startswith(b"HTTP/1.1 ")  # the drip has started
    assert _idle(server)  # its handler ended once the client left
    [entry] = _journal(server, "drip-abandoned")
    assert (entry["outcome"], entry["rule"]) == ("fault", "header:X-Mock-Fault")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
