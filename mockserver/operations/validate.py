"""A request checked against its operation row: parameters and body, as plain problems."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry

Kind = Literal["missing", "type", "enum", "format", "range", "pattern", "length", "other"]
Where = Literal["path", "query", "header", "body"]

# The table's schemas live at this URI in the registry; an operation's own (inline) schemas
# refer to them as "#/schemas/X", rewritten to BASE + "#/schemas/X" before compiling.
BASE = "urn:mockserver:table"
# Most useful first: a client fixes a missing field before its type, its type before its value
RANK: dict[str, int] = {
    k: i for i, k in enumerate(("missing", "type", "enum", "format", "range", "pattern", "length"))
}
PLACES: dict[str, int] = {"path": 0, "query": 1, "header": 2, "body": 3}
_KINDS: dict[str, Kind] = {
    "required": "missing",
    "type": "type",
    "enum": "enum",
    "const": "enum",
    "format": "format",
    "minimum": "range",
    "maximum": "range",
    "exclusiveMinimum": "range",
    "exclusiveMaximum": "range",
    "multipleOf": "range",
    "pattern": "pattern",
    "minLength": "length",
    "maxLength": "length",
    "minItems": "length",
    "maxItems": "length",
}
_SKIPPED_HEADERS = frozenset({"authorization", "content-type"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, named as the client wrote it."""

    kind: Kind
    name: str  # the parameter or body attribute (dotted for nested: "to.phoneNumber")
    where: Where
    detail: str  # plain: "must be one of: queued, ringing" / "is required" / "must be integer"


# --- schema plumbing shared with synth.py -------------------------------------------------


def ref_name(ref: str) -> str:
    """The component name of "#/schemas/X" (or BASE#/schemas/X)."""
    return ref.rpartition("/")[2]


