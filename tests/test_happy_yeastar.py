"""Yeastar happy paths over raw HTTP: tokens, calls, messages, extensions, events and fuzzing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.answers.plan import Failure, Plan
from mockserver.answers.rendered import RenderContext
from mockserver.request.snapshot import RequestSnapshot
from mockserver.server.services import Services
from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.rejection import Rejection
from mockserver.vendors.yeastar import VENDOR
from tests.webhooks import Client, Recorder, Start, serving, starter

API = "/yeastar/openapi/v1.0"
SECRET = "yeastar-test-secret"


Receiver = Recorder


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving(Receiver(), "/events") as found:
        yield found


@pytest.fixture
def start(aiohttp_client: Any, make_services: Callable[..., Services]) -> Start:
    return starter(aiohttp_client, make_services, shutdown_grace=1.0, webhook_secret=SECRET)


async def login(client: Client, username: str = "client-a") -> dict[str, Any]:
    resp = await client.post(f"{API}/get_token", json={"username": username, "password": "s3cret"})
    assert resp.status == 200
    body = await resp.json()
    assert body["errcode"] == 0, body
    return body  # type: ignore[no-any-return]


async def call_api(
    client: Client, method: str, path: str, token: str, **kwargs: Any
) -> dict[str, Any]:
    params = {**kwargs.pop("params", {}), "access_token": token}
    resp = await client.request(method, f"{API}/{path}", params=params, **kwargs)
    assert resp.status == 200  # Yeastar answers HTTP 200 even for errors
    return await resp.json()  # type: ignore[no-any-return]


def signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def statuses(hits: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for hit in hits:
        assert hit["headers"]["X-Signature"] == signature(hit["body"])
        event = json.loads(hit["body"])
        assert event["type"] == 30011
        assert re.fullmatch(r"3631A2124\d{3}", event["sn"])
        msg = json.loads(event["msg"])  # documented: msg is a JSON string
        out.append([next(iter(m.values()))["member_status"] for m in msg["members"]])
    return out


async def test_login_dial_query_and_list(start: Start) -> None:
    client, _ = await start(delivery_delay=60)
    token = await login(client)
    assert token["access_token_expire_time"] == 1800
    assert token["refresh_token_expire_time"] == 86400
    dialled = await call_api(
        client,
        "POST",
        "call/dial",
        token["access_token"],
        json={"caller": "1001", "callee": "+15550100"},
    )
    assert dialled["errcode"] == 0
    assert re.fullmatch(r"\d{10}\.\d{3}", dialled["call_id"])
    queried = await call_api(
        client, "GET", "call/query", token["access_token"], params={"call_id": dialled["call_id"]}
    )
    call = queried["data"][0]
    assert call["call_id"] == dialled["call_id"]
    extension = call["members"][0]["extension"]
    assert extension["number"] == "1001"
    assert extension["member_status"] == "ALERT"
    assert len(call["members"]) == 1  # the PBX rings the caller first, then dials the callee
    page = await call_api(
        client,
        "GET",
        "extension/list",
        token["access_token"],
        params={"page": "2", "page_size": "5"},
    )
    assert page["total_number"] == 12
    assert [e["number"] for e in page["data"]] == ["1005", "1006", "1007", "1008", "1009"]
    assert all(e["caller_id_name"] and e["email_addr"] for e in page["data"])


async def test_call_progresses_with_the_clock(start: Start) -> None:
    client, services = await start(delivery_delay=8)
    now = [1_700_000_000.0]
    services.env.clock = lambda: now[0]
    token = (await login(client))["access_token"]
    dialled = await call_api(
        client, "POST", "call/dial", token, json={"caller": "1001", "callee": "1002"}
    )
    assert dialled["call_id"].startswith("1700000000.")
    seen = []
    for offset in (0, 2, 4, 8):
        now[0] = 1_700_000_000.0 + offset
        data = (await call_api(client, "GET", "call/query", token))["data"][0]
        seen.append([next(iter(m.values()))["member_status"] for m in data["members"]])
    assert seen == [["ALERT"], ["ANSWERED", "RING"], ["ANSWERED", "ANSWERED"], ["BYE", "BYE"]]
    callee = data["members"][1]["extension"]  # an internal callee is an extension member
    assert callee["number"] == "1002"
    assert callee["channel_id"].startswith("PJSIP/1002-")


async def test_tokens_expire_refresh_and_revoke(start: Start) -> None:
    client, services = await start(token_ttl=60)
    now = [1_000.0]
    services.env.clock = lambda: now[0]
    first = await login(client)
    assert first["access_token_expire_time"] == 60
    ok = await call_api(client, "GET", "extension/list", first["access_token"])
    assert ok["errcode"] == 0
    now[0] += 61
    expired = await call_api(client, "GET", "extension/list", first["access_token"])
    assert expired == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
    resp = await client.post(f"{API}/refresh_token", json={"refresh_token": first["refresh_token"]})
    second = await resp.json()
    assert second["errcode"] == 0
    assert second["access_token"] != first["access_token"]
    assert (await call_api(client, "GET", "extension/list", second["access_token"]))["errcode"] == 0
    again = await client.post(
        f"{API}/refresh_token", json={"refresh_token": first["refresh_token"]}
    )
    assert await again.json() == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
    assert await call_api(client, "GET", "del_token", second["access_token"]) == {
        "errcode": 0,
        "errmsg": "SUCCESS",
    }
    revoked = await call_api(client, "GET", "extension/list", second["access_token"])
    assert revoked["errcode"] == 10004


async def test_auth_errors_have_exact_bodies(client: Client) -> None:
    token = (await login(client))["access_token"]
    no_token = await client.get(f"{API}/extension/list")
    assert await no_token.text() == '{"errcode":10004,"errmsg":"TOKEN EXPIRED"}'
    bearer = await client.get(f"{API}/extension/list", headers={"Authorization": f"Bearer {token}"})
    assert (await bearer.json())["errcode"] == 10004  # documented: only the query parameter counts
    no_agent = await client.get(
        f"{API}/extension/list", params={"access_token": token}, skip_auto_headers=["User-Agent"]
    )
    assert no_agent.status == 200
    assert await no_agent.text() == (
        '{"errcode":40002,"errmsg":"PARAMETER ERROR",'
        '"invalid_param_list":[{"field":"User-Agent","validation_type":"required"}]}'
    )
    bad = await client.post(f"{API}/get_token", json={"username": "client-a", "password": ""})
    assert await bad.text() == (
        '{"errcode":-1,"errmsg":"FAILURE",'
        '"invalid_param_list":[{"field":"username or password","value":"error"}]}'
    )


async def test_validation_errors_are_natural(start: Start) -> None:
    client, _ = await start()
    token = (await login(client))["access_token"]
    missing = await call_api(client, "POST", "call/dial", token, json={"caller": "1001"})
    assert missing == {
        "errcode": 40002,
        "errmsg": "PARAMETER ERROR",
        "invalid_param_list": [{"field": "callee", "validation_type": "required"}],
    }
    syntax = await call_api(client, "POST", "call/dial", token, data=b'{"caller": ')
    assert syntax == {"errcode": 40001, "errmsg": "PARAMETER SYNTAX ERROR"}
    unknown = await call_api(client, "GET", "call/query", token, params={"call_id": "1.2"})
    assert unknown == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}
    paging = await call_api(client, "GET", "extension/list", token, params={"page": "0"})
    assert paging["invalid_param_list"] == [{"field": "page", "value": "0"}]


async def test_message_send_reuses_sessions_and_validates(start: Start) -> None:
    client, _ = await start()
    token = (await login(client))["access_token"]
    base = {"sender_type": 9, "channel": "twilio", "did_number": "+15550001", "msg_body": "hi"}
    first = await call_api(client, "POST", "message/send", token, json={**base, "to": "+15550002"})
    again = await call_api(client, "POST", "message/send", token, json={**base, "to": "+15550002"})
    assert first["errcode"] == again["errcode"] == 0
    assert first["session_id"] == again["session_id"]
    assert first["message_id"] != again["message_id"]
    by_id = {"sender_type": 9, "session_id": first["session_id"], "msg_body": "more"}
    assert (await call_api(client, "POST", "message/send", token, json=by_id))["errcode"] == 0
    cases = [
        ({**base}, {"errcode": 70621, "errmsg": "RECIPIENT NUMBER CANNOT BE EMPTY"}),
        ({**by_id, "session_id": 1}, {"errcode": 80014, "errmsg": "SESSION DOES NOT EXIST"}),
        (
            {**base, "to": "+1", "channel": "pigeon"},
            {"errcode": 80018, "errmsg": "INVALID MESSAGE CHANNEL"},
        ),
    ]
    for body, expected in cases:
        assert await call_api(client, "POST", "message/send", token, json=body) == expected
    no_sender = await call_api(client, "POST", "message/send", token, json={"msg_body": "x"})
    assert no_sender["invalid_param_list"] == [
        {"field": "sender_type", "validation_type": "required"}
    ]


async def test_sessions_are_isolated_by_token(start: Start) -> None:
    client, services = await start(delivery_delay=60)
    alice = (await login(client, "alice"))["access_token"]
    bob = (await login(client, "bob"))["access_token"]
    dialled = await call_api(
        client, "POST", "call/dial", alice, json={"caller": "1", "callee": "2"}
    )
    theirs = await call_api(
        client, "GET", "call/query", bob, params={"call_id": dialled["call_id"]}
    )
    assert theirs["errcode"] == 60001
    assert (await call_api(client, "GET", "call/query", bob))["data"] == []
    mine = await call_api(client, "GET", "call/query", alice)
    assert [c["call_id"] for c in mine["data"]] == [dialled["call_id"]]
    # no X-Mock-Session header: the token carried the session from get_token's username
    assert services.env.resources.list("yeastar", "alice", "call")


async def test_generated_values_are_seeded_per_session(start: Start) -> None:
    runs = []
    for _ in range(2):
        client, _ = await start(seed=7)
        token = (await login(client, "same"))["access_token"]
        runs.append(await call_api(client, "GET", "extension/list", token))
    assert runs[0] == runs[1]
    client, _ = await start(seed=8)
    other = await call_api(
        client, "GET", "extension/list", (await login(client, "same"))["access_token"]
    )
    assert other["data"] != runs[0]["data"]


async def test_dial_sends_signed_call_status_events(start: Start, receiver: Receiver) -> None:
    client, _ = await start(delivery_delay=0.4, webhooks={"yeastar": receiver.url})
    token = (await login(client))["access_token"]
    await call_api(
        client, "POST", "call/dial", token, json={"caller": "1001", "callee": "+15550100"}
    )
    hits = await receiver.wait(4)
    assert statuses(hits) == [
        ["ALERT"],
        ["ANSWERED", "RING"],
        ["ANSWERED", "ANSWERED"],
        ["BYE", "BYE"],
    ]
    last = json.loads(json.loads(hits[-1]["body"])["msg"])
    assert last["members"][1]["outbound"]["to"] == "+15550100"
    assert "errcode" not in last


async def test_magic_callee_ends_unanswered_via_mock_webhook_header(
    start: Start, receiver: Receiver
) -> None:
    client, services = await start(delivery_delay=0.3)
    token = (await login(client))["access_token"]
    headers = {"X-Mock-Webhook": receiver.url}
    body = {"caller": "1001", "callee": "0745000486"}
    await call_api(client, "POST", "call/dial", token, json=body, headers=headers)
    hits = await receiver.wait(3)
    await asyncio.sleep(0.4)
    assert statuses(hits) == [["ALERT"], ["ANSWERED", "RING"], ["BYE", "BYE"]]
    # the header is remembered for the session: the next dial reports there too
    await call_api(client, "POST", "call/dial", token, json={"caller": "1", "callee": "2"})
    await receiver.wait(7)
    assert {r.callback.vendor for r in services.env.callbacks.records()} == {"yeastar"}


class FailingPlanner:
    """Stands in for a scenario `callback` action (Yeastar's catalog has no async codes)."""

    def plan_for(self, snapshot: RequestSnapshot, authorized: object = None) -> Plan | None:
        return (
            Plan("passthrough", failure=Failure("70130"))
            if snapshot.path.endswith("/dial")
            else None
        )


async def test_failure_ends_the_call_with_the_catalogued_code(
    start: Start, receiver: Receiver
) -> None:
    client, services = await start(delivery_delay=0.3, webhooks={"yeastar": receiver.url})
    services.pipeline.planner = FailingPlanner()
    token = (await login(client))["access_token"]
    await call_api(client, "POST", "call/dial", token, json={"caller": "1001", "callee": "1002"})
    hits = await receiver.wait(3)
    assert statuses(hits)[-1] == ["BYE", "BYE"]
    last = json.loads(json.loads(hits[-1]["body"])["msg"])
    assert (last["errcode"], last["errmsg"]) == (70130, "CAHNNEL ID NOT FOUND")


# --- fuzzing: every happy endpoint answers in the errcode envelope, never a 500 ---

ENDPOINTS = [
    ("POST", "get_token"),
    ("POST", "refresh_token"),
    ("GET", "del_token"),
    ("POST", "call/dial"),
    ("GET", "call/query"),
    ("POST", "message/send"),
    ("GET", "extension/list"),
]
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "username",
        "password",
        "caller",
        "callee",
        "sender_type",
        "channel",
        "to",
        "msg_body",
        "session_id",
    ]
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(field_names, json_values, max_size=6).map(lambda v: json.dumps(v).encode()),
)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ServerThread, str]]:
    with ServerThread(Settings(delivery_delay=0, shutdown_grace=0.5)) as running:
        resp = requests.post(
            f"{running.url}{API}/get_token", json={"username": "fuzz", "password": "x"}, timeout=10
        )
        yield running, resp.json()["access_token"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    query=st.dictionaries(st.sampled_from(["call_id", "page", "page_size"]), st.text(max_size=8)),
)
def test_fuzzed_requests_get_errcode_answers(
    server: tuple[ServerThread, str],
    endpoint: tuple[str, str],
    body: bytes,
    content_type: str,
    query: dict[str, str],
) -> None:
    running, token = server
    method, path = endpoint
    params = {**query, "access_token": token}
    headers = {"Content-Type": content_type} if content_type else {}
    if path == "del_token":
        params["access_token"] = "not-issued"  # keep the shared token alive
    resp = requests.request(
        method, f"{running.url}{API}/{path}", params=params, data=body, headers=headers, timeout=10
    )
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert isinstance(answer["errcode"], int)
    assert isinstance(answer["errmsg"], str)


