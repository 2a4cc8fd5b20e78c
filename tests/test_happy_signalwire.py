"""SignalWire happy paths: compat Messages/Calls, /api/messaging, auth, validation, callbacks."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from signalwire.core.security.webhook_validator import validate_webhook_signature
from twilio.request_validator import RequestValidator

from mockserver.catalog import Catalog
from mockserver.scenarios import load_text
from mockserver.server.app import create_app
from mockserver.server.services import SERVICES, Services
from mockserver.settings import Settings
from mockserver.testing import ServerThread
from mockserver.vendors.signalwire.envelope import COMPAT_MORE_INFO, REST_URL

PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
OTHER = "0c9d2e11-1111-4000-8000-0000000000ff"
TOKEN = "PT-secret-token"
TO, FROM = "+15550100001", "+15550100002"
BASE = f"/signalwire/2010-04-01/Accounts/{PROJECT}"
REST = "/signalwire/api/messaging/messages"
ClientFactory = Callable[..., Awaitable[TestClient]]


def basic(user: str = PROJECT, token: str = TOKEN) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


AUTH = basic()


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Receiver:
    """A real HTTP receiver for status callbacks, on 127.0.0.1 and a free port."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.got: list[dict[str, Any]] = []
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append(
            {"url": str(request.url), "headers": request.headers, "body": await request.text()}
        )
        return web.Response(status=self.status)

    def url(self, path: str = "/status?leg=1") -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.got) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert len(self.got) >= count, self.got
        return self.got


@pytest.fixture
async def receiver() -> Any:
    rec = Receiver()
    await rec.server.start_server()
    yield rec
    await rec.server.close()


@pytest.fixture
async def fast(aiohttp_client: ClientFactory, make_services: Callable[..., Services]) -> TestClient:
    """A server whose lifecycles finish in 0.1 s, for callback tests."""
    services = make_services(delivery_delay=0.1)
    return await aiohttp_client(create_app(services.settings, services))


def services_of(client: TestClient) -> Services:
    return client.app[SERVICES]


def entry_message(catalog: Catalog, code: str) -> str:
    entry = catalog.get("signalwire", code)
    assert entry is not None
    return entry.message


async def send(client: TestClient, path: str = BASE + "/Messages.json", **form: Any) -> Any:
    data = {"To": TO, "From": FROM, "Body": "hello", **form}
    data = {k: v for k, v in data.items() if v is not None}
    resp = await client.post(path, data=data, headers=AUTH)
    return resp.status, await resp.json()


# --- natural validation errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": None}, "21604"),
        ({"To": ""}, "21604"),
        ({"From": None}, "21603"),
        ({"Body": None}, "21602"),
        ({"Body": ""}, "21602"),
        ({"To": "5550100001"}, "21211"),
        ({"To": "+0123456789"}, "21211"),
        ({"To": "+1234567"}, "21211"),
        ({"To": "+1234567890123456"}, "21211"),
        ({"From": "not-a-number"}, "21212"),
        ({"Body": "x" * 1601}, "21617"),
        ({"Body": "\U0001f600" * 801}, "21617"),
        ({"StatusCallback": "ftp://example.com/cb"}, "21609"),
        ({"StatusCallback": "not a url"}, "21609"),
        ({"MediaUrl": "file:///etc/passwd"}, "21620"),
        ({"MediaUrl": [f"https://example.com/{i}.png" for i in range(11)]}, "21623"),
    ],
)
async def test_message_validation_errors_are_catalogued(
    client: TestClient, catalog: Catalog, form: dict[str, Any], code: str
) -> None:
    status, body = await send(client, **form)
    assert status == 400
    assert body == {
        "code": int(code),
        "message": entry_message(catalog, code),
        "more_info": COMPAT_MORE_INFO,
        "status": 400,
    }


async def test_limits_are_inclusive(client: TestClient) -> None:
    status, body = await send(client, Body="x" * 1600, To="+12345678")
    assert status == 201, body
    assert body["num_segments"] == 11  # 1600 GSM-7 characters / 153 per segment
    status, body = await send(client, Body=None, MediaUrl=["https://e.com/a.jpg"] * 10)
    assert (status, body["num_media"], body["body"]) == (201, 10, "")


