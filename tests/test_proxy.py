"""--proxy VENDOR=URL in front of a stand-in upstream: forwarded as is, injected errors never are."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from mockserver.cli import main
from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory
from tests.test_happy_signalwire import AUTH, BASE, FROM, TO

ROOT = Path(__file__).resolve().parents[1]
ServerFactory = Callable[..., Any]
SENT = b'{"sid":"SMupstream","status":"queued"}'


class Upstream:
    """A stand-in for the vendor: records what reached it, answers what a test sets."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.delay = 0.0
        self.release = asyncio.Event()
        self.release.set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(
            {"method": request.method, "path": request.raw_path, "headers": dict(request.headers)}
        )
        self.seen[-1]["body"] = body
        await asyncio.sleep(self.delay)
        if request.path.endswith("/gzip"):
            packed = gzip.compress(SENT)
            headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
            return web.Response(status=200, body=packed, headers=headers)
        if request.path.endswith("/token"):
            token = {"access_token": "U1-REAL-TOKEN", "token_type": "bearer"}
            return web.json_response(token)
        if request.path.endswith("/stream"):
            return await self.stream(request)
        headers = {"X-Upstream": "yes", "Content-Type": "application/json"}
        return web.Response(status=201, body=SENT, headers=headers)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        await response.write(b"first,")
        await self.release.wait()
        await response.write(b"second")
        await response.write_eof()
        return response


@pytest.fixture
async def upstream(aiohttp_server: ServerFactory) -> tuple[Upstream, TestServer]:
    stand_in = Upstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stand_in.handle)
    return stand_in, await aiohttp_server(app)


async def proxying(
    aiohttp_client: ClientFactory,
    make_services: Callable[..., Services],
    server: TestServer,
    **settings: Any,
) -> TestClient:
    url = str(server.make_url("/")).rstrip("/")
    services = make_services(proxy={"signalwire": url}, **settings)
    return await aiohttp_client(create_app(services.settings, services))


def form(**extra: str) -> dict[str, str]:
    return {"To": TO, "From": FROM, "Body": "hello", **extra}


async def test_an_uninjected_request_gets_the_upstreams_answer_as_it_sent_it(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], upstream: Any
) -> None:
    stand_in, server = upstream
    client = await proxying(aiohttp_client, make_services, server)
    headers = {**AUTH, "X-Mock-Session": "s1", "Connection": "keep-alive"}
    resp = await client.post(BASE + "/Messages.json?x=1&x=2", data=form(), headers=headers)
    assert resp.status == 201
    assert await resp.read() == SENT
    assert resp.headers["X-Upstream"] == "yes"
    [seen] = stand_in.seen
    assert seen["method"] == "POST"
    assert seen["path"] == BASE.removeprefix("/signalwire") + "/Messages.json?x=1&x=2"
    assert seen["headers"]["Authorization"] == AUTH["Authorization"]
    assert "X-Mock-Session" not in seen["headers"]
    assert b"Body=hello" in seen["body"]
    journal = await (await client.get("/__admin/requests?session=s1")).json()
    [entry] = journal["requests"]
    assert entry["outcome"] == "proxied"
    assert entry["status"] == 201
    assert "proxied to http://127.0.0.1:" in entry["reason"]
    assert entry["headers"]["authorization"] == "Basic ***"


async def test_injected_errors_and_rules_are_answered_by_the_mock_alone(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], upstream: Any
) -> None:
    stand_in, server = upstream
    client = await proxying(aiohttp_client, make_services, server)
    injected = await client.post(
        BASE + "/Messages.json", data=form(), headers={**AUTH, "X-Mock-Error": "21211"}
    )
    assert injected.status == 400
    assert (await injected.json())["code"] == 21211
    rule = "name: once\nvendor: signalwire\nrules:\n  - {match: {method: POST}, error: '21610', times: 1}\n"
    loaded = await client.post("/__admin/scenarios", data=rule)
    assert loaded.status == 201, await loaded.text()
    ruled = await client.post(BASE + "/Messages.json", data=form(), headers=AUTH)
    assert (await ruled.json())["code"] == 21610
    assert stand_in.seen == []
    assert (await client.post(BASE + "/Messages.json", data=form(), headers=AUTH)).status == 201
    assert len(stand_in.seen) == 1


async def test_compressed_answers_pass_through_byte_for_byte(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], upstream: Any
) -> None:
    _, server = upstream
    client = await proxying(aiohttp_client, make_services, server)
    resp = await client.get("/signalwire/gzip", headers=AUTH, auto_decompress=False)
    assert resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await resp.read()) == SENT


