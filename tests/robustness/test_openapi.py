"""The admin OpenAPI document: complete, valid, and every real answer conforms (schemathesis)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from typing_extensions import TypedDict

from mockserver.admin import openapi
from mockserver.admin.routes import create_admin_app
from mockserver.admin.spec import PREFIX, json_route
from mockserver.admin.table import ROUTES, document
from mockserver.server.services import Services, build_services
from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread
from tests.conftest import ClientFactory
from tests.test_happy_signalwire import AUTH as SIGNALWIRE_AUTH
from tests.test_happy_signalwire import BASE, FROM, TO

TOKEN = "openapi-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = "application/json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(Settings(admin_token=TOKEN, watch_interval=0)) as running:
        yield running


@pytest.fixture(scope="module")
def admin_schema(server: ServerThread) -> BaseSchema:
    return schemathesis.openapi.from_url(server.url + "/__admin/openapi.json", headers=AUTH)


def _operation(admin_schema: BaseSchema, method: str, path: str) -> APIOperation:
    return admin_schema[path][method]  # type: ignore[no-any-return]


def _router_operations() -> set[tuple[str, str]]:
    app = create_admin_app(build_services(Settings()))
    found = set()
    for route in app.router.routes():
        # HEAD is aiohttp's automatic twin of every GET; it is not documented separately
        if route.method != "HEAD":
            path = route.resource.canonical if route.resource else ""
            found.add((route.method.lower(), PREFIX + path))
    return found


def test_every_admin_route_is_documented_and_nothing_else() -> None:
    doc = document()
    documented = {(m, p) for p, item in doc["paths"].items() for m in item}
    assert documented == _router_operations()


def test_the_router_serves_the_route_table_and_nothing_else() -> None:
    table = {(r.method.lower(), PREFIX + openapi.openapi_path(r.path)) for r in ROUTES}
    assert len(table) == len(ROUTES)
    assert table == _router_operations()


def test_document_is_valid_openapi_and_every_operation_is_named_once() -> None:
    doc = document()
    validate(doc)  # the OpenAPI 3.1 meta-schema, every $ref resolved
    names = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert sorted(names) == sorted(r.name for r in ROUTES)
    assert len(set(names)) == len(names)


def test_path_parameters_are_exactly_the_templates_names() -> None:
    for path, item in document()["paths"].items():
        for method, op in item.items():
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), (method, path)


def test_document_is_openapi_31_with_bearer_and_error_shape() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["adminToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["adminToken"]["description"],
    }
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert "401" in op["responses"], (method, path)


def test_document_is_served_and_loads(server: ServerThread) -> None:
    got = requests.get(server.url + "/__admin/openapi.json", headers=AUTH, timeout=5)
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json() == document()
    loaded = schemathesis.openapi.from_url(server.url + "/__admin/openapi.json", headers=AUTH)
    assert len(list(loaded.get_all_operations())) >= len(_router_operations()) - 1


def test_the_http_parsers_own_400_is_documented_on_every_route(server: ServerThread) -> None:
    # a request line past aiohttp's 8190 bytes is refused before any route, as text/plain
    got = requests.get(
        server.url + "/__admin/requests", params={"since": "1" * 9000}, headers=AUTH, timeout=5
    )
    assert got.status_code == 400
    media = got.headers["Content-Type"].split(";")[0]
    for path, item in document()["paths"].items():
        for method, op in item.items():
            assert media in op["responses"]["400"]["content"], (method, path)


OPERATIONS = sorted((m, p) for p, item in document()["paths"].items() for m in item)


def _typed(op: dict[str, Any]) -> bool:
    """Whether invalid input can be generated for it (any string is a valid string)."""
    params = [p["schema"] for p in op["parameters"] if p["in"] == "query"]
    return "requestBody" in op or any(p.get("type", "enum") != "string" for p in params)


NEGATIVE = [
    (m, p) for p, item in document()["paths"].items() for m, op in item.items() if _typed(op)
]
CASES = [
    *((GenerationMode.POSITIVE, m, p) for m, p in OPERATIONS),
    *((GenerationMode.NEGATIVE, m, p) for m, p in sorted(NEGATIVE)),
]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _check(case: Case, server: ServerThread) -> None:
    response = case.call(base_url=server.url, headers=AUTH, timeout=10)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize(("mode", "method", "path"), CASES)
def test_admin_answers_conform_and_never_5xx(
    admin_schema: BaseSchema, server: ServerThread, mode: GenerationMode, method: str, path: str
) -> None:
    operation = _operation(admin_schema, method, path)

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case) -> None:
        _check(case, server)

    run()


VALID_SCENARIO = """
name: openapi-valid
vendor: ringcentral
rules:
  - match: {method: POST, path: /restapi/v1.0/account/~/extension/~/sms}
    times: 1
    error: {code: CMN-301, retry_after: 2}
