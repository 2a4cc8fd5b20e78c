"""Hundreds of parallel clients: triggers, rate limits and per-session journals stay exact."""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import Services

ClientFactory = Callable[..., Awaitable[TestClient]]
PATH = "/ringcentral/restapi/v1.0/concurrency"
CLIENTS = 250


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> TestClient:
    services = make_services(defaults=False, journal_size=10_000)
    return await aiohttp_client(create_app(services.settings, services))


@pytest.fixture
async def crowd() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session with no connection limit: every request gets its own connection."""
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, force_close=True)
    ) as session:
        yield session


async def load(client: TestClient, yaml_text: str) -> None:
    resp = await client.post("/__admin/scenarios", data=yaml_text)
    assert resp.status == 201, await resp.text()


async def hit(
    crowd: aiohttp.ClientSession, client: TestClient, session: str | None = None, path: str = PATH
) -> tuple[int, str | None]:
    """One request on its own connection: (status, the answer's errorCode)."""
    headers = {"X-Mock-Session": session} if session else {}
    async with crowd.get(client.make_url(path), headers=headers) as resp:
        body = json.loads(await resp.read())
        return resp.status, body.get("errorCode")


async def test_times_5_fires_exactly_5_times_under_250_parallel_clients(
    client: TestClient, crowd: aiohttp.ClientSession
) -> None:
    await load(
        client,
        f"""
name: five
vendor: ringcentral
rules:
  - name: five-429s
    match: {{method: GET, path: {PATH.removeprefix("/ringcentral")}}}
    times: 5
    delay: 0.01
    error: CMN-301
""",
    )
    answers = await asyncio.gather(*(hit(crowd, client) for _ in range(CLIENTS)))
    counted = collections.Counter(answers)
    assert counted[(429, "CMN-301")] == 5
    assert counted[(404, "AGW-404")] == CLIENTS - 5
    count = await client.get("/__admin/requests?rule=five-429s")
    assert len((await count.json())["requests"]) == 5
    metrics = await (await client.get("/__admin/metrics")).text()
    assert 'mockserver_rule_hits_total{rule="five-429s",scenario="five"} 5.0' in metrics


async def test_rate_limit_lets_exactly_10_per_session_through(
    client: TestClient, crowd: aiohttp.ClientSession
) -> None:
    await load(
        client,
        f"""
name: limited
vendor: ringcentral
rules:
  - match: {{path: {PATH.removeprefix("/ringcentral")}}}
    rate_limit: {{limit: 10, window: 60}}
""",
    )
    sessions = ["alpha", "beta", "gamma"]
    order = list(itertools.islice(itertools.cycle(sessions), 3 * 80))  # interleaved
    answers = await asyncio.gather(*(hit(crowd, client, s) for s in order))
    through = collections.Counter(
        s for s, (status, _) in zip(order, answers, strict=True) if status != 429
    )
    limited = collections.Counter(
        s for s, (_, code) in zip(order, answers, strict=True) if code == "CMN-301"
    )
    assert through == dict.fromkeys(sessions, 10)
    assert limited == dict.fromkeys(sessions, 70)


async def test_each_session_sees_exactly_its_own_journal(
    client: TestClient, crowd: aiohttp.ClientSession
) -> None:
    sessions = [f"s{n}" for n in range(4)]
    order = [s for _ in range(50) for s in sessions]
    answers = await asyncio.gather(
        *(hit(crowd, client, s, f"{PATH}/{s}/{i}") for i, s in enumerate(order))
    )
    assert all(status == 404 for status, _ in answers)
    for session in sessions:
        resp = await client.get(f"/__admin/requests?session={session}")
        entries = (await resp.json())["requests"]
        assert len(entries) == 50
        assert {e["session"] for e in entries} == {session}
        assert all(e["path"].startswith(f"/restapi/v1.0/concurrency/{session}/") for e in entries)
        count = await client.post(f"/__admin/requests/count?session={session}", json={"match": {}})
        assert (await count.json())["count"] == 50
    total = await client.get("/__admin/requests")
    assert len((await total.json())["requests"]) == 200


async def test_scenario_reloads_during_traffic_never_break_a_request(
    client: TestClient, crowd: aiohttp.ClientSession
) -> None:
    rule = f"""
name: flapping
vendor: ringcentral
rules:
  - match: {{path: {PATH.removeprefix("/ringcentral")}}}
    error: CMN-301
"""

    async def reload(n: int) -> int:
        resp = await client.post("/__admin/scenarios" if n % 2 else "/__admin/reset", data=rule)
        return resp.status

    traffic = [hit(crowd, client) for _ in range(CLIENTS)]
    reloads = [reload(n) for n in range(40)]
    results = await asyncio.gather(*traffic, *reloads)
    answers, statuses = results[:CLIENTS], results[CLIENTS:]
    assert set(statuses) <= {200, 201}
    assert set(answers) <= {(404, "AGW-404"), (429, "CMN-301")}