async def test_messaging_service_may_stand_in_for_from(client: TestClient) -> None:
    status, body = await send(client, From=None, MessagingServiceSid="MG123")
    assert status == 201
    assert body["messaging_service_sid"] == "MG123"
    assert body["from"].startswith("+1")


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": None}, "21201"),
        ({"From": None}, "21213"),
        ({"To": "12"}, "21211"),
        ({"From": "abc"}, "21212"),
        ({"Url": None}, "21205"),
        ({"Url": "javascript:alert(1)"}, "21205"),
        ({"StatusCallback": "nope"}, "21609"),
        ({"StatusCallbackEvent": "exploded"}, "21626"),
    ],
)
async def test_call_validation_errors_are_catalogued(
    client: TestClient, catalog: Catalog, form: dict[str, Any], code: str
) -> None:
    base = {"To": TO, "From": FROM, "Url": "https://example.com/cxml"}
    status, body = await send(client, BASE + "/Calls.json", **{**base, "Body": None, **form})
    # POST Calls answers 400 with the spec's errors array, the code as a string
    item = {"code": code, "message": entry_message(catalog, code), "more_info": COMPAT_MORE_INFO}
    assert (status, body) == (400, {"errors": [item]})


@pytest.mark.parametrize(
    ("payload", "code", "attribute"),
    [
        ({"from": FROM, "body": "x"}, "21604", "to"),
        ({"to": TO, "body": "x"}, "21603", "from"),
        ({"to": TO, "from": FROM}, "21602", "body"),
        ({"to": "0800", "from": FROM, "body": "x"}, "21211", "to"),
        ({"to": TO, "from": "??", "body": "x"}, "21212", "from"),
        ({"to": 15550100001, "from": FROM, "body": "x"}, "20422", "to"),
        ({"to": TO, "from": FROM, "media": "https://e.com/a.png"}, "20422", "media"),
        # a type that cannot be listed at all is checked before the request is read
        ({"to": TO, "from": FROM, "media": 5}, "20422", "media"),
        ({"to": TO, "from": FROM, "media": True}, "20422", "media"),
        ({"to": TO, "from": FROM, "body": "x", "status_callback": "x"}, "21609", "status_callback"),
    ],
)
async def test_rest_validation_errors_use_the_rest_envelope(
    client: TestClient, catalog: Catalog, payload: dict[str, Any], code: str, attribute: str
) -> None:
    resp = await client.post(REST, json=payload, headers=AUTH)
    assert resp.status == 422
    assert await resp.json() == {
        "errors": [
            {
                "type": "validation_error",
                "code": code,
                "message": entry_message(catalog, code),
                "attribute": attribute,
                "url": REST_URL,
            }
        ]
    }


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2]",
        b'{"to": "\\ud800"}',
        # not JSON (a JSON parser refuses them), though Python's json module reads them
        b'{"to": NaN, "from": "+15550100002", "body": "x"}',
        b'{"to": "+15550100001", "from": "+15550100002", "body": "x", "custom_variables": {"a": Infinity}}',
    ],
)
async def test_rest_unreadable_body_is_bad_request(client: TestClient, raw: bytes) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    resp = await client.post(REST, data=raw, headers=headers)
    assert (resp.status, await resp.json()) == (400, {"error": "Bad Request"})


# --- auth ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic " + base64.b64encode(PROJECT.encode()).decode()},
        basic(PROJECT, ""),
        basic("", TOKEN),
        basic(OTHER),  # a valid pair, but for another project than the path's AccountSid
    ],
)
async def test_compat_auth_failures_are_20003(
    client: TestClient, catalog: Catalog, headers: dict[str, str]
) -> None:
    resp = await client.get(BASE + "/Messages.json", headers=headers)
    assert resp.status == 401
    assert await resp.json() == {
        "code": 20003,
        "message": entry_message(catalog, "20003"),
        "more_info": COMPAT_MORE_INFO,
        "status": 401,
    }


async def test_rest_auth_failure_is_plain_unauthorized(client: TestClient) -> None:
    resp = await client.post(REST, json={"to": TO, "from": FROM, "body": "x"})
    assert (resp.status, await resp.json()) == (401, {"error": "Unauthorized"})


async def test_any_well_formed_credentials_pass(client: TestClient) -> None:
    headers = basic(OTHER, "whatever")
    resp = await client.get(f"/signalwire/2010-04-01/Accounts/{OTHER}.json", headers=headers)
    body = await resp.json()
    assert (resp.status, body["sid"], body["status"]) == (200, OTHER, "active")
    assert body["friendly_name"]


