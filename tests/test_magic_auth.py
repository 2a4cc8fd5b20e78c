"""The shipped magic values answer only requests the vendor's own auth check accepts."""

from __future__ import annotations

import base64
from typing import Any

from aiohttp.test_utils import TestClient


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


async def answer(resp: Any) -> tuple[int, Any]:
    return resp.status, await resp.json(content_type=None)


async def last_rule(client: TestClient) -> Any:
    entries = (await (await client.get("/__admin/requests")).json())["requests"]
    return entries[-1]["rule"]


# --- Fone Dynamics -----------------------------------------------------------------------

FD = "/fonedynamics/v2/Properties/PR0001/Messages"
FD_MAGIC = {"From": "+61400000100", "To": "+61400000001", "Text": "hi"}


async def test_fonedynamics_unauthenticated_magic_number_gets_401(client: TestClient) -> None:
    status, body = await answer(await client.post(FD, json=FD_MAGIC))
    assert (status, body["ResponseStatus"]["ErrorCode"]) == (401, "FORBIDDEN")


async def test_fonedynamics_authenticated_magic_number_gets_its_error(client: TestClient) -> None:
    status, body = await answer(await client.post(FD, json=FD_MAGIC, headers=basic("AC1", "t")))
    assert (status, body["ResponseStatus"]["ErrorCode"]) == (400, "NUMBER_NOT_FOUND")


async def test_user_rules_and_headers_still_fire_before_auth(client: TestClient) -> None:
    rule = {"name": "mine", "match": {"method": "POST"}, "error": "SMS_NOT_ENABLED"}
    scenario = {"name": "user", "vendor": "fonedynamics", "rules": [rule]}
    assert (await client.post("/__admin/scenarios", json=scenario)).status == 201
    status, body = await answer(await client.post(FD, json=FD_MAGIC))
    assert (status, body["ResponseStatus"]["ErrorCode"]) == (403, "SMS_NOT_ENABLED")


async def test_header_injection_still_fires_before_auth(client: TestClient) -> None:
    headers = {"X-Mock-Error": "NO_SMS_AGREEMENT"}
    status, body = await answer(await client.post(FD, json=FD_MAGIC, headers=headers))
    assert (status, body["ResponseStatus"]["ErrorCode"]) == (403, "NO_SMS_AGREEMENT")


# --- RingCentral -------------------------------------------------------------------------

RC_SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
RC_MAGIC = {"from": {"phoneNumber": "+16505550100"}, "to": [{"phoneNumber": "+15005550001"}],
            "text": "hi"}  # fmt: skip


async def rc_token(client: TestClient) -> str:
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c"}
    resp = await client.post(
        "/ringcentral/restapi/oauth/token", data=form, headers=basic("client", "secret")
    )
    return str((await resp.json())["access_token"])


async def test_ringcentral_magic_number_waits_for_the_bearer_token(client: TestClient) -> None:
    status, body = await answer(await client.post(RC_SMS, json=RC_MAGIC))
    assert (status, body["errorCode"]) == (401, "OAU-134")
    headers = {"Authorization": f"Bearer {await rc_token(client)}"}
    status, body = await answer(await client.post(RC_SMS, json=RC_MAGIC, headers=headers))
    assert (status, body["errorCode"]) == (400, "CMN-101")


# --- SignalWire --------------------------------------------------------------------------

PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
SW = f"/signalwire/2010-04-01/Accounts/{PROJECT}/Messages.json"
SW_MAGIC = {"To": "+15005550001", "From": "+15550001111", "Body": "hi"}


async def test_signalwire_magic_number_waits_for_basic_auth(client: TestClient) -> None:
    status, body = await answer(await client.post(SW, data=SW_MAGIC))
    assert (status, body["code"]) == (401, 20003)
    headers = basic(PROJECT, "PT-token")
    status, body = await answer(await client.post(SW, data=SW_MAGIC, headers=headers))
    assert (status, body["code"]) == (400, 21211)


# --- Webex Connect -----------------------------------------------------------------------

WX = "/webexconnect/resources/v1/messaging"
WX_MAGIC = {
    "deliverychannel": "sms",
    "destination": [{"msisdn": ["15005550001"]}],
    "channels": {"sms": {"type": "1", "text": "Hello", "senderid": "ACME"}},
}


async def test_webexconnect_magic_callback_waits_for_the_service_key(client: TestClient) -> None:
    status, body = await answer(await client.post(WX, json=WX_MAGIC))
    assert (status, body["response"][0]["code"]) == (401, "7002")
    assert await last_rule(client) is None  # the magic rule neither fired nor counted
    resp = await client.post(WX, json=WX_MAGIC, headers={"key": "service-key"})
    assert resp.status == 200, await resp.text()  # accepted; the callback carries 7102
    assert await last_rule(client) == "invalid-address"


# --- Yeastar -----------------------------------------------------------------------------

YS = "/yeastar/openapi/v1.0"
YS_MAGIC = {"caller": "1001", "callee": "0745000401"}


async def test_yeastar_magic_callee_waits_for_the_access_token(client: TestClient) -> None:
    status, body = await answer(await client.post(f"{YS}/call/dial", json=YS_MAGIC))
    assert (status, body["errcode"]) == (200, 10004)
    login = {"username": "u", "password": "p"}
    token = (await (await client.post(f"{YS}/get_token", json=login)).json())["access_token"]
    resp = await client.post(f"{YS}/call/dial", json=YS_MAGIC, params={"access_token": token})
    status, body = await answer(resp)
    assert (status, body["errcode"]) == (200, 40002)
