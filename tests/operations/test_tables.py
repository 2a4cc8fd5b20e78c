"""The committed operation tables: regenerated from the specs when present, loadable, complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockserver.operations.router import generic_router
from mockserver.vendors import VENDORS

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT.parent / "shared" / "specs"


@pytest.mark.skipif(not SPECS.is_dir(), reason="the vendor specs beside the clone are absent")
def test_generated_tables_match_the_specs() -> None:
    script = ROOT / "scripts" / "build_operations.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("vendor", "count"),
    [("ringcentral", 520), ("signalwire", 79 + 253), ("yeastar", 25), ("fonedynamics", 8)],
)
def test_every_published_operation_is_loaded(vendor: str, count: int) -> None:
    assert len(generic_router(VENDORS[vendor]).operations) == count


def test_a_lookup_finds_what_a_scan_of_every_operation_finds() -> None:
    """`find` (memoised, indexed by method) agrees with the table's own order, repeatedly."""
    table = generic_router(VENDORS["ringcentral"]).operations
    for op in table.operations:
        path = op.path.replace("{", "").replace("}", "")  # each parameter named as itself
        expected = next(
            o
            for o in sorted(table.operations, key=lambda o: len(o.names))
            if o.method == op.method and o.pattern.fullmatch(path)
        )
        for _ in range(2):  # the second answer comes from the memo
            found = table.find(op.method, path)
            assert found is not None
            assert found[0] is expected
            found[1]["mutated"] = "x"  # the caller's own dict: the memo is untouched
    assert table.find("GET", "/restapi/v1.0/account/~/nothing") is None


def _prose(node: Any) -> list[str]:
    """Keys holding the specs' prose (a *property* named "description" is a fact)."""
    if isinstance(node, list):
        return [p for item in node for p in _prose(item)]
    if not isinstance(node, dict):
        return []
    found = [k for k in ("description", "summary", "example", "examples") if k in node]
    found = [k for k in found if not isinstance(node[k], dict) or k == "examples"]
    return (
        found
        + [p for k, v in node.items() if k != "properties" for p in _prose(v)]
        + [p for v in node.get("properties", {}).values() for p in _prose(v)]
    )


def test_tables_keep_facts_not_prose() -> None:
    for path in (ROOT / "mockserver" / "vendors").glob("*/spec/*.json"):
        assert _prose(json.loads(path.read_text())) == [], path.name
