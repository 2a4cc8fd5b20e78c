"""SignalWire compat call updates: hang up, cancel and redirect (POST .../Calls/{Sid}.json)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import SERVICES, Services
from tests.conftest import ClientFactory
from tests.test_happy_signalwire import AUTH, BASE, Clock

CALLS = BASE + "/Calls.json"
CREATE = {"To": "+15550100001", "From": "+15550100002", "Url": "https://example.com/cxml"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], clock: Clock
) -> TestClient:
    """Calls ring at 25 s, are answered at 50 s and end by themselves at 100 s."""
    services = make_services(delivery_delay=100.0, shutdown_grace=0.1)
    services.env.clock = clock
    return await aiohttp_client(create_app(services.settings, services))


async def place(client: TestClient) -> str:
    resp = await client.post(CALLS, data=CREATE, headers=AUTH)
    assert resp.status == 200  # the spec's status for create_a_call
    return f"{BASE}/Calls/{(await resp.json())['sid']}.json"


async def update(client: TestClient, url: str, **form: str) -> tuple[int, Any]:
    resp = await client.post(url, data=form, headers=AUTH)
    return resp.status, await resp.json()


async def fetch(client: TestClient, url: str) -> Any:
    return await (await client.get(url, headers=AUTH)).json()


async def test_hang_up_a_live_call_and_it_stays_completed(client: TestClient, clock: Clock) -> None:
    url = await place(client)
    clock.now += 60
    assert (await fetch(client, url))["status"] == "in-progress"
    clock.now += 10
    status, body = await update(client, url, Status="completed")
    assert (status, body["status"]) == (200, "completed")
    assert body["duration"] == 20  # answered at 50 s, hung up at 70 s
    assert body["end_time"]
    clock.now += 3600
    later = await fetch(client, url)
    assert (later["status"], later["duration"], later["end_time"]) == (
        "completed",
        20,
        body["end_time"],
    )


async def test_cancel_a_queued_or_ringing_call(client: TestClient, clock: Clock) -> None:
    queued = await place(client)
    status, body = await update(client, queued, Status="canceled")
    assert (status, body["status"], body["duration"], body["start_time"]) == (
        200,
        "canceled",
        0,
        None,
    )
    ringing = await place(client)
    clock.now += 30
    assert (await update(client, ringing, Status="canceled"))[1]["status"] == "canceled"
    clock.now += 3600
    assert (await fetch(client, ringing))["status"] == "canceled"


async def test_cancel_an_answered_call_is_21220(client: TestClient, clock: Clock) -> None:
    url = await place(client)
    clock.now += 60
    status, body = await update(client, url, Status="canceled")
    assert (status, body["code"], body["message"]) == (400, 21220, "Invalid call state")
    assert (await fetch(client, url))["status"] == "in-progress"


async def test_an_ended_call_cannot_be_updated(client: TestClient, clock: Clock) -> None:
    url = await place(client)
    clock.now += 120
    for form in ({"Status": "completed"}, {"Url": "https://example.com/next"}):
        status, body = await update(client, url, **form)
        assert (status, body["code"]) == (400, 21220)


async def test_redirect_keeps_the_call_going(client: TestClient, clock: Clock) -> None:
    url = await place(client)
    clock.now += 60
    for form in ({"Url": "https://example.com/next", "Method": "GET"}, {"Twiml": "<Response/>"}):
        status, body = await update(client, url, **form)
        assert (status, body["status"]) == (200, "in-progress")


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"Status": "busy"}, 20422),
        ({"Url": "not a url"}, 21205),
        ({"Method": "PUT"}, 21209),
        ({"StatusCallback": "ftp://example.com/cb"}, 21609),
    ],
)
async def test_bad_update_fields_are_catalogued(
    client: TestClient, form: dict[str, str], code: int
) -> None:
    url = await place(client)
    status, body = await update(client, url, **form)
    assert (status, body["code"]) == (400, code)
    assert (await fetch(client, url))["status"] == "queued"


async def test_unknown_call_is_20404(client: TestClient) -> None:
    status, body = await update(client, f"{BASE}/Calls/nope.json", Status="completed")
    assert (status, body["code"]) == (404, 20404)


async def test_hang_up_posts_the_final_status_callback(client: TestClient, clock: Clock) -> None:
    form = {**CREATE, "StatusCallback": "http://127.0.0.1:9/status"}
    resp = await client.post(CALLS, data=form, headers=AUTH)
    url = f"{BASE}/Calls/{(await resp.json())['sid']}.json"
    clock.now += 60
    await update(client, url, Status="completed")
    sent = client.app[SERVICES].env.callbacks.records()
    final = [r.callback for r in sent if r.callback.delay == 0.0]
    assert [(c.event, c.url) for c in final] == [("completed", "http://127.0.0.1:9/status")]
    assert b"CallStatus=completed" in final[0].body
    assert b"CallDuration=10" in final[0].body


async def test_hang_up_withdraws_the_statuses_the_call_never_reaches(
    client: TestClient, clock: Clock
) -> None:
    form = {
        **CREATE,
        "StatusCallback": "http://127.0.0.1:9/status",
        "StatusCallbackEvent": "initiated ringing answered completed",
    }
    resp = await client.post(CALLS, data=form, headers=AUTH)
    url = f"{BASE}/Calls/{(await resp.json())['sid']}.json"
    sender = client.app[SERVICES].env.callbacks
    natural = {r.callback.event for r in sender.records()}
    assert "completed" in natural  # the call's own end, 100 s in, was scheduled
    clock.now += 30  # ringing, not answered
    await update(client, url, Status="canceled")
    records = sender.records()
    later = [(r.callback.event, r.outcome) for r in records[:-1] if r.callback.delay > 0]
    # the statuses still ahead when the call ended are withdrawn (`initiated`, due at once,
    # was already attempted and keeps its own outcome); the final `canceled` is sent
    assert later == [(event, "canceled") for event, _ in later]
    assert {event for event, _ in later} >= {"ringing", "completed"}
    assert (records[-1].callback.event, records[-1].outcome) == ("canceled", "pending")
    assert sender.canceled == len(later)
