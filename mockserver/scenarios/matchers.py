"""Scenario matchers: how a rule's `match` compares paths and values, as pydantic models."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from mockserver.scenarios.linear import compile_linear


def scalar_text(value: object) -> str:
    """The text a scalar compares as: JSON spelling for booleans and null, str() otherwise.

    Objects and arrays become their compact JSON text, so `contains` works on them too.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def check_regex(pattern: str) -> str:
    """Compile `pattern` once so a bad or non-linear regex fails at load time, not on a request."""
    try:
        compile_linear(pattern)
    except ValueError as err:
        raise ValueError(f"invalid regex {pattern!r}: {err}") from None
    return pattern


def to_text(value: Any) -> Any:
    """YAML turns `5` and `true` into numbers and booleans; header and param values are text."""
    if isinstance(value, bool | int | float | str):
        return scalar_text(value)
    return value


Text = Annotated[
    str,
    BeforeValidator(to_text),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]


def only_one(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    chosen = [n for n in names if getattr(model, n) is not None]
    if len(chosen) != 1:
        got = ", ".join(chosen) if chosen else "none"
        raise ValueError(f"{what} needs exactly one of {', '.join(names)} (got {got})")


class Spec(BaseModel):
    """Base of every scenario model: frozen, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)


class ValueMatcher(Spec):
    """How one request value is compared; a bare scalar means `equals`."""

    equals: Text | None = Field(None, description="The value, compared as text, is exactly this.")
    contains: Text | None = Field(None, description="The value contains this text.")
    regex: str | None = Field(
        None,
        description="RE2 regex searched in the value (anchor with ^ and $); runs in linear time.",
    )
    exists: bool | None = Field(
        None, description="true: the value is present (any value); false: it is absent."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if data is None:
            raise ValueError("a matcher cannot be null; use {exists: false} for 'absent'")
        return {"equals": data} if isinstance(data, str | int | float | bool) else data

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)

    @model_validator(mode="after")
    def _one(self) -> ValueMatcher:
        only_one(self, ("equals", "contains", "regex", "exists"), "a matcher")
        return self


class PathMatcher(Spec):
    """How the vendor-relative path is compared; a bare string means `exact`."""

    exact: str | None = Field(None, description="The path is exactly this.")
    prefix: str | None = Field(None, description="The path starts with this text.")
    glob: str | None = Field(
        None, description="Glob: `*` is any text within one segment, `**` any text, `?` one char."
    )
    regex: str | None = Field(
        None,
        description="RE2 regex that must match the whole path; runs in linear time.",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"exact": data} if isinstance(data, str) else data

    @field_validator("exact", "prefix", "glob")
    @classmethod
    def _rooted(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"{value!r}: paths are vendor-relative and start with '/'")
        return value

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)

    @model_validator(mode="after")
    def _one(self) -> PathMatcher:
        only_one(self, ("exact", "prefix", "glob", "regex"), "path")
        return self


class Match(Spec):
    """Which requests a rule applies to; every key given must match (AND)."""

    vendor: str | None = Field(
        None, description="Vendor id, e.g. ringcentral; defaults to the scenario's vendor."
    )
    method: Annotated[
        tuple[str, ...] | None,
        WithJsonSchema(
            {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
        ),
    ] = Field(None, description="HTTP method, or a list of them (case-insensitive).")
    path: PathMatcher | None = Field(
        None, description="Vendor-relative path: a string (exact) or {exact|prefix|glob|regex}."
    )
    query: dict[str, ValueMatcher] = Field(
        default_factory=dict, description="Query parameters by name; any repeated value may match."
    )
    headers: dict[str, ValueMatcher] = Field(
        default_factory=dict, description="Request headers by name (names are case-insensitive)."
    )
    body: dict[str, ValueMatcher] = Field(
        default_factory=dict,
        description="JSON body values by dotted path; list indexes are numbers (to.0.phoneNumber).",
    )
    form: dict[str, ValueMatcher] = Field(
        default_factory=dict, description="Form (x-www-form-urlencoded) fields by name."
    )
    session: str | None = Field(None, description="Only requests of this test session.")

    @field_validator("method", mode="before")
    @classmethod
    def _methods(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(v.upper() if isinstance(v, str) else v for v in value)
        return value

    @field_validator("method")
    @classmethod
    def _method_names(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None:
            if not value:
                raise ValueError("method list is empty")
            bad = [m for m in value if not re.fullmatch(r"[A-Z]+", m)]
            if bad:
                raise ValueError(f"not an HTTP method: {', '.join(map(repr, bad))}")
        return value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, ValueMatcher]) -> dict[str, ValueMatcher]:
        lowered = [name.lower() for name in value]
        if len(set(lowered)) != len(lowered):
            raise ValueError("header names repeat (names are case-insensitive)")
        return value

    @field_validator("body")
    @classmethod
    def _body_paths(cls, value: dict[str, ValueMatcher]) -> dict[str, ValueMatcher]:
        for dotted in value:
            if not dotted or "" in dotted.split("."):
                raise ValueError(f"body path {dotted!r} has an empty segment")
        return value
