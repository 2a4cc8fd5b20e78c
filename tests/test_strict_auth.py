"""Strict auth mode (`Settings.credentials`, `--credentials NAME=ID:SECRET`) for every vendor.

A named vendor accepts only its configured pair and answers anything else with the error its
auth code already gives for bad credentials; vendors not named stay lenient.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from mockserver.cli import main
from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.vendors.signalwire.envelope import COMPAT_MORE_INFO
from tests.conftest import ClientFactory

Client = TestClient[web.Request, web.Application]
Start = Callable[..., Awaitable[Client]]

# SignalWire
SW_PROJECT, SW_TOKEN = "6b1f3d2e-0000-4000-8000-00000000abcd", "PT-strict-token"
SW_OTHER = "0c9d2e11-1111-4000-8000-0000000000ff"
SW_DENIED = {"code": 20003, "message": "Permission Denied", "more_info": COMPAT_MORE_INFO}
# Fone Dynamics
FD_MESSAGES = "/fonedynamics/v2/Properties/PR0001/Messages"
FD_DENIED = {
    "ResponseStatus": {
        "ErrorCode": "FORBIDDEN",
        "Message": "A request could not be processed due to missing permissions.",
    }
}
# RingCentral
RC_TOKEN = "/ringcentral/restapi/oauth/token"
RC_REVOKE = "/ringcentral/restapi/oauth/revoke"
RC_SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
RC_JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
RC_DENIED = {
    "error": "invalid_client",
    "errors": [{"errorCode": "OAU-146", "message": "Invalid client credentials"}],
    "error_description": "Invalid client credentials",
}
# Yeastar
YS_API = "/yeastar/openapi/v1.0"
YS_DENIED = (
    '{"errcode":-1,"errmsg":"FAILURE",'
    '"invalid_param_list":[{"field":"username or password","value":"error"}]}'
)
# Webex Connect
WX_MESSAGING = "/webexconnect/resources/v1/messaging"
WX_EVENTS = "/webexconnect/resources/v1/events/externalevent"
WX_SMS = "/webexconnect/v1/sms/messages"
WX_SERVICE, WX_KEY = "svc-1", "service-key-1"


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def jwt(issuer: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'iss': issuer, 'iat': 1})}.c2ln"


def wx_sms_request(**extra: Any) -> dict[str, Any]:
    return {
        "deliverychannel": "sms",
        "destination": [{"msisdn": ["919000000001"]}],
        "channels": {"sms": {"type": "1", "text": "Hello", "senderid": "ACME"}},
        **extra,
    }


def without_transid(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [{k: v for k, v in i.items() if k != "transid"} for i in answer["response"]]


@pytest.fixture
def start(aiohttp_client: ClientFactory, make_services: Callable[..., Services]) -> Start:
    async def start(**credentials: tuple[str, str]) -> Client:
        services = make_services(credentials=credentials, delivery_delay=60, shutdown_grace=0.0)
        return await aiohttp_client(create_app(services.settings, services))

    return start


# --- SignalWire ----------------------------------------------------------------------------


async def sw_send(client: Client, project: str, token: str) -> tuple[int, Any]:
    path = f"/signalwire/2010-04-01/Accounts/{project}/Messages.json"
    form = {"To": "+15550100001", "From": "+15550100002", "Body": "hello"}
    resp = await client.post(path, data=form, headers=basic(project, token))
    return resp.status, await resp.json()


async def test_signalwire_strict_pair_sends(start: Start) -> None:
    client = await start(signalwire=(SW_PROJECT, SW_TOKEN))
    status, body = await sw_send(client, SW_PROJECT, SW_TOKEN)
    assert (status, body["account_sid"], body["status"]) == (201, SW_PROJECT, "queued")
    rest = await client.post(
        "/signalwire/api/messaging/messages",
        json={"to": "+15550100001", "from": "+15550100002", "body": "x"},
        headers=basic(SW_PROJECT, SW_TOKEN),
    )
    assert rest.status < 300, await rest.text()
    assert (await rest.json())["id"]


@pytest.mark.parametrize(
    ("project", "token"), [(SW_PROJECT, "PT-wrong"), (SW_OTHER, SW_TOKEN), (SW_OTHER, "x")]
)
async def test_signalwire_strict_refuses_other_pairs(
    start: Start, project: str, token: str
) -> None:
    client = await start(signalwire=(SW_PROJECT, SW_TOKEN))
    # the path names the Basic username, so only strict mode can refuse the pair
    assert await sw_send(client, project, token) == (401, {**SW_DENIED, "status": 401})
    rest = await client.post(
        "/signalwire/api/messaging/messages",
        json={"to": "+15550100001", "from": "+15550100002", "body": "x"},
        headers=basic(project, token),
    )
    assert (rest.status, await rest.json()) == (401, {"error": "Unauthorized"})


# --- Fone Dynamics -------------------------------------------------------------------------


async def fd_send(client: Client, headers: dict[str, str]) -> tuple[int, Any]:
    resp = await client.post(FD_MESSAGES, json={"To": "+61400111222", "Text": "x"}, headers=headers)
    return resp.status, await resp.json()


async def test_fonedynamics_strict_pair_sends(start: Start) -> None:
    client = await start(fonedynamics=("AC0001", "fd-token"))
    status, body = await fd_send(client, basic("AC0001", "fd-token"))
    assert (status, body["Message"]["AccountSid"]) == (200, "AC0001")


@pytest.mark.parametrize(("sid", "token"), [("AC0001", "wrong"), ("AC0002", "fd-token")])
async def test_fonedynamics_strict_refuses_other_pairs(start: Start, sid: str, token: str) -> None:
    client = await start(fonedynamics=("AC0001", "fd-token"))
    assert await fd_send(client, basic(sid, token)) == (401, FD_DENIED)


# --- RingCentral ---------------------------------------------------------------------------


async def rc_token(client: Client, headers: dict[str, str]) -> tuple[int, Any]:
    form = {"grant_type": RC_JWT, "assertion": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}
    resp = await client.post(RC_TOKEN, data=form, headers=headers)
    return resp.status, await resp.json()


async def test_ringcentral_strict_pair_logs_in_and_sends(start: Start) -> None:
    client = await start(ringcentral=("client-a", "rc-secret"))
    status, issued = await rc_token(client, basic("client-a", "rc-secret"))
    assert status == 200, issued
    sms = {
        "from": {"phoneNumber": "+16505550100"},
        "to": [{"phoneNumber": "+16505550101"}],
        "text": "hello",
    }
    bearer = {"Authorization": f"Bearer {issued['access_token']}"}
    sent = await client.post(RC_SMS, json=sms, headers=bearer)
    assert sent.status == 200, await sent.text()
    refreshed = await client.post(
        RC_TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
        headers=basic("client-a", "rc-secret"),
    )
    assert refreshed.status == 200


@pytest.mark.parametrize(
    ("client_id", "secret"), [("client-a", "wrong"), ("client-b", "rc-secret"), ("client-a", "")]
)
async def test_ringcentral_strict_refuses_other_clients(
    start: Start, client_id: str, secret: str
) -> None:
    client = await start(ringcentral=("client-a", "rc-secret"))
    assert await rc_token(client, basic(client_id, secret)) == (400, RC_DENIED)
    revoke = await client.post(RC_REVOKE, data={"token": "x"}, headers=basic(client_id, secret))
    assert (revoke.status, await revoke.json()) == (400, RC_DENIED)


async def test_ringcentral_strict_keeps_other_auth_answers(start: Start) -> None:
    client = await start(ringcentral=("client-a", "rc-secret"))
    status, body = await rc_token(client, {"Authorization": "Basic !!!"})
    assert (status, body["errors"][0]["errorCode"]) == (400, "OAU-123")
    resource = await client.post(RC_SMS, json={}, headers={"Authorization": "Bearer made-up"})
    found = await resource.json()
    assert (resource.status, found["errorCode"]) == (401, "TokenInvalid")
    assert found["errors"][0]["errorCode"] == "OAU-213"


# --- Yeastar -------------------------------------------------------------------------------


async def ys_login(client: Client, username: str, password: str) -> Any:
    body = {"username": username, "password": password}
    resp = await client.post(f"{YS_API}/get_token", json=body)
    assert resp.status == 200
    return resp


async def test_yeastar_strict_pair_logs_in_and_sends(start: Start) -> None:
    client = await start(yeastar=("api-user", "ys-secret"))
    token = (await (await ys_login(client, "api-user", "ys-secret")).json())["access_token"]
    body = {
        "sender_type": 9,
        "channel": "twilio",
        "did_number": "+15550001",
        "msg_body": "hi",
        "to": "+15550002",
    }
    resp = await client.post(f"{YS_API}/message/send", params={"access_token": token}, json=body)
    assert (await resp.json())["errcode"] == 0


@pytest.mark.parametrize(("username", "password"), [("api-user", "wrong"), ("other", "ys-secret")])
async def test_yeastar_strict_refuses_other_pairs(
    start: Start, username: str, password: str
) -> None:
    client = await start(yeastar=("api-user", "ys-secret"))
    assert await (await ys_login(client, username, password)).text() == YS_DENIED


# --- Webex Connect -------------------------------------------------------------------------


async def test_webexconnect_strict_key_and_jwt_pass(start: Start) -> None:
    client = await start(webexconnect=(WX_SERVICE, WX_KEY))
    for headers, body in (
        ({"key": WX_KEY}, wx_sms_request()),
        ({}, wx_sms_request(key=WX_KEY)),
        ({"Authorization": WX_KEY}, wx_sms_request()),
        ({"Authorization": f"Bearer {jwt(WX_SERVICE)}"}, wx_sms_request()),
    ):
        resp = await client.post(WX_MESSAGING, json=body, headers=headers)
        assert resp.status == 200, (headers, await resp.text())
    sms = {"from": "12233", "to": "+16475550100", "content": "hi"}
    sent = await client.post(WX_SMS, json=sms, headers={"Authorization": WX_KEY})
    assert sent.status == 202


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"key": "other-key"}, wx_sms_request()),  # wrong secret
        ({}, wx_sms_request(key="other-key")),
        ({"Authorization": "other-key"}, wx_sms_request()),
        ({"Authorization": f"Bearer {jwt('svc-2')}"}, wx_sms_request()),  # wrong identity
    ],
)
async def test_webexconnect_strict_refuses_other_credentials(
    start: Start, headers: dict[str, str], body: dict[str, Any]
) -> None:
    client = await start(webexconnect=(WX_SERVICE, WX_KEY))
    resp = await client.post(WX_MESSAGING, json=body, headers=headers)
    assert resp.status == 401
    assert without_transid(await resp.json()) == [
        {"code": "7001", "description": "Authentication failed"}
    ]


async def test_webexconnect_strict_sms_and_events_answers(start: Start) -> None:
    client = await start(webexconnect=(WX_SERVICE, WX_KEY))
    sms = {"from": "12233", "to": "+16475550100", "content": "hi"}
    denied = await client.post(WX_SMS, json=sms, headers={"Authorization": "other-key"})
    assert (denied.status, await denied.json()) == (
        403,
        {"code": "7001", "message": "Authentication failed."},
    )
    event = await client.post(WX_EVENTS, json={"events": []}, headers={"key": "other-key"})
    lenient = await start()
    baseline = await lenient.post(WX_EVENTS, json={"events": []}, headers={"key": " "})
    assert event.status == baseline.status
    assert without_transid(await event.json()) == without_transid(await baseline.json())
    missing = await client.post(WX_MESSAGING, json=wx_sms_request())
    assert (await missing.json())["response"][0]["code"] == "7002"


# --- vendors not named stay lenient --------------------------------------------------------


async def test_vendors_not_named_stay_lenient(start: Start) -> None:
    client = await start(signalwire=(SW_PROJECT, SW_TOKEN))
    status, _ = await rc_token(client, basic("any-client", "any-secret"))
    assert status == 200
    ys = await (await ys_login(client, "anyone", "anything")).json()
    assert ys["errcode"] == 0
    assert (await fd_send(client, basic("AC9", "whatever")))[0] == 200
    wx = await client.post(WX_MESSAGING, json=wx_sms_request(), headers={"key": "any-key"})
    assert wx.status == 200
    other = await start(fonedynamics=("AC0001", "fd-token"))
    assert (await sw_send(other, SW_OTHER, "whatever"))[0] == 201


# --- CLI -----------------------------------------------------------------------------------


def test_cli_rejects_credentials_without_secret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--credentials", "signalwire=nocolon"]) == 2
    err = capsys.readouterr().err
    assert "--credentials" in err
    assert "signalwire" in err
    assert "nocolon" in err
