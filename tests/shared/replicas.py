"""Two servers sharing one Redis, and plain HTTP helpers for driving them concurrently."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests

from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread

PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
SIGNALWIRE = f"/signalwire/2010-04-01/Accounts/{PROJECT}"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{PROJECT}:PT-secret".encode()).decode()}
FORM = {"To": "+15550100001", "From": "+15550100002", "Body": "hello"}


@contextmanager
def replicas(url: str, n: int = 2, **settings: Any) -> Iterator[list[ServerThread]]:
    """`n` servers on free loopback ports, all with `--store url`."""
    servers = [ServerThread(Settings(store=url, watch_interval=0, **settings)) for _ in range(n)]
    try:
        yield [s.start() for s in servers]
    finally:
        for server in servers:
            server.stop()


def send_sms(server: ServerThread, session: str = "s", **form: str) -> requests.Response:
    """A compat Messages create."""
    headers = {**AUTH, "X-Mock-Session": session}
    data = {**FORM, **form}
    return requests.post(
        f"{server.url}{SIGNALWIRE}/Messages.json", data=data, headers=headers, timeout=30
    )


def spread(servers: list[ServerThread], count: int, session: str = "s") -> list[requests.Response]:
    """`count` SMS sends at once, alternating between the servers."""
    with ThreadPoolExecutor(max_workers=40) as pool:
        jobs = [pool.submit(send_sms, servers[i % len(servers)], session) for i in range(count)]
        return [job.result() for job in jobs]


def load(server: ServerThread, text: str, session: str | None = None) -> None:
    """Load a scenario through one server's admin API."""
    headers = {"Content-Type": "application/yaml"}
    params = {"session": session} if session else {}
    url = f"{server.url}/__admin/scenarios"
    resp = requests.post(url, data=text, headers=headers, params=params, timeout=10)
    assert resp.status_code == 201, resp.text


def journal(server: ServerThread, **query: str) -> list[dict[str, Any]]:
    """The journal as one server shows it."""
    resp = requests.get(
        f"{server.url}/__admin/requests", params={"limit": "10000", **query}, timeout=10
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["requests"]  # type: ignore[no-any-return]
