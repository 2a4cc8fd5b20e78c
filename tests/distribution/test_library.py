"""`mockserver scenarios list/show/copy` and `mockserver schema`, in process."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.scenarios import load_path
from mockserver.scenarios.library import library_dir, schema_path
from tests.distribution.conftest import DIST_NAME, ROOT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_checkout_serves_the_library_and_schemas_from_its_own_folders() -> None:
    assert library_dir() == ROOT / "scenarios"
    assert schema_path() == ROOT / "schemas" / "scenario.schema.json"


def test_list_names_every_file_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "list", "--vendor", "yeastar")
    assert code == 0
    files = sorted((ROOT / "scenarios" / "yeastar").glob("*.yaml"))
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [f"yeastar/{p.stem}" for p in files]
    assert "A flapping PBX" in next(line for line in lines if "flapping" in line)


@pytest.mark.parametrize(
    "name", ["signalwire/flapping", "signalwire-flapping", "signalwire/flapping.yaml"]
)
def test_show_prints_the_file(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "scenarios", "show", name)
    assert (code, out) == (0, (ROOT / "scenarios/signalwire/flapping.yaml").read_text())


@pytest.mark.parametrize(
    ("name", "problem"), [("signalwire", "names 10 files"), ("nope", "no library scenario")]
)
def test_show_refuses_what_is_not_one_file(
    capsys: pytest.CaptureFixture[str], name: str, problem: str
) -> None:
    code, _, err = run(capsys, "scenarios", "show", name)
    assert code == 2
    assert problem in err


def test_copy_points_each_modeline_at_the_copied_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(
        capsys,
        "scenarios",
        "copy",
        "ringcentral",
        "yeastar/flapping",
        "--to",
        "ci/mock",
        "--schema",
        "editor/s.json",
    )
    assert code == 0
    written = sorted(tmp_path.glob("ci/mock/*/*.yaml"))
    assert len(written) == len(list((ROOT / "scenarios/ringcentral").glob("*.yaml"))) + 1
    assert out.split() == [*(str(p.relative_to(tmp_path)) for p in written), "editor/s.json"]
    for path in written:
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../../editor/s.json"
        assert (path.parent / first.partition("=")[2]).resolve() == tmp_path / "editor/s.json"
        body = path.read_text().partition("\n")[2]
        assert (
            body
            == (ROOT / "scenarios" / path.parent.name / path.name).read_text().partition("\n")[2]
        )
    assert json.loads((tmp_path / "editor/s.json").read_text())["$id"].startswith("urn:mockserver:")
    assert load_path(tmp_path / "ci/mock")  # the copies load as they are


def test_copy_never_overwrites_unasked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "scenarios", "copy", "yeastar/flapping")[0] == 0
    code, _, err = run(capsys, "scenarios", "copy", "yeastar/flapping")
    assert code == 2
    assert "would overwrite scenarios/yeastar/flapping.yaml" in err
    assert run(capsys, "scenarios", "copy", "yeastar/flapping", "--force")[0] == 0


def test_copy_keeps_the_schema_out_of_the_scenario_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys,
        "scenarios",
        "copy",
        "yeastar/flapping",
        "--to",
        str(tmp_path),
        "--schema",
        str(tmp_path / "x.json"),
    )
    assert code == 2
    assert "would load as a scenario" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("which", ["scenario", "report"])
def test_schema_prints_the_shipped_file(capsys: pytest.CaptureFixture[str], which: str) -> None:
    code, out, _ = run(capsys, "schema", *([which] if which != "scenario" else []))
    assert code == 0
    assert out == (ROOT / "schemas" / f"{which}.schema.json").read_text()
    assert json.loads(out)["$id"] == f"urn:mockserver:schema:{which}:1"


def test_readme_installs_the_distribution_pyproject_names() -> None:
    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    assert name == DIST_NAME
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"^pip install {re.escape(name)}\b", readme, re.MULTILINE)
