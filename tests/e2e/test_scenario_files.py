"""Scenario files: loaded at start, reloaded on change, a broken edit keeps the old rules."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.scenarios import ScenarioError
from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory

GOOD = "name: outage\nvendor: yeastar\nrules:\n  - {error: '-2'}\n"
CHANGED = "name: outage\nvendor: yeastar\nrules:\n  - {error: '10005'}\n"
BROKEN = "name: outage\nvendor: yeastar\nrules:\n  - {error: '-2', tims: 3}\n"


def _touch(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()  # make the change visible even within one mtime tick
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


async def test_reload_applies_changes_and_survives_a_broken_edit(
    tmp_path: Path, aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    scenario = tmp_path / "outage.yaml"
    scenario.write_text(GOOD)
    services = make_services(scenarios=(tmp_path,), watch_interval=0)
    client = await aiohttp_client(create_app(services.settings, services))
    url = "/yeastar/openapi/v1.0/extension/list"
    assert (await (await client.get(url)).json())["errcode"] == -2

    _touch(scenario, CHANGED)
    assert services.files is not None
    assert services.files.reload_if_changed()
    assert (await (await client.get(url)).json())["errcode"] == 10005

    _touch(scenario, BROKEN)
    assert not services.files.reload_if_changed()
    assert (await (await client.get(url)).json())["errcode"] == 10005  # old rules still serve
    listing = await (await client.get("/__admin/scenarios")).json()
    assert any("outage.yaml:4" in e and "tims" in e for e in listing["errors"])

    _touch(scenario, GOOD)
    assert services.files.reload_if_changed()
    assert (await (await client.get("/__admin/scenarios")).json())["errors"] == []


async def test_reload_sees_a_same_size_edit_with_the_same_mtime(
    tmp_path: Path, aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    # what `cp -p` or `rsync -t` of an edited copy looks like: same size, same mtime
    scenario = tmp_path / "outage.yaml"
    scenario.write_text(CHANGED)
    services = make_services(scenarios=(tmp_path,), watch_interval=0)
    client = await aiohttp_client(create_app(services.settings, services))
    url = "/yeastar/openapi/v1.0/extension/list"
    assert (await (await client.get(url)).json())["errcode"] == 10005

    before = scenario.stat()
    scenario.write_text(CHANGED.replace("10005", "10004"))
    os.utime(scenario, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert scenario.stat().st_size == before.st_size
    assert services.files is not None
    assert services.files.reload_if_changed()
    assert (await (await client.get(url)).json())["errcode"] == 10004


def test_broken_file_at_start_is_fatal(
    tmp_path: Path, make_services: Callable[..., Services]
) -> None:
    (tmp_path / "bad.yaml").write_text(BROKEN)
    with pytest.raises(ScenarioError, match=r"bad\.yaml:4"):
        make_services(scenarios=(tmp_path,))


def test_validate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BROKEN)
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:4" in err
    assert "tims" in err


def test_shipped_scenarios_validate() -> None:
    root = Path(__file__).resolve().parents[2] / "scenarios"
    assert main(["validate", str(root)]) == 0


async def test_global_reset_returns_to_the_configured_rules(
    tmp_path: Path, aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    once = "name: outage\nvendor: yeastar\nrules:\n  - {error: '-2', times: 1}\n"
    (tmp_path / "outage.yaml").write_text(once)
    services = make_services(scenarios=(tmp_path,), watch_interval=0)
    client = await aiohttp_client(create_app(services.settings, services))
    url = "/yeastar/openapi/v1.0/extension/list"
    added = "name: extra\nvendor: yeastar\nrules:\n  - {error: '10005', priority: 5}\n"
    assert (await client.post("/__admin/scenarios", data=added)).status == 201

    async def errcode() -> object:
        return (await (await client.get(url)).json()).get("errcode")

    assert await errcode() == 10005  # the admin rule outranks the file's
    assert (await client.post("/__admin/reset")).status == 200

    assert await errcode() == -2  # the file's rule is back, its `times: 1` counted afresh
    assert await errcode() != -2
    dial = {"callee": "0745000401"}  # a shipped magic number still answers its error
    # magic values answer authenticated requests only; the login is its own session, which
    # meets the file's `times: 1` rule once first
    login = {"username": "u", "password": "p"}
    for _ in range(2):
        got = await client.post("/yeastar/openapi/v1.0/get_token", json=login)
    token = {"access_token": (await got.json())["access_token"]}
    answer = await client.post("/yeastar/openapi/v1.0/call/dial", json=dial, params=token)
    assert (await answer.json())["errcode"] == 40002
    listing = await (await client.get("/__admin/scenarios")).json()
    assert "extra" not in listing["scenarios"]
    assert {"outage", "defaults-yeastar"} <= set(listing["scenarios"])


SEVERAL_PROBLEMS = """\
name: multi
vendor: ringcentral
rules:
  - name: a
    error: NOPE-1
  - name: b
    error: CMN-301
    tims: 3
  - name: c
    error: NOPE-2
  - name: d
    fault: bogus
"""


def test_validate_lists_every_problem_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    multi = tmp_path / "multi.yaml"
    multi.write_text(SEVERAL_PROBLEMS)
    assert main(["validate", str(multi)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{multi}:{n}" for n in (5, 8, 10, 12)]
    assert "'NOPE-1' is not in the ringcentral catalog" in lines[0]
    assert "unknown key 'tims'" in lines[1]
    assert "'NOPE-2' is not in the ringcentral catalog" in lines[2]
    assert "rules[3].fault" in lines[3]


@pytest.mark.parametrize("text", ["", "\n", "# nothing yet\n", "---\n"])
def test_validate_rejects_an_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text(text)
    assert main(["validate", str(empty)]) == 1
    assert capsys.readouterr().err == f"{empty}:1: file is empty: no scenario in it\n"
