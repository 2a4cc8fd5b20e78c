"""The journal names the catalogued error (and the wait) each request was answered with."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockserver.journal.entry import seconds
from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.vendors import VENDORS
from tests.conftest import ClientFactory

PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{PROJECT}:PT-token".encode()).decode()}
SEND = f"/signalwire/2010-04-01/Accounts/{PROJECT}/Messages.json"
FORM = {"To": "+15550100001", "From": "+15550100002", "Body": "hello"}
RATE = """
name: limited
vendor: signalwire
rules:
  - {name: one-a-minute, match: {method: POST}, rate_limit: {limit: 1, window: 60}}
"""


async def last(client: TestClient) -> dict[str, Any]:
    journal = await (await client.get("/__admin/requests")).json()
    entry: dict[str, Any] = journal["requests"][-1]
    return entry


async def served(client: TestClient, form: dict[str, str], **headers: str) -> tuple[Any, ...]:
    resp = await client.post(SEND, data={**FORM, **form}, headers={**AUTH, **headers})
    entry = await last(client)
    return resp.status, entry["error"], entry["retry_after"]


@pytest.mark.parametrize(
    ("form", "headers", "expected"),
    [
        ({}, {}, (201, None, None)),
        ({}, {"X-Mock-Error": "20429", "X-Mock-Retry-After": "2"}, (429, "20429", 2.0)),
        ({}, {"X-Mock-Error": "21211"}, (400, "21211", None)),
        ({"To": "+15005550001"}, {}, (400, "21211", None)),  # a magic value
        ({"To": "5550100001"}, {}, (400, "21211", None)),  # the handler's own validation
        ({}, {"X-Mock-Fault": "html502"}, (502, "fault:html502", None)),
    ],
)
async def test_each_way_of_serving_an_error_is_journalled(
    client: TestClient, form: dict[str, str], headers: dict[str, str], expected: tuple[Any, ...]
) -> None:
    assert await served(client, form, **headers) == expected


async def test_a_rate_limit_rule_journals_the_vendor_429_and_its_wait(client: TestClient) -> None:
    resp = await client.post("/__admin/scenarios", data=RATE.encode())
    assert resp.status == 201
    assert (await served(client, {}))[1] is None
    status, error, wait = await served(client, {})
    assert (status, error) == (429, VENDORS["signalwire"].rate_limit_key)
    assert wait is not None
    assert wait > 0


async def test_the_not_found_answer_is_journalled(client: TestClient) -> None:
    resp = await client.get("/signalwire/no/such/thing", headers=AUTH)
    assert (await last(client))["error"] == VENDORS["signalwire"].not_found_key
    assert resp.status == 404


async def test_the_too_large_answer_is_journalled(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(max_body=64)
    client = await aiohttp_client(create_app(services.settings, services))
    status, error, _ = await served(client, {"Body": "x" * 200})
    assert (status, error) == (413, VENDORS["signalwire"].too_large_key)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), ("2", 2.0), ("0.5", 0.5), ("-1", None), ("inf", None), ("soon", None)],
)
def test_retry_after_seconds(raw: str | None, expected: float | None) -> None:
    assert seconds(raw) == expected