# --- resources, path forms, lifecycle ------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/api/laml"])
@pytest.mark.parametrize("suffix", ["", ".json"])
async def test_both_path_forms_with_and_without_json(
    client: TestClient, prefix: str, suffix: str
) -> None:
    base = f"/signalwire{prefix}/2010-04-01/Accounts/{PROJECT}"
    status, created = await send(client, f"{base}/Messages{suffix}")
    assert status == 201
    assert (
        created["uri"] == f"{prefix}/2010-04-01/Accounts/{PROJECT}/Messages/{created['sid']}.json"
    )
    fetched = await (
        await client.get(f"{base}/Messages/{created['sid']}{suffix}", headers=AUTH)
    ).json()
    assert fetched["sid"] == created["sid"]
    listed = await (await client.get(f"{base}/Messages{suffix}", headers=AUTH)).json()
    assert [m["sid"] for m in listed["messages"]] == [created["sid"]]
    assert listed["uri"].startswith(f"{prefix}/2010-04-01/Accounts/{PROJECT}/Messages.json?")


async def test_created_message_has_every_field(client: TestClient) -> None:
    services_of(client).env.clock = Clock()
    status, body = await send(client, MediaUrl="https://example.com/cat.jpg")
    assert status == 201
    assert set(body) == {
        "account_sid", "api_version", "body", "num_segments", "num_media", "date_created",
        "date_sent", "date_updated", "direction", "error_code", "error_message", "from",
        "price", "price_unit", "sid", "status", "to", "messaging_service_sid", "uri",
        "subresource_uris",
    }  # fmt: skip
    assert body["account_sid"] == PROJECT
    assert (body["status"], body["direction"], body["api_version"]) == (
        "queued",
        "outbound-api",
        "2010-04-01",
    )
    assert body["date_created"] == "Tue, 14 Nov 2023 22:13:20 +0000"
    assert (body["date_sent"], body["price"], body["error_code"]) == (None, None, None)
    assert body["subresource_uris"]["media"].endswith(f"/Messages/{body['sid']}/Media.json")
    media = await client.get(
        body["subresource_uris"]["media"].join(["/signalwire", ""]), headers=AUTH
    )
    items = (await media.json())["media_list"]
    assert [(m["content_type"], m["parent_sid"]) for m in items] == [("image/jpeg", body["sid"])]


async def test_message_status_moves_with_the_clock(client: TestClient) -> None:
    clock = Clock()
    services_of(client).env.clock = clock
    _, created = await send(client)
    url = f"{BASE}/Messages/{created['sid']}.json"
    seen = []
    for step in (0.0, 0.2, 0.1, 0.3):
        clock.now += step
        seen.append(await (await client.get(url, headers=AUTH)).json())
    assert [m["status"] for m in seen] == ["queued", "queued", "sent", "delivered"]
    assert seen[0]["date_sent"] is None
    assert seen[2]["date_sent"] == "Tue, 14 Nov 2023 22:13:20 +0000"
    assert seen[3]["price"] == 0.00415
    assert seen[3]["error_code"] is None


async def test_call_status_moves_with_the_clock(client: TestClient) -> None:
    clock = Clock()
    services_of(client).env.clock = clock
    form = {"Url": "https://example.com/cxml", "Body": None}
    status, created = await send(client, BASE + "/Calls.json", **form)
    assert (status, created["status"], created["to_formatted"]) == (200, "queued", "(555) 010-0001")
    url = f"{BASE}/Calls/{created['sid']}"
    statuses = []
    for _ in range(4):
        statuses.append(await (await client.get(url, headers=AUTH)).json())
        clock.now += 0.15
    assert [c["status"] for c in statuses] == ["queued", "ringing", "in-progress", "in-progress"]
    clock.now += 1
    done = await (await client.get(url, headers=AUTH)).json()
    assert done["status"] == "completed"
    assert 4 <= done["duration"] <= 180
    assert done["start_time"]
    assert done["end_time"]
    assert done["price"]


async def test_unknown_sid_is_20404(client: TestClient, catalog: Catalog) -> None:
    for path in (f"{BASE}/Messages/nope.json", f"{BASE}/Calls/nope"):
        resp = await client.get(path, headers=AUTH)
        body = await resp.json()
        assert (resp.status, body["code"], body["message"]) == (
            404,
            20404,
            entry_message(catalog, "20404"),
        )
    resp = await client.get(REST + "/nope", headers=AUTH)
    assert (resp.status, await resp.json()) == (404, {"error": "Not Found"})


