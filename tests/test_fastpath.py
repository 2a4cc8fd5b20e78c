"""The request fast paths: front door, reused answers, cached injection plans, batched records."""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request
from packaging.requirements import Requirement
from yarl import URL

from mockserver.answers.plan import Plan
from mockserver.answers.rendered import Rendered
from mockserver.answers.reuse import PROBE_IDS, ErrorAnswers, reusable
from mockserver.catalog import Catalog
from mockserver.journal.batch import LARGE_BODY, RecordBatch
from mockserver.journal.entry import journal_entry
from mockserver.request import frontdoor
from mockserver.request.injection import InjectionError, InjectionPlans
from mockserver.request.pipeline import RequestIds
from mockserver.request.snapshot import RequestSnapshot
from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.store.memory import InMemoryStore
from mockserver.telemetry import exposition
from mockserver.telemetry.metrics import MetricsRecorder
from tests.conftest import ClientFactory

SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
V4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
# answers whose request ids are only in headers, so two servers' bodies compare byte for byte
SAME_ANSWERS: list[tuple[str, str, dict[str, str]]] = [
    ("POST", SMS, {"X-Mock-Error": "CMN-301"}),
    ("POST", SMS, {"X-Mock-Error": "CMN-102", "X-Mock-Error-Status": "404"}),
    ("GET", "/ringcentral/restapi/v1.0/account/~/nothing", {}),
    ("GET", "/ringcentral", {}),
    ("GET", "/signalwire/", {"X-Mock-Error": "21211"}),
    ("GET", "/yeastar/openapi/v1.0/x%2Fy", {}),
    ("GET", "/fonedynamics/v2/Properties/P1/Messages/M%20X", {}),
    ("GET", "/webexconnect/v1/sms/messages/unknown", {}),
    ("POST", SMS, {"X-Mock-Error": "NO-SUCH-CODE"}),
    ("GET", "/__admin/health", {}),
    ("GET", "/nobody/home", {}),
]
VARYING = {"rcrequestid", "x-request-id", "date", "server", "content-length"}


@pytest.fixture
async def front(make_services: Callable[..., Services]) -> AsyncIterator[tuple[str, Services]]:
    """A server wired like `mockserver serve`: the front door before the app."""
    services = make_services()
    runner = web.AppRunner(create_app(services.settings, services), access_log=None)
    await runner.setup()
    frontdoor.install(runner, services.pipeline, services.vendors)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", services
    await runner.cleanup()


def _stable(headers: Any) -> list[tuple[str, str]]:
    return [(k.lower(), v) for k, v in headers.items() if k.lower() not in VARYING]


@pytest.mark.parametrize(("method", "path", "headers"), SAME_ANSWERS)
async def test_front_door_answers_exactly_like_the_app_routes(
    front: tuple[str, Services],
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    url, _ = front
    via_app = await client.request(method, path, headers=headers, data=b"{}")
    async with aiohttp.ClientSession() as session:
        full = url + path
        async with session.request(method, full, headers=headers, data=b"{}") as via_front:
            assert via_front.status == via_app.status
            assert await via_front.read() == await via_app.read()
            assert _stable(via_front.headers) == _stable(via_app.headers)


async def test_front_door_journals_the_path_below_the_vendor_prefix(
    front: tuple[str, Services],
) -> None:
    url, services = front
    path = URL("/yeastar/openapi/v1.0/a%2Fb%20c?x=1", encoded=True)
    async with aiohttp.ClientSession(url) as session, session.get(path) as resp:
        await resp.read()
    [entry] = services.store.journal()
    assert (entry.vendor, entry.path, entry.raw_query) == (
        "yeastar",
        "/openapi/v1.0/a/b c",
        (("x", "1"),),
    )


async def test_expect_100_continue_still_gets_its_interim_answer(
    front: tuple[str, Services],
) -> None:
    url, _ = front
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        f"POST {SMS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "X-Mock-Error: CMN-301\r\nContent-Length: 2\r\nExpect: 100-continue\r\n"
        "Connection: close\r\n\r\n"
    )
    writer.write(head.encode())
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert interim.startswith(b"HTTP/1.1 100 Continue")
    writer.write(b"{}")
    final = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    assert final.startswith(b"HTTP/1.1 429 ")


# the front door replaces aiohttp's private `Server.request_handler`: these fail, rather than
# the server silently taking the slow lane, when an aiohttp changes what it relies on


def test_aiohttp_is_pinned_below_its_next_minor_while_the_front_door_relies_on_it() -> None:
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    [spec] = [Requirement(d) for d in project["project"]["dependencies"] if d.startswith("aiohttp")]
    assert any(s.operator == "<" for s in spec.specifier), spec
    assert aiohttp.__version__ in spec.specifier


async def test_aiohttp_server_keeps_its_handler_where_the_front_door_replaces_it() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response()

    assert web.Server(handler).request_handler is handler


