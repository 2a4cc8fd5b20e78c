"""The admin token guards every admin route; credentials never reach journal, logs or metrics."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.settings import Settings
from mockserver.telemetry import logs

ClientFactory = Callable[..., Awaitable[TestClient]]
TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
FILL = {"vendor": "ringcentral", "key": "CMN-301", "name": "anything"}


@pytest.fixture
def secured_app(make_services: Callable[..., Services]) -> web.Application:
    services = make_services(admin_token=TOKEN)
    return create_app(services.settings, services)


@pytest.fixture
async def secured(aiohttp_client: ClientFactory, secured_app: web.Application) -> TestClient:
    return await aiohttp_client(secured_app)


def admin_routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, concrete path) of every route the app serves under /__admin, from its router."""
    found = []
    for route in app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if canonical.startswith("/__admin"):
            found.append((route.method, PLACEHOLDER.sub(lambda m: FILL[m[1]], canonical)))
    return found


def test_the_router_has_the_admin_routes_we_expect(secured_app: web.Application) -> None:
    paths = {path for _, path in admin_routes(secured_app)}
    assert {"/__admin/openapi.json", "/__admin/metrics", "/__admin/health"} <= paths
    assert len(admin_routes(secured_app)) >= 20  # every GET also has its HEAD twin


@pytest.mark.parametrize("given", [None, "Bearer wrong", f"bearer{TOKEN}", f"Basic {TOKEN}", TOKEN])
async def test_every_admin_route_answers_401_without_the_token(
    secured: TestClient, secured_app: web.Application, given: str | None
) -> None:
    headers = {} if given is None else {"Authorization": given}
    for method, path in admin_routes(secured_app):
        resp = await secured.request(method, path, headers=headers)
        assert resp.status == 401, (method, path)
        assert resp.headers["X-Mock-Server-Error"] == "true"
        if method != "HEAD":
            assert (await resp.json())["error"] == "unauthorized"


async def test_unknown_admin_paths_answer_401_too(secured: TestClient) -> None:
    # no token, no route discovery: a 404 would tell an attacker which paths exist
    for path in ("/__admin/nothing", "/__admin/requests/../health", "/__admin/"):
        assert (await secured.get(path)).status == 401


async def test_the_token_opens_every_admin_route(
    secured: TestClient, secured_app: web.Application
) -> None:
    for method, path in admin_routes(secured_app):
        resp = await secured.request(method, path, headers=AUTH)
        assert resp.status != 401, (method, path)
        assert resp.status < 500, (method, path)


async def test_non_utf8_authorization_is_a_401_not_a_crash(secured: TestClient) -> None:
    raw = b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n"
    reader, writer = await asyncio.open_connection(secured.host, secured.port)
    writer.write(raw)
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401 ")


async def test_vendor_routes_ignore_the_admin_token(secured: TestClient) -> None:
    resp = await secured.get("/ringcentral/restapi/v1.0/nothing")
    assert resp.status == 404
    assert "X-Mock-Server-Error" not in resp.headers
    assert (await resp.json())["errorCode"] == "AGW-404"
    resp = await secured.post(
        "/signalwire/api/laml/2010-04-01/Accounts/AC1/Messages.json",
        headers={"X-Mock-Error": "21211"},
    )
    assert (resp.status, (await resp.json())["code"]) == (400, 21211)


def test_default_bind_is_loopback() -> None:
    assert Settings().host == "127.0.0.1"


# ---- credentials in the journal, logs and metrics ------------------------------------------