async def test_delete_waits_for_a_final_status(client: TestClient) -> None:
    clock = Clock()
    services_of(client).env.clock = clock
    _, created = await send(client)
    url = f"{BASE}/Messages/{created['sid']}.json"
    early = await client.delete(url, headers=AUTH)
    assert (early.status, (await early.json())["code"]) == (400, 20009)
    clock.now += 1
    gone = await client.delete(url, headers=AUTH)
    assert (gone.status, await gone.read()) == (204, b"")
    assert (await client.get(url, headers=AUTH)).status == 404


async def test_redaction_and_method_not_allowed(client: TestClient) -> None:
    _, created = await send(client)
    url = f"{BASE}/Messages/{created['sid']}.json"
    resp = await client.post(url, data={"Body": ""}, headers=AUTH)
    assert (resp.status, (await resp.json())["body"]) == (200, "")
    resp = await client.put(url, data={"Body": ""}, headers=AUTH)
    assert (resp.status, (await resp.json())["code"]) == (405, 20004)


async def test_paging_through_the_list(client: TestClient) -> None:
    for index in range(25):
        await send(client, Body=f"m{index}")
    url, seen, pages = f"{BASE}/Messages.json?PageSize=10", [], 0
    while url:
        body = await (await client.get(url, headers=AUTH)).json()
        assert body["page_size"] == 10
        seen += [m["body"] for m in body["messages"]]
        pages += 1
        url = body["next_page_uri"] and "/signalwire" + body["next_page_uri"]
    assert pages == 3
    assert seen == [f"m{index}" for index in reversed(range(25))]  # newest first


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("PageSize=1001", 20007),
        ("PageSize=" + "9" * 5000, 20007),
        ("PageSize=0", 20422),
        ("Page=x", 20422),
        ("Page=" + "9" * 5000, 20422),
        ("PageToken=PAzz", 21481),
    ],
)
async def test_bad_paging_parameters(client: TestClient, query: str, code: int) -> None:
    resp = await client.get(f"{BASE}/Messages.json?{query}", headers=AUTH)
    assert (resp.status, (await resp.json())["code"]) == (400, code)


async def test_list_filters_by_to(client: TestClient) -> None:
    await send(client, To="+15550109999")
    await send(client)
    resp = await client.get(f"{BASE}/Messages.json", params={"To": TO}, headers=AUTH)
    body = await resp.json()
    assert [m["to"] for m in body["messages"]] == [TO]
    assert "To=%2B15550100001" in body["uri"]


async def test_projects_do_not_see_each_other(client: TestClient) -> None:
    _, mine = await send(client)
    other = f"/signalwire/2010-04-01/Accounts/{OTHER}"
    headers = basic(OTHER)
    assert (await client.get(f"{other}/Messages/{mine['sid']}.json", headers=headers)).status == 404
    listed = await (await client.get(f"{other}/Messages.json", headers=headers)).json()
    assert listed["messages"] == []
    resp = await client.post(REST, json={"to": TO, "from": FROM, "body": "x"}, headers=AUTH)
    rest_id = (await resp.json())["id"]
    assert (await client.get(f"{REST}/{rest_id}", headers=headers)).status == 404
    assert (await (await client.get(REST, headers=headers)).json())["data"] == []


