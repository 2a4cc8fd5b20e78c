"""TEMPORARY stand-in (replaced by the helper's synth)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any


class Synth:
    """Stand-in."""

    def __init__(
        self, schemas: Mapping[str, Any], rng: random.Random, faker: Any, style: str
    ) -> None:
        self.schemas, self.rng = schemas, rng

    def value(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        """Stand-in."""
        if not isinstance(schema, dict) or depth > 6:
            return None
        if "$ref" in schema:
            return self.value(self.schemas[schema["$ref"].rsplit("/", 1)[-1]], name, depth + 1)
        if "enum" in schema:
            return schema["enum"][0]
        if "allOf" in schema:
            out: dict[str, Any] = {}
            for part in schema["allOf"]:
                v = self.value(part, name, depth + 1)
                if isinstance(v, dict):
                    out.update(v)
            return out
        for k in ("oneOf", "anyOf"):
            if k in schema:
                return self.value(schema[k][0], name, depth + 1)
        t = schema.get("type", "object")
        t = t[0] if isinstance(t, list) else t
        if t == "object":
            return {k: self.value(v, k, depth + 1) for k, v in schema.get("properties", {}).items()}
        if t == "array":
            return [self.value(schema.get("items"), name, depth + 1)]
        if t == "integer":
            return self.rng.randint(1, 10**9)
        if t == "number":
            return 1.5
        if t == "boolean":
            return True
        return f"{name}-{self.rng.randint(1, 10**6)}"

    def fill(self, schema: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Stand-in."""
        base = self.value(schema)
        base = base if isinstance(base, dict) else {}
        return {**base, **{k: v for k, v in fields.items() if k in base}}
