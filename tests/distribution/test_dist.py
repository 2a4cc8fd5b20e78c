"""The wheel and sdist built from a clean checkout: named ours, checked, complete, installable.

The installed wheel is run from a fresh venv, outside the checkout, so nothing here can
lean on the repository's files: the README's first walkthrough is replayed against it, and
its catalog, scenario library and schema must all come from inside the wheel.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest

from mockserver.catalog import Catalog
from mockserver.scenarios.schema import SCHEMA_ID
from tests.distribution.conftest import DIST_NAME, ROOT, Dist, Installed, ServeInstalled
from tests.test_readme import Command, Shell, _commands, _snippets
from tests.test_readme import readme_cwd as readme_cwd  # the fixture: the README's files

LIBRARY = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").glob("*/*.yaml"))
CATALOG = sorted(p.name for p in (ROOT / "catalog").glob("*.yaml"))


def wheel_names(dist: Dist) -> set[str]:
    with zipfile.ZipFile(dist.wheel) as wheel:
        return set(wheel.namelist())


def test_twine_check_passes(dist: Dist) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist.wheel), str(dist.sdist)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_distribution_is_named_ours_and_keeps_the_mockserver_command(dist: Dist) -> None:
    assert dist.wheel.name.startswith("cpaas_mockserver-")
    assert dist.sdist.name.startswith("cpaas_mockserver-")
    with zipfile.ZipFile(dist.wheel) as wheel:
        info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(wheel.read(info).decode())
        points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert meta["Name"] == DIST_NAME
    assert "mockserver = mockserver.cli:main" in points
    assert "testcontainers" in meta.get_all("Provides-Extra")


def test_wheel_carries_catalog_library_and_schemas(dist: Dist) -> None:
    names = wheel_names(dist)
    data = "mockserver/_data/"
    assert {f"{data}{path}" for path in LIBRARY} <= names
    assert f"{data}scenarios/README.md" in names
    assert {f"{data}catalog/{name}" for name in CATALOG} <= names
    assert {f"{data}schemas/scenario.schema.json", f"{data}schemas/report.schema.json"} <= names
    # the seeds only regenerate the catalog; the server never reads them
    assert not [n for n in names if "/seeds/" in n]
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]


def test_sdist_holds_what_the_wheel_is_built_from(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "mockserver/cli.py"} <= names
    assert set(LIBRARY) <= names
    assert {"schemas/scenario.schema.json", *(f"catalog/{n}" for n in CATALOG)} <= names


def test_installed_wheel_runs_from_the_fresh_venv(installed: Installed, tmp_path: Path) -> None:
    where = installed.run(
        str(installed.bin / "python"),
        "-c",
        "import mockserver; print(mockserver.__file__)",
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(installed.root)), where.stdout + where.stderr
    version = installed.run(str(installed.bin / "mockserver"), "--version", cwd=tmp_path)
    assert version.returncode == 0
    assert version.stdout.startswith("mockserver ")


def test_installed_schema_command_prints_the_schema_with_its_id(
    installed: Installed, tmp_path: Path
) -> None:
    done = installed.run(str(installed.bin / "mockserver"), "schema", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert schema["$id"] == SCHEMA_ID
    assert schema == json.loads((ROOT / "schemas" / "scenario.schema.json").read_text())


def test_installed_library_lists_shows_and_copies(installed: Installed, tmp_path: Path) -> None:
    mock = str(installed.bin / "mockserver")
    listed = installed.run(mock, "scenarios", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = [item["name"] for item in json.loads(listed.stdout)]
    assert names == [path.removeprefix("scenarios/").removesuffix(".yaml") for path in LIBRARY]
    shown = installed.run(mock, "scenarios", "show", "signalwire/flapping", cwd=tmp_path)
    assert shown.stdout == (ROOT / "scenarios/signalwire/flapping.yaml").read_text()
    copied = installed.run(mock, "scenarios", "copy", "yeastar", cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    checked = installed.run(mock, "validate", "scenarios", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (tmp_path / "schemas/scenario.schema.json").is_file()


@dataclass
class StandIn:
    """What Shell needs of a server: its URL."""

    url: str


class InstalledShell(Shell):
    """The README's sh blocks against the installed wheel: `make run` and `mockserver serve`
    start the fresh venv's server; the other `mockserver` commands run its CLI."""

    serve_installed: ServeInstalled | None = None

    def do_make(self, command: Command, args: list[str]) -> None:
        super().do_make(command, [a for a in args if a != "run"])
        if "run" in args:
            self.start()

    def start(self, settings: object = None) -> StandIn:  # type: ignore[override]
        assert settings is None, "the installed server is configured by its command line"
        assert self.serve_installed is not None
        self.server = StandIn(self.serve_installed())  # type: ignore[assignment]
        return self.server  # type: ignore[return-value]

    def do_mockserver(self, command: Command, args: list[str]) -> None:
        assert self.serve_installed is not None
        if args[0] == "serve":
            url = self.serve_installed(*args[1:], cwd=self.cwd)
            self.server = StandIn(url)  # type: ignore[assignment]
            return
        done = self.serve_installed.installed.run(
            str(self.serve_installed.installed.bin / "mockserver"), *args, cwd=self.cwd
        )
        if done.returncode != 0:
            self.fail(command, f"exited {done.returncode}: {done.stderr or done.stdout}")


WALKTHROUGHS = [
    pytest.param(s, id=s.id)
    for s in _snippets("sh")
    if "curl " in s.text and ("make run" in s.text or "mockserver serve" in s.text)
]


def test_the_readme_has_walkthroughs_to_replay() -> None:
    assert len(WALKTHROUGHS) >= 2


@pytest.mark.parametrize("snippet", WALKTHROUGHS)
def test_installed_wheel_serves_the_readme_walkthrough(
    snippet: object,
    readme_cwd: Path,
    catalog: Catalog,
    serve_installed: ServeInstalled,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with contextlib.ExitStack() as stack:
        shell = InstalledShell(snippet, readme_cwd, catalog, stack, capsys, monkeypatch)  # type: ignore[arg-type]
        shell.serve_installed = serve_installed
        for command in _commands(shell.snippet.text):
            shell.run(command)
        assert shell.server is not None