async def test_an_installed_front_door_answers_vendor_paths_an_empty_app_cannot(
    make_services: Callable[..., Services],
) -> None:
    services = make_services()
    runner = web.AppRunner(web.Application(), access_log=None)  # no routes: only the door
    await runner.setup()
    frontdoor.install(runner, services.pipeline, services.vendors)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession(url) as session:
            async with session.post(SMS, headers={"X-Mock-Error": "CMN-301"}) as vendor:
                assert vendor.status == 429
                assert (await vendor.json())["errorCode"] == "CMN-301"
            async with session.get("/nobody/home") as other:
                assert other.status == 404  # the application's own answer, as before
    finally:
        await runner.cleanup()


# ---- reused answers --------------------------------------------------------------------------


async def test_a_reused_answer_carries_each_request_its_own_id(
    client: TestClient, make_services: Callable[..., Services]
) -> None:
    seen = []
    for _ in range(3):
        resp = await client.post(SMS, headers={"X-Mock-Error": "CMN-301"})
        seen.append((resp.headers["RCRequestId"], await resp.read()))
    ids = [rid for rid, _ in seen]
    assert len(set(ids)) == 3
    assert all(V4.fullmatch(rid) for rid in ids)
    assert len({body for _, body in seen}) == 1
    assert not set(PROBE_IDS) & set(ids)


async def test_answers_that_differ_by_request_are_not_mixed_up(client: TestClient) -> None:
    one = await client.post(SMS, headers={"X-Mock-Error": "CMN-301", "X-Mock-Retry-After": "1"})
    two = await client.post(SMS, headers={"X-Mock-Error": "CMN-301", "X-Mock-Retry-After": "2"})
    oauth = await client.post(
        "/ringcentral/restapi/oauth/token", headers={"X-Mock-Error": "OAU-251"}
    )
    assert (one.headers["Retry-After"], two.headers["Retry-After"]) == ("1", "2")
    assert "Cache-Control" in oauth.headers
    assert "Cache-Control" not in one.headers


def _answer(rid: str, *, body: bytes = b"{}", extra: str | None = None) -> Rendered:
    headers = (("A", "1"), ("X-Id", rid)) + ((("X-Other", extra),) if extra else ())
    return Rendered(400, body, "application/json", headers)


def test_an_answer_is_reused_only_when_the_id_is_just_in_its_header() -> None:
    first, second = (_answer(rid) for rid in PROBE_IDS)
    template = reusable(first, second, "x-id")
    assert template is not None
    assert template.id_header == "X-Id"
    assert template.stamp("r-1").headers == (("A", "1"), ("X-Id", "r-1"))
    same = reusable(_answer("n"), _answer("n"), None)
    assert same is not None
    assert same.stamp("r-1") == _answer("n")
    in_body = [_answer(rid, body=rid.encode()) for rid in PROBE_IDS]
    assert reusable(*in_body, "x-id") is None
    in_two_headers = [_answer(rid, extra=rid) for rid in PROBE_IDS]
    assert reusable(*in_two_headers, "x-id") is None
    assert reusable(first, second, None) is None
    assert reusable(first, second, "x-other") is None


def test_uncacheable_answers_are_rendered_every_time_and_the_cache_is_bounded() -> None:
    answers = ErrorAnswers(limit=2)
    calls: list[str] = []

    def by_id(rid: str) -> Rendered:
        calls.append(rid)
        return _answer(rid, body=rid.encode())

    for rid in ("r-1", "r-2"):
        assert answers.rendered("k", by_id, "x-id", rid).body == rid.encode()
    assert calls == [*PROBE_IDS, "r-1", "r-2"]  # learnt once, then rendered per request
    for key in ("a", "b", "c"):
        answers.rendered(key, lambda rid: _answer(rid), "x-id", "r")
    assert len(answers) <= 2


# ---- injection plans, request ids -------------------------------------------------------------


def test_injection_plans_are_reused_but_refusals_are_not(catalog: Catalog) -> None:
    plans = InjectionPlans(limit=2)
    rc = catalog.vendor("ringcentral")
    headers = {"x-mock-error": "CMN-301"}
    first = plans.plan(rc, headers)
    assert first is not None
    assert plans.plan(rc, dict(headers)) is first
    assert plans.plan(rc, {"x-mock-error": "CMN-301", "x-mock-retry-after": "5"}) is not first
    assert plans.plan(rc, {"content-type": "application/json"}) is None
    for _ in range(2):
        with pytest.raises(InjectionError, match="NOPE"):
            plans.plan(rc, {"x-mock-error": "NOPE"})
    for code in ("CMN-102", "CMN-401", "CMN-301"):
        plans.plan(rc, {"x-mock-error": code})
    assert len(plans._plans) <= 2


