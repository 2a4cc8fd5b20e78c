"""The committed operation tables, loaded once for the operations tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mockserver.vendors.ringcentral.dialect import DIALECTS as RC
from mockserver.vendors.signalwire.dialect import DIALECTS as SW

VENDORS = Path(__file__).resolve().parents[2] / "mockserver" / "vendors"
TABLES = {
    "ringcentral": VENDORS / "ringcentral" / "spec" / "platform.json",
    "compat": VENDORS / "signalwire" / "spec" / "compat.json",
    "rest": VENDORS / "signalwire" / "spec" / "rest.json",
}

# how each table's dialect writes generated timestamps and ids
SHAPES = {
    "ringcentral": RC["ringcentral"].shape,
    "compat": SW["compat"].shape,
    "rest": SW["rest"].shape,
}


@cache
def table(style: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TABLES[style].read_text(encoding="utf-8"))
    return loaded


def op(style: str, op_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in table(style)["operations"] if o["id"] == op_id)
    return found


def patterns(node: Any, inside_properties: bool = False) -> set[str]:
    """Every `pattern` keyword in a table (not properties that happen to be named so)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str) and not inside_properties:
                found.add(value)
            names = key in ("properties", "schemas", "responses") and not inside_properties
            found |= patterns(value, names)
    elif isinstance(node, list):
        for value in node:
            found |= patterns(value)
    return found