async def test_ids_are_seeded_per_session(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    sids = []
    for _ in range(2):
        services = make_services(seed=7)
        client = await aiohttp_client(create_app(services.settings, services))
        sids.append((await send(client))[1]["sid"])
    assert sids[0] == sids[1]


# --- /api/messaging ------------------------------------------------------------------------


async def test_rest_message_create_get_list(client: TestClient) -> None:
    clock = Clock()
    services_of(client).env.clock = clock
    payload = {"to": TO, "from": FROM, "body": "hi", "media": ["https://e.com/a.png"]}
    resp = await client.post(REST, json=payload, headers=AUTH)
    created = await resp.json()
    assert resp.status == 201
    assert set(created) == {
        "id", "from", "to", "body", "status", "direction", "kind", "media",
        "number_of_segments", "error_code", "error_message", "created_at", "project_id",
        "status_callback_url", "message_uri",
    }  # fmt: skip
    assert (created["kind"], created["direction"], created["project_id"]) == (
        "mms",
        "outbound",
        PROJECT,
    )
    assert created["created_at"] == "2023-11-14T22:13:20Z"
    clock.now += 1
    fetched = await (await client.get(f"{REST}/{created['id']}", headers=AUTH)).json()
    assert fetched["status"] == "delivered"
    listed = await (await client.get(REST, headers=AUTH)).json()
    assert [m["id"] for m in listed["data"]] == [created["id"]]
    assert "next" not in listed["links"]


async def test_rest_list_pages_with_links(client: TestClient) -> None:
    for index in range(5):
        await client.post(REST, json={"to": TO, "from": FROM, "body": f"{index}"}, headers=AUTH)
    url, bodies = REST + "?page_size=2", []
    while url:
        page = await (await client.get(url, headers=AUTH)).json()
        bodies += [m["body"] for m in page["data"]]
        url = page["links"].get("next") and "/signalwire" + page["links"]["next"]
    assert bodies == ["4", "3", "2", "1", "0"]


# --- status callbacks ----------------------------------------------------------------------


def form_of(got: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(got["body"], keep_blank_values=True))


def assert_signed(got: dict[str, Any], url: str) -> None:
    signature = got["headers"]["X-SignalWire-Signature"]
    assert got["headers"]["X-Twilio-Signature"] == signature
    assert RequestValidator(TOKEN).validate(url, form_of(got), signature)
    assert not RequestValidator("wrong").validate(url, form_of(got), signature)


async def test_message_callbacks_are_signed_and_ordered(
    fast: TestClient, receiver: Receiver
) -> None:
    url = receiver.url()
    media = "https://example.com/cat.gif"
    _, created = await send(fast, StatusCallback=url, Body="", MediaUrl=media)  # MMS, no text
    assert created["error_code"] is None
    got = await receiver.wait_for(2)
    forms = [form_of(g) for g in got]
    assert [f["MessageStatus"] for f in forms] == ["sent", "delivered"]
    for item, form in zip(got, forms, strict=True):
        assert_signed(item, url)
        assert item["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert form["MessageSid"] == form["SmsSid"] == created["sid"]
        assert form["SmsStatus"] == form["MessageStatus"]
        assert (form["AccountSid"], form["From"], form["To"]) == (PROJECT, FROM, TO)
        assert (form["NumMedia"], form["NumSegments"], form["ApiVersion"]) == (
            "1",
            "1",
            "2010-04-01",
        )
        assert "ErrorCode" not in form


async def test_scenario_callback_ends_undelivered(
    fast: TestClient, receiver: Receiver, catalog: Catalog
) -> None:
    services = services_of(fast)
    scenario = """
name: unreachable-handset
vendor: signalwire
rules:
  - match: {method: POST, path: {glob: "/2010-04-01/Accounts/*/Messages.json"}}
    callback: 30003
"""
    services.engine.load(load_text(scenario, catalog=services.catalog))
    url = receiver.url("/cb")
    status, created = await send(fast, StatusCallback=url)
    assert (status, created["status"]) == (201, "queued")
    got = await receiver.wait_for(2)
    forms = [form_of(g) for g in got]
    assert [f["MessageStatus"] for f in forms] == ["sent", "undelivered"]
    assert forms[1]["ErrorCode"] == "30003"
    assert "ErrorCode" not in forms[0]
    for item in got:
        assert_signed(item, url)
    fetched = await (await fast.get(f"{BASE}/Messages/{created['sid']}", headers=AUTH)).json()
    assert (fetched["status"], fetched["error_code"], fetched["error_message"]) == (
        "undelivered",
        "30003",
        entry_message(catalog, "30003"),
    )
    assert (
        services.env.callbacks.records(vendor="signalwire")[-1].callback.event
        == "undelivered 30003"
    )


async def test_refused_message_fails_without_sent_at_the_scenario_delay(
    fast: TestClient, receiver: Receiver
) -> None:
    services = services_of(fast)
    scenario = """
name: queue-overflow
vendor: signalwire
rules:
  - callback: {code: 30001, delay: 0.05}
"""
    services.engine.load(load_text(scenario, catalog=services.catalog))
    started = time.monotonic()
    await send(fast, StatusCallback=receiver.url())
    got = await receiver.wait_for(1)
    assert time.monotonic() - started < 1.0
    await asyncio.sleep(0.15)
    assert [form_of(g)["MessageStatus"] for g in got] == ["failed"]
    assert form_of(got[0])["ErrorCode"] == "30001"


async def test_call_callbacks_follow_requested_events(fast: TestClient, receiver: Receiver) -> None:
    url = receiver.url("/voice")
    form = {
        "Url": "https://example.com/cxml",
        "StatusCallback": url,
        "StatusCallbackEvent": ["initiated ringing", "answered", "completed"],
        "Body": None,
    }
    _, created = await send(fast, BASE + "/Calls.json", **form)
    got = await receiver.wait_for(4)
    forms = [form_of(g) for g in got]
    assert [f["CallStatus"] for f in forms] == ["initiated", "ringing", "in-progress", "completed"]
    assert [f["SequenceNumber"] for f in forms] == ["0", "1", "2", "3"]
    assert forms[-1]["CallDuration"].isdigit()
    assert {f["CallSid"] for f in forms} == {created["sid"]}
    for item in got:
        assert_signed(item, url)


async def test_call_completed_only_by_default(fast: TestClient, receiver: Receiver) -> None:
    form = {"Twiml": "<Response/>", "StatusCallback": receiver.url(), "Body": None}
    await send(fast, BASE + "/Calls", **form)
    got = await receiver.wait_for(1)
    await asyncio.sleep(0.15)
    assert [form_of(g)["CallStatus"] for g in got] == ["completed"]


async def test_rest_webhook_is_json_and_signed(fast: TestClient, receiver: Receiver) -> None:
    url = receiver.url("/rest-status")
    payload = {"to": TO, "from": FROM, "body": "hi", "status_callback": url}
    created = await (await fast.post(REST, json=payload, headers=AUTH)).json()
    assert created["status_callback_url"] == url
    got = await receiver.wait_for(2)
    bodies = [json.loads(g["body"]) for g in got]
    assert [b["status"] for b in bodies] == ["sent", "delivered"]
    for item, body in zip(got, bodies, strict=True):
        assert item["headers"]["Content-Type"] == "application/json"
        signature = item["headers"]["X-SignalWire-Signature"]
        assert validate_webhook_signature(TOKEN, signature, url, item["body"])
        assert (body["id"], body["project_id"], body["error_code"]) == (
            created["id"],
            PROJECT,
            None,
        )


async def test_unreachable_receiver_is_logged_not_retried(fast: TestClient) -> None:
    services = services_of(fast)
    await send(fast, StatusCallback="http://127.0.0.1:9/closed")
    for _ in range(200):
        records = services.env.callbacks.records(vendor="signalwire")
        if len(records) == 2 and all(r.outcome != "pending" for r in records):
            break
        await asyncio.sleep(0.01)
    assert [(r.outcome, len(r.attempts)) for r in records] == [("failed", 1), ("failed", 1)]


# --- fuzz: every happy endpoint answers SignalWire-shaped JSON, never a 500 -----------------

FUZZ_PROJECT = "f0f0f0f0-0000-4000-8000-000000000001"
FORM = "application/x-www-form-urlencoded"
FIELDS = (
    "To", "From", "Body", "MediaUrl", "StatusCallback", "MessagingServiceSid", "Url",
    "Twiml", "StatusCallbackEvent", "to", "from", "body", "media", "status_callback",
)  # fmt: skip
QUERY = ("PageSize", "Page", "PageToken", "To", "From", "page_size", "page_number", "page_token")
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from([TO, FROM, "", "https://example.com/a.png", "http://127.0.0.1:9/cb"]),
    st.sampled_from(["0", "-1", "1001", "99999999999999999999", "PAxyz", "PB", "\u0000"]),
)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[ServerThread, dict[str, str]]]:
    """A real server plus one message, call and REST message to aim instance paths at."""
    with ServerThread(Settings(shutdown_grace=1.0)) as server:
        base = f"{server.url}/signalwire/2010-04-01/Accounts/{FUZZ_PROJECT}"
        auth = basic(FUZZ_PROJECT)
        known = {
            "sid": requests.post(f"{base}/Messages.json", data=VALID, headers=auth).json()["sid"],
            "call": requests.post(f"{base}/Calls.json", data=VALID, headers=auth).json()["sid"],
            "id": requests.post(
                f"{server.url}{REST}", json={"to": TO, "from": FROM, "body": "x"}, headers=auth
            ).json()["id"],
        }
        yield server, known


