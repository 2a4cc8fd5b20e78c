"""X-Mock-Error header injection: exact envelopes, statuses, headers and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory

SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
MESSAGES = "/signalwire/2010-04-01/Accounts/PROJ/Messages.json"


async def test_ringcentral_rate_limit_has_retry_after_and_counters(client: TestClient) -> None:
    resp = await client.post(SMS, json={}, headers={"X-Mock-Error": "CMN-301"})
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "60"
    assert resp.headers["X-Rate-Limit-Remaining"] == "0"
    assert resp.headers["X-Rate-Limit-Group"] == "medium"
    assert resp.headers["X-Rate-Limit-Window"] == "60"
    assert resp.headers["RCRequestId"]
    body = await resp.json()
    assert body["errorCode"] == "CMN-301"
    assert body["errors"] == [{"errorCode": "CMN-301", "message": "Request rate exceeded"}]


async def test_retry_after_and_status_overrides(client: TestClient) -> None:
    headers = {"X-Mock-Error": "CMN-301", "X-Mock-Retry-After": "2"}
    resp = await client.post(SMS, json={}, headers=headers)
    assert resp.headers["Retry-After"] == "2"
    resp = await client.post(SMS, headers={"X-Mock-Error": "CMN-102", "X-Mock-Error-Status": "404"})
    assert resp.status == 404


async def test_params_fill_placeholders_and_top_level_attributes(client: TestClient) -> None:
    headers = {"X-Mock-Error": "CMN-102", "X-Mock-Error-Params": "parameterName=messageId"}
    resp = await client.get(SMS + "/123", headers=headers)
    body = await resp.json()
    assert body["message"] == "Resource for parameter [messageId] is not found"
    assert body["parameterName"] == "messageId"
    assert body["errors"][0]["parameterName"] == "messageId"


async def test_oauth_path_uses_oauth_envelope_with_400(client: TestClient) -> None:
    resp = await client.post(
        "/ringcentral/restapi/oauth/token", headers={"X-Mock-Error": "OAU-140"}
    )
    assert resp.status == 400
    body = await resp.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == body["errors"][0]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/signalwire/2010-04-01/Accounts/PROJ/Messages.json",
        "/signalwire/2010-04-01/Accounts/PROJ/Messages",
        "/signalwire/api/laml/2010-04-01/Accounts/PROJ/Messages.json",
        "/signalwire/api/laml/2010-04-01/Accounts/PROJ/Messages",
    ],
)
async def test_signalwire_compat_on_both_path_forms(client: TestClient, path: str) -> None:
    resp = await client.post(path, data={"To": "+1"}, headers={"X-Mock-Error": "21211"})
    assert resp.status == 400
    body = await resp.json()
    assert body["code"] == 21211
    assert body["status"] == 400
    assert set(body) == {"code", "message", "more_info", "status"}


async def test_yeastar_error_is_http_200_with_errcode(client: TestClient) -> None:
    resp = await client.post("/yeastar/openapi/v1.0/call/dial", headers={"X-Mock-Error": "10004"})
    assert resp.status == 200
    assert await resp.json() == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}


async def test_fonedynamics_response_status(client: TestClient) -> None:
    resp = await client.post(
        "/fonedynamics/v2/Properties/P1/Messages", headers={"X-Mock-Error": "FORBIDDEN"}
    )
    assert resp.status == 403
    body = await resp.json()
    assert body["ResponseStatus"]["ErrorCode"] == "FORBIDDEN"


async def test_webexconnect_variant_is_addressable(client: TestClient) -> None:
    path = "/webexconnect/resources/v1/messaging"
    first = await (await client.post(path, headers={"X-Mock-Error": "7003"})).json()
    second = await (await client.post(path, headers={"X-Mock-Error": "7003/2"})).json()
    assert first["response"][0]["code"] == second["response"][0]["code"] == "7003"
    assert first["response"][0]["description"] != second["response"][0]["description"]
    assert second["response"][0]["description"] == "param 'text' is missing for android"


async def test_unknown_code_names_it_and_suggests_closest(client: TestClient) -> None:
    resp = await client.post(SMS, headers={"X-Mock-Error": "CMN-3O1"})
    assert resp.status == 400
    assert resp.headers["X-Mock-Server-Error"] == "true"
    body = await resp.json()
    assert body["error"] == "unknown_code"
    assert "CMN-3O1" in body["message"]
    assert "CMN-301" in body["suggestions"]


async def test_async_only_code_is_refused_with_explanation(client: TestClient) -> None:
    resp = await client.post(MESSAGES, headers={"X-Mock-Error": "30003"})
    assert resp.status == 400
    body = await resp.json()
    assert body["error"] == "async_only"
    assert "/__admin/catalog/signalwire/30003/render" in body["message"]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Mock-Error-Params", "novalue"),
        ("X-Mock-Error-Status", "999"),
        ("X-Mock-Retry-After", "soon"),
    ],
)
async def test_malformed_companion_headers_are_named(
    client: TestClient, header: str, value: str
) -> None:
    resp = await client.post(SMS, headers={"X-Mock-Error": "CMN-301", header: value})
    assert resp.status == 400
    assert header in (await resp.json())["message"]


@pytest.mark.parametrize(
    ("path", "status", "check"),
    [
        ("/ringcentral/nope", 404, lambda b: b["errorCode"] == "AGW-404"),
        ("/signalwire/2010-04-01/Nope.json", 404, lambda b: b["code"] == 20404),
        ("/yeastar/openapi/v1.0/nope", 200, lambda b: b["errcode"] == 10001),
        (
            "/fonedynamics/v2/Nope",
            400,
            lambda b: b["ResponseStatus"]["ErrorCode"] == "RECORD_NOT_FOUND",
        ),
    ],
)
async def test_unknown_path_gets_the_vendors_not_found(
    client: TestClient, path: str, status: int, check: object
) -> None:
    resp = await client.get(path)
    assert resp.status == status
    assert check(await resp.json())  # type: ignore[operator]


async def test_server_keeps_serving_after_bad_input(client: TestClient) -> None:
    await client.post(SMS, data=b"\xff\xfe{{{", headers={"X-Mock-Error": "\u00e9"})
    resp = await client.post(SMS, headers={"X-Mock-Error": "CMN-301"})
    assert resp.status == 429


@pytest.mark.parametrize(
    ("path", "status", "check"),
    [
        (
            "/ringcentral/restapi/v1.0/account/~/extension/~/sms",
            413,
            lambda b: b["errorCode"] == "MSG-338",
        ),
        ("/yeastar/openapi/v1.0/message/send", 200, lambda b: b["errcode"] == 40004),
        ("/signalwire/2010-04-01/Accounts/P/Messages.json", 413, lambda b: b["code"] == 20413),
        (
            "/fonedynamics/v2/Properties/P/Messages",
            400,
            lambda b: b["ResponseStatus"]["ErrorCode"] == "PARAMETER_TOO_LONG",
        ),
        ("/webexconnect/resources/v1/messaging", 400, lambda b: b["response"][0]["code"] == "7000"),
    ],
)
async def test_oversized_body_gets_the_vendors_answer(
    aiohttp_client: ClientFactory,
    make_services: Callable[..., Services],
    path: str,
    status: int,
    check: Callable[[dict[str, Any]], bool],
) -> None:
    services = make_services(max_body=1024)
    client = await aiohttp_client(create_app(services.settings, services))
    resp = await client.post(path, data=b"x" * 4096, headers={"Content-Type": "application/json"})
    assert resp.status == status
    assert check(await resp.json())
    journal = services.store.journal()
    assert journal[-1].outcome == "too_large"
    resp = await client.get("/__admin/health")
    assert resp.status == 200


async def test_the_body_limit_holds_whether_a_body_is_buffered_or_still_arriving(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    # a body already received is measured by the pipeline, one still arriving by aiohttp
    services = make_services(max_body=1024)
    client = await aiohttp_client(create_app(services.settings, services))
    path = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
    headers = {"Content-Type": "application/json", "X-Mock-Error": "CMN-301"}

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(4):
            await asyncio.sleep(0.02)
            yield b"x" * 512

    resp = await client.post(path, data=trickle(), headers=headers)
    assert resp.status == 413
    assert (await resp.json())["errorCode"] == "MSG-338"
    at_limit = await client.post(path, data=b"x" * 1024, headers=headers)
    over = await client.post(path, data=b"x" * 1025, headers=headers)
    assert (at_limit.status, over.status) == (429, 413)
    outcomes = [e.outcome for e in services.store.journal()]
    assert outcomes == ["too_large", "error", "too_large"]


@pytest.mark.parametrize(
    "vendor", ["ringcentral", "yeastar", "signalwire", "fonedynamics", "webexconnect"]
)
async def test_bare_prefix_and_encoded_newline_get_the_vendor_answer(
    client: TestClient, vendor: str
) -> None:
    for path in (f"/{vendor}", f"/{vendor}/a%0Ab"):
        resp = await client.get(path)
        assert resp.headers["Content-Type"].startswith("application/json"), path
        assert "X-Mock-Server-Error" not in resp.headers