def test_request_ids_are_unique_version_4_uuids() -> None:
    ids = RequestIds()
    made = [ids.next() for _ in range(10_000)]
    assert len(set(made)) == len(made)
    assert all(V4.fullmatch(rid) for rid in made)
    assert RequestIds().next()[:24] != made[0][:24]  # each server its own prefix


# ---- batched records -----------------------------------------------------------------------


class Tape:
    """A recorder that remembers the paths it was given."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def record(self, snapshot: RequestSnapshot, plan: Plan, status: int, latency: float) -> None:
        self.paths.append(snapshot.path)


def _snap(path: str, body: bytes = b"") -> RequestSnapshot:
    return RequestSnapshot(vendor="ringcentral", method="POST", path=path, body=body)


def test_a_batch_lands_when_full_and_when_flushed() -> None:
    tape = Tape()
    batch = RecordBatch([tape], size=3)
    for n in range(4):
        batch.record(_snap(f"/{n}"), Plan("passthrough"), 200, 1.0)
    assert tape.paths == ["/0", "/1", "/2"]
    assert len(batch) == 1
    batch.flush()
    assert tape.paths == ["/0", "/1", "/2", "/3"]
    assert len(batch) == 0
    batch.record(_snap("/big", b"x" * (LARGE_BODY + 1)), Plan("passthrough"), 200, 1.0)
    assert tape.paths[-1] == "/big"  # large bodies are not held back
    with pytest.raises(ValueError, match="at least 1"):
        RecordBatch([tape], size=0)


def test_the_journal_never_shows_a_batch_late_or_out_of_order(
    make_services: Callable[..., Services],
) -> None:
    services = make_services()
    store: InMemoryStore = services.store
    [batch] = services.pipeline.recorders
    assert isinstance(batch, RecordBatch)
    batch.record(_snap("/sms"), Plan("passthrough"), 200, 1.0)
    assert store.count() == 1  # a read lands what is pending
    batch.record(_snap("/later"), Plan("passthrough"), 200, 1.0)
    callback = journal_entry(
        _snap("https://hooks.example/cb"), time=0.0, outcome="x", status=200, latency_ms=0.0
    )
    store.record(callback)
    assert [e.path for e in store.journal()] == ["/sms", "/later", "https://hooks.example/cb"]


def test_store_and_metrics_are_given_settle_when_made_and_ask_it_before_reads(
    make_services: Callable[..., Services],
) -> None:
    asked: list[str] = []
    store = InMemoryStore(settle=lambda: asked.append("store"))
    recorder = MetricsRecorder(store, make_services().env, lambda: asked.append("metrics"))
    store.count()
    assert asked == ["store"]
    exposition.page(recorder)
    assert asked[1] == "metrics"  # first: the scrape then reads the store, which settles too


def test_a_scrape_counts_the_requests_still_in_a_batch(
    make_services: Callable[..., Services],
) -> None:
    services = make_services()
    [batch] = services.pipeline.recorders
    batch.record(_snap("/sms"), Plan("passthrough"), 200, 1.0)
    scraped = exposition.page(services.metrics).decode()
    assert 'mockserver_requests_total{outcome="passthrough",status="200",vendor="ringcentral"}' in (
        scraped
    )


async def test_metrics_and_journal_agree_right_after_requests(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services()
    client = await aiohttp_client(create_app(services.settings, services))
    for _ in range(5):
        await client.post(SMS, headers={"X-Mock-Error": "CMN-301"})
    count = await (await client.post("/__admin/requests/count", json={})).json()
    scraped = await (await client.get("/__admin/metrics")).text()
    assert count["count"] == 5
    line = 'mockserver_requests_total{outcome="error",status="429",vendor="ringcentral"} 5.0'
    assert line in scraped
    assert 'mockserver_request_duration_seconds_bucket{le="+Inf",vendor="ringcentral"} 5.0' in (
        scraped
    )


@pytest.mark.parametrize(
    ("path", "headers", "routed"),
    [
        ("/ringcentral/restapi/v1.0/x", {}, ("ringcentral", "restapi/v1.0/x")),
        ("/ringcentral", {}, ("ringcentral", "")),
        ("/signalwire/", {}, ("signalwire", "")),
        ("/yeastar/a%2Fb%20c", {}, ("yeastar", "a/b c")),
        ("/__admin/health", {}, None),
        ("/ringcentralx/y", {}, None),
        ("/", {}, None),
        ("/ringcentral/x", {"Expect": "100-continue"}, None),
    ],
)
def test_the_front_door_takes_vendor_prefixes_only(
    make_services: Callable[..., Services],
    path: str,
    headers: dict[str, str],
    routed: tuple[str, str] | None,
) -> None:
    services = make_services()

    async def app(request: web.BaseRequest) -> web.StreamResponse:
        raise AssertionError("not called")

    door = frontdoor.FrontDoor(services.pipeline, services.vendors, app)
    found = door.route(make_mocked_request("GET", path, headers=headers))
    assert (found and (found[0].name, found[1])) == routed
