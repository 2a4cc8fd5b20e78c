"""Checker: requests against real operation rows, one problem per thing the client got wrong."""

from __future__ import annotations

import random
from typing import Any

import pytest
from faker import Faker

from mockserver.operations.synth import Synth
from mockserver.operations.validate import Checker, Problem

from .tables import SHAPES, TABLES, op, table

SMS_FROM = {"phoneNumber": "+15551230000"}


def checker(style: str) -> Checker:
    return Checker(table(style)["schemas"])


def test_ringcentral_sms_without_to_is_missing_to() -> None:
    found = checker("ringcentral").problems(
        op("ringcentral", "createSMSMessage"), [], {"from": SMS_FROM, "text": "hi"}
    )
    assert found == [Problem("missing", "to", "body", "is required")]


def test_a_nested_attribute_is_named_with_dots() -> None:
    body = {"from": SMS_FROM, "text": "hi", "to": [{"phoneNumber": 15551230001}]}
    found = checker("ringcentral").problems(op("ringcentral", "createSMSMessage"), [], body)
    assert found == [Problem("type", "to.phoneNumber", "body", "must be string")]


def test_compat_call_without_to_is_missing_to() -> None:
    form = {"From": "+15551230000", "Url": "https://example.com/cxml"}
    found = checker("compat").problems(op("compat", "create_a_call"), [], form)
    assert found == [Problem("missing", "To", "body", "is required")]


def test_compat_form_strings_are_typed_by_their_property() -> None:
    call = op("compat", "create_a_call")
    form = {"From": "+15551230000", "To": "+15551230001", "Timeout": "30", "Record": "true"}
    assert checker("compat").problems(call, [], form) == []
    bad = {**form, "Timeout": "soon", "Record": "perhaps"}
    assert checker("compat").problems(call, [], bad) == [
        Problem("type", "Timeout", "body", "must be integer"),
        Problem("type", "Record", "body", "must be boolean"),
    ]
    assert checker("compat").problems(call, [], {**form, "Timeout": "700"}) == [
        Problem("range", "Timeout", "body", "must be <= 600")
    ]


def test_repeated_form_keys_fill_an_array() -> None:
    call = op("compat", "create_a_call")
    form = {
        "From": "+15551230000",
        "To": "+15551230001",
        "StatusCallbackEvent": ["initiated", "answered"],
    }
    assert checker("compat").problems(call, [], form) == []


def test_unknown_fields_are_accepted_where_the_vendor_accepts_them() -> None:
    # SignalWire's models are closed with unevaluatedProperties, the live API ignores extras
    form = {"From": "+15551230000", "To": "+15551230001", "Junk": "1"}
    assert checker("compat").problems(op("compat", "create_a_call"), [], form) == []
    room = {"name": "standup", "enable_room_previews": True, "whatever": 1}
    assert checker("rest").problems(op("rest", "create_conference_room"), [], room) == []


def test_additional_properties_false_rejects_an_unknown_field() -> None:
    row = {
        "id": "closed",
        "body": {
            "media": "application/json",
            "schema": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
            },
        },
    }
    found = Checker({}).problems(row, [], {"a": "x", "b": 1})
    assert found == [Problem("other", "b", "body", "is not a known attribute")]


def test_rest_enum_names_the_values() -> None:
    room = {"name": "standup", "enable_room_previews": True, "quality": "4k"}
    found = checker("rest").problems(op("rest", "create_conference_room"), [], room)
    assert found == [Problem("enum", "quality", "body", "must be one of: 1080p, 720p")]


def test_each_kind_of_body_problem() -> None:
    contact = op("ringcentral", "createContact")
    found = checker("ringcentral").problems(contact, [], {"email": "nobody", "birthday": "soon"})
    assert found == [
        Problem("format", "email", "body", "must be a valid email"),
        Problem("format", "birthday", "body", "must be a valid date-time"),
    ]
    label = {"label": "x" * 61, "phoneNumber": "+15551230000", "status": "Blocked"}
    blocked = op("ringcentral", "createBlockedAllowedNumber")
    assert checker("ringcentral").problems(blocked, [], label) == [
        Problem("length", "label", "body", "must be at most 60 characters long")
    ]
    call = op("compat", "create_a_call")
    digits = {"From": "+15551230000", "To": "+15551230001", "SendDigits": "12ab"}
    assert checker("compat").problems(call, [], digits) == [
        Problem("pattern", "SendDigits", "body", r"must match ^[\d#*wW]{1,32}$")
    ]


def test_query_strings_are_coerced_and_checked() -> None:
    log = op("ringcentral", "readUserCallLog")
    query = [
        ("showBlocked", "maybe"),
        ("view", "Nope"),
        ("dateFrom", "yesterday"),
        ("page", "0"),
        ("direction", "Inbound,Sideways"),
    ]
    found = checker("ringcentral").problems(log, query, None)
    assert found == [
        Problem("type", "showBlocked", "query", "must be boolean"),
        Problem("enum", "direction", "query", "must be one of: Inbound, Outbound"),
        Problem("enum", "view", "query", "must be one of: Simple, Detailed"),
        Problem("format", "dateFrom", "query", "must be a valid date-time"),
        Problem("range", "page", "query", "must be >= 1"),
    ]


def test_good_query_strings_pass() -> None:
    log = op("ringcentral", "readUserCallLog")
    query = [
        ("showBlocked", "false"),
        ("perPage", "max"),
        ("page", "2"),
        ("dateFrom", "2026-01-01T00:00:00.000Z"),
        ("direction", "Inbound"),
        ("direction", "Outbound"),
        ("type", "Voice,Fax"),
    ]
    assert checker("ringcentral").problems(log, query, None) == []
    assert checker("ringcentral").problems(log, [("perPage", "100")], None) == []


def test_a_required_query_parameter_missing() -> None:
    row = {
        "id": "q",
        "params": [
            {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}}
        ],
    }
    assert Checker({}).problems(row, [], None) == [
        Problem("missing", "limit", "query", "is required")
    ]
    assert Checker({}).problems(row, [("limit", "x")], None) == [
        Problem("type", "limit", "query", "must be integer")
    ]


def test_path_parameters_are_checked_when_given() -> None:
    call = op("compat", "create_a_call")
    form = {"From": "+15551230000", "To": "+15551230001"}
    found = checker("compat").problems(call, [], form, path={"AccountSid": "not-a-uuid"})
    assert found == [Problem("format", "AccountSid", "path", "must be a valid uuid")]
    assert checker("compat").problems(call, [], form) == []


def test_required_headers_only_and_only_when_given() -> None:
    row = {
        "id": "h",
        "params": [
            {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}},
            {
                "name": "Authorization",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
            {"name": "X-Trace", "in": "header", "schema": {"type": "integer"}},
        ],
    }
    check = Checker({})
    assert check.problems(row, [], None) == []
    assert check.problems(row, [], None, headers={"X-Trace": "abc"}) == [
        Problem("missing", "X-Tenant", "header", "is required")
    ]
    assert check.problems(row, [], None, headers={"x-tenant": "acme"}) == []


def test_path_then_query_then_body_and_missing_first() -> None:
    row = {
        "id": "order",
        "params": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "n", "in": "query", "schema": {"type": "integer", "maximum": 3}},
        ],
        "body": {
            "media": "application/json",
            "required": True,
            "schema": {
                "type": "object",
                "required": ["a"],
                "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            },
        },
    }
    found = Checker({}).problems(row, [("n", "9")], {"b": "x"}, path={"id": "z"})
    assert [(p.where, p.kind, p.name) for p in found] == [
        ("path", "type", "id"),
        ("query", "range", "n"),
        ("body", "missing", "a"),
        ("body", "type", "b"),
    ]


def test_a_required_body_that_is_absent() -> None:
    found = checker("ringcentral").problems(op("ringcentral", "createSMSMessage"), [], None)
    assert found == [Problem("missing", "body", "body", "a request body is required")]


def test_validators_are_compiled_once_per_operation() -> None:
    check = checker("compat")
    call = op("compat", "create_a_call")
    check.problems(call, [], {})
    compiled = dict(check._compiled)
    check.problems(call, [], {"To": "x"})
    assert len(compiled) == 1
    assert check._compiled == compiled


def test_operations_sharing_an_id_keep_their_own_validators() -> None:
    # SignalWire REST publishes operationId create_token twice, with different bodies
    rows = [o for o in table("rest")["operations"] if o["id"] == "create_token"]
    project = next(r for r in rows if r["path"] == "/api/project/tokens")
    pubsub = next(r for r in rows if r["path"] == "/api/pubsub/tokens")
    check = checker("rest")
    body = {"name": "ci", "permissions": ["calling"]}
    assert check.problems(project, [], body) == []
    assert check.problems(pubsub, [], body) != []
    assert check.problems(project, [], body) == []


def as_form(value: Any) -> Any:
    """A synthesized body as a form parser hands it over: strings, lists of strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [as_form(v) for v in value]
    if isinstance(value, dict):
        return {k: as_form(v) for k, v in value.items() if v is not None}
    return str(value)


def synth_query(made: Synth, row: dict[str, Any]) -> list[tuple[str, str]]:
    """Every query parameter with a synthesized value, as a query string carries it."""
    pairs = []
    for param in row.get("params", ()):
        if param["in"] == "query":
            value = as_form(made.value(param["schema"], param["name"]))
            values = value if isinstance(value, list) else [value]
            pairs.extend((param["name"], v) for v in values)
    return pairs


def synth_path(made: Synth, row: dict[str, Any]) -> dict[str, str]:
    """Every path parameter with a synthesized value (an array's items joined by commas)."""
    out = {}
    for param in row.get("params", ()):
        if param["in"] == "path":
            value = as_form(made.value(param["schema"], param["name"]))
            out[param["name"]] = ",".join(value) if isinstance(value, list) else value
    return out


@pytest.mark.parametrize("style", list(TABLES))
def test_a_body_synth_builds_has_no_problems(style: str) -> None:
    fake = Faker()
    fake.seed_instance(5)
    made = Synth(table(style)["schemas"], random.Random(5), fake, SHAPES[style])
    check = checker(style)
    bad = {}
    for row in table(style)["operations"]:
        spec = row.get("body") or {}
        if "schema" not in spec:
            continue
        body = made.value(spec["schema"])
        if spec["media"] != "application/json":
            body = as_form(body)
        found = check.problems(row, synth_query(made, row), body, path=synth_path(made, row))
        if found:
            bad[row["id"]] = found
    assert bad == {}


def test_multipart_parts_carry_json_objects_as_text_or_parsed() -> None:
    mms = op("ringcentral", "createMMS")
    text = {
        "from": '{"phoneNumber": "+15551230000"}',
        "to": ['{"phoneNumber": "+15551230001"}'],
        "attachments": ["(the picture)"],
    }
    assert checker("ringcentral").problems(mms, [], text) == []
    parsed = {
        **text,
        "from": {"phoneNumber": "+15551230000"},
        "to": [{"phoneNumber": "+15551230001"}],
    }
    assert checker("ringcentral").problems(mms, [], parsed) == []
    assert checker("ringcentral").problems(mms, [], {**text, "from": "+15551230000"}) == [
        Problem("type", "from", "body", "must be object")
    ]


def test_a_form_body_behind_any_of_is_typed_too() -> None:
    # RingCentral's GetTokenRequest is anyOf [the token request kinds]
    token = op("ringcentral", "getToken")
    form = {"grant_type": "refresh_token", "refresh_token": "r1", "refresh_token_ttl": "3600"}
    assert checker("ringcentral").problems(token, [], form) == []
    assert checker("ringcentral").problems(token, [], {**form, "refresh_token_ttl": "long"}) == [
        Problem("type", "refresh_token_ttl", "body", "must be integer")
    ]
