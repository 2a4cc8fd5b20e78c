"""Scenario semantics over real HTTP: loading, triggers under concurrency, sessions, journal."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable

from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory

SMS = "/ringcentral/restapi/v1.0/account/~/extension/~/sms"
FIVE_LINES = """\
name: second-sms-rate-limited
vendor: ringcentral
rules:
  - match: {method: POST, path: /restapi/v1.0/account/~/extension/~/sms}
    after: 1
    times: 1
    error: {code: CMN-301, retry_after: 2}
"""


async def load(client: TestClient, text: str, session: str | None = None) -> dict[str, object]:
    query = f"?session={session}" if session else ""
    resp = await client.post(f"/__admin/scenarios{query}", data=text.encode())
    body = await resp.json()
    assert resp.status == 201, body
    return body  # type: ignore[no-any-return]


async def test_five_line_scenario_second_send_gets_429(client: TestClient) -> None:
    await load(client, FIVE_LINES)
    statuses = []
    for _ in range(3):
        resp = await client.post(SMS, json={"text": "hi"})
        statuses.append(resp.status)
        if resp.status == 429:
            assert resp.headers["Retry-After"] == "2"
            assert (await resp.json())["errorCode"] == "CMN-301"
    assert statuses[1] == 429
    assert statuses[0] != 429
    assert statuses[2] != 429


async def test_times_3_under_200_concurrent_requests_gives_exactly_3(client: TestClient) -> None:
    await load(client, "name: three\nvendor: signalwire\nrules:\n  - {times: 3, error: 20429}\n")
    path = "/signalwire/2010-04-01/Accounts/P/Messages.json"
    responses = await asyncio.gather(*(client.post(path) for _ in range(200)))
    statuses = [r.status for r in responses]
    assert statuses.count(429) == 3


async def test_sequence_plays_once_then_final_behaviour(client: TestClient) -> None:
    text = """\
name: seq
vendor: yeastar
rules:
  - sequence: [{error: "10004"}, {error: "70082"}]
    then: {error: "-2"}
