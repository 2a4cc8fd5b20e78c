"""A vendor's operation tables (`vendors/<v>/spec/*`), loaded on first use and matched by path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.memo import Memo

_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True, eq=False)
class Table:
    """One spec's facts: provenance, base path, dialect style and component schemas."""

    name: str
    vendor: str
    style: str
    base: str
    source: Mapping[str, Any] = field(repr=False)
    schemas: Mapping[str, Any] = field(repr=False)
    dialect: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, eq=False)
class Operation:
    """One published operation; `path` and `collection` include the table's base."""

    table: Table = field(repr=False)
    row: Mapping[str, Any] = field(repr=False)
    path: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]

    @property
    def id(self) -> str:
        """The operationId."""
        return str(self.row["id"])

    @property
    def method(self) -> str:
        """The HTTP method."""
        return str(self.row["method"])

    @property
    def action(self) -> str:
        """create, list, fetch, update, delete, read, write or act."""
        return str(self.row.get("action", "act"))

    @property
    def collection(self) -> str | None:
        """The collection's path template, base included (None: not a collection's operation)."""
        found = self.row.get("collection")
        return None if found is None else self.table.base + str(found)

    @property
    def success(self) -> int:
        """The status a successful call answers."""
        return int(self.row.get("success", 200))

    def response_schema(self, status: int | str | None = None) -> Any:
        """The JSON schema of the answer at `status` (default: success), or None."""
        key = str(self.success if status is None else status)
        return self.row.get("responses", {}).get(key, {}).get("schema")

    def get(self, key: str) -> Any:
        """A fact of the row (id_param, id_field, list_key, body...)."""
        return self.row.get(key)

    def example_path(self, value: str = "1") -> str:
        """The path with every parameter filled by `value` (to ask which handler serves it)."""
        return _PARAM.sub(value, self.path)


_Found = tuple[Operation, tuple[tuple[str, str], ...]] | None


class Operations:
    """Every operation of a vendor, found by method and path (literal segments win)."""

    def __init__(
        self, operations: Iterable[Operation], aliases: Mapping[str, str] | None = None
    ) -> None:
        self.operations = list(operations)
        # path prefixes clients also use for a table's base (SignalWire: bare /2010-04-01/)
        self.aliases = dict(aliases or {})
        # by segment count, most specific (fewest parameters) first
        self._by_size: dict[int, list[Operation]] = {}
        for op in sorted(self.operations, key=lambda o: len(o.names)):
            self._by_size.setdefault(op.path.count("/"), []).append(op)
        # and by method too, for `find` (a RingCentral path length has a hundred operations)
        self._by_call: dict[tuple[str, int], list[Operation]] = {}
        for size, ops in self._by_size.items():
            for op in ops:
                self._by_call.setdefault((op.method, size), []).append(op)
        # found (or not) per (method, path)
        self._memo: Memo[tuple[str, str], _Found] = Memo()
        # collections a client can add to (the others are seeded: the vendor's own data)
        self.creatable = {op.collection for op in self.operations if op.action == "create"}
        # each collection's fetch operation: its schema is what a stored record looks like
        self.fetchers: dict[str | None, Operation] = {}
        for op in self.operations:  # the first one (`/rooms/{id}`, not `/rooms/{name}`)
            if op.action == "fetch":
                self.fetchers.setdefault(op.collection, op)

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving `method path`, with its path arguments; None when none does."""
        found = self._memo.get((method, path), self._scan, method, path)
        return None if found is None else (found[0], dict(found[1]))

    def _scan(self, method: str, path: str) -> _Found:
        path = self.canonical(path)
        for op in self._by_call.get((method, path.count("/")), ()):
            found = op.pattern.fullmatch(path)
            if found:
                return op, tuple(zip(op.names, found.groups(), strict=True))
        return None

    def allowed(self, path: str) -> list[str]:
        """Methods some operation accepts at this path."""
        path = self.canonical(path)
        return [op.method for op in self._candidates(path) if op.pattern.fullmatch(path)]

    def canonical(self, path: str) -> str:
        """`path` with an alias prefix replaced by the base it stands for."""
        for alias, base in self.aliases.items():
            if path.startswith(alias):
                return base + path[len(alias) :]
        return path

    def _candidates(self, path: str) -> list[Operation]:
        # the compat API's optional `.json` does not change the segment count
        return self._by_size.get(path.count("/"), [])

    def __len__(self) -> int:
        return len(self.operations)


def compile_path(
    template: str, json_suffix: bool = False
) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A full-match pattern for a path template; a trailing `.json` is optional (compat API)."""
    names: list[str] = []
    parts = []
    pos = 0
    body = template[:-5] if template.endswith(".json") else template
    for found in _PARAM.finditer(body):
        parts.append(re.escape(body[pos : found.start()]))
        parts.append("([^/]+?)" if body.endswith(found.group(0)) else "([^/]+)")
        names.append(found.group(1))
        pos = found.end()
    parts.append(re.escape(body[pos:]))
    suffix = r"(?:\.json)?" if json_suffix or template.endswith(".json") else ""
    return re.compile("".join(parts) + suffix), tuple(names)


def read_table(path: Path, vendor: str) -> tuple[Table, list[Mapping[str, Any]]]:
    """One table file (generated JSON or hand-built YAML) and its operation rows."""
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    table = Table(
        name=path.stem,
        vendor=vendor,
        style=str(doc.get("style", vendor)),
        base=str(doc.get("base", "")),
        source=doc.get("source", {}),
        schemas=doc.get("schemas", {}),
        dialect=doc.get("dialect", {}),
    )
    return table, list(doc.get("operations", []))


def load(folder: Path, vendor: str, aliases: Mapping[str, str] | None = None) -> Operations:
    """Every table in `folder` (sorted by file name); see `Operations` for `aliases`."""
    ops: list[Operation] = []
    if not folder.is_dir():
        return Operations(ops, aliases)
    for path in sorted([*folder.glob("*.json"), *folder.glob("*.yaml")]):
        table, rows = read_table(path, vendor)
        for row in rows:
            full = table.base + str(row["path"])
            pattern, names = compile_path(full, table.style == "compat")
            ops.append(Operation(table, row, full, pattern, names))
    return Operations(ops, aliases)
