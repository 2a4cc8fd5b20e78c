"""Observability: per-server Prometheus metrics, the callback tally, log formats, access lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator

import prometheus_client
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from mockserver.answers.plan import Plan
from mockserver.callbacks.sender import Callback, CallbackSender
from mockserver.journal.batch import RecordBatch
from mockserver.request.pipeline import Recorder
from mockserver.request.snapshot import RequestSnapshot
from mockserver.server.app import create_app
from mockserver.server.services import Services
from mockserver.telemetry import exposition, logs, metrics
from mockserver.telemetry.metrics import MetricsRecorder

ClientFactory = Callable[..., Awaitable[TestClient]]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def scrape(client: TestClient) -> Samples:
    resp = await client.get("/__admin/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return samples(await resp.text())


@pytest.fixture
async def served(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> Callable[..., Awaitable[TestClient]]:
    async def make(**settings: object) -> TestClient:
        services = make_services(defaults=False, **settings)
        return await aiohttp_client(create_app(services.settings, services))

    return make


def requests_total(s: Samples, vendor: str, outcome: str, status: int) -> float:
    labels = (("outcome", outcome), ("status", str(status)), ("vendor", vendor))
    return s.get(("mockserver_requests_total", labels), 0.0)


async def test_requests_durations_and_rule_hits(
    served: Callable[..., Awaitable[TestClient]],
) -> None:
    client = await served(max_body=100)
    await client.get("/ringcentral/x", headers={"X-Mock-Error": "CMN-301"})
    await client.get("/ringcentral/x", headers={"X-Mock-Error": "CMN-301"})
    await client.get("/signalwire/nothing")
    await client.post("/webexconnect/x", data=b"x" * 200)
    await client.get("/yeastar/x", headers={"X-Mock-Error": "nope"})
    s = await scrape(client)
    assert requests_total(s, "ringcentral", "error", 429) == 2
    assert requests_total(s, "signalwire", "no_endpoint", 404) == 1
    assert requests_total(s, "webexconnect", "too_large", 400) == 1
    assert requests_total(s, "yeastar", "respond", 400) == 1  # the rejected X-Mock-Error
    assert s[("mockserver_request_duration_seconds_count", (("vendor", "ringcentral"),))] == 2
    hits = (("rule", "header:X-Mock-Error"), ("scenario", ""))
    assert s[("mockserver_rule_hits_total", hits)] == 2
    assert s[("mockserver_rule_hits_total", (("rule", "max-body"), ("scenario", "")))] == 1


async def test_each_server_has_its_own_registry(
    served: Callable[..., Awaitable[TestClient]],
) -> None:
    one, two = await served(), await served()
    await one.get("/ringcentral/x")
    assert requests_total(await scrape(one), "ringcentral", "no_endpoint", 404) == 1
    assert requests_total(await scrape(two), "ringcentral", "no_endpoint", 404) == 0
    names = prometheus_client.REGISTRY._names_to_collectors  # the process-wide default registry
    assert not any(name.startswith("mockserver_") for name in names)


async def test_state_read_at_scrape_time(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(defaults=False, journal_size=2, resource_limit=1)
    client = await aiohttp_client(create_app(services.settings, services))
    for _ in range(5):
        await client.get("/ringcentral/x")
    services.env.resources.put("ringcentral", None, "sms", "1", {})
    services.env.resources.put("ringcentral", None, "sms", "2", {})
    s = await scrape(client)
    assert s[("mockserver_journal_dropped_total", ())] == 3
    assert s[("mockserver_journal_entries", ())] == 2
    assert s[("mockserver_resources_dropped_total", ())] == 1
    assert s[("mockserver_resources", ())] == 1
    assert s[("mockserver_callbacks_pending", ())] == 0


async def test_rule_series_are_capped(
    served: Callable[..., Awaitable[TestClient]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics, "MAX_RULE_SERIES", 2)
    client = await served()
    for n in range(4):
        scenario = f"name: s{n}\nvendor: ringcentral\nrules: [{{name: r{n}, match: {{path: /p{n}}}, error: CMN-301}}]\n"
        assert (await client.post("/__admin/scenarios", data=scenario)).status == 201
        await client.get(f"/ringcentral/p{n}")
    s = await scrape(client)
    rules = {
        dict(labels)["rule"]: v
        for (name, labels), v in s.items()
        if name == "mockserver_rule_hits_total"
    }
    assert rules == {"r0": 1, "r1": 1, metrics.OVERFLOW: 2}


async def test_session_rules_share_one_series_whatever_their_names(
    served: Callable[..., Awaitable[TestClient]],
) -> None:
    client = await served()
    for n in range(3):  # one scenario per test, each under its own session: a pytest run
        scenario = f"name: s{n}\nvendor: ringcentral\nrules: [{{name: r{n}, match: {{path: /p}}, error: CMN-301}}]\n"
        loaded = await client.post(f"/__admin/scenarios?session=t{n}", data=scenario)
        assert loaded.status == 201
        await client.get("/ringcentral/p", headers={"X-Mock-Session": f"t{n}"})
    shared = "name: shared\nvendor: ringcentral\nrules: [{name: file-rule, match: {path: /q}, error: CMN-301}]\n"
    assert (await client.post("/__admin/scenarios", data=shared)).status == 201
    await client.get("/ringcentral/q")
    s = await scrape(client)
    hits = {
        (dict(labels)["scenario"], dict(labels)["rule"]): v
        for (name, labels), v in s.items()
        if name == "mockserver_rule_hits_total"
    }
    assert hits == {
        (metrics.SESSION_RULES, metrics.SESSION_RULES): 3,
        ("shared", "file-rule"): 1,
    }


# ---- delivery callbacks, per vendor --------------------------------------------------------


async def receiver(status: int) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/cb", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/cb"


def cb(vendor: str, url: str) -> Callback:
    return Callback(
        vendor=vendor, session=None, url=url, body=b"{}", content_type="application/json"
    )


async def test_callbacks_are_counted_per_vendor_and_outcome() -> None:
    ok, ok_url = await receiver(204)
    bad, bad_url = await receiver(500)
    sender = CallbackSender(capacity=2)
    tally = exposition.CallbackTally(sender)
    sender.schedule(cb("signalwire", ok_url))
    sender.schedule(cb("signalwire", ok_url))
    await asyncio.sleep(0.3)
    assert tally.counts() == {("signalwire", "sent"): 2}
    sender.schedule(cb("webexconnect", bad_url))
    sender.schedule(cb("yeastar", ok_url))
    sender.schedule(cb("yeastar", ok_url))  # the log holds 2: this pushes webex out unseen
    await asyncio.sleep(0.3)
    counts = tally.counts()
    assert counts[("signalwire", "sent")] == 2
    assert counts[("yeastar", "sent")] == 2
    assert counts[("unknown", "failed")] == 1  # left the log before any scrape saw it
    assert sum(n for (_, o), n in counts.items() if o == "sent") == sender.sent
    assert tally.counts() == counts  # idempotent between deliveries
    await sender.close()
    await ok.cleanup()
    await bad.cleanup()


# ---- logs ----------------------------------------------------------------------------------


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    yield out
    logs.unconfigure()


def test_json_lines_have_time_level_logger_message_and_extras(stream: io.StringIO) -> None:
    logs.configure("json", stream=stream)
    logging.getLogger("mockserver.test").warning(
        "hello %s", "there", extra={"vendor": "yeastar", "n": 3}
    )
    record = json.loads(stream.getvalue())
    assert record["level"] == "warning"
    assert record["logger"] == "mockserver.test"
    assert record["message"] == "hello there"
    assert (record["vendor"], record["n"]) == ("yeastar", 3)
    assert record["time"].endswith("+00:00")


def test_text_lines_and_reconfiguring_replaces_the_handler(stream: io.StringIO) -> None:
    logs.configure("json", stream=io.StringIO())
    logs.configure("text", stream=stream)
    logging.getLogger("mockserver").info("once")
    assert stream.getvalue().count("once") == 1
    assert " INFO mockserver: once" in stream.getvalue()
    with pytest.raises(ValueError, match="log format"):
        logs.configure("xml")


def test_aiohttp_errors_share_the_json_handler(stream: io.StringIO) -> None:
    logs.configure("json", stream=stream)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("aiohttp.server").exception("Error handling request")
    record = json.loads(stream.getvalue())
    assert record["logger"] == "aiohttp.server"
    assert "RuntimeError: boom" in record["exception"]


def test_access_line_fields(stream: io.StringIO) -> None:
    logs.configure("json", stream=stream)
    snapshot = RequestSnapshot(
        vendor="yeastar",
        method="GET",
        path="/openapi/v1.0/x\nforged INFO line",
        query=[("access_token", "secret"), ("page", "1")],
        headers={"X-Mock-Session": "t-1"},
        session="t-1",
    )
    logs.AccessLogRecorder().record(
        snapshot, Plan("error", rule="r1", outcome="rate_limited"), 200, 1.25
    )
    line = stream.getvalue()
    assert line.count("\n") == 1  # the newline in the path is escaped, not written
    record = json.loads(line)
    assert {k: record[k] for k in ("method", "vendor", "status", "outcome", "rule", "session")} == {
        "method": "GET",
        "vendor": "yeastar",
        "status": 200,
        "outcome": "rate_limited",
        "rule": "r1",
        "session": "t-1",
    }
    assert record["path"] == "/openapi/v1.0/x\\u000aforged INFO line"
    assert record["query"] == "access_token=***&page=1"
    assert record["latency_ms"] == 1.25
    assert "secret" not in line


async def test_the_access_line_files_a_request_under_the_journal_s_session(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], stream: io.StringIO
) -> None:
    logs.configure("json", stream=stream)
    services = make_services(defaults=False)
    services.pipeline.recorders = (*services.pipeline.recorders, logs.AccessLogRecorder())
    client = await aiohttp_client(create_app(services.settings, services))
    key = "a-real-service-key"  # the session is derived from it, never the key itself
    await (await client.post("/webexconnect/v1/sms/messages", headers={"key": key})).read()
    (entry,) = (await (await client.get("/__admin/requests")).json())["requests"]
    (line,) = stream.getvalue().splitlines()
    assert entry["session"].startswith("key-")
    assert json.loads(line)["session"] == entry["session"]
    assert key not in stream.getvalue()


def test_access_lines_can_be_silenced(stream: io.StringIO) -> None:
    logs.configure("text", stream=stream, access=False)
    snapshot = RequestSnapshot(vendor="yeastar", method="GET", path="/x")
    logs.AccessLogRecorder().record(snapshot, Plan("passthrough"), 200, 1.0)
    logging.getLogger("mockserver.access").warning("still shown")
    assert stream.getvalue().count("\n") == 1


def every_recorder(recorders: Iterable[Recorder]) -> Iterator[Recorder]:
    """The recorders, and those inside batches."""
    for recorder in recorders:
        yield recorder
        if isinstance(recorder, RecordBatch):
            yield from every_recorder(recorder.recorders)


async def test_a_wired_recorder_is_used_not_doubled(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(defaults=False)
    recorders = every_recorder(services.pipeline.recorders)
    wired = [r for r in recorders if isinstance(r, MetricsRecorder)]
    assert len(wired) == 1  # build_services wires exactly one
    client = await aiohttp_client(create_app(services.settings, services))
    await client.get("/ringcentral/x")
    mine = [
        r for r in every_recorder(services.pipeline.recorders) if isinstance(r, MetricsRecorder)
    ]
    assert mine == wired == [services.metrics]
    assert requests_total(await scrape(client), "ringcentral", "no_endpoint", 404) == 1


def test_prometheus_client_loads_with_the_first_scrape_not_at_start_up() -> None:
    # a fresh interpreter: this one has long imported it for the other tests
    code = (
        "import sys\n"
        "from mockserver.server.services import build_services\n"
        "from mockserver.settings import Settings\n"
        "services = build_services(Settings())\n"
        "assert 'prometheus_client' not in sys.modules, 'imported at start-up'\n"
        "recorder = next(r for r in services.pipeline.recorders[0].recorders\n"
        "                if hasattr(r, 'rule_hits'))\n"
        "from mockserver.telemetry.exposition import page\n"
        "assert b'mockserver_requests_total' in page(recorder)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
