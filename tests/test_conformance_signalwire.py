"""SignalWire's hand-written answers validate against SignalWire's own schemas (spec tables)."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

import mockserver.vendors.signalwire as signalwire
from mockserver.server.services import SERVICES

SPEC = Path(signalwire.__file__).parent / "spec"
PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
TO, FROM = "+15550100001", "+15550100002"
COMPAT = [
    f"/signalwire/2010-04-01/Accounts/{PROJECT}",
    f"/signalwire/api/laml/2010-04-01/Accounts/{PROJECT}",
]
MESSAGES, LOGS = "/signalwire/api/messaging/messages", "/signalwire/api/messaging/logs"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{PROJECT}:PT-token".encode()).decode()}
BAD_AUTH = {"Authorization": "Bearer nope"}
CALL = {"To": TO, "From": FROM, "Url": "https://example.com/cxml"}
SMS = {"To": TO, "From": FROM, "Body": "hello"}
MISSING = "11111111-2222-4333-8444-555555555555"


class Clock:
    """A clock the tests move by hand, so each status of the lifecycles can be read."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@cache
def table(name: str) -> dict[str, Any]:
    """The committed operation table (`compat` or `rest`)."""
    data: dict[str, Any] = json.loads((SPEC / f"{name}.json").read_text())
    return data