async def test_the_answer_streams_as_the_upstream_sends_it(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], upstream: Any
) -> None:
    stand_in, server = upstream
    stand_in.release.clear()
    client = await proxying(aiohttp_client, make_services, server)
    resp = await client.get("/signalwire/stream", headers=AUTH)
    first = await asyncio.wait_for(resp.content.readexactly(6), 5)
    assert first == b"first,"  # before the upstream finished
    stand_in.release.set()
    assert await resp.content.read() == b"second"


async def test_an_unreachable_or_slow_upstream_is_a_mock_level_502(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], upstream: Any
) -> None:
    stand_in, server = upstream
    stand_in.delay = 2.0
    client = await proxying(aiohttp_client, make_services, server, proxy_timeout=0.2)
    slow = await client.post(BASE + "/Messages.json", data=form(), headers=AUTH)
    assert slow.status == 502
    assert slow.headers["X-Mock-Server-Error"] == "true"
    body = await slow.json()
    assert body["error"] == "upstream_failed"
    assert "no answer in time (--proxy-timeout)" in body["message"]
    down = make_services(proxy={"signalwire": "http://127.0.0.1:9"})
    gone = await aiohttp_client(create_app(down.settings, down))
    refused = await gone.post(BASE + "/Messages.json", data=form(), headers=AUTH)
    assert refused.status == 502
    assert "signalwire upstream http://127.0.0.1:9" in (await refused.json())["message"]


async def test_record_writes_each_exchange_redacted(
    aiohttp_client: ClientFactory,
    make_services: Callable[..., Services],
    upstream: Any,
    tmp_path: Path,
) -> None:
    _, server = upstream
    client = await proxying(aiohttp_client, make_services, server, record=tmp_path / "caps")
    await client.post(BASE + "/Messages.json", data=form(), headers=AUTH)
    token = {"grant_type": "client_credentials", "client_secret": "s3cr3t"}
    await client.post("/signalwire/oauth/token", data=token, headers=AUTH)
    files = sorted((tmp_path / "caps").iterdir())
    assert len(files) == 2
    sent, issued = (json.loads(f.read_text()) for f in files)
    assert sent["vendor"] == "signalwire"
    assert sent["request"]["headers"]["authorization"] == "Basic ***"
    assert sent["response"] == {
        "status": 201,
        "headers": sent["response"]["headers"],
        "body": SENT.decode(),
    }
    assert "s3cr3t" not in json.dumps(issued)
    assert "U1-REAL-TOKEN" not in json.dumps(issued)


def capture(folder: Path, name: str, status: int, body: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    doc = {
        "format": 1,
        "vendor": "signalwire",
        "response": {"status": status, "body": json.dumps(body)},
    }
    (folder / name).write_text(json.dumps(doc))


def test_import_captures_proposes_a_diff_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caps = tmp_path / "caps"
    capture(
        caps, "a.json", 400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
    )
    capture(
        caps, "b.json", 400, {"code": 21999, "message": "A code nobody catalogued", "status": 400}
    )
    capture(caps, "c.json", 201, {"sid": "SM1"})
    catalog = (ROOT / "catalog" / "signalwire.yaml").read_bytes()
    assert main(["catalog", "import-captures", str(caps)]) == 1
    out = capsys.readouterr().out
    assert "# new code 21999 (b.json)" in out
    assert "+  message: A code nobody catalogued" in out
    assert "+  http_status: 400" in out
    assert "origin: observed" in out
    assert "# 21211 as seen in a.json" in out  # worded otherwise than the catalog
    assert "-  message: Invalid Called Phone Number" in out
    assert "+  message: Invalid 'To' Phone Number" in out
    assert (ROOT / "catalog" / "signalwire.yaml").read_bytes() == catalog


def test_import_captures_of_a_recorded_exchange_that_matches_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caps = tmp_path / "caps"
    capture(caps, "a.json", 400, {"code": 21211, "message": "Invalid Called Phone Number"})
    assert main(["catalog", "import-captures", str(caps)]) == 0
    assert "every captured error matches the catalog" in capsys.readouterr().out
    assert main(["catalog", "import-captures", str(tmp_path / "none")]) == 2


def test_record_without_a_proxy_is_refused_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--port", "0", "--record", "/tmp/captures"]) == 2
    assert "--record" in capsys.readouterr().err
