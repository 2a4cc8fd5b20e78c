"""examples/ is a working integration: its own test suite passes against this mockserver.

The suite runs in a fresh pytest process on a copy laid out like this repository (examples/
next to scenarios/), the way a user who copies the folder would run it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _plugin_args() -> list[str]:
    installed = {ep.value for ep in importlib.metadata.entry_points(group="pytest11")}
    return [] if "mockserver.testing.plugin" in installed else ["-p", "mockserver.testing.plugin"]


def _test_count(folder: Path) -> int:
    return sum(
        isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        for path in folder.glob("test_*.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
    )


def test_example_suite_passes(pytester: pytest.Pytester) -> None:
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc")
    shutil.copytree(EXAMPLES, pytester.path / "examples", ignore=ignore)
    shutil.copytree(ROOT / "scenarios", pytester.path / "scenarios", ignore=ignore)
    expected = _test_count(EXAMPLES / "tests")
    assert expected >= 10, "examples/tests lost its tests"

    result = pytester.runpytest_subprocess(
        *_plugin_args(), "examples/tests", "-q", "-p", "no:cacheprovider"
    )

    outcomes = result.parseoutcomes()
    # error sweeps make one test per catalogued error: at least one per function, all passed
    assert set(outcomes) - {"warnings"} == {"passed"}, outcomes
    assert outcomes["passed"] >= expected


def test_example_readme_names_every_test() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    tests = (EXAMPLES / "tests" / "test_sms_sender.py").read_text(encoding="utf-8")
    named = {
        node.name
        for node in ast.parse(tests).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    # the table documents the scenario tests; plain unit tests need no row
    documented = {name for name in named if f"`{name}`" in readme}
    missing = {n for n in named - documented if "mock" in _arguments(tests, n)}
    assert not missing, f"examples/README.md does not describe: {sorted(missing)}"


def _arguments(source: str, name: str) -> set[str]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return {arg.arg for arg in node.args.args}
    return set()