def endpoints(known: dict[str, str]) -> st.SearchStrategy[tuple[str, str]]:
    ids = st.one_of(
        st.sampled_from(list(known.values())),
        st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True),
    )
    account = st.sampled_from([FUZZ_PROJECT] * 5 + [OTHER])  # mostly past authentication
    prefix = st.sampled_from(["", "/api/laml"])
    suffix = st.sampled_from(["", ".json"])
    templates = st.sampled_from(
        [
            "{p}/2010-04-01/Accounts/{a}{s}",
            "{p}/2010-04-01/Accounts/{a}/Messages{s}",
            "{p}/2010-04-01/Accounts/{a}/Messages/{i}{s}",
            "{p}/2010-04-01/Accounts/{a}/Messages/{i}/Media{s}",
            "{p}/2010-04-01/Accounts/{a}/Calls{s}",
            "{p}/2010-04-01/Accounts/{a}/Calls/{i}{s}",
            "/api/messaging/messages",
            "/api/messaging/messages/{i}",
            "/api/messaging/logs",
            "/api/messaging/logs/{i}",
        ]
    )
    path = st.builds(
        lambda t, p, a, s, i: t.format(p=p, a=a, s=s, i=i), templates, prefix, account, suffix, ids
    )
    return st.tuples(
        st.sampled_from(["GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE"]), path
    )


