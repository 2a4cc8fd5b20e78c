"""RingCentral's hand-written answers validate against the spec's schema for their operation and status."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from aiohttp.test_utils import TestClient

from mockserver.catalog import Catalog
from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.vendors.ringcentral.routes import ROUTER
from tests.conftest import ClientFactory
from tests.test_happy_ringcentral import JWT, Clock, basic, bearer

TABLE = Path(__file__).resolve().parents[1] / "mockserver/vendors/ringcentral/spec/platform.json"
RC = "/ringcentral"
EXT_TEMPLATE = "/restapi/v1.0/account/{accountId}/extension/{extensionId}"
EXT = RC + "/restapi/v1.0/account/~/extension/~"
SUB = RC + "/restapi/v1.0/subscription"
FROM, TO = "+16505550100", "+16505550101"
DELAY = 10.0
# The spec's shared error responses (components.responses InvalidRequest, Unauthorized,
# Forbidden, NotFound, UnsupportedMediaType, TooManyRequests, InternalError, BadGateway,
# ServiceNotAvailable): the schema of an error status an operation does not list itself. Statuses
# the spec names nowhere (405, 406, 416, 501) get its generic error model, ApiErrorResponseModel.
PARAMETERIZED = {400: "ParameterizedErrorResponseModel", 401: "ParameterizedErrorResponseModel"}
# Hand-written routes: operationId -> (method, path template); every one is checked below.
OPERATIONS = {
    "getToken": ("POST", "/restapi/oauth/token"),
    "revokeToken": ("POST", "/restapi/oauth/revoke"),
    "readExtension": ("GET", EXT_TEMPLATE),
    "listExtensionPhoneNumbers": ("GET", EXT_TEMPLATE + "/phone-number"),
    "createSMSMessage": ("POST", EXT_TEMPLATE + "/sms"),
    "listMessages": ("GET", EXT_TEMPLATE + "/message-store"),
    "readMessage": ("GET", EXT_TEMPLATE + "/message-store/{messageId}"),
    "createRingOutCall": ("POST", EXT_TEMPLATE + "/ring-out"),
    "readRingOutCallStatus": ("GET", EXT_TEMPLATE + "/ring-out/{ringoutId}"),
    "readUserCallLog": ("GET", EXT_TEMPLATE + "/call-log"),
    "createSubscription": ("POST", "/restapi/v1.0/subscription"),
    "listSubscriptions": ("GET", "/restapi/v1.0/subscription"),
    "readSubscription": ("GET", "/restapi/v1.0/subscription/{subscriptionId}"),
    "updateSubscription": ("PUT", "/restapi/v1.0/subscription/{subscriptionId}"),
    "deleteSubscription": ("DELETE", "/restapi/v1.0/subscription/{subscriptionId}"),
    "renewSubscription": ("POST", "/restapi/v1.0/subscription/{subscriptionId}/renew"),
}


@functools.cache
def table() -> dict[str, Any]:
    return json.loads(TABLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@functools.cache
def operation(op_id: str) -> dict[str, Any]:
    return next(op for op in table()["operations"] if op["id"] == op_id)


def _formats() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is None or bool(parts.scheme and parts.netloc)

    @checker.checks("int32")
    def _int32(value: object) -> bool:
        return not isinstance(value, int) or -(2**31) <= value < 2**31

    @checker.checks("int64")
    def _int64(value: object) -> bool:
        return not isinstance(value, int) or -(2**63) <= value < 2**63

    return checker


FORMATS = _formats()


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    document = {**schema, "schemas": table()["schemas"]}
    return jsonschema.Draft202012Validator(document, format_checker=FORMATS)


def response_schema(op_id: str, status: int) -> dict[str, Any] | None:
    """The operation's schema for `status` (None: documented without a body schema).

    A status the operation does not list gets the spec's shared error schema for it.
    """
    documented = operation(op_id)["responses"].get(str(status))
    if documented is not None:
        return documented.get("schema")  # type: ignore[no-any-return]
    assert status >= 400, f"{op_id} answered {status}, which the spec does not list"
    return {"$ref": "#/schemas/" + PARAMETERIZED.get(status, "ApiErrorResponseModel")}


def violations(
    op_id: str, status: int, body: Any, schema: dict[str, Any] | None = None
) -> list[str]:
    schema = schema or response_schema(op_id, status)
    if schema is None:
        return []
    found = validator(schema).iter_errors(body)
    return [f"{list(e.absolute_path)}: {e.message[:160]}" for e in found]


async def conforms(op_id: str, resp: Any) -> Any:
    """Assert `resp` validates for its operation and status; return the parsed body."""
    text = await resp.text()
    body = json.loads(text) if text else None
    assert violations(op_id, resp.status, body) == [], (op_id, resp.status, body)
    return body


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def rc(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], clock: Clock
) -> TestClient:
    services = make_services(delivery_delay=DELAY, shutdown_grace=0.0)
    services.env.clock = clock
    return await aiohttp_client(create_app(services.settings, services))


async def token(rc: TestClient) -> dict[str, str]:
    resp = await rc.post(RC + "/restapi/oauth/token", data=login_form(), headers=basic())
    return bearer((await conforms("getToken", resp))["access_token"])


def login_form() -> dict[str, str]:
    return {"grant_type": JWT, "assertion": "a.b.c"}


def sms(to: str = TO) -> dict[str, Any]:
    return {"from": {"phoneNumber": FROM}, "to": [{"phoneNumber": to}], "text": "hi"}


def subscription(address: str = "http://127.0.0.1:9/hook", **extra: Any) -> dict[str, Any]:
    mode = {"transportType": "WebHook", "address": address}
    return {"eventFilters": [EXT_TEMPLATE + "/message-store"], "deliveryMode": mode, **extra}


def test_every_hand_written_route_is_a_spec_operation() -> None:
    declared = {(op["method"], op["path"]): op["id"] for op in table()["operations"]}
    assert {declared[where] for where in OPERATIONS.values()} == set(OPERATIONS)
    # PUT .../renew is the one route the spec does not list (kept; answered like POST)
    assert len(ROUTER.routes) == len(OPERATIONS) + 1


# --- success answers ---------------------------------------------------------------------


async def test_token_answers_conform(rc: TestClient) -> None:
    headers = await token(rc)
    form = {"token": headers["Authorization"].split()[1]}
    resp = await rc.post(RC + "/restapi/oauth/revoke", data=form, headers=basic())
    assert (resp.status, await resp.read()) == (200, b"")  # revokeToken: 200 without content


async def test_fractional_token_ttl_is_reported_as_whole_seconds(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(token_ttl=0.5)
    client = await aiohttp_client(create_app(services.settings, services))
    resp = await client.post(RC + "/restapi/oauth/token", data=login_form(), headers=basic())
    body = await conforms("getToken", resp)  # TokenInfo: expires_in is an int32
    assert (body["expires_in"], body["refresh_token_expires_in"]) == (1, 84)


async def test_account_answers_conform(rc: TestClient) -> None:
    headers = await token(rc)
    await conforms("readExtension", await rc.get(EXT, headers=headers))
    body = await conforms(
        "listExtensionPhoneNumbers", await rc.get(EXT + "/phone-number", headers=headers)
    )
    assert body["records"]


@pytest.mark.parametrize("to", [TO, "+15005550009", "+15005550013"])
async def test_message_answers_conform_at_every_step(rc: TestClient, clock: Clock, to: str) -> None:
    headers = await token(rc)
    sent = await conforms(
        "createSMSMessage", await rc.post(EXT + "/sms", json=sms(to), headers=headers)
    )
    for _ in range(3):  # Queued, Sent, final
        listing = await conforms(
            "listMessages", await rc.get(EXT + "/message-store", headers=headers)
        )
        assert listing["records"]
        url = f"{EXT}/message-store/{sent['id']}"
        await conforms_read_message(await rc.get(url, headers=headers))
        clock.now += DELAY / 2


# readMessage's schema requires `vmSideRecipients` (minItems 1): "other users (side recipients) who
# also received the voicemail". An SMS has none, the SDKs type it optional (ringcentral-extensible
# `vmSideRecipients?:`, RingCentral.Net a nullable array), and the same record in listMessages is
# GetMessageInfoResponse without it; the mock sends no invented voicemail recipient.
async def conforms_read_message(resp: Any) -> None:
    body = await resp.json()
    assert resp.status == 200
    assert violations("readMessage", 200, body) == ["[]: 'vmSideRecipients' is a required property"]
    assert violations("readMessage", 200, body, {"$ref": "#/schemas/GetMessageInfoResponse"}) == []


async def test_ring_out_and_call_log_conform_at_every_step(rc: TestClient, clock: Clock) -> None:
    headers = await token(rc)
    body = {"from": {"phoneNumber": FROM}, "to": {"phoneNumber": TO}}
    made = await conforms(
        "createRingOutCall", await rc.post(EXT + "/ring-out", json=body, headers=headers)
    )
    for _ in range(3):  # InProgress, caller connected, Success
        url = f"{EXT}/ring-out/{made['id']}"
        await conforms("readRingOutCallStatus", await rc.get(url, headers=headers))
        log = await conforms("readUserCallLog", await rc.get(EXT + "/call-log", headers=headers))
        assert log["records"]
        clock.now += DELAY / 2


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [("readUserCallLog", "/call-log"), ("listExtensionPhoneNumbers", "/phone-number")],
)
async def test_enumerated_lists_refuse_pages_their_paging_cannot_describe(
    rc: TestClient, operation_id: str, path: str
) -> None:
    headers = await token(rc)
    last = await rc.get(EXT + path, params={"page": "1000"}, headers=headers)
    assert (await conforms(operation_id, last))["paging"]["page"] == 1000
    # EnumeratedPagingModel: page maximum 1000, additionalProperties false
    past = await rc.get(EXT + path, params={"page": "1001"}, headers=headers)
    assert past.status == 400
    body = await conforms(operation_id, past)
    assert (body["errors"][0]["errorCode"], body["parameterName"]) == ("CMN-101", "page")


async def test_subscription_answers_conform(rc: TestClient, clock: Clock) -> None:
    headers = await token(rc)
    made = await conforms(
        "createSubscription", await rc.post(SUB, json=subscription(), headers=headers)
    )
    assert made["status"] == "Blacklisted"  # nothing listens on port 9: blacklistedData is shown
    url = f"{SUB}/{made['id']}"
    await conforms("listSubscriptions", await rc.get(SUB, headers=headers))
    await conforms("readSubscription", await rc.get(url, headers=headers))
    await conforms("updateSubscription", await rc.put(url, json={"expiresIn": 60}, headers=headers))
    await conforms("renewSubscription", await rc.post(url + "/renew", headers=headers))
    deleted = await rc.delete(url, headers=headers)
    assert (deleted.status, await deleted.read()) == (
        204,
        b"",
    )  # deleteSubscription: 204, no content


async def test_an_expired_subscription_leaves_expires_in_out(rc: TestClient, clock: Clock) -> None:
    headers = await token(rc)
    made = await (await rc.post(SUB, json=subscription(expiresIn=60), headers=headers)).json()
    clock.now += 61
    body = await conforms("readSubscription", await rc.get(f"{SUB}/{made['id']}", headers=headers))
    assert "expiresIn" not in body  # SubscriptionInfo: expiresIn minimum 1
    assert body["expirationTime"] == "2026-01-01T00:01:00.000Z"


async def test_the_thirty_first_subscription_is_refused(rc: TestClient) -> None:
    headers = await token(rc)
    for _ in range(30):
        assert (await rc.post(SUB, json=subscription(), headers=headers)).status == 200
    refused = await rc.post(SUB, json=subscription(), headers=headers)
    assert refused.status == 403
    body = await conforms("createSubscription", refused)
    assert body["errors"][0] == {"errorCode": "SUB-505", "message": "Subscriptions limit exceeded"}
    await conforms("listSubscriptions", await rc.get(SUB, headers=headers))  # maxItems 30


# --- error answers -----------------------------------------------------------------------


async def test_natural_errors_conform(rc: TestClient) -> None:
    headers = await token(rc)
    post = rc.post
    cases = [
        ("getToken", post(RC + "/restapi/oauth/token", data=login_form())),
        ("getToken", post(RC + "/restapi/oauth/token", data={"grant_type": "x"}, headers=basic())),
        ("getToken", post(RC + "/restapi/oauth/token", data={"grant_type": JWT}, headers=basic())),
        ("revokeToken", post(RC + "/restapi/oauth/revoke", data={}, headers=basic())),
        ("readExtension", rc.get(EXT)),
        ("readExtension", rc.get(EXT, headers=bearer("unknown"))),
        ("createSMSMessage", post(EXT + "/sms", json={"text": "x"}, headers=headers)),
        ("createSMSMessage", post(EXT + "/sms", data=b"{", headers=headers)),
        ("createSMSMessage", post(EXT + "/sms", json=sms("+442071838750"), headers=headers)),
        ("listMessages", rc.get(EXT + "/message-store?perPage=0", headers=headers)),
        ("readMessage", rc.get(EXT + "/message-store/1", headers=headers)),
        ("readMessage", rc.get(EXT + "/message-store/x", headers=headers)),
        ("createRingOutCall", post(EXT + "/ring-out", json={}, headers=headers)),
        ("readRingOutCallStatus", rc.get(EXT + "/ring-out/nope", headers=headers)),
        ("readUserCallLog", rc.get(EXT + "/call-log?direction=x", headers=headers)),
        ("createSubscription", post(SUB, json={"eventFilters": ["x"]}, headers=headers)),
        ("readSubscription", rc.get(SUB + "/nope", headers=headers)),
        ("updateSubscription", rc.put(SUB + "/nope", json={}, headers=headers)),
        ("deleteSubscription", rc.delete(SUB + "/nope", headers=headers)),
        ("renewSubscription", post(SUB + "/nope/renew", headers=headers)),
    ]
    for op_id, pending in cases:
        resp = await pending
        assert resp.status >= 400, op_id
        await conforms(op_id, resp)


def _request(op_id: str) -> tuple[str, str, dict[str, Any]]:
    method, template = OPERATIONS[op_id]
    path = RC + template.format(
        accountId="~", extensionId="~", messageId="1", ringoutId="r", subscriptionId="s"
    )
    if op_id in ("getToken", "revokeToken"):
        return method, path, {"data": login_form()}
    return method, path, {}


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
async def test_every_catalogued_error_conforms_on_every_operation(
    rc: TestClient, catalog: Catalog, op_id: str
) -> None:
    headers = await token(rc)
    method, path, extra = _request(op_id)
    for entry in catalog.vendor("ringcentral"):
        auth = basic() if "/oauth/" in path else headers
        inject = {**auth, "X-Mock-Error": entry.key}
        resp = await rc.request(method, path, headers=inject, **extra)
        assert resp.status >= 400, (op_id, entry.key)
        body = json.loads(await resp.text())
        assert violations(op_id, resp.status, body) == [], (op_id, entry.key, body)


async def test_the_gateway_not_found_keeps_its_captured_empty_errors(rc: TestClient) -> None:
    # ApiErrorResponseModel wants errors minItems 1; the captured AGW-404 has `errors: []`
    # (Postman collection, vendors.md 1.3 C), and the capture wins.
    resp = await rc.get(RC + "/restapi/v1.0/no-such-thing")
    body = await resp.json()
    assert (resp.status, body["errors"]) == (404, [])
    schema = {"$ref": "#/schemas/ApiErrorResponseModel"}
    assert violations("readExtension", 404, body, schema) == ["['errors']: [] should be non-empty"]
