"""Each transport fault, observed from real clients as the failure it is meant to be."""

from __future__ import annotations

import asyncio
import json
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