def absolute(schema: Any) -> Any:
    """A copy of `schema` whose "#/..." refs point into the registry's table document."""
    if isinstance(schema, dict):
        out = {k: absolute(v) for k, v in schema.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            out["$ref"] = BASE + ref
        return out
    if isinstance(schema, list):
        return [absolute(v) for v in schema]
    return schema


# one registry per table, shared by the checker and the generator (tables live for the process)
_REGISTRIES: dict[int, tuple[Mapping[str, Any], Registry[Any]]] = {}


def registry(schemas: Mapping[str, Any]) -> Registry[Any]:
    """The registry holding a table's schemas, as refs "#/schemas/X" expect them (made once)."""
    kept = _REGISTRIES.get(id(schemas))
    if kept is not None and kept[0] is schemas:
        return kept[1]
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    reg: Registry[Any] = Registry().with_resource(
        BASE, DRAFT202012.create_resource({"schemas": schemas})
    )
    _REGISTRIES[id(schemas)] = (schemas, reg)  # holding `schemas` keeps its id unique
    return reg


def compile_schema(
    schema: Any, reg: Registry[Any], *, request: bool = False, formats: bool = True
) -> Validator:
    """A Draft 2020-12 validator of `schema` (inline; refs into `reg`)."""
    from jsonschema import Draft202012Validator, FormatChecker

    cls = _request_validator() if request else Draft202012Validator
    checker = _request_formats() if request else FormatChecker()
    validator: Validator = cls(
        absolute(schema), registry=reg, format_checker=checker if formats else None
    )
    return validator


_REQUEST_CLASS: list[Any] = []


def _request_validator() -> Any:
    """Draft 2020-12 without unevaluatedProperties (SignalWire's closed models accept extras)."""
    if not _REQUEST_CLASS:
        from jsonschema import Draft202012Validator, validators

        # TypeSpec closes every model with `unevaluatedProperties: {not: {}}`; the live API
        # ignores unknown fields, so only an explicit additionalProperties: false rejects them
        extended = validators.extend(  # type: ignore[no-untyped-call]  # untyped in the stubs
            Draft202012Validator, {"unevaluatedProperties": _accept}
        )
        _REQUEST_CLASS.append(extended)
    return _REQUEST_CLASS[0]


def _accept(*_: object) -> None:
    """A keyword that never fails."""
    return None


_REQUEST_FORMATS: list[Any] = []


def _request_formats() -> Any:
    """The formats a request is held to, the same whichever optional extras are installed."""
    if not _REQUEST_FORMATS:
        from jsonschema import FormatChecker

        checker = FormatChecker(formats=("email", "ipv4", "ipv6", "uuid", "date"))
        checker.checks("date-time", raises=ValueError)(_iso_datetime)
        checker.checks("time", raises=ValueError)(_iso_time)
        checker.checks("uri")(_uri)
        _REQUEST_FORMATS.append(checker)
    return _REQUEST_FORMATS[0]


def _iso_datetime(value: object) -> bool:
    # lenient on purpose: RingCentral takes "2026-01-01" and "...T00:00:00.000Z" alike
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def _iso_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat("2000-01-01T" + value.replace("Z", "+00:00"))
    return True


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def deref(schema: Any, schemas: Mapping[str, Any], limit: int = 32) -> Any:
    """`schema` with its $ref chain followed (sibling keywords kept) and allOf merged in."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema and limit:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        target = schemas.get(ref_name(schema["$ref"]), {})
        return deref(merge(rest, target), schemas, limit - 1)
    if "allOf" in schema and limit:
        out = {k: v for k, v in schema.items() if k != "allOf"}
        for branch in schema["allOf"]:
            out = merge(out, deref(branch, schemas, limit - 1))
        return deref(out, schemas, limit - 1)
    return schema


_LOWER = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
_UPPER = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})


def merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Both schemas' constraints in one (allOf semantics, close enough to generate from)."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
        elif key == "properties":
            props = dict(out[key])
            for name, sub in value.items():
                props[name] = {"allOf": [props[name], sub]} if name in props else sub
            out[key] = props
        elif key == "required":
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "enum":
            both = [v for v in out[key] if v in value]
            out[key] = both or out[key]
        elif key == "type":
            out[key] = _types_both(out[key], value)
        elif key == "allOf":
            out[key] = [*out[key], *value]
        elif key in _LOWER:
            out[key] = max(out[key], value)
        elif key in _UPPER:
            out[key] = min(out[key], value)
    return out


def _types_both(a: Any, b: Any) -> Any:
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    both = [t for t in left if t in right or (t == "integer" and "number" in right)]
    if not both:
        both = [t for t in right if t == "integer" and "number" in left]
    return (both[0] if len(both) == 1 else both) if both else a


def property_schema(schema: Any, key: str, schemas: Mapping[str, Any]) -> Any:
    """The schema of property `key` of an object schema (the first branch naming it), or None."""
    flat = deref(schema, schemas)
    if not isinstance(flat, dict):
        return None
    props = flat.get("properties", {})
    if key in props:
        return props[key]
    for choice in ("oneOf", "anyOf"):
        for branch in flat.get(choice, ()):
            found = property_schema(branch, key, schemas)
            if found is not None:
                return found
    extra = flat.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def types_of(schema: Any, schemas: Mapping[str, Any]) -> list[str]:
    """The JSON types `schema` can take, most specific first ("null" last)."""
    flat = deref(schema, schemas)
    if not isinstance(flat, dict):
        return []
    found: list[str] = []
    declared = flat.get("type")
    found.extend(declared if isinstance(declared, list) else [declared] if declared else [])
    for key in ("anyOf", "oneOf"):
        for branch in flat.get(key, ()):
            found.extend(types_of(branch, schemas))
    if not found and "enum" in flat:
        found.extend(_json_type(v) for v in flat["enum"])
    ordered = list(dict.fromkeys(found))
    return sorted(ordered, key=lambda t: t == "null")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "null" if value is None else "string"


# --- coercion of strings (query, path, form) ------------------------------------------------


def _scalar(text: str, kind: str) -> tuple[bool, Any]:
    """`text` as a `kind` value, and whether it converts."""
    if kind == "integer":
        try:
            return True, int(text)
        except ValueError:
            return False, None
    if kind == "number":
        try:
            return True, float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return False, None
    if kind == "boolean":
        lowered = text.lower()
        return lowered in ("true", "false"), lowered == "true"
    if kind == "null":
        return text in ("", "null"), None
    if kind == "object":
        # a multipart part or form field can carry a JSON object as text
        try:
            found = json.loads(text)
        except ValueError:
            return False, None
        return isinstance(found, dict), found
    return True, text


def _candidates(values: Sequence[str], schema: Any, schemas: Mapping[str, Any]) -> list[Any]:
    """Readings of the raw strings under `schema`, most specific first, raw text last."""
    kinds = types_of(schema, schemas) or ["string"]
    if "array" in kinds:
        flat = deref(schema, schemas)
        items = flat.get("items", {}) if isinstance(flat, dict) else {}
        parts = [p for v in values for p in (v.split(",") if v else [v])]
        return [[_best(p, items, schemas) for p in parts]]
    raw = values[0]
    found = [v for ok, v in (_scalar(raw, k) for k in kinds if k != "string") if ok]
    return [*found, raw]


def _best(text: str, schema: Any, schemas: Mapping[str, Any]) -> Any:
    """One array item: its first reading."""
    return coerce([text], schema, schemas)[0]


def coerce(values: Sequence[str], schema: Any, schemas: Mapping[str, Any]) -> list[Any]:
    """Readings of a parameter's raw strings to try in order: typed first, the text last.

    The first reading is the one reported when none validates: "0" for an integer >= 1 is
    out of range, not "not a string"; "abc" has no typed reading, so it is a type problem.
    """
    return _candidates(values, schema, schemas)


def typed_form(form: Mapping[str, Any], schema: Any, schemas: Mapping[str, Any]) -> dict[str, Any]:
    """A form's string fields read as their body schema's properties type them ("10" -> 10)."""
    out: dict[str, Any] = {}
    for key, raw in form.items():
        prop = property_schema(schema, key, schemas)
        values = raw if isinstance(raw, list) else [raw]
        if prop is None or not all(isinstance(v, str) for v in values):
            out[key] = raw
            continue
        out[key] = coerce(values, prop, schemas)[0]
    return out


# --- the checker --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Param:
    name: str
    where: Where
    required: bool
    schema: Any
    validator: Validator


@dataclass(frozen=True)
class _Compiled:
    params: tuple[_Param, ...]
    body: Validator | None
    body_schema: Any
    body_required: bool
    form: bool
    fields: dict[str, Validator] = field(default_factory=dict)  # form properties, on first use


class Checker:
    """Checks requests against one table's operations (validators cached per operation id).

    `problems(op, query, body, headers=None, path=None)`: `query` is the query string's
    (name, value) pairs in order; `path` the router's path arguments by parameter name (checked
    when given); `body` the parsed body (a JSON value, or a form's dict of str -> str or list
    of str); `headers` the request headers (required non-auth headers are checked when given).
    """

    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas
        self._registry = registry(schemas)
        self._compiled: dict[str, _Compiled] = {}

    def problems(
        self,
        op: Mapping[str, Any],
        query: Sequence[tuple[str, str]],
        body: Any,
        headers: Mapping[str, str] | None = None,
        path: Mapping[str, str] | None = None,
    ) -> list[Problem]:
        """Everything wrong with the request: path, query, headers, then body; worst first."""
        compiled = self._compile(op)
        given: dict[Where, dict[str, list[str]]] = {"query": _grouped(query)}
        if path is not None:
            given["path"] = {k: [v] for k, v in path.items()}
        if headers is not None:
            given["header"] = {k.lower(): [v] for k, v in headers.items()}
        found = [p for param in compiled.params for p in self._param(param, given)]
        found.extend(self._body(compiled, body))
        ordered = sorted(found, key=lambda p: (PLACES[p.where], RANK.get(p.kind, 99)))
        return list(dict.fromkeys(ordered))

    def _compile(self, op: Mapping[str, Any]) -> _Compiled:
        # not the id alone: SignalWire REST publishes "create_token" twice (project, pubsub)
        key = f"{op.get('id')} {op.get('method')} {op.get('path')}"
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._build(op)
        return compiled

    def _build(self, op: Mapping[str, Any]) -> _Compiled:
        params = tuple(
            _Param(
                name=str(p["name"]),
                where=p["in"],
                required=bool(p.get("required")),
                schema=p.get("schema", {}),
                validator=compile_schema(p.get("schema", {}), self._registry, request=True),
            )
            for p in op.get("params", ())
            if p.get("in") in ("path", "query", "header")
        )
        spec = op.get("body") or {}
        schema = spec.get("schema")
        return _Compiled(
            params=params,
            body=None if schema is None else compile_schema(schema, self._registry, request=True),
            body_schema=schema,
            body_required=bool(spec.get("required")),
            form=str(spec.get("media", "")).startswith(_FORMS),
        )

    def _param(
        self, param: _Param, given: Mapping[Where, Mapping[str, list[str]]]
    ) -> list[Problem]:
        if param.where not in given:
            return []
        if param.where == "header" and (
            param.name.lower() in _SKIPPED_HEADERS or not param.required
        ):
            return []
        key = param.name.lower() if param.where == "header" else param.name
        values = given[param.where].get(key)
        if not values:
            return (
                [Problem("missing", param.name, param.where, "is required")]
                if param.required
                else []
            )
        readings = coerce(values, param.schema, self.schemas)
        for reading in readings:
            if param.validator.is_valid(reading):
                return []
        errors = param.validator.iter_errors(readings[0])
        return list(_problems(errors, param.where, param.name))

    def _body(self, compiled: _Compiled, body: Any) -> list[Problem]:
        if compiled.body is None:
            return []
        if body is None or (compiled.form and body == {} and not compiled.body_required):
            if compiled.body_required:
                return [Problem("missing", "body", "body", "a request body is required")]
            return []
        if compiled.form and isinstance(body, Mapping):
            body = self._form(compiled, body)
        return list(_problems(compiled.body.iter_errors(body), "body", ""))

    def _form(self, compiled: _Compiled, body: Mapping[str, Any]) -> dict[str, Any]:
        """Form strings typed per their property schemas (the first reading that validates)."""
        out: dict[str, Any] = {}
        for name, raw in body.items():
            schema = property_schema(compiled.body_schema, name, self.schemas)
            values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
            if schema is None or not values or not all(isinstance(v, str) for v in values):
                out[name] = raw  # unknown, or already structured (a multipart JSON part)
                continue
            readings = coerce(values, schema, self.schemas)
            check = self._property(compiled, name, schema)
            out[name] = next((r for r in readings if check.is_valid(r)), readings[0])
        return out

    def _property(self, compiled: _Compiled, name: str, schema: Any) -> Validator:
        found = compiled.fields.get(name)
        if found is None:
            found = compiled.fields[name] = compile_schema(schema, self._registry, request=True)
        return found


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _problems(errors: Iterable[ValidationError], where: Where, name: str) -> Iterator[Problem]:
    for error in errors:
        yield from _explain(error, where, name)


def _explain(error: ValidationError, where: Where, prefix: str) -> Iterator[Problem]:
    at = _dotted(prefix, error.absolute_path)
    keyword = str(error.validator)
    value: Any = error.validator_value
    if keyword == "required":
        have = error.instance if isinstance(error.instance, Mapping) else {}
        for missing in value:
            if missing not in have:
                yield Problem("missing", _dotted(at, [missing]), where, "is required")
        return
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(
        error.instance, Mapping
    ):
        known = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        for extra in error.instance:
            if extra not in known:
                yield Problem("other", _dotted(at, [extra]), where, "is not a known attribute")
        return
    if keyword in ("anyOf", "oneOf") and error.context:
        yield _alternatives(error, where, at)
        return
    yield Problem(_KINDS.get(keyword, "other"), at or prefix, where, _detail(keyword, value, error))


def _alternatives(error: ValidationError, where: Where, at: str) -> Problem:
    """One problem for a value no branch took: its type when every branch wanted another."""
    context = error.context or []
    if all(e.validator == "type" and not e.relative_path for e in context):
        wanted = [t for e in context for t in _listed(e.validator_value)]
        return Problem("type", at, where, "must be " + " or ".join(dict.fromkeys(wanted)))
    from jsonschema.exceptions import best_match

    best = best_match(context)
    inner = list(_explain(best, where, at)) if best is not None else []
    if inner:
        return inner[0]
    return Problem("other", at, where, "matches none of the accepted forms")


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _detail(keyword: str, value: Any, error: ValidationError) -> str:
    """A plain sentence for what the value must be."""
    words = {
        "type": lambda: "must be " + " or ".join(_listed(value)),
        "enum": lambda: "must be one of: " + ", ".join(_plain(v) for v in value),
        "const": lambda: "must be " + _plain(value),
        "format": lambda: f"must be a valid {value}",
        "minimum": lambda: f"must be >= {value}",
        "maximum": lambda: f"must be <= {value}",
        "exclusiveMinimum": lambda: f"must be > {value}",
        "exclusiveMaximum": lambda: f"must be < {value}",
        "multipleOf": lambda: f"must be a multiple of {value}",
        "pattern": lambda: f"must match {value}",
        "minLength": lambda: f"must be at least {value} characters long",
        "maxLength": lambda: f"must be at most {value} characters long",
        "minItems": lambda: f"must have at least {value} items",
        "maxItems": lambda: f"must have at most {value} items",
    }
    found = words.get(keyword)
    return found() if found else error.message


def _plain(value: Any) -> str:
    return (
        "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    )


def _dotted(prefix: str, path: Iterable[Any]) -> str:
    # list positions are left out: vendors name the attribute ("to.phoneNumber"), not the slot
    parts = [prefix] if prefix else []
    parts.extend(str(p) for p in path if not isinstance(p, int))
    return ".".join(parts)
