"""The hand-built operation tables (Yeastar, Fone Dynamics, Webex Connect) are complete and well-formed."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
VENDORS = ROOT / "mockserver" / "vendors"
TABLES = {
    "yeastar": VENDORS / "yeastar" / "spec" / "openapi.yaml",
    "fonedynamics": VENDORS / "fonedynamics" / "spec" / "rest-v2.yaml",
    "webexconnect": VENDORS / "webexconnect" / "spec" / "messaging.yaml",
}
REQUIRED = ("id", "method", "path", "responses", "success", "action", "source")
ACTIONS = {"create", "list", "fetch", "update", "delete", "read", "write", "act"}
NEEDS_COLLECTION = {"create", "list", "fetch", "update", "delete"}
NEEDS_ID_PARAM = {"fetch", "update", "delete"}

# Issue 12, item 6: the endpoints each table must list (method, base-relative path).
LISTED = {
    "yeastar": [
        ("GET", "/system/information"),
        ("GET", "/extension/get"),
        ("GET", "/extension/search"),
        ("GET", "/extension/list"),
        ("POST", "/extension/update"),
        ("GET", "/cdr/list"),
        ("GET", "/recording/list"),
        ("POST", "/call/dial"),
        ("GET", "/call/query"),
        ("POST", "/call/hangup"),
        ("POST", "/call/transfer"),
        ("GET", "/trunk/list"),
        ("GET", "/queue/list"),
    ],
    "fonedynamics": [
        ("POST", "/Properties/{PropertySid}/Messages"),
        ("GET", "/Properties/{PropertySid}/Messages"),
        ("GET", "/Messages/{MessageSid}"),
        ("POST", "/Properties/{PropertySid}/BatchMessages"),
        ("GET", "/Properties/{PropertySid}/Numbers"),
    ],
    "webexconnect": [
        ("POST", "/resources/v1/messaging"),
        ("POST", "/v2/messages"),
        ("POST", "/v1/sms/messages"),
        ("GET", "/resources/v1/messaging/status/{transid}"),
    ],
}


def load(vendor: str) -> dict[str, Any]:
    """A table as `yaml.safe_load` reads it."""
    table = yaml.safe_load(TABLES[vendor].read_text(encoding="utf-8"))
    assert isinstance(table, dict)
    return table


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside a YAML tree, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def inline_schemas(op: dict[str, Any]) -> Iterator[Any]:
    """The JSON Schemas an operation carries: parameter, body and response schemas."""
    for param in op.get("params", []):
        yield param["schema"]
    if "body" in op:
        yield op["body"]["schema"]
    for answer in op["responses"].values():
        if "schema" in answer:
            yield answer["schema"]


def concrete(template: str) -> str:
    """A table path with every `{Param}` filled in, as a client would send it."""
    return re.sub(r"\{[^}]+\}", "x1", template)


def catalog_keys(vendor: str) -> set[str]:
    """The catalogued error keys of a vendor."""
    catalog = yaml.safe_load((ROOT / "catalog" / f"{vendor}.yaml").read_text(encoding="utf-8"))
    return {str(entry["key"]) for entry in catalog["entries"]}


def resolve(table: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a top-level `$ref` into the table's `schemas` section."""
    while "$ref" in schema:
        schema = table["schemas"][schema["$ref"].removeprefix("#/schemas/")]
    return schema


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_every_operation_has_the_required_keys(vendor: str) -> None:
    table = load(vendor)
    assert table["operations"], vendor
    ids = [op["id"] for op in table["operations"]]
    assert len(ids) == len(set(ids)), "operation ids are unique"
    for op in table["operations"]:
        missing = [key for key in REQUIRED if key not in op]
        assert not missing, (op.get("id"), missing)
        assert op["action"] in ACTIONS, op["id"]
        assert op["success"] in op["responses"], op["id"]
        assert op["success"].startswith("2"), op["id"]
        if op["action"] in NEEDS_COLLECTION:
            assert "collection" in op, op["id"]
        if op["action"] in NEEDS_ID_PARAM:
            names = {param["name"] for param in op.get("params", [])}
            body = op.get("body", {}).get("schema", {})
            body_fields = resolve(table, body).get("properties", {}) if body else {}
            assert op["id_param"] in names | set(body_fields), op["id"]


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_every_operation_cites_a_page(vendor: str) -> None:
    for op in load(vendor)["operations"]:
        assert re.match(r"https?://[^\s/]+\.[a-z]+/\S*", op["source"]), op["id"]


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_every_ref_resolves(vendor: str) -> None:
    table = load(vendor)
    refs = [node["$ref"] for node in walk(table) if "$ref" in node]
    assert refs, "tables share component schemas through $ref"
    for ref in refs:
        assert ref.startswith("#/schemas/"), ref
        assert ref.removeprefix("#/schemas/") in table["schemas"], ref


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_every_schema_is_valid_json_schema_2020_12(vendor: str) -> None:
    table = load(vendor)
    for name, schema in table["schemas"].items():
        assert name, "schemas are named"
        Draft202012Validator.check_schema(schema)
    for op in table["operations"]:
        for schema in inline_schemas(op):
            Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_the_issues_endpoints_are_listed(vendor: str) -> None:
    table = load(vendor)
    present = {(op["method"], op["path"]) for op in table["operations"]}
    absent = [item for item in LISTED[vendor] if item not in present]
    assert not absent, absent


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_dialect_names_only_catalogued_codes(vendor: str) -> None:
    dialect = load(vendor)["dialect"]
    keys = catalog_keys(vendor)
    named = [dialect["not_found"], *dialect["validation"].values()]
    named += dialect.get("not_found_by_collection", {}).values()
    if "malformed_body" in dialect:
        named.append(dialect["malformed_body"])
    assert set(dialect["validation"]) == {"missing", "type", "enum", "format"}
    assert {str(key) for key in named} <= keys, set(named) - keys
    assert "source" in dialect["paging"]


@pytest.mark.parametrize("vendor", sorted(TABLES))
def test_every_hand_written_route_has_an_operation(vendor: str) -> None:
    table = load(vendor)
    router = importlib.import_module(f"mockserver.vendors.{vendor}.routes").ROUTER
    paths = [(op["method"], table["base"] + concrete(op["path"])) for op in table["operations"]]
    for item in router.routes:
        served = [
            path for method, path in paths if method == item.method and item.pattern.fullmatch(path)
        ]
        assert served, (
            f"{item.method} {item.pattern.pattern} has no operation in {TABLES[vendor].name}"
        )


def test_every_yeastar_answer_carries_errcode_and_errmsg() -> None:
    table = load("yeastar")
    for op in table["operations"]:
        for status, answer in op["responses"].items():
            schema = resolve(table, answer["schema"])
            assert {"errcode", "errmsg"} <= set(schema["required"]), (op["id"], status)
            assert schema["properties"]["errcode"] == {"type": "integer"}, op["id"]
