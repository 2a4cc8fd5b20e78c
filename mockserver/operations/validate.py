"""TEMPORARY stand-in (replaced by the helper's validate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Stand-in."""

    kind: str
    name: str
    where: str
    detail: str


class Checker:
    """Stand-in."""

    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas

    def problems(
        self, op: Mapping[str, Any], query: Sequence[tuple[str, str]], body: Any
    ) -> list[Problem]:
        """Stand-in."""
        return []