"""
    await load(client, text)
    codes = []
    for _ in range(5):
        body = await (await client.get("/yeastar/openapi/v1.0/extension/list")).json()
        codes.append(body["errcode"])
    assert codes == [10004, 70082, -2, -2, -2]


async def _pattern(aiohttp_client: ClientFactory, services: Services) -> list[int]:
    client = await aiohttp_client(create_app(services.settings, services))
    await load(
        client,
        "name: flaky\nvendor: webexconnect\nrules:\n"
        "  - {probability: 0.3, seed: 42, error: '7006'}\n",
    )
    path = "/webexconnect/resources/v1/messaging"
    return [(await client.post(path, headers={"key": "k"})).status for _ in range(40)]


async def test_seeded_probability_is_reproducible(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    first = await _pattern(aiohttp_client, make_services())
    second = await _pattern(aiohttp_client, make_services())
    assert first == second
    assert 3 <= first.count(500) <= 25


async def test_sessions_never_see_each_others_rules_counters_or_journal(
    client: TestClient,
) -> None:
    await load(
        client, "name: once\nvendor: fonedynamics\nrules:\n  - {times: 1, error: FORBIDDEN}\n"
    )
    await load(
        client,
        "name: mine\nvendor: fonedynamics\nrules:\n  - {error: SMS_NOT_ENABLED}\n",
        session="a",
    )
    path = "/fonedynamics/v2/Messages/MS1"

    async def codes(session: str) -> list[str]:
        out = []
        for _ in range(2):
            auth = "Basic " + base64.b64encode(f"AC{session}:token".encode()).decode()
            headers = {"X-Mock-Session": session, "Authorization": auth}
            resp = await client.get(path, headers=headers)
            out.append((await resp.json())["ResponseStatus"]["ErrorCode"])
        return out

    a, b = await asyncio.gather(codes("a"), codes("b"))
    # the shared times:1 rule was loaded first, and each session gets its own one firing;
    # only session a sees its own rule afterwards
    assert a == ["FORBIDDEN", "SMS_NOT_ENABLED"]
    assert b[0] == "FORBIDDEN"
    assert b[1] not in ("FORBIDDEN", "SMS_NOT_ENABLED")  # the happy path's own answer
    journal_a = await (await client.get("/__admin/requests?session=a")).json()
    assert {r["session"] for r in journal_a["requests"]} == {"a"}
    await client.post("/__admin/reset?session=a")
    journal_b = await (await client.get("/__admin/requests?session=b")).json()
    assert len(journal_b["requests"]) == 2
    rules_a = await (await client.get("/__admin/scenarios?session=a")).json()
    assert "mine" not in rules_a["scenarios"]


async def test_bad_scenario_is_rejected_with_line_and_nothing_changes(client: TestClient) -> None:
    await load(client, "name: good\nvendor: yeastar\nrules:\n  - {error: '10004'}\n")
    bad = "name: good\nvendor: yeastar\nrules:\n  - match: {path: {regex: '(unclosed'}}\n    error: '10004'\n"
    resp = await client.post("/__admin/scenarios", data=bad.encode())
    assert resp.status == 400
    body = await resp.json()
    assert body["error"] == "invalid_scenario"
    assert "request body:4" in body["message"]
    answer = await (await client.get("/yeastar/openapi/v1.0/x")).json()
    assert answer["errcode"] == 10004


async def test_unknown_code_in_scenario_suggests(client: TestClient) -> None:
    resp = await client.post(
        "/__admin/scenarios", data=b"name: x\nvendor: ringcentral\nrules:\n  - {error: CMN-30}\n"
    )
    body = await resp.json()
    assert resp.status == 400
    assert "CMN-301" in body["message"]


async def test_delete_and_count_and_unmatched(client: TestClient) -> None:
    await load(
        client,
        "name: only-post\nvendor: signalwire\nrules:\n"
        "  - {match: {method: POST, path: {prefix: /2010-04-01}}, error: 21211}\n",
    )
    await client.get("/signalwire/2010-04-01/Accounts/P/Messages.json")
    resp = await client.post(
        "/__admin/requests/count", json={"match": {"vendor": "signalwire", "method": "GET"}}
    )
    assert (await resp.json())["count"] == 1
    unmatched = await (await client.get("/__admin/requests/unmatched")).json()
    miss = unmatched["requests"][0]["near_misses"][0]
    assert miss["scenario"] == "only-post"
    assert any("method" in m for m in miss["mismatches"])
    resp = await client.delete("/__admin/scenarios/only-post")
    assert resp.status == 200
    resp = await client.delete("/__admin/scenarios/only-post")
    assert resp.status == 404


async def test_rate_limit_counts_down_then_answers_vendor_429(client: TestClient) -> None:
    await load(
        client, "name: rl\nvendor: ringcentral\nrules:\n  - rate_limit: {limit: 3, window: 60}\n"
    )
    remaining = []
    for _ in range(4):
        resp = await client.get("/ringcentral/restapi/v1.0/account/~/extension/~/call-log")
        remaining.append(resp.headers["X-Rate-Limit-Remaining"])
    assert remaining == ["2", "1", "0", "0"]
    assert resp.status == 429
    assert (await resp.json())["errorCode"] == "CMN-301"
    assert int(resp.headers["Retry-After"]) >= 1
    journal = await (await client.get("/__admin/requests?outcome=rate_limited")).json()
    assert len(journal["requests"]) == 1


async def test_near_miss_is_explained_as_decided_not_with_todays_counters(
    client: TestClient,
) -> None:
    # after: 1, times: 1 -- the first send is not the one; the third comes after it fired
    await load(client, FIVE_LINES.replace("  - match", "  - name: second-sms\n    match"))
    for _ in range(3):
        await client.post(SMS, json={"text": "hi"})
    journal = (await (await client.get("/__admin/requests?vendor=ringcentral")).json())["requests"]
    reasons = [e["reason"] for e in journal if e["rule"] is None]
    assert reasons == [
        "no rule fired: rule 'second-sms' matched; not fired: after 1 "
        "(this is request 1 of the session)",
        "no rule fired: rule 'second-sms' matched; not fired: times 1 (already fired 1 time)",
    ]
    # a reload restarts the counters; the entries still say what happened then
    await load(client, FIVE_LINES.replace("  - match", "  - name: second-sms\n    match"))
    unmatched = (await (await client.get("/__admin/requests/unmatched")).json())["requests"]
    said = [r["near_misses"][0]["mismatches"] for r in unmatched if r["path"].endswith("/sms")]
    assert said == [
        ["trigger: expected after 1 got 'this is request 1 of the session'"],
        ["trigger: expected times 1 got 'already fired 1 time'"],
    ]


async def test_count_filters_on_the_answer_and_names_unknown_fields(client: TestClient) -> None:
    await load(client, "name: one\nvendor: signalwire\nrules:\n  - {times: 1, error: 20429}\n")
    path = "/signalwire/2010-04-01/Accounts/P/Messages.json"
    await client.post(path)
    await client.post(path)

    async def count(body: object, query: str = "") -> tuple[int, dict[str, object]]:
        resp = await client.post(f"/__admin/requests/count{query}", json=body)
        return resp.status, await resp.json()

    assert await count({"match": {"method": "POST"}, "status": 429}) == (200, {"count": 1})
    assert await count({"match": {}, "outcome": "error"}) == (200, {"count": 1})
    assert await count({"match": {}}, "?status=429&outcome=error") == (200, {"count": 1})
    status, body = await count({"match": {}, "sttaus": 429})
    assert status == 400
    assert body["message"] == "unknown body field(s) sttaus; allowed: match, status, outcome"
    status, body = await count({"status": "429"})
    assert (status, body["message"]) == (400, "status must be int")
