"""Docs name what the code has: every scenario action, every credentials() key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mockserver.scenarios.model import ACTION_KEYS, Rule
from mockserver.testing.client import MockSession
from mockserver.vendors import VENDORS

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("action", ACTION_KEYS)
def test_every_action_has_a_section(action: str) -> None:
    assert f"\n### {action}\n" in (DOCS / "scenarios.md").read_text(encoding="utf-8")


def test_callback_example_is_a_valid_rule() -> None:
    text = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    section = text.split("\n### callback\n", 1)[1]
    block = re.search(r"```yaml rule\n(.*?)```", section, re.DOTALL)
    assert block is not None
    rule = Rule.model_validate(yaml.safe_load(block.group(1)))
    assert rule.callback is not None
    assert rule.callback.code == "30003"


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_credentials_keys_are_documented(vendor: str) -> None:
    text = (DOCS / "pytest.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.strip().startswith(f"| `{vendor}`"))
    for key in MockSession("http://127.0.0.1:9", "s").credentials(vendor):
        assert f"`{key}=" in row or f"{key}=" in row, (vendor, key)


ROOT = DOCS.parent
# what runs or tests the project; docs may mention the research beside a clone, code may not
RUN_AND_TEST = ("Makefile", "Dockerfile", "scripts", ".ci", "mockserver", "tests", "bench")


def test_nothing_that_runs_reaches_outside_the_repository() -> None:
    outside = "../" + "shared"  # split so this file does not match itself
    hits = [
        str(path.relative_to(ROOT))
        for top in RUN_AND_TEST
        for path in ([ROOT / top] if (ROOT / top).is_file() else (ROOT / top).rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and outside in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert hits == []