def test_server_keeps_serving_after_fuzzing(server: tuple[ServerThread, str]) -> None:
    running, token = server
    resp = requests.get(
        f"{running.url}{API}/extension/list", params={"access_token": token}, timeout=10
    )
    assert resp.json()["errcode"] == 0


def direct_call(services: Services, method: str, path: str, **given: Any) -> Call:
    """The `Call` the pipeline would hand the handler, without a server in between."""
    snapshot = RequestSnapshot(
        vendor="yeastar", method=method, path=f"/openapi/v1.0/{path}", **given
    )
    found = services.pipeline.call_for(snapshot, VENDOR, RenderContext("errcode", method, path))
    assert found is not None
    return found[1]


def rejected(action: Callable[[], object]) -> dict[str, Any]:
    with pytest.raises(Rejection) as caught:
        action()
    assert caught.value.rendered.status == 200
    return json.loads(caught.value.rendered.body)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("headers", "errcode"),
    [({}, 40002), ({"User-Agent": "sdk"}, 10004)],
)
def test_authenticate_raises_its_refusal(
    make_services: Callable[..., Services], headers: dict[str, str], errcode: int
) -> None:
    call = direct_call(make_services(), "GET", "extension/list", headers=headers)
    assert rejected(lambda: VENDOR.authenticate(call))["errcode"] == errcode


@pytest.mark.parametrize(
    ("path", "body", "answer"),
    [
        ("call/dial", b"[]", {"errcode": 40001, "errmsg": "PARAMETER SYNTAX ERROR"}),
        ("message/send", b'{"sender_type": 9}', {"errcode": 40002, "errmsg": "PARAMETER ERROR"}),
        ("get_token", b"{}", {"errcode": -1, "errmsg": "FAILURE"}),
    ],
)
def test_handlers_raise_their_errors(
    make_services: Callable[..., Services], path: str, body: bytes, answer: dict[str, Any]
) -> None:
    call = direct_call(make_services(), "POST", path, body=body)
    route = VENDOR.router().find("POST", call.snapshot.path)
    assert route is not None
    assert answer.items() <= rejected(lambda: route[0].handler(call)).items()
