"""examples/ is a working integration: its own test suite passes against this mockserver.

The suite runs in a fresh pytest process on a copy laid out like this repository (examples/
next to scenarios/), the way a user who copies the folder would run it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mockserver.testing import error_cases

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
        *_plugin_args(),
        "examples/tests",
        "-q",
        "-p",
        "no:cacheprovider",
        "--mockserver-report=report.html",
    )

    outcomes = result.parseoutcomes()
    # error sweeps make one test per catalogued error: at least one per function, all passed
    assert set(outcomes) - {"warnings"} == {"passed"}, outcomes
    assert outcomes["passed"] >= expected
    _check_report_page((pytester.path / "report.html").read_text(encoding="utf-8"))


class _Page(HTMLParser):
    """Tags and text of a page; HTMLParser raises nothing, so balance is checked here."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href")]
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        closed = self.open.pop() if self.open else None
        assert closed == tag, f"</{tag}> closes <{closed}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_report_page(html: str) -> None:
    """The CI artefact: a self-contained page with the run's figures and the chart."""
    page = _Page()
    page.feed(html)
    page.close()
    assert page.open == [], page.open
    assert {"svg", "table"} <= page.tags
    assert not [u for u in page.urls if "//" in u], page.urls  # no external assets
    # every sweep handled well, and test_retry_after_is_really_waited (a real wait); the
    # naive client's 3 resends of 21211 and its early retry of 20429 are the 4 bad ones
    send = "/2010-04-01/Accounts/*/Messages.json"
    swept = error_cases("signalwire", "POST", send, retryable=True, exclude_tags=["voice"])
    swept += error_cases("signalwire", "POST", send, tags=["validation"], retryable=False)
    served = len(swept) + 1 + 4
    text = " ".join(page.text)
    assert f"{served} errors served, 4 handled badly, 0 unknown" in text
    assert f"signalwire: {served - 4} ok, 4 bad, 0 unknown" in text  # the chart's description


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
