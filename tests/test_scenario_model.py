"""The scenario model: shorthands, defaults, the JSON Schema, and the documented examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from mockserver.catalog import Catalog
from mockserver.scenarios import load_text
from mockserver.scenarios.matchers import Match, PathMatcher, ValueMatcher, scalar_text
from mockserver.scenarios.model import (
    PASSTHROUGH,
    Delay,
    ErrorAction,
    FaultAction,
    Rule,
    Scenario,
)
from mockserver.scenarios.schema import SCHEMA_ID, scenario_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "scenario.schema.json"
DOCS = ROOT / "docs" / "scenarios.md"
FENCE = re.compile(r"^```(yaml|json)( rule)?\n(.*?)^```", re.MULTILINE | re.DOTALL)


def rule(**data: Any) -> Rule:
    return Rule.model_validate(data)


# ---- shorthands and defaults ---------------------------------------------------------------


def test_shorthands_expand() -> None:
    r = rule(error="CMN-301", match={"path": "/x", "method": "post", "query": {"a": 1}})
    assert r.error == ErrorAction(code="CMN-301")
    assert r.match.path == PathMatcher(exact="/x")
    assert r.match.method == ("POST",)
    assert r.match.query["a"] == ValueMatcher(equals="1")
    assert rule(fault="reset").fault == FaultAction(type="reset")
    assert rule(passthrough=True, delay=0.5).delay == Delay(min=0.5, max=0.5)
    assert rule(passthrough=True, delay=[0.1, 0.2]).delay == Delay(min=0.1, max=0.2)
    assert rule(sequence=["passthrough"]).sequence[0].passthrough is True  # type: ignore[index]


def test_numbers_become_text_where_text_is_meant() -> None:
    r = rule(error={"code": 21211, "params": {"n": 5}, "headers": {"X-N": True}})
    assert r.error == ErrorAction(code="21211", params={"n": "5"}, headers={"X-N": "true"})


def test_action_of_each_kind() -> None:
    assert rule(error="X").action() == ErrorAction(code="X")
    assert rule(passthrough=True).action() is PASSTHROUGH
    assert rule(sequence=[{"fault": "empty"}]).action() == FaultAction(type="empty")
    limit = rule(rate_limit={"limit": 2, "window": 1}).action()
    assert limit.key == "session"  # type: ignore[union-attr]


def test_steps_carry_the_rule_delay() -> None:
    (step,) = rule(error="X", delay=2).steps()
    assert step.delay == Delay(min=2, max=2)
    assert step.action() == ErrorAction(code="X")


def test_default_rule_names() -> None:
    s = Scenario.model_validate(
        {"name": "s", "rules": [{"passthrough": True}, {"name": "named", "passthrough": True}]}
    )
    assert s.rule_names() == ["s#0", "named"]


def test_active_window_contains() -> None:
    active = rule(passthrough=True, active={"from": 1, "until": 2}).active
    assert active is not None
    assert [active.contains(t) for t in (0.5, 1, 1.5, 2)] == [False, True, True, False]


def test_scalar_text() -> None:
    assert [scalar_text(v) for v in (True, False, None, 3, 1.5, "x")] == [
        "true",
        "false",
        "null",
        "3",
        "1.5",
        "x",
    ]
    assert scalar_text({"a": [1, 2]}) == '{"a":[1,2]}'


def test_models_are_frozen_and_strict() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Match.model_validate({"nope": 1})
    r = rule(passthrough=True)
    with pytest.raises(ValidationError):
        r.priority = 3  # type: ignore[misc]


# ---- JSON Schema ---------------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == scenario_schema(), (
        "schemas/scenario.schema.json is stale; regenerate it with\n"
        "  python -m mockserver.scenarios.schema > schemas/scenario.schema.json"
    )


def test_schema_module_prints_the_file() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.scenarios.schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")


def _properties(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((f"{path}.{name}", prop))
        for key, value in node.items():
            found += _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _properties(value, f"{path}[{i}]")
    return found


def test_schema_describes_every_key() -> None:
    schema = scenario_schema()
    assert schema["$id"] == SCHEMA_ID
    props = _properties(schema)
    assert len(props) > 50
    missing = [path for path, prop in props if not prop.get("description")]
    assert missing == []
    assert [path for path, prop in props if "title" in prop] == []
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), name


# ---- the documentation ---------------------------------------------------------------------


def doc_examples() -> list[tuple[str, str, bool]]:
    text = DOCS.read_text(encoding="utf-8")
    return [(m.group(1), m.group(3), bool(m.group(2))) for m in FENCE.finditer(text)]


def _as_scenario_text(kind: str, body: str, is_rule: bool) -> str:
    if not is_rule:
        return body
    data = {"name": "doc-example", "vendor": "ringcentral", "rules": [yaml.safe_load(body)]}
    return json.dumps(data)


def test_docs_have_examples() -> None:
    examples = doc_examples()
    assert len(examples) >= 20
    assert any("after: 1" in body and "times: 1" in body for _, body, _ in examples)


@pytest.mark.parametrize(("kind", "body", "is_rule"), doc_examples())
def test_doc_example_loads(kind: str, body: str, is_rule: bool, catalog: Catalog) -> None:
    source = "doc.json" if kind == "json" or is_rule else "doc.yaml"
    scenarios = load_text(_as_scenario_text(kind, body, is_rule), source, catalog)
    assert scenarios


@pytest.mark.parametrize(("kind", "body", "is_rule"), doc_examples())
def test_doc_example_matches_the_json_schema(kind: str, body: str, is_rule: bool) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    text = _as_scenario_text(kind, body, is_rule)
    instance = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    validator = jsonschema_rs.validator_for(scenario_schema())
    assert validator.is_valid(instance), list(validator.iter_errors(instance))[:3]


def test_schema_rejects_what_the_models_reject() -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    validator = jsonschema_rs.validator_for(scenario_schema())
    bad = {"name": "x", "rules": [{"fault": "nope"}]}
    assert not validator.is_valid(bad)
    assert not validator.is_valid({"name": "x", "rules": [{"passthrough": True, "zzz": 1}]})
    assert validator.is_valid([{"name": "x", "rules": [{"error": 21211}]}])


SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_scenarios_pass_the_committed_schema(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))
    for document in yaml.safe_load_all(path.read_text("utf-8")):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []
