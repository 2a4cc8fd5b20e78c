"""Synth: schema-valid, deterministic, realistic values for every operation of the tables."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from faker import Faker
from jsonschema import Draft202012Validator, FormatChecker

from mockserver.operations.synth import Synth, regex_string
from mockserver.operations.validate import absolute, registry

from .tables import SHAPES, TABLES, op, patterns, table

# Schemas no value satisfies, as the specs publish them (spec defects, reported upstream):
KNOWN_UNSATISFIABLE = {
    # RSPagingModel: allOf [EnumeratedPagingModel (additionalProperties: false), {required:
    # [sortableFields]}] - the closed half rejects the field the other half requires
    ("ringcentral", "getSessionInsights", "response"),
    # JobStatusResponse: oneOf five loose objects whose `response` is itself oneOf [X,
    # CaiErrorResponse] with no required fields: every value matches several branches
    ("ringcentral", "caiJobStatusGet", "response"),
}


def synth(style: str, seed: int = 7) -> Synth:
    fake = Faker()
    fake.seed_instance(seed)
    return Synth(table(style)["schemas"], random.Random(seed), fake, SHAPES[style])


def targets(style: str) -> list[tuple[str, str, Any]]:
    """(op id, "response"|"body", schema) for every success and request-body schema."""
    found = []
    for row in table(style)["operations"]:
        response = row["responses"].get(row["success"], {}).get("schema")
        if response is not None:
            found.append((row["id"], "response", response))
        body = (row.get("body") or {}).get("schema")
        if body is not None:
            found.append((row["id"], "body", body))
    return found


def errors(style: str, schema: Any, value: Any) -> list[str]:
    checker = Draft202012Validator(
        absolute(schema), registry=registry(table(style)["schemas"]), format_checker=FormatChecker()
    )
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in checker.iter_errors(value)]


@pytest.mark.parametrize("style", list(TABLES))
def test_every_success_and_body_schema_gets_a_valid_value(style: str) -> None:
    made = synth(style)
    bad = {}
    for op_id, what, schema in targets(style):
        found = errors(style, schema, made.value(schema))
        if found:
            bad[(style, op_id, what)] = found[0]
    assert set(bad) == {k for k in KNOWN_UNSATISFIABLE if k[0] == style}, bad


def test_the_tables_have_schemas_to_cover() -> None:
    counts = {style: len(targets(style)) for style in TABLES}
    assert all(n > 50 for n in counts.values()), counts


@pytest.mark.parametrize("style", list(TABLES))
def test_the_same_seed_gives_the_same_values(style: str) -> None:
    schemas = [schema for _, _, schema in targets(style)[:60]]
    first, second = synth(style, 3), synth(style, 3)
    assert [first.value(s) for s in schemas] == [second.value(s) for s in schemas]
    other = synth(style, 4)
    assert [other.value(s) for s in schemas] != [synth(style, 3).value(s) for s in schemas]


# Every pattern in the three tables, so a new one is noticed (and tested) when a spec grows one
PATTERNS = {
    r"^#[0-9a-fA-F]{6}$",
    r"^((([0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01]))T(([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?))(Z|\+-:[0-5][0-9])?)$",
    r"^((?!(<|>|\/|\")).)*$",
    r"^(?!next$).*$",
    r"^(?:\d+h)?(?:\d+m)?(?:\d+s)?$",
    r"^([c|C][o|O][v|V][e|E][r|R])|([r|R][e|E][p|P][e|E][a|A][t|T][h|H][o|O][r|R][i|I][z|Z][o|O][n|N][t|T][a|A][l|L][l|L][y|Y])|([r|R][e|E][p|P][e|E][a|A][t|T][v|V][e|E][r|R][t|T][i|I][c|C][a|A][l|L][l|L][y|Y])|([r|R][e|E][p|P][e|E][a|A][t|T])$",
    r"^([l|L][e|E][f|F][t|T])|([c|C][e|E][n|N][t|T][e|E][r|R])|([r|R][i|I][g|G][h|H][t|T])$",
    r"^([t|T][o|O][p|P])|([c|C][e|E][n|N][t|T][e|E][r|R])|([b|B][o|O][t|T][t|T][o|O][m|M])$",
    r"^(http://.*|https://.*|ring: ?[0-9.]*: ?[a-zA-Z]{2}|say: ?.*|silence: ?[0-9.]*|ring: ?[a-zA-Z]{2})$",
    r"^(http|https)://",
    r"^[0-9]+$",
    r"^[1-9]\d{0,7}$",
    r"^[1-9]\d{1,14}$",
    r"^[1-9]\d{1,3}$",
    r"^[2-9]$",
    r"^[A-Za-z0-9_-]+$",
    r"^[A-Za-z0-9_\-]+$",
    r"^[\d#*wW]{1,32}$",
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    r"^[a-z0-9_]*$",
    r"^\+[1-9]\d{1,14}$",
    r"^\+\d{5,17}$",
    r"^\+\d{5,30}$",
    r"^\S+$",
    r"^\d+\.?\d{0,4}$",
    r"^\d{1,6}$",
    r"^\d{3,8}$",
    r"^\w+$",
    r"^prompt:.+$",
}


def test_the_pattern_list_is_every_pattern_in_the_tables() -> None:
    found = set().union(*(patterns(table(style)) for style in TABLES))
    assert found == PATTERNS


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_every_pattern_gets_matching_strings(pattern: str) -> None:
    rng = random.Random(1)
    made = [synth("rest").value({"type": "string", "pattern": pattern}) for _ in range(10)]
    made += [regex_string(pattern, rng) for _ in range(30)]
    assert [m for m in made if not re.search(pattern, m)] == []


def test_a_pattern_and_lengths_together() -> None:
    schema = {"type": "string", "pattern": r"^[a-z]+$", "minLength": 12, "maxLength": 14}
    value = synth("rest").value(schema)
    assert re.fullmatch(r"[a-z]{12,14}", value), value


def test_dates_follow_the_dialect() -> None:
    compat = synth("compat").value({"type": "string"}, "date_created")
    assert re.fullmatch(
        r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000", compat
    )
    rc = synth("ringcentral").value({"type": "string", "format": "date-time"})
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z", rc)
    rest = synth("rest").value({"type": "string"}, "date_created")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", rest)
    # a format wins over the name: compat's RFC 2822 is only for its unformatted date strings
    formatted = synth("compat").value({"type": "string", "format": "date-time"}, "date_created")
    assert "T" in formatted


def test_strings_look_like_what_their_property_holds() -> None:
    made = synth("ringcentral")
    assert re.fullmatch(r"\+1555\d{7}", made.value({"type": "string"}, "phoneNumber"))
    assert "@" in made.value({"type": "string"}, "email")
    assert made.value({"type": "string"}, "id").isdigit()
    assert made.value({"type": "string"}, "webUri").startswith("http")
    sid = synth("compat").value({"type": "string"}, "sid")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}", sid)


def test_numbers_keep_their_limits() -> None:
    made = synth("rest")
    for _ in range(50):
        n = made.value({"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 5})
        assert n in (10, 15, 20)
        x = made.value({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})
        assert 0 < x < 1
        assert made.value({"type": "integer", "exclusiveMaximum": -5}) < -5


def test_one_of_takes_the_branch_that_matches_exactly_one() -> None:
    # every integer is a number too: only a fractional number matches exactly one branch
    value = synth("rest").value({"oneOf": [{"type": "integer"}, {"type": "number"}]})
    assert isinstance(value, float)
    assert not value.is_integer()


def test_null_is_the_last_choice() -> None:
    made = synth("rest")
    assert made.value({"type": ["null", "string"]}) is not None
    assert made.value({"anyOf": [{"type": "null"}, {"type": "integer"}]}) is not None
    assert made.value({"type": "null"}) is None


def test_a_discriminator_names_the_branch() -> None:
    schemas = {
        "Cat": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        "Dog": {
            "type": "object",
            "required": ["kind", "bark"],
            "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}},
        },
    }
    schema = {
        "oneOf": [{"$ref": "#/schemas/Cat"}, {"$ref": "#/schemas/Dog"}],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/schemas/Cat"}},
    }
    value = Synth(schemas, random.Random(1), Faker(), SHAPES["rest"]).value(schema)
    assert value["kind"] == "cat"


def test_cycles_stop_at_optional_properties_and_keep_required_ones() -> None:
    schemas = {
        "Node": {
            "type": "object",
            "required": ["name", "children"],
            "properties": {
                "name": {"type": "string"},
                "parent": {"$ref": "#/schemas/Node"},
                "children": {"type": "array", "items": {"$ref": "#/schemas/Node"}},
            },
        }
    }
    value = Synth(schemas, random.Random(1), Faker(), SHAPES["rest"]).value(
        {"$ref": "#/schemas/Node"}
    )
    assert set(value) == {"name", "children"}
    assert value["children"] == []


def test_deep_objects_carry_only_their_required_properties() -> None:
    leaf = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
    }
    schema = {
        "type": "object",
        "properties": {
            "one": {"type": "object", "properties": {"two": leaf, "x": {"type": "string"}}}
        },
    }
    value = synth("rest").value(schema)
    assert set(value["one"]) == {"two", "x"}
    assert set(value["one"]["two"]) == {"a"}


def test_an_enum_value_of_the_wrong_type_is_never_picked() -> None:
    # PyYAML reads RingCentral's `Off` as false: the enum says string, so false is not one
    schema = {"type": "string", "enum": [False, "NoCallerId", "Always"]}
    made = synth("ringcentral")
    assert {made.value(schema) for _ in range(20)} <= {"NoCallerId", "Always"}


def test_maps_get_an_entry_of_their_value_schema() -> None:
    value = synth("rest").value({"type": "object", "additionalProperties": {"type": "integer"}})
    assert len(value) == 1
    assert all(isinstance(v, int) for v in value.values())


def test_fill_keeps_a_valid_field_and_refuses_an_invalid_one() -> None:
    made = synth("compat")
    schema = op("compat", "create_a_call")["responses"]["200"]["schema"]
    call = made.fill(schema, {"to": "+15550001111", "duration": "long", "status": "queued"})
    assert call["to"] == "+15550001111"
    assert call["status"] == "queued"
    assert isinstance(call["duration"], int)
    assert errors("compat", schema, call) == []


def test_fill_refuses_a_value_outside_the_enum_and_unknown_closed_fields() -> None:
    made = synth("rest")
    schema = op("rest", "create_conference_room")["body"]["schema"]
    room = made.fill(schema, {"quality": "4k", "name": "standup", "nonsense": 1})
    assert room["quality"] in ("1080p", "720p")
    assert room["name"] == "standup"
    assert "nonsense" not in room
    assert errors("rest", schema, room) == []