SECRET = "Sup3rSecretValue"
RC_TOKEN = "/ringcentral/restapi/oauth/token"
WEBEX_SMS = "/webexconnect/v1/sms/messages"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# (name, method, path, request kwargs): each one carries SECRET in a credential position
CREDENTIALS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "authorization-bearer",
        "GET",
        "/ringcentral/restapi/v1.0/account/~",
        {"headers": {"Authorization": f"Bearer {SECRET}"}},
    ),
    (
        "authorization-basic",
        "POST",
        RC_TOKEN,
        {"headers": {"Authorization": basic("client", SECRET)}},
    ),
    (
        "form-password",
        "POST",
        RC_TOKEN,
        {"data": {"grant_type": "password", "username": "u", "password": SECRET}},
    ),
    ("form-client-secret", "POST", RC_TOKEN, {"data": {"client_id": "c", "client_secret": SECRET}}),
    (
        "form-assertion",
        "POST",
        RC_TOKEN,
        {
            "data": {
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": SECRET,
            }
        },
    ),
    (
        "form-refresh-token",
        "POST",
        RC_TOKEN,
        {"data": {"grant_type": "refresh_token", "refresh_token": SECRET}},
    ),
    (
        "json-password",
        "POST",
        "/yeastar/openapi/v1.0/get_token",
        {"json": {"username": "u", "password": SECRET}},
    ),
    (
        "json-nested-client-secret",
        "POST",
        "/fonedynamics/v2/x",
        {"json": {"auth": {"client_secret": SECRET}}},
    ),
    ("json-assertion", "POST", RC_TOKEN, {"json": {"assertion": SECRET}}),
    ("json-refresh-token", "POST", RC_TOKEN, {"json": {"refresh_token": SECRET}}),
    (
        "yeastar-access-token-query",
        "GET",
        f"/yeastar/openapi/v1.0/extension/list?access_token={SECRET}",
        {},
    ),
    (
        "signalwire-basic",
        "GET",
        "/signalwire/api/laml/2010-04-01/Accounts/PJ1/Messages.json",
        {"headers": {"Authorization": basic("PJ1", SECRET)}},
    ),
]
# Webex's service key also picks the request's session: the session must not show the key
WEBEX_CREDENTIALS = [
    ("webex-key-header", "POST", WEBEX_SMS, {"headers": {"key": SECRET}, "json": {"message": {}}}),
    ("webex-json-key", "POST", WEBEX_SMS, {"json": {"key": SECRET, "message": {}}}),
    (
        "webex-raw-authorization",
        "POST",
        WEBEX_SMS,
        {"headers": {"Authorization": SECRET}, "json": {}},
    ),
    (
        "webex-bearer-key",
        "POST",
        WEBEX_SMS,
        {"headers": {"Authorization": f"Bearer {SECRET}"}, "json": {}},
    ),
]


async def journal_text(client: TestClient) -> str:
    resp = await client.get("/__admin/requests", headers=AUTH)
    assert resp.status == 200
    return await resp.text()


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    logs.configure("json", stream=stream)
    yield stream
    logs.unconfigure()


async def send(client: TestClient, method: str, path: str, kwargs: dict[str, Any]) -> None:
    resp = await client.request(method, path, **kwargs)
    assert resp.status < 500
    await resp.read()


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [pytest.param(*c[1:], id=c[0]) for c in CREDENTIALS + WEBEX_CREDENTIALS],
)
async def test_credentials_are_redacted_in_the_journal(
    secured: TestClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    await send(secured, method, path, kwargs)
    text = await journal_text(secured)
    assert "***" in text
    assert SECRET not in text


async def test_redacted_fields_keep_their_names(secured: TestClient) -> None:
    await send(
        secured,
        "POST",
        RC_TOKEN,
        {
            "headers": {"Authorization": basic("c", SECRET)},
            "data": {"password": SECRET, "username": "u"},
        },
    )
    await send(
        secured, "GET", f"/yeastar/openapi/v1.0/extension/list?access_token={SECRET}&page=1", {}
    )
    await send(
        secured,
        "POST",
        WEBEX_SMS,
        {"headers": {"key": SECRET, "X-Mock-Session": "t1"}, "json": {"key": SECRET}},
    )
    entries = json.loads(await journal_text(secured))["requests"]
    rc, ys, wx = entries
    assert rc["headers"]["authorization"] == "Basic ***"
    assert "password=***" in rc["body"]
    assert "username=u" in rc["body"]
    assert ys["query"] == {"access_token": "***", "page": "1"}
    assert wx["headers"]["key"] == "***"
    assert json.loads(wx["body"]) == {"key": "***"}
    assert SECRET not in json.dumps(entries)  # X-Mock-Session wins over the key as session


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [pytest.param(*c[1:], id=c[0]) for c in CREDENTIALS + WEBEX_CREDENTIALS],
)
async def test_credentials_never_reach_the_access_log_or_metrics(
    aiohttp_client: ClientFactory,
    make_services: Callable[..., Services],
    access_log: io.StringIO,
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    services = make_services(admin_token=TOKEN)
    services.pipeline.recorders = (*services.pipeline.recorders, logs.AccessLogRecorder())
    client = await aiohttp_client(create_app(services.settings, services))
    await send(client, method, path, kwargs)
    lines = access_log.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["logger"] == "mockserver.access"
    assert SECRET not in access_log.getvalue()
    metrics = await (await client.get("/__admin/metrics", headers=AUTH)).text()
    assert "mockserver_requests_total{" in metrics
    assert SECRET not in metrics