"""


def test_happy_answers_conform(admin_schema: BaseSchema, server: ServerThread) -> None:
    """The answers random data rarely reaches: found entries, a loaded scenario, a journal."""
    calls = [
        ("post", "/scenarios", {"body": yaml.safe_load(VALID_SCENARIO), "media_type": JSON}),
        ("get", "/scenarios", {}),
        ("delete", "/scenarios/{name}", {"path_parameters": {"name": "openapi-valid"}}),
    ]
    for vendor in server.services.vendors:
        entry = next(iter(server.services.catalog.vendor(vendor)))
        where = {"vendor": vendor, "key": entry.key}
        calls.append(("get", "/catalog/{vendor}/{key}", {"path_parameters": where}))
        calls.append(("get", "/catalog/{vendor}/{key}/render", {"path_parameters": where}))
        calls.append(("get", "/catalog", {"query": {"vendor": vendor, "limit": 3}}))
        requests.get(f"{server.url}/{vendor}/nothing/here", timeout=5)
    calls += [("get", "/requests", {}), ("get", "/requests/unmatched", {})]
    for method, path, parts in calls:
        case = _operation(admin_schema, method, PREFIX + path).Case(**parts)
        response = case.call(base_url=server.url, headers=AUTH, timeout=10)
        assert response.status_code < 300, (method, path, response.text)
        case.validate_response(response, checks=CHECKS)


def test_every_documented_operation_answers_401_without_token(server: ServerThread) -> None:
    for path, item in document()["paths"].items():
        concrete = path.replace("{vendor}", "ringcentral").replace("{key}", "CMN-301")
        concrete = concrete.replace("{name}", "x")
        for method in item:
            got = requests.request(method, server.url + concrete, timeout=5)
            assert got.status_code == 401, (method, path)
            assert got.json()["error"] == "unauthorized"


class Pong(TypedDict):
    pong: bool


async def _pong(request: web.Request) -> Pong:
    return {"pong": True}


OPEN = json_route("GET", "/ping", _pong, Pong, "Answers anyone.", "Pong.", auth=False)


async def test_a_route_declared_open_answers_without_the_token_and_is_documented_so(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    routes = (*ROUTES, OPEN)
    client = await aiohttp_client(create_admin_app(make_services(admin_token=TOKEN), routes))
    opened = await client.get("/ping")
    assert opened.status == 200
    assert await opened.json() == {"pong": True}
    assert (await client.get("/health")).status == 401
    op = openapi.document(routes)["paths"][PREFIX + "/ping"]["get"]
    assert op["security"] == []
    assert "401" not in op["responses"]
    assert op["responses"]["200"]["content"][JSON]["schema"] == {
        "$ref": "#/components/schemas/Pong"
    }


def test_callback_records_conform() -> None:
    """A callback with its attempts: refused at once, as it targets the mock itself."""
    settings = Settings(admin_token=TOKEN, watch_interval=0, delivery_delay=0)
    with ServerThread(settings) as running:
        schema = schemathesis.openapi.from_url(running.url + PREFIX + "/openapi.json", headers=AUTH)
        sms = {"To": TO, "From": FROM, "Body": "hi", "StatusCallback": running.url + "/x"}
        sent = requests.post(
            f"{running.url}{BASE}/Messages.json", data=sms, headers=SIGNALWIRE_AUTH, timeout=5
        )
        assert sent.status_code == 201, sent.text
        case = _operation(schema, "get", PREFIX + "/callbacks").Case()
        for _ in range(300):  # bounded: until the attempt is logged
            response = case.call(base_url=running.url, headers=AUTH, timeout=10)
            if any(r["attempts"] for r in response.json()["callbacks"]):
                break
            time.sleep(0.02)
        assert response.json()["callbacks"][0]["attempts"][0]["error"]
        case.validate_response(response, checks=CHECKS)
