"""Scenario size limits: per upload (chunked too), per file, per file's nodes and rules."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.admin import scenarios as admin_scenarios
from mockserver.scenarios import ScenarioError, load_files, load_path, load_text, watch
from mockserver.scenarios.loader import MAX_RULES
from mockserver.scenarios.problems import MAX_NODES
from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory

RULE = "  - {match: {path: /x}, error: CMN-301}\n"
HEAD = "name: many\nvendor: ringcentral\nrules:\n"


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as raised:
        load_text(text, source="s.yaml")
    return "\n".join(raised.value.problems)


async def _chunks(data: bytes, size: int = 65_536) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_chunked_upload_over_the_limit_is_refused(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(defaults=False, max_body=10_000_000)
    client = await aiohttp_client(create_app(services.settings, services))
    resp = await client.post("/__admin/scenarios", data=_chunks(b"#" * 1_200_000))
    assert resp.status == 413
    assert (await resp.json())["message"] == (
        "scenario upload is over 1,048,576 bytes; the limit is 1,048,576 (--max-scenario-bytes)"
    )
    assert (await client.get("/__admin/health")).status == 200


async def test_a_chunked_upload_under_the_limit_loads(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(defaults=False)
    client = await aiohttp_client(create_app(services.settings, services))
    resp = await client.post("/__admin/scenarios", data=_chunks((HEAD + RULE).encode(), 7))
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["loaded"] == ["many"]


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(HEAD + RULE * 100)
    size = big.stat().st_size
    with pytest.raises(ScenarioError) as raised:
        load_path(big, max_bytes=1000)
    assert raised.value.problems == (
        f"{big}: the file is {size:,} bytes; the limit is 1,000 (--max-scenario-bytes)",
    )


def test_a_watched_file_over_the_limit_keeps_the_old_rules(
    tmp_path: Path, make_services: Callable[..., Services]
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HEAD + RULE)
    services = make_services(defaults=False, scenarios=(tmp_path,), max_scenario_bytes=1000)
    scenario.write_text(HEAD + RULE * 100)
    assert services.files is not None
    assert not services.files.reload_if_changed()
    assert services.files.errors == [
        f"{scenario}: the file is {scenario.stat().st_size:,} bytes; "
        "the limit is 1,000 (--max-scenario-bytes)"
    ]
    assert [r.scenario for r in services.engine.rules(None)] == ["many"]


def test_many_rules_are_refused_naming_the_limit() -> None:
    assert _error(HEAD + RULE * (MAX_RULES + 1)) == (
        f"s.yaml:1: the file has {MAX_RULES + 1:,} rules; the limit is {MAX_RULES:,}"
    )


def test_the_rule_limit_loads() -> None:
    # ~12 YAML nodes a rule: over the old per-document node cap, wrongly called an alias bomb
    rules = "".join(
        f"  - {{name: r{i}, match: {{method: GET, path: /x{i}}}, error: CMN-301}}\n"
        for i in range(MAX_RULES)
    )
    assert len(load_text(HEAD + rules)[0].rules) == MAX_RULES


def test_the_node_cap_spans_every_document_and_names_no_alias() -> None:
    # each document is small; together they pass the cap
    doc = "---\n" + "x: [" + ", ".join(["1"] * 999) + "]\n"
    message = _error(doc * (MAX_NODES // 1000 + 1))
    assert f"the file has over {MAX_NODES:,} YAML nodes; the limit is {MAX_NODES:,}" in message
    assert "alias" not in message


def test_an_alias_bomb_is_named_as_one() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    assert "too large after alias expansion" in _error("\n".join(lines))


async def test_uploads_and_watched_files_parse_off_the_event_loop(
    tmp_path: Path,
    aiohttp_client: ClientFactory,
    make_services: Callable[..., Services],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # parsing 10,000 rules takes about a second; on the loop it would stall every request
    threads: list[threading.Thread] = []

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def parse(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread())
            return real(*args, **kwargs)

        return parse

    monkeypatch.setattr(admin_scenarios, "load_text", spy(load_text))
    monkeypatch.setattr(watch, "load_files", spy(load_files))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HEAD + RULE)
    services = make_services(defaults=False, scenarios=(tmp_path,))
    client = await aiohttp_client(create_app(services.settings, services))
    threads.clear()  # the start-up load is allowed on the main thread (no loop runs yet)
    assert (await client.post("/__admin/scenarios", data=HEAD + RULE)).status == 201
    scenario.write_text(HEAD + RULE + RULE)
    assert services.files is not None
    assert await services.files.reload_off_loop()
    assert len(threads) == 2
    assert threading.main_thread() not in threads
