"""Fone Dynamics happy paths over raw HTTP: Basic auth, messages, lifecycle, receipts, fuzzing."""

from __future__ import annotations

import base64
import json
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
from mockserver.vendors import VENDORS
from mockserver.vendors.kit.rejection import Rejection
from tests.webhooks import Client, Recorder, Start, serving, starter

BASE = "/fonedynamics/v2"
MESSAGES = f"{BASE}/Properties/PR0001/Messages"


def basic(account: str = "AC0001", token: str = "secret-token") -> dict[str, str]:
    value = base64.b64encode(f"{account}:{token}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


AUTH = basic()


Receiver = Recorder


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving(Receiver(), "/receipts?source=mock") as found:
        yield found


@pytest.fixture
def start(aiohttp_client: Any, make_services: Callable[..., Services]) -> Start:
    return starter(aiohttp_client, make_services, shutdown_grace=1.0)


async def send(client: Client, body: Any, headers: dict[str, str] = AUTH) -> tuple[int, Any]:
    resp = await client.post(MESSAGES, json=body, headers=headers)
    return resp.status, await resp.json()


def status(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"ErrorCode": code, "Message": message}
    if field:
        inner["Errors"] = [{"FieldName": field}]
    return {"ResponseStatus": inner}


async def test_send_get_and_list(start: Start) -> None:
    client, _ = await start(delivery_delay=60)
    code, sent = await send(client, {"To": "+61400111222", "Text": "Hello from the mock"})
    assert code == 200
    message = sent["Message"]
    assert message["MessageSid"].startswith("MS")
    assert len(message["MessageSid"]) == 34
    assert message["AccountSid"] == "AC0001"
    assert message["PropertySid"] == "PR0001"
    assert message["From"].startswith("+614")  # empty From: a leased number
    assert (message["Status"], message["Direction"], message["NumSegments"]) == (
        "Processing",
        "Transmit",
        1,
    )
    assert isinstance(message["Created"], int)
    fetched = await client.get(f"{BASE}/Messages/{message['MessageSid']}", headers=AUTH)
    assert (await fetched.json())["Message"]["MessageSid"] == message["MessageSid"]
    await send(client, {"To": "+61400111333", "Text": "second", "From": "ACME"})
    listed = await (await client.get(MESSAGES, headers=AUTH)).json()
    assert [m["Text"] for m in listed["Messages"]] == ["second", "Hello from the mock"]
    assert listed["TotalCount"] == 2
    one = await (await client.get(MESSAGES, params={"Results_Count": "1"}, headers=AUTH)).json()
    assert len(one["Messages"]) == 1
    assert one["TotalCount"] == 2
    other = await (await client.get(f"{BASE}/Properties/PR9/Messages", headers=AUTH)).json()
    assert other == {"Messages": [], "TotalCount": 0}


async def test_lifecycle_follows_the_clock(start: Start) -> None:
    client, services = await start(delivery_delay=10)
    now = [1_700_000_000.0]
    services.env.clock = lambda: now[0]
    _, sent = await send(client, {"To": "+61400111222", "Text": "tick"})
    url = f"{BASE}/Messages/{sent['Message']['MessageSid']}"
    seen = []
    for offset in (0, 5, 10):
        now[0] = 1_700_000_000.0 + offset
        seen.append((await (await client.get(url, headers=AUTH)).json())["Message"])
    assert [m["Status"] for m in seen] == ["Processing", "Submitted", "Delivered"]
    assert seen[2]["Submitted"] == 1_700_000_005
    assert seen[2]["Delivered"] == 1_700_000_010
    window = {"Date_From": "1700000000", "Date_To": "1700000000"}
    listed = await (await client.get(MESSAGES, params=window, headers=AUTH)).json()
    assert listed["TotalCount"] == 1
    later = {"Date_From": "1700000001"}
    assert (await (await client.get(MESSAGES, params=later, headers=AUTH)).json())[
        "TotalCount"
    ] == 0


async def test_auth_failures_are_401_response_status(start: Start) -> None:
    client, _ = await start()
    forbidden = status("FORBIDDEN", "A request could not be processed due to missing permissions.")
    for headers in (
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!"},
        basic(token=""),
    ):
        resp = await client.post(
            MESSAGES, json={"To": "+61400111222", "Text": "x"}, headers=headers
        )
        assert resp.status == 401
        assert await resp.json() == forbidden
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"


async def test_validation_errors_are_natural(client: Client) -> None:
    e164 = "A provided number is not in the expected format (E.164)."
    cases = [
        ({"Text": "x"}, status("PARAMETER_REQUIRED", "'To' is required.", "To")),
        ({"To": "+61400111222"}, status("PARAMETER_REQUIRED", "'Text' is required.", "Text")),
        ({"To": "0400111222", "Text": "x"}, status("INVALID_PHONENUMBER_FORMAT", e164, "To")),
        (
            {"To": "+61400111222", "Text": "x" * 1601},
            status(
                "PARAMETER_TOO_LONG",
                "A provided parameter is too long. More details are available in the error message.",
                "Text",
            ),
        ),
        (
            {"To": "+61400111222", "Text": "x", "From": "TooLongSender"},
            status("INVALID_SMS_SENDER", "The SMS sender has an invalid format.", "From"),
        ),
        (
            {"To": "+61400111222", "Text": "x", "DeliveryReceiptWebhookUri": "not a url"},
            status(
                "INVALID_HTTP_URI_FORMAT",
                "An HTTP Uri is not in a valid format.",
                "DeliveryReceiptWebhookUri",
            ),
        ),
        (
            {"To": "+61400111222", "Text": "x", "WebhookMethod": "PUT"},
            status("INVALID_HTTP_METHOD", "An HTTP method is not valid.", "WebhookMethod"),
        ),
    ]
    for body, expected in cases:
        assert await send(client, body) == (400, expected)
    malformed = await client.post(MESSAGES, data=b'{"To": ', headers=AUTH)
    assert malformed.status == 400
    assert await malformed.json() == status(
        "INVALID_MODEL_STATE", "The provided model state is invalid."
    )
    unknown = await client.get(f"{BASE}/Messages/MS0000", headers=AUTH)
    assert (unknown.status, await unknown.json()) == (
        400,
        status("MESSAGE_NOT_FOUND", "A matching SMS message could not be found."),
    )
    reversed_range = {"Date_From": "20", "Date_To": "10"}
    bad_range = await client.get(MESSAGES, params=reversed_range, headers=AUTH)
    assert (await bad_range.json())["ResponseStatus"]["ErrorCode"] == "INVALID_DATE_RANGE"


async def test_batch_returns_an_array_with_failed_items(start: Start) -> None:
    client, _ = await start(delivery_delay=60)
    body = {
        "Messages": [
            {"To": "+61400111222", "Text": "one"},
            {"To": "12", "Text": "two"},
            {"Text": "three"},
        ]
    }
    resp = await client.post(f"{BASE}/Properties/PR0001/BatchMessages", json=body, headers=AUTH)
    items = await resp.json()
    assert resp.status == 200
    assert items[0]["Status"] == "Processing"
    assert "MessageSid" not in items[1]
    assert items[1] == {
        "To": "12",
        "Text": "two",
        "ErrorCode": "INVALID_PHONENUMBER_FORMAT",
        "Message": "A provided number is not in the expected format (E.164).",
    }
    assert items[2] == {
        "Text": "three",
        "ErrorCode": "PARAMETER_REQUIRED",
        "Message": "'To' is required.",
    }
    fetched = await client.get(f"{BASE}/Messages/{items[0]['MessageSid']}", headers=AUTH)
    assert fetched.status == 200
    empty = await client.post(f"{BASE}/Properties/PR0001/BatchMessages", json={}, headers=AUTH)
    assert await empty.json() == status("PARAMETER_REQUIRED", "'Messages' is required.", "Messages")


async def test_accounts_are_isolated(start: Start) -> None:
    client, _ = await start()
    _, sent = await send(client, {"To": "+61400111222", "Text": "mine"}, basic("ACAAAA"))
    sid = sent["Message"]["MessageSid"]
    theirs = await client.get(f"{BASE}/Messages/{sid}", headers=basic("ACBBBB"))
    assert (await theirs.json())["ResponseStatus"]["ErrorCode"] == "MESSAGE_NOT_FOUND"
    listed = await (await client.get(MESSAGES, headers=basic("ACBBBB"))).json()
    assert listed["TotalCount"] == 0
    again = await (await client.get(f"{BASE}/Messages/{sid}", headers=basic("ACAAAA"))).json()
    assert again["Message"]["AccountSid"] == "ACAAAA"


async def test_post_receipt_is_the_final_message(start: Start, receiver: Receiver) -> None:
    client, _ = await start(delivery_delay=0.1)
    body = {"To": "+61400111222", "Text": "hi", "DeliveryReceiptWebhookUri": receiver.url}
    _, sent = await send(client, body)
    assert sent["Message"]["DeliveryReceipt"] is True
    hit = (await receiver.wait(1))[0]
    assert hit["method"] == "POST"
    receipt = json.loads(hit["body"])["Message"]
    assert receipt["MessageSid"] == sent["Message"]["MessageSid"]
    assert receipt["Status"] == "Delivered"
    assert "ErrorCode" not in receipt


async def test_get_receipt_and_magic_failure(start: Start, receiver: Receiver) -> None:
    client, services = await start(delivery_delay=0.1)
    body = {
        "To": "+61400000009",
        "Text": "hi",
        "DeliveryReceiptWebhookUri": receiver.url,
        "DeliveryReceiptWebhookMethod": "GET",
    }
    _, sent = await send(client, body)
    hit = (await receiver.wait(1))[0]
    assert hit["method"] == "GET"
    assert hit["body"] == b""
    assert hit["query"]["source"] == "mock"  # the URI's own query is kept
    assert hit["query"]["Status"] == "Failed"
    assert hit["query"]["ErrorCode"] == "NUMBER_NOT_FOUND"
    assert hit["query"]["DeliveryReceipt"] == "true"
    url = f"{BASE}/Messages/{sent['Message']['MessageSid']}"
    final = (await (await client.get(url, headers=AUTH)).json())["Message"]
    assert (final["Status"], final["ErrorCode"]) == ("Failed", "NUMBER_NOT_FOUND")
    assert services.env.callbacks.records()[0].to_dict()["event"] == "failed NUMBER_NOT_FOUND"


class FailingPlanner:
    """Stands in for a scenario `callback` action (Fone's catalog has no async codes)."""

    def plan_for(self, snapshot: RequestSnapshot, authorized: object = None) -> Plan | None:
        return Plan("passthrough", failure=Failure("SMS_NOT_ENABLED", delay=0.05))


async def test_failure_plan_sets_the_error_code(start: Start, receiver: Receiver) -> None:
    client, services = await start(delivery_delay=30)
    services.pipeline.planner = FailingPlanner()
    body = {"To": "+61400111222", "Text": "hi", "DeliveryReceiptWebhookUri": receiver.url}
    await send(client, body)
    receipt = json.loads((await receiver.wait(1))[0]["body"])["Message"]
    assert (receipt["Status"], receipt["ErrorCode"]) == ("Failed", "SMS_NOT_ENABLED")


# --- fuzzing: every happy endpoint answers in the vendor's shape, never a 500 ---

ENDPOINTS = [
    ("POST", "/Properties/PR1/Messages"),
    ("GET", "/Properties/PR1/Messages"),
    ("POST", "/Properties/PR1/BatchMessages"),
    ("GET", "/Messages/MS123"),
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
    ["To", "From", "Text", "Schedule", "DeliveryReceipt", "DeliveryReceiptWebhookUri", "Messages"]
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(field_names, json_values, max_size=6).map(lambda v: json.dumps(v).encode()),
)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(Settings(delivery_delay=0, shutdown_grace=0.5)) as running:
        yield running


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    query=st.dictionaries(
        st.sampled_from(["Date_From", "Date_To", "Results_Count"]), st.text(max_size=8)
    ),
)
def test_fuzzed_requests_get_vendor_answers(
    server: ServerThread,
    endpoint: tuple[str, str],
    body: bytes,
    content_type: str,
    query: dict[str, str],
) -> None:
    method, path = endpoint
    headers = {**AUTH, **({"Content-Type": content_type} if content_type else {})}
    resp = requests.request(
        method, f"{server.url}{BASE}{path}", params=query, data=body, headers=headers, timeout=10
    )
    assert resp.status_code in (200, 400), resp.text
    answer = resp.json()
    if resp.status_code == 400:
        assert isinstance(answer["ResponseStatus"]["ErrorCode"], str)
    else:
        assert isinstance(answer, list) or {"Message", "Messages"} & set(answer)


