"""Generate the JSON Schema of the scenario file format from the pydantic models.

Regenerate the committed copy with:
    python -m mockserver.scenarios.schema > schemas/scenario.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.scenarios.model import SHORTHANDS, Scenario

SCHEMA_ID = "urn:mockserver:schema:scenario:1"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file: one scenario, or a list of them.

    Returns:
        A draft 2020-12 schema with `$id`, a description on every key, and the short
        forms (`error: CMN-301`, `fault: reset`, `delay: [0.1, 0.4]`...) spelled out.
    """
    raw = Scenario.model_json_schema(ref_template="#/$defs/{model}")
    defs = {name: _tidy(d) for name, d in raw.pop("$defs", {}).items()}
    defs["Scenario"] = _tidy(raw)
    if "JsonValue" in defs:  # pydantic leaves its JSON-value type undescribed
        defs["JsonValue"] = {**defs["JsonValue"], "description": "Any JSON value."}
    for name, short in SHORTHANDS.items():
        full = defs[name]
        head = {k: full.pop(k) for k in ("title", "description") if k in full}
        defs[name] = {**head, "anyOf": [*short, full]}
    ref = {"$ref": "#/$defs/Scenario"}
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "mockserver scenario file",
        "description": "One scenario, or a list of scenarios (YAML or JSON). "
        "See docs/scenarios.md.",
        "anyOf": [ref, {"type": "array", "items": ref}],
        "$defs": dict(sorted(defs.items())),
    }


def _tidy(node: Any) -> Any:
    """Drop per-property titles and the `null` branch pydantic adds to optional keys."""
    if isinstance(node, list):
        return [_tidy(x) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _untitled(_tidy(prop)) for name, prop in value.items()}
        else:
            out[key] = _tidy(value)
    return _without_null(out)


def _untitled(prop: dict[str, Any]) -> dict[str, Any]:
    # pydantic titles every property after its name ("Retry After"); they add nothing
    return {k: v for k, v in prop.items() if k != "title" and not (k == "default" and v is None)}


def _without_null(node: dict[str, Any]) -> dict[str, Any]:
    branches = node.get("anyOf")
    if not isinstance(branches, list) or {"type": "null"} not in branches:
        return node
    kept = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in node.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**(kept[0] if len(kept) == 1 else {"anyOf": kept}), **rest}


def main() -> None:
    """Print the schema (sorted, two-space indent, trailing newline) to stdout."""
    print(json.dumps(scenario_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