VALID = {"To": TO, "From": FROM, "Body": "x", "Url": "https://example.com/x"}
VALID_JSON = {"to": TO, "from": FROM, "body": "x"}
NEAR = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=2)
BODIES = st.one_of(
    NEAR.map(lambda d: urlencode({**VALID, **d}).encode()),
    NEAR.map(lambda d: json.dumps({**VALID_JSON, **d}).encode()),
    st.binary(max_size=300),
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6).map(
        lambda d: urlencode(d).encode()
    ),
    st.dictionaries(
        st.sampled_from(FIELDS),
        st.one_of(VALUES, st.integers(), st.none(), st.lists(VALUES, max_size=3), st.booleans()),
        max_size=6,
    ).map(lambda d: json.dumps(d).encode()),
)
CONTENT_TYPES = st.sampled_from(
    [FORM, "application/json", "text/plain", "multipart/form-data; boundary=x", "", "a/b; c"]
)
AUTHS = st.sampled_from(
    [basic(FUZZ_PROJECT)] * 8 + [{}, {"Authorization": "Basic !!"}, basic(FUZZ_PROJECT, "")]
)


def assert_signalwire_shaped(status: int, body: Any) -> None:
    if status < 400:
        assert isinstance(body, dict)
        return
    if "errors" in body:
        assert isinstance(body["errors"], list)
        assert body["errors"]
        item = body["errors"][0]
        if "type" in item:  # /api/* RestApiErrorItem
            assert {"type", "code", "message", "attribute", "url"} <= set(item)
        else:  # compat POST .../Calls 400 (CompatibilityErrorArrayItem)
            assert (status, set(item)) == (400, {"code", "message", "more_info"})
            assert isinstance(item["code"], str)
    elif "error" in body:
        assert isinstance(body["error"], str)
    else:
        assert set(body) == {"code", "message", "more_info", "status"}
        assert body["status"] == status


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_every_endpoint_answers_json(
    live: tuple[ServerThread, dict[str, str]], data: st.DataObject
) -> None:
    server, known = live
    method, path = data.draw(endpoints(known))
    headers = {**data.draw(AUTHS), "Content-Type": data.draw(CONTENT_TYPES)}
    query = data.draw(st.dictionaries(st.sampled_from(QUERY), VALUES, max_size=3))
    resp = requests.request(
        method,
        f"{server.url}/signalwire{path}",
        params=query,
        data=data.draw(BODIES),
        headers=headers,
        timeout=10,
    )
    event(f"{method} {resp.status_code}")
    assert resp.status_code < 500, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    if resp.status_code != 204:
        assert_signalwire_shaped(resp.status_code, resp.json())


def test_server_keeps_serving_after_the_fuzz(live: tuple[ServerThread, dict[str, str]]) -> None:
    server, _ = live
    base = f"{server.url}/signalwire/2010-04-01/Accounts/{FUZZ_PROJECT}"
    form = {"To": TO, "From": FROM, "Body": "still here"}
    resp = requests.post(f"{base}/Messages.json", data=form, headers=basic(FUZZ_PROJECT))
    assert (resp.status_code, resp.json()["body"]) == (201, "still here")