def test_server_keeps_serving_after_fuzzing(server: ServerThread) -> None:
    resp = requests.post(
        f"{server.url}{MESSAGES}",
        json={"To": "+61400111222", "Text": "ok"},
        headers=AUTH,
        timeout=10,
    )
    assert resp.json()["Message"]["Status"] == "Processing"


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (14 * 86400, True),  # the documented limit: 14 days ahead
        (14 * 86400 + 1, False),
        (-3600, True),  # up to one hour in the past
        (-3601, False),
    ],
)
async def test_schedule_window_is_14_days_ahead_and_1_hour_back(
    start: Start, offset: int, accepted: bool
) -> None:
    client, services = await start()
    now = 1_700_000_000
    services.env.clock = lambda: float(now)
    code, body = await send(client, {"To": "+61400111222", "Text": "x", "Schedule": now + offset})
    if accepted:
        assert (code, body["Message"]["Scheduled"]) == (200, now + offset)
        return
    message = body["ResponseStatus"]["Message"]
    assert (code, body) == (400, status("SCHEDULED_TIME_OUT_OF_RANGE", message, "Schedule"))


def test_refusals_are_raised_for_the_pipeline_to_answer(
    make_services: Callable[..., Services],
) -> None:
    """One error channel: the auth check and the handlers raise, they never return, errors."""
    vendor = VENDORS["fonedynamics"]
    snapshot = RequestSnapshot(vendor=vendor.name, method="GET", path="/v2/Messages/MS1")
    found = make_services().pipeline.call_for(snapshot, vendor, RenderContext("responsestatus"))
    assert found is not None
    route, call = found
    with pytest.raises(Rejection) as refused:
        vendor.authenticate(call)
    assert refused.value.rendered.status == 401
    with pytest.raises(Rejection) as missing:
        route.handler(call)
    assert missing.value.rendered.json()["ResponseStatus"]["ErrorCode"] == "MESSAGE_NOT_FOUND"
