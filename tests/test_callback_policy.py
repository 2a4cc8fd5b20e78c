"""The outbound policy: callbacks never reach the mock itself, metadata addresses or redirects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import requests
from aiohttp import web

from mockserver.callbacks.egress import EgressPolicy
from mockserver.callbacks.sender import Callback, CallbackRecord, CallbackSender
from mockserver.cli import main
from mockserver.server.app import create_app
from mockserver.server.run import _start_sites
from mockserver.server.services import Services
from mockserver.settings import Settings, load
from mockserver.testing import ServerThread
from tests.conftest import ClientFactory
from tests.test_happy_ringcentral import SUBSCRIPTION, bearer, subscription_body, token_for
from tests.test_happy_signalwire import AUTH, BASE, FROM, TO
from tests.webhooks import Recorder, serving

JSON = "application/json"
SCENARIO = "name: kept\nvendor: yeastar\nrules:\n  - {error: '10004'}\n"


def sms(callback: str) -> dict[str, str]:
    return {"To": TO, "From": FROM, "Body": "hi", "StatusCallback": callback}


async def settled(services: Services, count: int) -> list[CallbackRecord]:
    """The SignalWire callback records once `count` of them have finished (bounded wait)."""
    for _ in range(300):
        records = services.env.callbacks.records(vendor="signalwire")
        if len(records) >= count and all(r.outcome != "pending" for r in records):
            return records
        await asyncio.sleep(0.02)
    raise AssertionError(services.env.callbacks.records())


def test_a_callback_to_the_mocks_own_admin_reset_is_refused_and_scenarios_survive() -> None:
    with ServerThread(Settings(delivery_delay=0, shutdown_grace=0.5)) as server:
        loaded = requests.post(f"{server.url}/__admin/scenarios", data=SCENARIO, timeout=5)
        assert loaded.status_code == 201, loaded.text
        target = f"{server.url}/__admin/reset"
        sent = requests.post(
            f"{server.url}{BASE}/Messages.json",
            data=sms(target),
            headers=AUTH,
            timeout=5,
        )
        assert sent.status_code == 201, sent.text
        records: list[dict[str, Any]] = []
        for _ in range(300):
            answer = requests.get(f"{server.url}/__admin/callbacks", timeout=5).json()
            records = answer["callbacks"]
            if records and all(r["outcome"] != "pending" for r in records):
                break
            time.sleep(0.02)
        assert records
        assert {r["outcome"] for r in records} == {"refused"}
        error = records[0]["attempts"][0]["error"]
        assert f"127.0.0.1:{server.port} (the mock's own listener)" in error
        assert "--callback-allow" in error
        scenarios = requests.get(f"{server.url}/__admin/scenarios", timeout=5).json()
        assert "kept" in scenarios["scenarios"]
        journal = requests.get(
            f"{server.url}/__admin/requests?outcome=callback_attempt", timeout=5
        ).json()
        reasons = [e.get("reason") or "" for e in journal["requests"]]
        assert any("callback policy refuses" in r for r in reasons), reasons


async def test_metadata_address_is_refused_without_any_connection(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(delivery_delay=0)
    client = await aiohttp_client(create_app(services.settings, services))
    # the sender's HTTP client is never even built: no socket is opened towards the address
    with mock.patch.object(services.env.callbacks, "_client") as request:
        resp = await client.post(
            f"{BASE}/Messages.json",
            data=sms("http://169.254.169.254/latest/meta-data/"),
            headers=AUTH,
        )
        assert resp.status == 201
        records = await settled(services, 2)
    request.assert_not_called()
    assert [(r.outcome, len(r.attempts)) for r in records] == [("refused", 1)] * 2
    assert records[0].attempts[0]["error"] == (
        "callback policy refuses 169.254.169.254 (link-local / cloud metadata); "
        "allow it with --callback-allow (or MOCKSERVER_CALLBACK_ALLOW)"
    )


class Redirecting(Recorder):
    """Answers every request with a 302 to `target`."""

    target = ""

    def answer(self, body: bytes) -> web.Response:
        return web.Response(status=302, headers={"Location": self.target})


async def test_redirects_are_not_followed(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(delivery_delay=0)
    client = await aiohttp_client(create_app(services.settings, services))
    async with serving(Recorder(), "/second") as second, serving(Redirecting(), "/first") as first:
        first.target = second.url
        resp = await client.post(f"{BASE}/Messages.json", data=sms(first.url), headers=AUTH)
        assert resp.status == 201
        records = await settled(services, 2)
        assert len(first.hits) == 2
    assert second.hits == []
    assert {(r.outcome, r.attempts[0]["status"]) for r in records} == {("failed", 302)}


def test_callback_allow_lets_a_refused_network_through() -> None:
    policy = EgressPolicy(["169.254.0.0/16", "metadata.google.internal"])
    assert policy.refusal("169.254.169.254", "169.254.169.254", 80) is None
    assert policy.refusal("metadata.google.internal", "169.254.169.254", 80) is None
    assert policy.refusal("fe80::1", "fe80::1", 80) is not None


def test_defaults_judge_mapped_names_and_own_wildcard_listeners() -> None:
    policy = EgressPolicy()
    policy.listen("0.0.0.0", 8080)
    assert "link-local" in (policy.refusal("x", "::ffff:169.254.169.254", 80) or "")
    assert "cloud metadata" in (policy.refusal("metadata.google.internal", "10.0.0.1", 80) or "")
    assert "own listener" in (policy.refusal("localhost", "127.0.0.1", 8080) or "")
    assert "own listener" in (policy.refusal("x", "::ffff:127.0.0.1", 8080) or "")
    assert policy.refusal("localhost", "127.0.0.1", 8081) is None  # loopback receivers stay fine
    assert "fd00:ec2::254" in (policy.refusal("x", "fd00:ec2::254", 80) or "")


async def test_a_name_resolving_to_a_refused_address_is_refused() -> None:
    policy = EgressPolicy()
    infos = [(2, 1, 6, "", ("169.254.169.254", 80))]
    loop = asyncio.get_running_loop()
    with mock.patch.object(loop, "getaddrinfo", mock.AsyncMock(return_value=infos)):
        reason = await policy.vet("http://innocent.example/hook")
    assert reason is not None
    assert "169.254.169.254" in reason


def test_env_variable_fills_the_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_CALLBACK_ALLOW", "10.0.0.0/8, hook.local")
    settings, _ = load({})
    assert settings.callback_allow == ("10.0.0.0/8", "hook.local")


async def test_subscription_reason_is_generic_not_the_transport_error(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services()
    client = await aiohttp_client(create_app(services.settings, services))
    token = await token_for(client)
    for address in ("http://127.0.0.1:1/hook", "http://169.254.169.254/hook"):
        body = subscription_body(address)
        sub = await (await client.post(SUBSCRIPTION, json=body, headers=bearer(token))).json()
        assert sub["status"] == "Blacklisted"
        assert sub["blacklistedData"]["reason"] == (
            "I/O operation is failed. Details: [Webhook server is unreachable]"
        )


@pytest.mark.parametrize("item", ["10.1.2.3/8", "[fe80::1]", "hook.example"])
def test_allow_items_parse(item: str) -> None:
    EgressPolicy([item])


async def test_the_server_notes_its_main_and_vendor_ports_as_its_own(
    make_services: Callable[..., Services],
) -> None:
    services = make_services(port=0, vendor_ports={"signalwire": 0})
    runners: list[web.AppRunner] = []
    try:
        port, urls = await _start_sites(services.settings, services, runners)
    finally:
        for runner in runners:
            await runner.cleanup()
    vendor_port = int(urls["signalwire"].rsplit(":", 1)[1].strip("/"))
    assert services.env.callbacks.policy.ports == {port, vendor_port}
    assert "own listener" in (
        services.env.callbacks.policy.refusal("127.0.0.1", "127.0.0.1", vendor_port) or ""
    )


async def test_a_name_refused_at_connect_time_is_refused_once_not_retried() -> None:
    # the first check passed (a DNS answer that changed since): the connector's resolver
    # checks again, and that refusal ends the delivery like the first check would
    sender = CallbackSender(policy=EgressPolicy())
    async with serving(Recorder(), "/hook") as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])
        sender.policy.listen("127.0.0.1", port)  # the receiver's port counts as the mock's
        url = f"http://localhost:{port}/hook"
        with mock.patch.object(sender.policy, "vet", mock.AsyncMock(return_value=None)):
            record = sender.schedule(
                Callback("fonedynamics", None, url, b"{}", JSON, retries=(0, 0))
            )
            await sender.close()
    assert receiver.hits == []
    assert (record.outcome, len(record.attempts)) == ("refused", 1)
    assert record.attempts[0]["error"] == (
        f"callback policy refuses 127.0.0.1:{port} (the mock's own listener); "
        "allow it with --callback-allow (or MOCKSERVER_CALLBACK_ALLOW)"
    )
    assert (sender.refused, sender.failed) == (1, 0)


async def test_refused_deliveries_are_counted_in_the_metrics(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(delivery_delay=0)
    client = await aiohttp_client(create_app(services.settings, services))
    resp = await client.post(
        f"{BASE}/Messages.json", data=sms("http://169.254.169.254/"), headers=AUTH
    )
    assert resp.status == 201
    await settled(services, 2)
    metrics = await (await client.get("/__admin/metrics")).text()
    assert 'mockserver_callbacks_total{outcome="refused",vendor="signalwire"} 2.0' in metrics


async def test_the_handshakes_real_cause_is_journalled_for_the_operator(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services()
    client = await aiohttp_client(create_app(services.settings, services))
    token = await token_for(client)
    for address in ("http://169.254.169.254/hook", "http://127.0.0.1:1/hook"):
        body = subscription_body(address)
        await client.post(SUBSCRIPTION, json=body, headers=bearer(token))
    answer = await client.get("/__admin/requests?outcome=callback_attempt&vendor=ringcentral")
    entries = (await answer.json())["requests"]
    reasons = sorted(e["reason"] for e in entries)
    assert [e["path"] for e in entries] == [
        "http://169.254.169.254/hook",
        "http://127.0.0.1:1/hook",
    ]
    assert reasons[0].startswith("callback handshake attempt 1: ClientConnectorError")
    assert reasons[1] == (
        "callback handshake attempt 1: callback policy refuses 169.254.169.254 "
        "(link-local / cloud metadata); allow it with --callback-allow (or MOCKSERVER_CALLBACK_ALLOW)"
    )
    assert all(e["headers"]["validation-token"] == "***" for e in entries)


@pytest.mark.parametrize("item", ["10.0.0.0/33", "http://hook.local", "a b"])
def test_a_bad_allow_item_stops_the_start_naming_it(
    item: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", "--callback-allow", item]) == 2
    assert capsys.readouterr().err == (
        f"mockserver: --callback-allow {item!r}: expected a host name, an IP address or a CIDR "
        "(e.g. hook.local, 10.1.2.3, 10.0.0.0/8)\n"
    )