def validator(name: str, op_id: str, status: int) -> Draft202012Validator:
    """The response schema the spec documents for this operation and status."""
    spec = table(name)
    op = next(op for op in spec["operations"] if op["id"] == op_id)
    assert str(status) in op["responses"], f"{op_id} documents no {status}: {list(op['responses'])}"
    schema = {"schemas": spec["schemas"], **op["responses"][str(status)]["schema"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


async def conforms(name: str, op_id: str, resp: Any, status: int) -> dict[str, Any]:
    """Assert the answer's status and that its body validates; return the body."""
    body = await resp.json()
    assert resp.status == status, body
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator(name, op_id, status).iter_errors(body)
    ]
    assert not errors, "\n".join(errors)
    return body  # type: ignore[no-any-return]


@pytest.fixture
def clock(client: TestClient) -> Clock:
    tick = Clock()
    client.app[SERVICES].env.clock = tick
    return tick


# --- compat: Account --------------------------------------------------------------------------


@pytest.mark.parametrize("base", COMPAT)
async def test_account(client: TestClient, base: str) -> None:
    body = await conforms(
        "compat", "get_account", await client.get(base + ".json", headers=AUTH), 200
    )
    assert (body["sid"], body["auth_token"], body["subproject"]) == (PROJECT, "redacted", False)
    assert body["subresource_uris"]["calls"] == f"{base.removeprefix('/signalwire')}/Calls.json"
    await conforms("compat", "get_account", await client.get(base, headers=BAD_AUTH), 401)


# --- compat: Messages -------------------------------------------------------------------------


@pytest.mark.parametrize("base", COMPAT)
async def test_message_lifecycle(client: TestClient, clock: Clock, base: str) -> None:
    sent = await conforms(
        "compat",
        "create_message",
        await client.post(base + "/Messages.json", data=SMS, headers=AUTH),
        201,
    )
    media = {**SMS, "MediaUrl": "https://example.com/a.png"}
    await conforms(
        "compat",
        "create_message",
        await client.post(base + "/Messages.json", data=media, headers=AUTH),
        201,
    )
    url = f"{base}/Messages/{sent['sid']}.json"
    await conforms("compat", "retrieve_message", await client.get(url, headers=AUTH), 200)
    listed = await conforms(
        "compat",
        "list_messages",
        await client.get(base + "/Messages.json?PageSize=1", headers=AUTH),
        200,
    )
    assert listed["next_page_uri"]
    assert not {"start", "end"} & set(listed)  # Twilio's keys, not in SignalWire's schema
    second = await client.get("/signalwire" + listed["next_page_uri"], headers=AUTH)
    assert (await conforms("compat", "list_messages", second, 200))["previous_page_uri"]
    early = await client.delete(url, headers=AUTH)
    await conforms("compat", "delete_message", early, 400)
    clock.now += 5
    await conforms("compat", "retrieve_message", await client.get(url, headers=AUTH), 200)
    redacted = await client.post(url, data={"Body": ""}, headers=AUTH)
    assert (await conforms("compat", "update_message", redacted, 200))["body"] == ""
    bad = await client.post(url, data={"Body": "x"}, headers=AUTH)
    await conforms("compat", "update_message", bad, 400)
    assert (await client.delete(url, headers=AUTH)).status == 204


@pytest.mark.parametrize("base", COMPAT)
async def test_message_media(client: TestClient, base: str) -> None:
    form = {**SMS, "MediaUrl": ["https://example.com/a.png", "https://example.com/b.jpg"]}
    sent = await (await client.post(base + "/Messages.json", data=form, headers=AUTH)).json()
    listed = await client.get(f"{base}/Messages/{sent['sid']}/Media.json", headers=AUTH)
    assert len((await conforms("compat", "list_media", listed, 200))["media_list"]) == 2


@pytest.mark.parametrize(
    ("op_id", "method", "tail", "form", "status"),
    [
        ("create_message", "POST", "/Messages.json", {"From": FROM, "Body": "x"}, 400),
        ("create_message", "POST", "/Messages.json", SMS, 401),
        ("list_messages", "GET", "/Messages.json?PageSize=5000", None, 400),
        ("list_messages", "GET", "/Messages.json", None, 401),
        ("retrieve_message", "GET", f"/Messages/{MISSING}.json", None, 404),
        ("update_message", "POST", f"/Messages/{MISSING}.json", {"Body": ""}, 404),
        ("delete_message", "DELETE", f"/Messages/{MISSING}.json", None, 404),
        ("list_messages", "GET", "/Messages.json?PageToken=PAnope", None, 400),
    ],
)
async def test_message_errors(
    client: TestClient, op_id: str, method: str, tail: str, form: Any, status: int
) -> None:
    headers = BAD_AUTH if status == 401 else AUTH
    resp = await client.request(method, COMPAT[1] + tail, data=form, headers=headers)
    await conforms("compat", op_id, resp, status)


# --- compat: Calls ----------------------------------------------------------------------------


@pytest.mark.parametrize("base", COMPAT)
async def test_call_lifecycle(client: TestClient, clock: Clock, base: str) -> None:
    created = await client.post(base + "/Calls.json", data=CALL, headers=AUTH)
    call = await conforms("compat", "create_a_call", created, 200)
    assert (call["direction"], call["sip_result_code"], call["audio_in_mos"]) == (
        "outbound",
        None,
        None,
    )
    url = f"{base}/Calls/{call['sid']}.json"
    await conforms("compat", "delete_a_call", await client.delete(url, headers=AUTH), 400)
    for _ in range(3):
        await conforms("compat", "retrieve_a_call", await client.get(url, headers=AUTH), 200)
        clock.now += 0.15
    hung_up = await client.post(url, data={"Status": "completed"}, headers=AUTH)
    assert (await conforms("compat", "update_a_call", hung_up, 200))["status"] == "completed"
    again = await client.post(url, data={"Status": "completed"}, headers=AUTH)
    await conforms("compat", "update_a_call", again, 400)
    listed = await conforms(
        "compat", "list_all_calls", await client.get(base + "/Calls.json", headers=AUTH), 200
    )
    assert [c["sid"] for c in listed["calls"]] == [call["sid"]]
    assert (await client.delete(url, headers=AUTH)).status == 204
    await conforms("compat", "retrieve_a_call", await client.get(url, headers=AUTH), 404)


@pytest.mark.parametrize("form", [{"To": None}, {"From": "abc"}, {"Url": None}])
async def test_call_create_400_is_the_errors_array(
    client: TestClient, form: dict[str, Any]
) -> None:
    data = {k: v for k, v in {**CALL, **form}.items() if v is not None}
    resp = await client.post(COMPAT[0] + "/Calls.json", data=data, headers=AUTH)
    body = await conforms("compat", "create_a_call", resp, 400)
    assert set(body["errors"][0]) == {"code", "message", "more_info"}


@pytest.mark.parametrize(
    ("form", "headers"),
    [({}, {"X-Mock-Error": "21211"}), ({"To": "+15005550001"}, {})],  # injected, magic number
)
async def test_call_create_catalogued_400_is_the_errors_array(
    client: TestClient, form: dict[str, str], headers: dict[str, str]
) -> None:
    resp = await client.post(
        COMPAT[1] + "/Calls", data={**CALL, **form}, headers={**AUTH, **headers}
    )
    body = await conforms("compat", "create_a_call", resp, 400)
    assert body["errors"][0]["code"] == "21211"


@pytest.mark.parametrize(
    ("op_id", "method", "tail", "form", "status"),
    [
        ("create_a_call", "POST", "/Calls.json", CALL, 401),
        ("list_all_calls", "GET", "/Calls.json?PageSize=0", None, 400),
        ("list_all_calls", "GET", "/Calls.json", None, 401),
        ("retrieve_a_call", "GET", f"/Calls/{MISSING}.json", None, 404),
        ("update_a_call", "POST", f"/Calls/{MISSING}.json", {"Status": "completed"}, 404),
        ("delete_a_call", "DELETE", f"/Calls/{MISSING}.json", None, 404),
    ],
)
async def test_call_errors(
    client: TestClient, op_id: str, method: str, tail: str, form: Any, status: int
) -> None:
    headers = BAD_AUTH if status == 401 else AUTH
    resp = await client.request(method, COMPAT[0] + tail, data=form, headers=headers)
    await conforms("compat", op_id, resp, status)


# --- /api/messaging ---------------------------------------------------------------------------


async def test_rest_message_and_logs(client: TestClient, clock: Clock) -> None:
    payload = {"to": TO, "from": FROM, "body": "hi", "status_callback": "https://example.com/cb"}
    sent = await conforms(
        "rest", "create_message", await client.post(MESSAGES, json=payload, headers=AUTH), 201
    )
    await client.post(COMPAT[0] + "/Messages.json", data=SMS, headers=AUTH)
    for _ in range(2):
        logs = await conforms(
            "rest", "list_message_logs", await client.get(LOGS, headers=AUTH), 200
        )
        assert {"error_code", "error_message"} <= set(logs["data"][0])
        for item in logs["data"]:
            one = await client.get(f"{LOGS}/{item['id']}", headers=AUTH)
            await conforms("rest", "get_message_log", one, 200)
        clock.now += 5
    redacted = await client.patch(f"{MESSAGES}/{sent['id']}", json={"body": ""}, headers=AUTH)
    await conforms("rest", "update_message", redacted, 200)


async def test_failed_message_log_carries_the_error(client: TestClient, clock: Clock) -> None:
    undelivered = {**SMS, "To": "+15005550010"}  # magic number: the carrier reports 30003
    await client.post(COMPAT[0] + "/Messages.json", data=undelivered, headers=AUTH)
    clock.now += 5
    logs = await conforms("rest", "list_message_logs", await client.get(LOGS, headers=AUTH), 200)
    assert (logs["data"][0]["status"], logs["data"][0]["error_code"]) == ("undelivered", "30003")


@pytest.mark.parametrize(
    ("op_id", "method", "url", "payload", "status"),
    [
        ("create_message", "POST", MESSAGES, {"to": TO, "from": FROM}, 422),
        ("create_message", "POST", MESSAGES, "not json", 400),
        ("create_message", "POST", MESSAGES, {"to": TO}, 401),
        ("update_message", "PATCH", f"{MESSAGES}/{MISSING}", {"body": ""}, 404),
        ("list_message_logs", "GET", LOGS + "?page_size=5000", None, 422),
        ("list_message_logs", "GET", LOGS, None, 401),
        ("get_message_log", "GET", f"{LOGS}/{MISSING}", None, 404),
    ],
)
async def test_rest_errors(
    client: TestClient, op_id: str, method: str, url: str, payload: Any, status: int
) -> None:
    headers = BAD_AUTH if status == 401 else AUTH
    body = {"data": payload} if isinstance(payload, str) else {"json": payload}
    resp = await client.request(method, url, headers=headers, **body)
    await conforms("rest", op_id, resp, status)


# --- catalogued errors at every status each operation documents -------------------------------

HAND_WRITTEN = [
    ("compat", "get_account", "GET", ""),
    ("compat", "list_messages", "GET", "/Messages"),
    ("compat", "create_message", "POST", "/Messages"),
    ("compat", "retrieve_message", "GET", f"/Messages/{MISSING}"),
    ("compat", "update_message", "POST", f"/Messages/{MISSING}"),
    ("compat", "delete_message", "DELETE", f"/Messages/{MISSING}"),
    ("compat", "list_media", "GET", f"/Messages/{MISSING}/Media"),
    ("compat", "list_all_calls", "GET", "/Calls"),
    ("compat", "create_a_call", "POST", "/Calls"),
    ("compat", "retrieve_a_call", "GET", f"/Calls/{MISSING}"),
    ("compat", "update_a_call", "POST", f"/Calls/{MISSING}"),
    ("compat", "delete_a_call", "DELETE", f"/Calls/{MISSING}"),
    ("rest", "list_message_logs", "GET", LOGS),
    ("rest", "get_message_log", "GET", f"{LOGS}/{MISSING}"),
    ("rest", "create_message", "POST", MESSAGES),
    ("rest", "update_message", "PATCH", f"{MESSAGES}/{MISSING}"),
]


def documented_errors() -> list[tuple[str, str, str, str, int]]:
    """(table, operation, method, url, status) for every 4xx/5xx the spec documents."""
    cases = []
    for name, op_id, method, tail in HAND_WRITTEN:
        op = next(op for op in table(name)["operations"] if op["id"] == op_id)
        url = COMPAT[1] + tail + ".json" if name == "compat" else tail
        for status in op["responses"]:
            if int(status) >= 400:
                cases.append((name, op_id, method, url, int(status)))
    return cases


@pytest.mark.parametrize(("name", "op_id", "method", "url", "status"), documented_errors())
async def test_injected_errors_conform(
    client: TestClient, name: str, op_id: str, method: str, url: str, status: int
) -> None:
    headers = {**AUTH, "X-Mock-Error": "21211", "X-Mock-Error-Status": str(status)}
    await conforms(name, op_id, await client.request(method, url, headers=headers), status)
