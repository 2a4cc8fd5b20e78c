"""The shipped magic test numbers (README "Magic values") do what the table says."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory

BASIC = "Basic " + base64.b64encode(b"PROJ:token").decode()
SW = "/signalwire/2010-04-01/Accounts/PROJ/Messages.json"


@pytest.fixture
async def fast(aiohttp_client: ClientFactory, make_services: Callable[..., Services]) -> TestClient:
    services = make_services(delivery_delay=0.05)
    return await aiohttp_client(create_app(services.settings, services))


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[Any]]]:
    got: list[Any] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.read())
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url("/hook")), got
    await server.close()


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": "+15005550001"}, 21211),
        ({"To": "+15005550002"}, 21612),
        ({"To": "+15005550003"}, 21408),
        ({"To": "+15005550004"}, 21610),
        ({"To": "+15005550009"}, 21614),
        ({"From": "+15005550001"}, 21212),
        ({"From": "+15005550007"}, 21606),
        ({"From": "+15005550008"}, 21611),
    ],
)
async def test_signalwire_sync_numbers(fast: TestClient, form: dict[str, str], code: int) -> None:
    data = {"To": "+15550100001", "From": "+15550100002", "Body": "hi", **form}
    resp = await fast.post(SW, data=data, headers={"Authorization": BASIC})
    body = await resp.json()
    assert (resp.status, body["code"]) == (400, code)


@pytest.mark.parametrize(
    ("to", "code", "status"),
    [
        ("+15005550010", "30003", "undelivered"),
        ("+15005550011", "30005", "undelivered"),
        ("+15005550012", "30006", "undelivered"),
        ("+15005550013", "30007", "undelivered"),
        ("+15005550014", "30008", "undelivered"),
    ],
)
async def test_signalwire_delivery_failures_arrive_by_callback(
    fast: TestClient, receiver: tuple[str, list[Any]], to: str, code: str, status: str
) -> None:
    url, got = receiver
    data = {"To": to, "From": "+15550100002", "Body": "hi", "StatusCallback": url}
    resp = await fast.post(SW, data=data, headers={"Authorization": BASIC})
    assert resp.status == 201
    for _ in range(100):
        if any(b"ErrorCode=" in item for item in got):
            break
        await asyncio.sleep(0.02)
    final = [item.decode() for item in got if b"ErrorCode=" in item]
    assert f"ErrorCode={code}" in final[0]
    assert f"MessageStatus={status}" in final[0]


SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"


async def _rc_token(client: TestClient) -> str:
    basic = "Basic " + base64.b64encode(b"client:secret").decode()
    resp = await client.post(
        "/ringcentral/restapi/oauth/token",
        headers={"Authorization": basic},
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "jwt"},
    )
    return str((await resp.json())["access_token"])


@pytest.mark.parametrize(
    ("to", "sender", "status", "code"),
    [
        ("+15005550001", "+15550100002", 400, "CMN-101"),
        ("+15005550002", "+15550100002", 400, "MSG-243"),
        ("+15550100001", "+15005550007", 403, "MSG-304"),
        ("+15550100001", "+15005550008", 403, "MSG-242"),
    ],
)
async def test_ringcentral_numbers(
    fast: TestClient, to: str, sender: str, status: int, code: str
) -> None:
    token = await _rc_token(fast)
    body = {"from": {"phoneNumber": sender}, "to": [{"phoneNumber": to}], "text": "hi"}
    resp = await fast.post(SMS, json=body, headers={"Authorization": f"Bearer {token}"})
    assert resp.status == status
    assert (await resp.json())["errorCode"] == code


async def _yeastar_token(client: TestClient) -> str:
    resp = await client.post(
        "/yeastar/openapi/v1.0/get_token",
        headers={"User-Agent": "OpenAPI"},
        json={"username": "id", "password": "secret"},
    )
    return str((await resp.json())["access_token"])


@pytest.mark.parametrize(
    ("path", "body", "errcode"),
    [
        ("call/dial", {"caller": "1001", "callee": "0745000401"}, 40002),
        ("call/dial", {"caller": "1001", "callee": "0745000403"}, 70084),
    ],
)
async def test_yeastar_numbers(
    fast: TestClient, path: str, body: dict[str, str], errcode: int
) -> None:
    token = await _yeastar_token(fast)
    resp = await fast.post(
        f"/yeastar/openapi/v1.0/{path}?access_token={token}",
        json=body,
        headers={"User-Agent": "OpenAPI"},
    )
    assert resp.status == 200
    assert (await resp.json())["errcode"] == errcode


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+61400000001", "NUMBER_NOT_FOUND"),
        ("+61400000002", "SMS_NOT_ENABLED"),
        ("+61400000003", "NO_SMS_AGREEMENT"),
    ],
)
async def test_fonedynamics_numbers(fast: TestClient, to: str, code: str) -> None:
    resp = await fast.post(
        "/fonedynamics/v2/Properties/PR1/Messages",
        json={"To": to, "Text": "hi"},
        headers={"Authorization": BASIC},
    )
    assert (await resp.json())["ResponseStatus"]["ErrorCode"] == code


@pytest.mark.parametrize(
    ("msisdn", "code"),
    [
        ("15005550001", "7102"),
        ("15005550002", "7109"),
        ("15005550003", "7203"),
        ("15005550004", "7207"),
        ("15005550005", "7103"),
        ("15005550006", "7208"),
    ],
)
async def test_webexconnect_numbers_fail_by_notification(
    fast: TestClient, receiver: tuple[str, list[Any]], msisdn: str, code: str
) -> None:
    url, got = receiver
    request = {
        "deliverychannel": "sms",
        "destination": [{"msisdn": [msisdn]}],
        "channels": {"sms": {"type": "1", "text": "hi"}},
        "notifyurl": url,
    }
    resp = await fast.post(
        "/webexconnect/resources/v1/messaging", json=request, headers={"key": "svc"}
    )
    assert (await resp.json())["response"][0]["code"] == "1001"
    for _ in range(100):
        codes = [json.loads(b)["deliveryInfoNotification"]["deliveryInfo"]["code"] for b in got]
        if code in codes:
            break
        await asyncio.sleep(0.02)
    assert code in codes


async def test_no_defaults_turns_them_off(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(defaults=False)
    client = await aiohttp_client(create_app(services.settings, services))
    data = {"To": "+15005550001", "From": "+15550100002", "Body": "hi"}
    resp = await client.post(SW, data=data, headers={"Authorization": BASIC})
    assert resp.status == 201


async def test_callback_attempts_are_journalled(
    fast: TestClient, receiver: tuple[str, list[Any]]
) -> None:
    url, _ = receiver
    data = {"To": "+15005550010", "From": "+15550100002", "Body": "hi", "StatusCallback": url}
    await fast.post(SW, data=data, headers={"Authorization": BASIC})
    for _ in range(100):
        journal = await (await fast.get("/__admin/requests?outcome=callback_attempt")).json()
        if any("ErrorCode" in r["body"] for r in journal["requests"]):
            break
        await asyncio.sleep(0.02)
    attempts = journal["requests"]
    assert {r["path"] for r in attempts} == {url}
    assert all(r["status"] == 200 and r["method"] == "POST" for r in attempts)
    assert any("ErrorCode=30003" in r["body"] for r in attempts)
    assert "attempt 1" in attempts[0]["reason"]
    unmatched = await (await fast.get("/__admin/requests/unmatched")).json()
    assert all(r["outcome"] != "callback_attempt" for r in unmatched["requests"])
