"""Problem reports for scenario files: YAML line lookup, readable messages, ScenarioError."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from mockserver.scenarios.model import Scenario

# what validation walks; 10,000 rules are ~150,000 nodes, an alias bomb is refused early
MAX_NODES = 500_000
Loc = tuple[str | int, ...]
_ABSENT = object()


class ScenarioError(ValueError):
    """Scenarios that cannot be used; each of `problems` reads `file:line: where: reason`."""

    def __init__(self, problems: Iterable[str]) -> None:
        """Keep every problem; the message lists them one per line."""
        self.problems = tuple(problems) or ("invalid scenario",)
        super().__init__("\n".join(self.problems))


@dataclass
class NodeBudget:
    """A file's YAML nodes, counted across all its documents, aliases counted expanded."""

    spent: int = 0
    aliased: bool = False

    def refusal(self, where: str) -> str:
        """The problem to report once the file is over MAX_NODES."""
        if self.aliased:
            return f"{where}: too large after alias expansion: over {MAX_NODES:,} YAML nodes"
        return f"{where}: the file has over {MAX_NODES:,} YAML nodes; the limit is {MAX_NODES:,}"


def check_tree(root: yaml.Node, source: str, budget: NodeBudget | None = None) -> None:
    """Reject duplicate keys, recursive aliases and alias bombs before constructing data.

    Pass one `budget` for every document of a file, so many small documents cannot add up
    to more than one large one may.
    """
    budget = budget if budget is not None else NodeBudget()
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, active: frozenset[int]) -> int:
        if id(node) in sizes:
            budget.aliased = True  # a node reached twice is an alias
            return sizes[id(node)]
        if id(node) in active:
            raise ScenarioError([f"{source}:{line_of(node, ())}: an alias refers to itself"])
        total = 1 + sum(size(child, active | {id(node)}) for child in _children(node, source))
        if budget.spent + total > MAX_NODES:
            raise ScenarioError([budget.refusal(f"{source}:{line_of(node, ())}")])
        sizes[id(node)] = total
        return total

    try:
        budget.spent += size(root, frozenset())
    except RecursionError:
        raise ScenarioError([f"{source}:1: nested too deeply"]) from None


def _children(node: yaml.Node, source: str) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                line = key.start_mark.line + 1
                if key.value in seen:
                    first = seen[key.value]
                    problem = (
                        f"{source}:{line}: duplicate key {key.value!r} (first on line {first})"
                    )
                    raise ScenarioError([problem])
                seen[key.value] = line
            yield key
            yield value


def format_problem(
    source: str, node: yaml.Node | None, item: Any, label: str, loc: Loc, msg: str
) -> str:
    """One problem as `source:line: label, where: msg`.

    Args:
        source: the file name.
        node: the YAML node of the scenario (None: line 1).
        item: the scenario's data, to keep only the parts of `loc` that exist in it.
        label: e.g. "scenario 'sms'".
        loc: the pydantic-style location inside the scenario.
        msg: the reason.

    Returns:
        The formatted problem.
    """
    where = format_loc(clean_loc(item, loc))
    return f"{source}:{line_of(node, loc)}: {label}{', ' + where if where else ''}: {msg}"


def error_message(kind: str, loc: Loc, msg: str, value: Any) -> str:
    """A pydantic error in words a scenario author uses (unknown key, did you mean...).

    Args:
        kind: the pydantic error type.
        loc: where it happened.
        msg: pydantic's message.
        value: the offending input.

    Returns:
        The message to show.
    """
    if kind == "missing" and loc:
        return f"missing required key {loc[-1]!r}"
    if kind == "extra_forbidden" and loc:
        return _unknown_key(loc)
    if kind == "model_type":
        return f"expected a mapping, got {_kind(value)}"
    return msg.removeprefix("Value error, ")


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def _unknown_key(loc: Loc) -> str:
    allowed = _keys_at(loc[:-1])
    if not allowed:
        return f"unknown key {loc[-1]!r}"
    near = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean {near[0]!r}?" if near else f"allowed: {', '.join(allowed)}"
    return f"unknown key {loc[-1]!r} ({hint})"


def _keys_at(loc: Loc) -> list[str]:
    """The keys the model at `loc` accepts (by alias), found by walking field annotations."""
    kind: Any = Scenario
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            fields = {f.alias or n: f for n, f in kind.model_fields.items()}
            if part not in fields:
                return []
            kind = fields[str(part)].annotation
        elif get_origin(kind) in (tuple, list) and isinstance(part, int):
            kind = get_args(kind)[0]
        elif get_origin(kind) is dict:
            kind = get_args(kind)[1]
        else:
            return []
    kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [f.alias or n for n, f in kind.model_fields.items()]
    return []


def _unwrap(kind: Any) -> Any:
    while get_origin(kind) in (Union, types.UnionType, Annotated):
        args = [a for a in get_args(kind) if a is not type(None)]
        kind = args[0]
    return kind


def clean_loc(item: Any, loc: Loc) -> Loc:
    """The part of a pydantic location that exists in the data (drops union branch tags)."""
    out: list[str | int] = []
    data = item
    for i, part in enumerate(loc):
        child = _data_child(data, part)
        if child is not _ABSENT:
            data = child
        elif not (i == len(loc) - 1 and isinstance(data, dict)):
            continue  # a union branch tag; a missing last key is still worth naming
        out.append(part)
    return tuple(out)


def _data_child(data: Any, part: str | int) -> Any:
    if isinstance(data, dict) and part in data:
        return data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return _ABSENT


def format_loc(loc: Loc) -> str:
    """A location as people read it: `rules[0].match.path`."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    return text.lstrip(".")


def line_of(node: yaml.Node | None, loc: Loc) -> int:
    """1-based line of the deepest node `loc` reaches (the key's line for mapping members)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        found = _child(node, part)
        if found is None:
            continue
        key, node = found
        line = (key or node).start_mark.line + 1
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in reversed(node.value):  # the last duplicate wins, as in the data
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return None, node.value[part]
    return None
