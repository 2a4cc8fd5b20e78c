"""Hostile regexes and globs: matching runs in linear time, unsupported constructs are refused."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import Services

ClientFactory = Callable[..., Awaitable[TestClient]]
# a backtracking engine needs ~2^n steps for these on n characters: years at the lengths below
CATASTROPHIC_REGEX = "/(a+)+$"
CATASTROPHIC_GLOB = "/**a**a**a**a**a**a**b"
HOSTILE = "/" + "a" * 200 + "!"
HOSTILE_RULES = f"""
name: hostile
vendor: ringcentral
rules:
  - name: nested-quantifier
    match: {{path: {{regex: "{CATASTROPHIC_REGEX}"}}}}
    error: CMN-301
  - name: starry-glob
    match: {{path: {{glob: "{CATASTROPHIC_GLOB}"}}}}
    error: CMN-301
"""


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> TestClient:
    services = make_services(defaults=False)
    return await aiohttp_client(create_app(services.settings, services))


def test_compiled_hostile_patterns_finish() -> None:
    # in a child process, so the old backtracking engine fails the test instead of hanging it
    script = f"""
from mockserver.scenarios.matching import compile_path
from mockserver.scenarios.matchers import PathMatcher
for spec in ({{"regex": {CATASTROPHIC_REGEX!r}}}, {{"glob": {CATASTROPHIC_GLOB!r}}}):
    assert not compile_path(PathMatcher.model_validate(spec)).test({HOSTILE!r})
print("done")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "done\n"


async def test_hostile_request_does_not_hold_up_health(client: TestClient) -> None:
    assert (await client.post("/__admin/scenarios", data=HOSTILE_RULES)).status == 201
    hostile, health = await asyncio.gather(
        client.get("/ringcentral" + HOSTILE), client.get("/__admin/health")
    )
    assert health.status == 200
    assert hostile.status == 404  # neither rule matches; the vendor's not-found answer
    matching = await client.get("/ringcentral/" + "a" * 4000)
    assert matching.status == 429
    assert (await matching.json())["errorCode"] == "CMN-301"


async def test_count_with_a_hostile_regex_answers(client: TestClient) -> None:
    for _ in range(3):
        await client.get("/ringcentral" + HOSTILE)
    body = {"match": {"path": {"regex": CATASTROPHIC_REGEX}}}
    resp = await client.post("/__admin/requests/count", json=body)
    assert resp.status == 200
    assert (await resp.json())["count"] == 0


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        ("^(?!/admin)", "negative lookahead"),
        ("/a(?=b)", "lookahead"),
        ("(?<=/x)/y", "lookbehind"),
        ("(?<!/x)/y", "negative lookbehind"),
        (r"/(a)\1", "a backreference"),
        ("/(?P<x>a)(?P=x)", "a named backreference"),
        ("/(?>a+)", "an atomic group"),
        ("/a++", "a possessive quantifier"),
    ],
)
async def test_backtracking_constructs_are_refused_at_load(
    client: TestClient, pattern: str, construct: str
) -> None:
    rules = f"""
name: refused
vendor: ringcentral
rules:
  - match: {{path: {{regex: '{pattern}'}}}}
    error: CMN-301
"""
    resp = await client.post("/__admin/scenarios", data=rules)
    assert resp.status == 400
    message = (await resp.json())["message"]
    assert (
        f"invalid regex {pattern!r}: {construct} is not supported: "
        "patterns run in linear time (RE2 syntax)"
    ) in message
    assert (await client.get("/__admin/health")).status == 200


async def test_count_refuses_a_lookahead(client: TestClient) -> None:
    body = {"match": {"headers": {"x-test": {"regex": "(?=a)"}}}}
    resp = await client.post("/__admin/requests/count", json=body)
    assert resp.status == 400
    assert "lookahead is not supported" in (await resp.json())["message"]
